"""Acceptance: domesim's GNN tracker against Stone Soup's on the same detections.

Source: Stone Soup (dstl, https://github.com/dstl/Stone-Soup, MIT licence), version >= 1.9, set up as in
shared/peer-baselines.md section 3.3: ``MultiTargetTracker`` with a ``CombinedLinearGaussianTransitionModel``
of 3 x ``ConstantVelocity(q = 1 m^2/s^3)`` (state order [x, vx, y, vy, z, vz]), a ``LinearGaussian``
position measurement (sigma 50 m), ``KalmanPredictor`` / ``KalmanUpdater``,
``DistanceHypothesiser(Mahalanobis, missed_distance = 3)`` with ``GNNWith2DAssignment``,
``UpdateTimeStepsDeleter(10)``, and tracks started from perturbed truth at scan 0 and no other initiation.
domesim runs ``Tracker(TrackerConfig(q_m2_s3=1, ballistic=False, gate_distance=3, delete_misses=10,
initiate=False))`` (state order [x, y, z, vx, vy, vz]), seeded with the same states and covariances.

Scenario (fixed seeds): K = 10 targets in a cube, 100-300 m/s in random directions, truth driven by the
filter's own white-noise acceleration; 1 s scans, 100 scans; Pd 0.9; Poisson clutter, mean 10 per scan,
uniform in the cube. The detections are generated once and fed to both trackers. The cube's corner is
300 km above the equator on the x axis (``ORIGIN_M``): domesim's tracker works in the inertial frame and
chooses its motion model by altitude (``manoeuvre_below_alt_m``), whereas Stone Soup is frame-free; above
the Earth both use the one constant-velocity model.

Tolerances:

- ``test_rms_matches_stonesoup[200km-cube]`` (the acceptance criterion): the RMS position error over every
  (scan, target) pair whose seeded track still exists is within ``RMS_REL_TOL`` = 10 % of Stone Soup's,
  and the numbers of live tracks at the end agree within ``LIVE_TOL`` = 1.
- ``test_rms_matches_stonesoup[1km-raid-dense]``: the same tolerances on a dense raid (the 10 targets start
  in a 1 km cube with one common velocity +- 5 m/s; the clutter cube moves with them), where gates overlap
  and clutter seduces tracks: association conflicts in about half the scans, solved by SciPy's global
  assignment in Stone Soup and per cluster by domesim's Hungarian solver. (Both agree to 1e-11 m here.)
- ``test_same_filter_math``: no clutter and Pd = 1, so association is unambiguous and both trackers run the
  same Kalman filter; at every scan each state component agrees to ``STATE_REL_TOL`` = 1e-6 of the filter's
  own standard deviation for it, and each covariance element P_ij to 1e-6 of sqrt(P_ii P_jj) (observed:
  about 1e-10 and 1e-15; Stone Soup updates P as ``P - K S K^T``, domesim as ``P - K H P``). A mismatch of
  motion model, noise, time step or state order shows up here first.
"""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from stonesoup.base import Property
from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
from stonesoup.deleter.time import UpdateTimeStepsDeleter
from stonesoup.hypothesiser.distance import DistanceHypothesiser
from stonesoup.initiator.base import Initiator
from stonesoup.measures import Mahalanobis
from stonesoup.models.measurement.linear import LinearGaussian
from stonesoup.models.transition.linear import (
    CombinedLinearGaussianTransitionModel,
    ConstantVelocity,
)
from stonesoup.predictor.kalman import KalmanPredictor
from stonesoup.tracker.simple import MultiTargetTracker
from stonesoup.types.array import CovarianceMatrix, StateVector
from stonesoup.types.detection import Detection
from stonesoup.types.state import GaussianState
from stonesoup.types.track import Track
from stonesoup.updater.kalman import KalmanUpdater

from domesim.core.constants import R_EARTH_EQ_M
from domesim.tracking.tracker import FREE, Tracker, TrackerConfig

RMS_REL_TOL = 0.10
LIVE_TOL = 1
STATE_REL_TOL = 1e-6

Q_M2_S3 = 1.0
SIGMA_Z_M = 50.0
GATE = 3.0
DELETE_MISSES = 10
SIGMA0_POS_M, SIGMA0_VEL_M_S = 100.0, 20.0  # spread of the seeded states about the truth (and their P)
EPOCH = datetime.datetime(2026, 1, 1)
ORIGIN_M = np.array([R_EARTH_EQ_M + 300e3, 0.0, 0.0])  # the scenario cube's corner, inertial frame
# domesim order [x, y, z, vx, vy, vz] -> Stone Soup order [x, vx, y, vy, z, vz], and back
SS_FROM_DOM = np.array([0, 3, 1, 4, 2, 5])
DOM_FROM_SS = np.argsort(SS_FROM_DOM)


def cv_matrices(dt: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    """F and Q of the 6-state constant-velocity model, domesim's order (Stone Soup's ``ConstantVelocity``)."""
    eye = np.eye(3)
    F = np.block([[eye, dt * eye], [0 * eye, eye]])
    Q = q * np.block([[dt**3 / 3 * eye, dt**2 / 2 * eye], [dt**2 / 2 * eye, dt * eye]])
    return F, Q


def make_scenario(
    k: int,
    n_scans: int,
    side_m: float,
    clutter_mean: float,
    pd: float,
    seed: int,
    formation_sigma_m_s: float | None = None,
) -> dict:
    """Truth, detections and seeded states of one deterministic scenario (domesim state order).

    Targets start uniformly in a cube of side ``side_m`` (corner ``ORIGIN_M``) at 100-300 m/s in random
    directions; with ``formation_sigma_m_s`` they share one such velocity plus that spread, and the clutter
    cube moves with them (a dense raid). Returns a dict with ``truth`` (n_scans, k, 6); ``z``, ``R``,
    ``labels``: per scan, detections (D, 3) in m, their covariances (D, 3, 3) and target indices (-1:
    clutter); ``x0`` (k, 6) and ``P0`` (k, 6, 6): the seeded states at scan 0.
    """
    rng = np.random.default_rng(seed)
    F, Q = cv_matrices(1.0, Q_M2_S3)
    Lq = np.linalg.cholesky(Q)
    n_dir = 1 if formation_sigma_m_s is not None else k
    u = rng.standard_normal((n_dir, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v = np.broadcast_to(rng.uniform(100.0, 300.0, (n_dir, 1)) * u, (k, 3))
    if formation_sigma_m_s is not None:
        v = v + formation_sigma_m_s * rng.standard_normal((k, 3))
    x = np.hstack([ORIGIN_M + rng.uniform(0.0, side_m, (k, 3)), v])
    v_clutter = v[0] if formation_sigma_m_s is not None else np.zeros(3)
    truth = np.empty((n_scans, k, 6))
    zs, Rs, labels = [], [], []
    for s in range(n_scans):
        if s > 0:
            x = x @ F.T + rng.standard_normal((k, 6)) @ Lq.T
        truth[s] = x
        hit = np.flatnonzero(rng.random(k) < pd)
        clutter = ORIGIN_M + rng.uniform(0.0, side_m, (rng.poisson(clutter_mean), 3)) + s * v_clutter
        z = np.vstack([x[hit, :3] + SIGMA_Z_M * rng.standard_normal((hit.size, 3)), clutter])
        lab = np.concatenate([hit, np.full(len(clutter), -1)])
        order = rng.permutation(len(z))
        zs.append(z[order])
        labels.append(lab[order])
        Rs.append(np.broadcast_to(SIGMA_Z_M**2 * np.eye(3), (len(z), 3, 3)).copy())
    sig0 = np.array([SIGMA0_POS_M] * 3 + [SIGMA0_VEL_M_S] * 3)
    x0 = truth[0] + sig0 * rng.standard_normal((k, 6))
    P0 = np.broadcast_to(np.diag(sig0**2), (k, 6, 6)).copy()
    return {"truth": truth, "z": zs, "R": Rs, "labels": labels, "x0": x0, "P0": P0}


# ---- Stone Soup -------------------------------------------------------------------------------------------


class SeededInitiator(Initiator):
    """Starts the given tracks at its first call and no track afterwards."""

    seeds: list = Property(doc="Tracks to start at the first scan")

    def initiate(self, detections, timestamp, **kwargs):
        tracks, self.seeds = set(self.seeds), []
        return tracks


def stonesoup_detections(sc: dict, n_scans: int | None = None) -> list:
    """(time, set of Detection) per scan, for ``MultiTargetTracker``'s detector (made once, reused)."""
    n = len(sc["z"]) if n_scans is None else n_scans
    out = []
    for s in range(n):
        t = EPOCH + datetime.timedelta(seconds=s)
        out.append((t, {Detection(StateVector(z), timestamp=t) for z in sc["z"][s]}))
    return out


def run_stonesoup(sc: dict, detections: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Stone Soup's GNN tracker: per scan and target, the state (domesim order), covariance, existence.

    Also returns the number of live tracks at the end.
    """
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q_M2_S3)] * 3)
    measurement = LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=np.eye(3) * SIGMA_Z_M**2)
    predictor = KalmanPredictor(transition)
    updater = KalmanUpdater(measurement)
    hypothesiser = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=GATE)
    perm = np.ix_(SS_FROM_DOM, SS_FROM_DOM)
    seeds = [
        Track([GaussianState(StateVector(x[SS_FROM_DOM]), CovarianceMatrix(P[perm]), EPOCH)])
        for x, P in zip(sc["x0"], sc["P0"], strict=True)
    ]
    tracker = MultiTargetTracker(
        initiator=SeededInitiator(list(seeds)),
        deleter=UpdateTimeStepsDeleter(DELETE_MISSES),
        detector=detections,
        data_associator=GNNWith2DAssignment(hypothesiser),
        updater=updater,
    )
    n, k = len(detections), len(seeds)
    x = np.full((n, k, 6), np.nan)
    P = np.full((n, k, 6, 6), np.nan)
    back = np.ix_(DOM_FROM_SS, DOM_FROM_SS)
    for s, (_, tracks) in enumerate(tracker):
        for i, track in enumerate(seeds):
            if track in tracks:
                x[s, i] = np.asarray(track.state_vector, dtype=float).ravel()[DOM_FROM_SS]
                P[s, i] = np.asarray(track.covar, dtype=float)[back]
    return x, P, ~np.isnan(x[..., 0]), len(tracker.tracks)


# ---- domesim ----------------------------------------------------------------------------------------------


def run_domesim(sc: dict, n_scans: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """domesim's tracker, seeded at scan 0 and stepped on every later scan; returns as :func:`run_stonesoup`.

    Track identity: the store slot seeded for target i, recorded while its status is not FREE.
    """
    n = len(sc["z"]) if n_scans is None else n_scans
    k = len(sc["x0"])
    cfg = TrackerConfig(
        q_m2_s3=Q_M2_S3,
        ballistic=False,
        gate_distance=GATE,
        delete_misses=DELETE_MISSES,
        initiate=False,
        capacity=k + 16,
    )
    trk = Tracker(cfg)
    slots = trk.seed(0.0, sc["x0"], sc["P0"], np.arange(k))
    st = trk.store
    x = np.full((n, k, 6), np.nan)
    P = np.full((n, k, 6, 6), np.nan)
    for s in range(n):
        if s > 0:
            trk.step(float(s), sc["z"][s], sc["R"][s], sc["labels"][s])
        live = st.status[slots] != FREE
        x[s, live] = st.x[slots[live]]
        P[s, live] = st.P[slots[live]]
    return x, P, ~np.isnan(x[..., 0]), int(np.count_nonzero(st.status != FREE))


def rms_position_error(x: np.ndarray, exists: np.ndarray, truth: np.ndarray) -> float:
    """RMS 3-D position error (m) over the (scan, target) pairs of scans >= 1 whose track exists."""
    err = x[1:, :, :3] - truth[1:, :, :3]
    return float(np.sqrt(np.mean(np.sum(err[exists[1:]] ** 2, axis=-1))))


def run_both(*args, **kwargs):
    sc = make_scenario(*args, **kwargs)
    return sc, run_stonesoup(sc, stonesoup_detections(sc)), run_domesim(sc)


@pytest.mark.parametrize(
    ("side_m", "formation_sigma_m_s", "seed"),
    [
        pytest.param(200e3, None, 20261122, id="200km-cube"),
        pytest.param(1e3, 5.0, 7, id="1km-raid-dense"),
    ],
)
def test_rms_matches_stonesoup(side_m: float, formation_sigma_m_s: float | None, seed: int):
    sc, ss, dom = run_both(10, 100, side_m, 10.0, 0.9, seed, formation_sigma_m_s)
    (x_ss, _, ex_ss, live_ss), (x_dom, _, ex_dom, live_dom) = ss, dom
    rms_ss = rms_position_error(x_ss, ex_ss, sc["truth"])
    rms_dom = rms_position_error(x_dom, ex_dom, sc["truth"])
    print(
        f"\ncube {side_m / 1e3:g} km: RMS position error domesim {rms_dom:.3f} m, Stone Soup {rms_ss:.3f} m "
        f"over {ex_dom[1:].sum()} / {ex_ss[1:].sum()} scan-target pairs; live tracks {live_dom} / {live_ss}"
    )
    assert abs(rms_dom - rms_ss) <= RMS_REL_TOL * rms_ss
    assert abs(live_dom - live_ss) <= LIVE_TOL


def test_same_filter_math():
    sc, ss, dom = run_both(10, 50, 200e3, 0.0, 1.0, 3)
    (x_ss, P_ss, ex_ss, live_ss), (x_dom, P_dom, ex_dom, live_dom) = ss, dom
    assert ex_ss.all() and ex_dom.all() and live_ss == live_dom == 10
    # relative to the filter's own uncertainty: sigma_i for x_i, sqrt(P_ii P_jj) for P_ij
    d = np.sqrt(np.einsum("...ii->...i", P_ss))
    x_rel = np.max(np.abs(x_dom - x_ss) / d)
    P_rel = np.max(np.abs(P_dom - P_ss) / (d[..., :, None] * d[..., None, :]))
    print(f"\nmax relative difference: states {x_rel:.2e}, covariances {P_rel:.2e}")
    assert x_rel <= STATE_REL_TOL
    assert P_rel <= STATE_REL_TOL
