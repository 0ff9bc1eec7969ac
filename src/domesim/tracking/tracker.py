"""A global-nearest-neighbour multi-target tracker over arrays of tracks (Stone Soup's roles, compiled).

One scan, as in Stone Soup's ``MultiTargetTracker`` (``stonesoup/tracker/simple.py``)::

    predict every live track to the scan time                    (Predictor: predict)
        above ``manoeuvre_below_alt_m`` with gravity + J2 and small noise (ballistic flight, space),
        below it, where lift, drag and thrust act (gliders, cruise missiles, re-entry), with constant
        velocity and manoeuvre noise: a switch by flight regime, simpler than an IMM
    gate each (track, detection) pair by Mahalanobis distance     (Hypothesiser: hypothesise)
    on each connected cluster of gated pairs, the assignment of least total distance,
        a missed detection costing the gate distance                (DataAssociator, GNN: associate)
    update the associated tracks                                 (Updater: update)
    confirm tentative tracks with M of N, delete those missed too often
                                                                 (Initiator, Deleter: confirm_and_delete)
    start tentative tracks on the unassociated detections        (Initiator: initiate)

Each role is its own compiled function; :func:`scan` calls them in that order.

Clusters are found with a union-find over the gated pairs, and most of them are one track and one
detection; the rest are solved exactly with the Hungarian algorithm (Kuhn-Munkres with potentials),
which on a cluster equals SciPy's ``linear_sum_assignment``. The track store is fixed-capacity
arrays (``status`` 0 free, 1 tentative, 2 confirmed), so a scan allocates only per-scan scratch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, cast

import numba as nb
import numpy as np

from domesim.core import kalman
from domesim.core.assignment import hungarian, pair_clusters
from domesim.core.frames import ellipsoid_altitude
from domesim.errors import ParameterError

FREE, TENTATIVE, CONFIRMED = 0, 1, 2


# The kernels' record of the tracker settings (SI; :meth:`TrackerConfig.record`).
TRACKER_DTYPE = np.dtype(
    [
        ("q_m2_s3", "f8"),
        ("ballistic", "?"),
        ("gate_distance", "f8"),
        ("confirm_m", "i8"),
        ("confirm_n", "i8"),
        ("delete_misses", "i8"),
        ("init_velocity_sigma_m_s", "f8"),
        ("capacity", "i8"),
        ("initiate", "?"),
        ("q_manoeuvre_m2_s3", "f8"),
        ("manoeuvre_below_alt_m", "f8"),
    ]
)


@dataclass(frozen=True, kw_only=True)
class TrackerConfig:
    """Tracker settings (SI units).

    >>> cfg = TrackerConfig(confirm_m=2, confirm_n=3)
    >>> int(cfg.record()["confirm_m"]), bool(cfg.record()["ballistic"])
    (2, True)
    >>> TrackerConfig(confirm_m=4, confirm_n=3)
    Traceback (most recent call last):
    ...
    domesim.errors.ParameterError: tracker: confirm_m (4) must be between 1 and confirm_n (3)
    """

    q_m2_s3: float = 1.0  # white-noise acceleration spectral density of the motion model
    ballistic: bool = True  # gravity + J2 motion model (else constant velocity)
    gate_distance: float = 3.0  # Mahalanobis distance beyond which a pair is not hypothesised
    confirm_m: int = 3  # M of the last N scans with an update confirm a tentative track
    confirm_n: int = 5
    delete_misses: int = 10  # consecutive scans without an update delete a track
    init_velocity_sigma_m_s: float = 3000.0  # velocity uncertainty of a track started from one detection
    capacity: int = 256  # most tracks held at once
    initiate: bool = True  # start tracks on unassociated detections (False: only tracks seeded by the caller)
    q_manoeuvre_m2_s3: float = 1000.0  # constant-velocity model noise below manoeuvre_below_alt_m
    manoeuvre_below_alt_m: float = 0.0  # height above the ellipsoid; 0: one model everywhere

    def __post_init__(self) -> None:
        problems = [
            "q_m2_s3 and q_manoeuvre_m2_s3 must be >= 0"
            if not (self.q_m2_s3 >= 0 and self.q_manoeuvre_m2_s3 >= 0)
            else "",
            "gate_distance must be > 0" if not self.gate_distance > 0 else "",
            f"confirm_m ({self.confirm_m}) must be between 1 and confirm_n ({self.confirm_n})"
            if not 1 <= self.confirm_m <= self.confirm_n
            else "",
            "delete_misses must be >= 1" if not self.delete_misses >= 1 else "",
            "init_velocity_sigma_m_s must be > 0" if not self.init_velocity_sigma_m_s > 0 else "",
            "capacity must be >= 1" if not self.capacity >= 1 else "",
        ]
        if any(problems):
            raise ParameterError("tracker: " + "; ".join(p for p in problems if p))

    def record(self) -> np.void:
        """The kernels' record of these settings (:data:`TRACKER_DTYPE`)."""
        rec = np.zeros((), TRACKER_DTYPE)
        for name in TRACKER_DTYPE.names or ():
            rec[name] = getattr(self, name)
        return cast(np.void, rec.view(np.recarray)[()])  # attribute access, compiled or not


class TrackStore(NamedTuple):
    """Tracks of one trial: fixed-capacity arrays (``J`` = capacity), filled in place by :func:`scan`."""

    x: np.ndarray  # (J, 6) inertial position and velocity
    P: np.ndarray  # (J, 6, 6)
    status: np.ndarray  # (J,) int8: FREE, TENTATIVE, CONFIRMED
    t: np.ndarray  # (J,) time of the state
    history: np.ndarray  # (J,) int64 bit mask of updates over the last scans (bit 0: the latest)
    scans: np.ndarray  # (J,) scans since initiation
    misses: np.ndarray  # (J,) consecutive scans without an update
    track_id: np.ndarray  # (J,) unique id within the trial
    next_id: np.ndarray  # (1,) the next id to give
    # (1,) one past the highest slot in use: new tracks take the lowest free slots, so the live tracks
    # stay below it and every loop over the store stops there instead of at its capacity
    high: np.ndarray

    @classmethod
    def empty(cls, capacity: int) -> TrackStore:
        return empty_track_store(capacity)


@nb.njit(cache=True)
def empty_track_store(capacity):
    """An empty :class:`TrackStore` (compiled code builds one per trial with it)."""
    return TrackStore(
        np.zeros((capacity, 6)),
        np.zeros((capacity, 6, 6)),
        np.zeros(capacity, dtype=np.int8),
        np.zeros(capacity),
        np.zeros(capacity, dtype=np.int64),
        np.zeros(capacity, dtype=np.int64),
        np.zeros(capacity, dtype=np.int64),
        np.full(capacity, -1, dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        np.zeros(1, dtype=np.int64),
    )


@nb.njit(cache=True, error_model="numpy")
def predict(store, t, cfg, live):
    """Predictor: every live track (indices ``live``) to time ``t``; above ``manoeuvre_below_alt_m`` with
    gravity + J2 and small noise, below it with constant velocity and manoeuvre noise."""
    x, P, t_state = store.x, store.P, store.t
    for j in live:
        dt = t - t_state[j]
        if dt != 0.0:
            if (
                cfg.manoeuvre_below_alt_m > 0.0
                and ellipsoid_altitude(x[j, 0], x[j, 1], x[j, 2]) < cfg.manoeuvre_below_alt_m
            ):  # in the air: lift, drag, thrust
                kalman.predict(x[j], P[j], dt, cfg.q_manoeuvre_m2_s3, False)
            else:
                kalman.predict(x[j], P[j], dt, cfg.q_m2_s3, cfg.ballistic)
            t_state[j] = t


@nb.njit(cache=True, error_model="numpy")
def hypothesise(store, z, R, live, gate):
    """Hypothesiser: the (track, detection) pairs within Mahalanobis distance ``gate``, with their
    distance (a cheap Euclidean bound first: 3-sigma boxes cannot be far apart). Returns (tracks,
    detections, distances) of the pairs."""
    x, P = store.x, store.P
    n_d = z.shape[0]
    gate2 = gate * gate
    pair_j = np.empty(live.size * n_d, dtype=np.int64)
    pair_d = np.empty(live.size * n_d, dtype=np.int64)
    pair_c = np.empty(live.size * n_d)
    n_pairs = 0
    for a in range(live.size):
        j = live[a]
        reach_j = gate * math.sqrt(max(P[j, 0, 0], P[j, 1, 1], P[j, 2, 2]))
        for d in range(n_d):
            reach = reach_j + gate * math.sqrt(max(R[d, 0, 0], R[d, 1, 1], R[d, 2, 2]))
            if (
                abs(z[d, 0] - x[j, 0]) > 2 * reach
                or abs(z[d, 1] - x[j, 1]) > 2 * reach
                or abs(z[d, 2] - x[j, 2]) > 2 * reach
            ):
                continue
            d2 = kalman.innovation_distance(x[j], P[j], z[d], R[d])
            if d2 < gate2:
                pair_j[n_pairs], pair_d[n_pairs], pair_c[n_pairs] = j, d, math.sqrt(d2)
                n_pairs += 1
    return pair_j[:n_pairs], pair_d[:n_pairs], pair_c[:n_pairs]


@nb.njit(cache=True, error_model="numpy")
def associate(pairs, n_tracks, n_detections, gate):
    """DataAssociator (GNN): on each connected cluster of gated pairs (union-find over tracks
    0..J-1 and detections J..J+D-1), the assignment of least total distance, a missed detection costing
    the gate distance. Returns the track of each detection (-1: none)."""
    pair_j, pair_d, pair_c = pairs
    det_track = np.full(n_detections, -1, dtype=np.int64)
    order, bounds = pair_clusters(pair_j, pair_d, n_tracks, n_detections)
    for c in range(bounds.size - 1):
        members = order[bounds[c] : bounds[c + 1]]
        if members.size == 1:
            det_track[pair_d[members[0]]] = pair_j[members[0]]
            continue
        tracks = np.unique(pair_j[members])
        dets = np.unique(pair_d[members])
        nt, nd = tracks.size, dets.size
        big = 1e9
        cost = np.full((nt, nd + nt), big)
        for i in range(nt):
            cost[i, nd + i] = gate  # a missed detection costs the gate distance
        for s in members:
            cost[np.searchsorted(tracks, pair_j[s]), np.searchsorted(dets, pair_d[s])] = pair_c[s]
        cols = hungarian(cost)
        for i in range(nt):
            if cols[i] < nd and cost[i, cols[i]] < big:
                det_track[dets[cols[i]]] = tracks[i]
    return det_track


@nb.njit(cache=True, error_model="numpy")
def update(store, z, R, det_track, assigned):
    """Updater: each associated track with its detection; ``assigned`` (D,) records the track each
    detection updated. Returns which tracks were updated, for the slots below the highest in use."""
    updated = np.zeros(store.high[0], dtype=np.bool_)  # live tracks are below the highest slot in use
    for d in range(z.shape[0]):
        j = det_track[d]
        if j >= 0:
            kalman.update(store.x[j], store.P[j], z[d], R[d])
            updated[j] = True
            assigned[d] = j
    return updated


@nb.njit(cache=True, error_model="numpy")
def confirm_and_delete(store, live, updated, in_view, cfg):
    """Initiator's confirmation (M of the last N scans with an update) and Deleter (a tentative track that
    can no longer reach M of N; a confirmed one missed ``delete_misses`` scans in a row), over the live
    tracks this scan could have seen (``in_view``) or updated."""
    status, history, scans, misses = store.status, store.history, store.scans, store.misses
    for j in live:
        if not (updated[j] or in_view[j]):
            continue
        history[j] = (history[j] << 1) | (1 if updated[j] else 0)
        scans[j] += 1
        misses[j] = 0 if updated[j] else misses[j] + 1
        hits = 0
        for b in range(min(cfg.confirm_n, 63)):
            hits += (history[j] >> b) & 1
        if status[j] == TENTATIVE:
            if hits >= cfg.confirm_m:
                status[j] = CONFIRMED
            elif scans[j] >= cfg.confirm_n:
                status[j] = FREE
        elif misses[j] >= cfg.delete_misses:
            status[j] = FREE


@nb.njit(cache=True, error_model="numpy")
def initiate(store, t, z, R, det_track, cfg, assigned):
    """Initiator: one tentative track per unassociated detection, in the free slots of the store."""
    x, P, status, t_state = store.x, store.P, store.status, store.t
    j = -1  # the last slot taken; the next is the lowest free one above it
    v0 = cfg.init_velocity_sigma_m_s
    for d in range(z.shape[0]):
        if det_track[d] >= 0:
            continue
        j += 1
        while j < status.size and status[j] != FREE:
            j += 1
        if j >= status.size:  # the store is full: the detection is dropped
            break
        store.high[0] = max(store.high[0], j + 1)
        x[j, :3] = z[d]
        x[j, 3:] = 0.0
        P[j, :, :] = 0.0
        P[j, :3, :3] = R[d]
        for i in range(3):
            P[j, 3 + i, 3 + i] = v0 * v0
        status[j] = TENTATIVE
        t_state[j] = t
        store.history[j] = 1
        store.scans[j] = 1
        store.misses[j] = 0
        store.track_id[j] = store.next_id[0]
        store.next_id[0] += 1
        assigned[d] = j


@nb.njit(cache=True, error_model="numpy")
def scan(store, t, z, R, in_view, cfg, assigned):
    """One scan of one sensor at time ``t``: detections ``z`` (D, 3) with covariances ``R`` (D, 3, 3) update
    the tracks of ``store`` (a :class:`TrackStore`) in place, with the settings ``cfg`` (a
    :data:`TRACKER_DTYPE` record), through the roles in Stone Soup's order.

    The tracker never sees which object a detection came from: a track is whatever its associations
    made it, and the engine scores it against the truth only afterwards. ``in_view`` (J,) marks
    the tracks this sensor could have detected: only those count a miss (a track outside a radar's faces
    is not missed by it). ``assigned`` (D,) receives the track index each detection updated or started
    (-1: dropped, store full).
    """
    live = np.flatnonzero(store.status[: store.high[0]] > 0)
    predict(store, t, cfg, live)
    assigned[:] = -1
    if z.shape[0] == 0:  # nothing to associate, update or start: only the misses count
        confirm_and_delete(store, live, np.zeros(store.high[0], dtype=np.bool_), in_view, cfg)
    else:
        pairs = hypothesise(store, z, R, live, cfg.gate_distance)
        det_track = associate(pairs, store.high[0], z.shape[0], cfg.gate_distance)
        updated = update(store, z, R, det_track, assigned)
        confirm_and_delete(store, live, updated, in_view, cfg)
        if cfg.initiate:
            initiate(store, t, z, R, det_track, cfg, assigned)
    while store.high[0] > 0 and store.status[store.high[0] - 1] == FREE:  # deletions at the top
        store.high[0] -= 1


class Tracker:
    """The tracker of one trial, scan by scan (the Python face of :func:`scan`).

    ``step`` returns the track given to each detection:

    >>> trk = Tracker(TrackerConfig(ballistic=False, confirm_m=1, confirm_n=1))  # doctest: +SKIP
    >>> trk.step(0.0, np.array([[0.0, 0.0, 0.0]]), np.eye(3)[None] * 100.0).tolist()  # doctest: +SKIP
    [0]
    >>> status = trk.store.status  # doctest: +SKIP
    >>> int((status == CONFIRMED).sum()), int((status == TENTATIVE).sum())  # doctest: +SKIP
    (0, 1)
    """

    def __init__(self, config: TrackerConfig):
        self.config = config
        self.store = TrackStore.empty(config.capacity)
        self._cfg = config.record()

    def step(self, t: float, z: np.ndarray, R: np.ndarray) -> np.ndarray:
        """Process one scan; returns, per detection, the index of the track it updated or started."""
        z = np.ascontiguousarray(z, dtype=np.float64).reshape(-1, 3)
        R = np.asarray(R, dtype=np.float64)
        if R.shape == (3, 3):  # one covariance for every detection
            R = np.broadcast_to(R, (len(z), 3, 3))
        if R.shape != (len(z), 3, 3):
            raise ValueError(f"R must be (3, 3) or ({len(z)}, 3, 3) for {len(z)} detections, not {R.shape}")
        R = np.ascontiguousarray(R)
        assigned = np.empty(len(z), dtype=np.int64)
        in_view = np.ones(self.store.status.size, dtype=np.bool_)
        scan(self.store, float(t), z, R, in_view, self._cfg, assigned)
        return assigned

    def seed(self, t: float, x: np.ndarray, P: np.ndarray) -> np.ndarray:
        """Start confirmed tracks at time ``t`` from states ``x`` (K, 6) and covariances ``P`` (K, 6, 6)."""
        s = self.store
        free = np.flatnonzero(s.status == FREE)[: len(x)]
        if free.size < len(x):
            raise ValueError(f"the track store holds {s.status.size} tracks: raise TrackerConfig.capacity")
        s.x[free], s.P[free], s.status[free], s.t[free] = x, P, CONFIRMED, t
        s.history[free], s.scans[free], s.misses[free] = 1, 1, 0
        s.track_id[free] = s.next_id[0] + np.arange(free.size)
        s.next_id[0] += free.size
        s.high[0] = max(s.high[0], int(free.max(initial=-1)) + 1)
        return free

    def confirmed(self) -> np.ndarray:
        """Indices of the confirmed tracks."""
        return np.flatnonzero(self.store.status == CONFIRMED)
