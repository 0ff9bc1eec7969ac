"""Tracked sensing: radars and stereo space sensors make noisy detections, a tracker builds tracks, and the
battle manager acts on a track once it is of fire-control quality.

Per trial (one trial per thread), step by step on the grid: every radar whose revisit falls on the step
looks at every object (:func:`domesim.sensors.radar.look`: faces, elevation limits, horizon, range,
SNR from the radar equation with the object's radar cross-section in the radar's band, Swerling I
detection) and adds Poisson false alarms in its coverage; every space sensor layer that sees an object
from two satellites forms a stereo fix (two angle-only lines of sight intersected by least squares,
covariance from the angular noise and the geometry). Each sensor's detections go to the tracker as
one scan (:func:`domesim.tracking.tracker.scan`) in the inertial frame. Per object the kernel records the
first detection, the first confirmed track labelled with it, the first time such a track's position
error (largest 1-sigma component) is within the fire-control requirement, the number of distinct tracks
that held it (continuity), and which radars saw it in midcourse (for discrimination).

Random draws come from :mod:`domesim.core.counter_rng` with one key per trial from the ``sensor.track``
stream: results do not depend on threads or workers.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

from domesim.core import ballistic as phases
from domesim.core.constants import OMEGA_EARTH_RAD_S, R_EARTH_EQ_M
from domesim.core.counter_rng import check_counter_bounds, draw_counter, normal, uniform
from domesim.core.frames import ecef_to_eci_xyz, eci_to_ecef_xyz
from domesim.orbits.coverage import satellites_ecef, sees
from domesim.sensors import radar as rad
from domesim.sensors.space_ir import Constellations, Truth
from domesim.tracking.metrics import gospa_distance
from domesim.tracking.tracker import CONFIRMED, empty_track_store, scan

# The draws of one look (core.counter_rng.draw_counter(step, sensor, slot, draw)). A radar's slot n < N
# is object n: its detection, then three noise components (normal draws); slot N holds the number of
# false alarms, and slots N + f their face, azimuth, elevation and range. A space layer's slot n is object
# n: one detection draw per satellite j, then four normal draws for the stereo fix.
_DETECT, _NOISE = 0, 1  # _NOISE, _NOISE + 1, _NOISE + 2
_FA_COUNT, _FA_FACE, _FA_AZ, _FA_EL, _FA_RANGE = 0, 1, 2, 3, 4
_DRAWS = 5  # the most draws of a radar slot
_FA_SLOTS = 32
# GOSPA of the track picture (Rahmathullah et al. 2017) every 10 s, with a 10 km cut-off: a track farther
# than that from every object counts as false, and an object with none as missed (a fire-control track
# is far tighter, so the cut-off only separates "tracked" from "not tracked")
GOSPA_EVERY_S = 10.0
GOSPA_CUTOFF_M = 10e3


@nb.njit(cache=True, error_model="numpy")
def _poisson(lam, u):
    """Inverse-CDF Poisson draw (small means)."""
    k, p = 0, math.exp(-lam)
    c = p
    while u > c and k < _FA_SLOTS - 1:
        k += 1
        p *= lam / k
        c += p
    return k


@nb.njit(cache=True, error_model="numpy")
def _to_inertial(v_ecef, theta, out):
    out[0], out[1], out[2] = ecef_to_eci_xyz(
        math.cos(theta), math.sin(theta), v_ecef[0], v_ecef[1], v_ecef[2]
    )


@nb.njit(cache=True, error_model="numpy")
def _to_earth_fixed(v_eci, theta, out):
    out[0], out[1], out[2] = eci_to_ecef_xyz(math.cos(theta), math.sin(theta), v_eci[0], v_eci[1], v_eci[2])


@nb.njit(cache=True, error_model="numpy")
def _rotate_cov(R_ecef, theta, out):
    """``R3(-ERA) R R3(-ERA)^T``: a covariance from ECEF to ECI, column by column then row by row."""
    c, s = math.cos(theta), math.sin(theta)
    half = np.empty((3, 3))
    for j in range(3):
        half[0, j], half[1, j], half[2, j] = ecef_to_eci_xyz(c, s, R_ecef[0, j], R_ecef[1, j], R_ecef[2, j])
    for i in range(3):
        out[i, 0], out[i, 1], out[i, 2] = ecef_to_eci_xyz(c, s, half[i, 0], half[i, 1], half[i, 2])


@nb.njit(cache=True, error_model="numpy")
def _stereo(s1, s2, p, sigma, key, counter, z, R):
    """Stereo fix of p from satellites s1, s2 (ECEF): noisy lines of sight intersected by least squares."""
    A = np.zeros((3, 3))
    b = np.zeros(3)
    for idx in range(2):
        s = s1 if idx == 0 else s2
        d = p - s
        dist = math.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2)
        u = d / dist
        # two directions across the line of sight, perturbed by the angular noise
        a = np.array([1.0, 0.0, 0.0]) if abs(u[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
        e1 = a - (a @ u) * u
        e1 /= math.sqrt(e1 @ e1)
        e2 = np.cross(u, e1)
        c = counter + np.uint64(2 * idx)
        um = u + sigma * normal(key, c) * e1 + sigma * normal(key, c + np.uint64(1)) * e2
        um /= math.sqrt(um @ um)
        w = 1.0 / (dist * sigma) ** 2
        proj = np.eye(3) - np.outer(um, um)
        A += w * proj
        b += w * (proj @ s)
    R[:, :] = np.linalg.inv(A)
    z[:] = R @ b


class Objects(NamedTuple):
    """What the kernel needs of each threat object besides its truth."""

    kind: np.ndarray  # (N,) int64: index of the object's kind in the radar cross-section table
    boost_kind: int  # the index of "booster", the kind of every object while it boosts
    brightness: np.ndarray  # (N,) infrared brightness outside boost relative to an RV
    fc_levels_m: np.ndarray  # (Q,) fire-control requirements of the layers (largest 1-sigma position), m


class Sensors(NamedTuple):
    """The radars and space sensor layers of a tracked run, as the kernel takes them."""

    radars: np.ndarray  # (M,) RADAR_DTYPE
    radar_steps: np.ndarray  # (M,) int64 grid steps between a radar's looks
    radar_rcs_m2: np.ndarray  # (M, kinds) cross-section of each object kind in each radar's band, m^2
    space: Constellations  # satellites and their layers' sensor classes
    layer_steps: np.ndarray  # (L,) int64 grid steps between a layer's looks


class Trials(NamedTuple):
    """The chunk's trials: truth and what each trial draws from."""

    truth: Truth
    theta0_rad: float  # Earth rotation angle at t = 0
    offsets_s: np.ndarray  # (R,) constellation epoch offsets
    keys: np.ndarray  # (R,) uint64 counter-RNG keys of the ``sensor.track`` stream


# What the kernel records of each (trial, object); see :func:`track_trials`.
PER_OBJECT_DTYPE = np.dtype(
    [
        ("first_detect_t_s", "f8"),
        ("first_track_t_s", "f8"),
        ("fire_control_t_s", "f8"),
        ("tracks_held", "i8"),
    ]
)


@nb.njit(cache=True, parallel=True, error_model="numpy")
def _track_trials(
    trials,
    objects,
    sensors,
    tracker,
    gospa_every,
    gospa_c,
    per_object,
    fire_control,
    seen_by,
    first_by_sensor,
    gospa_m,
):
    """Every trial of the chunk, one per thread. ``tracker`` is a (1,) TRACKER_DTYPE array: a parallel loop
    takes a record only inside an array. The outputs are plain arguments, never in a tuple: numba's
    parallel loops lose some writes to arrays that come in tuples."""
    r_ecef, alt, phase, t_s = trials.truth
    theta0, offsets, keys = trials.theta0_rad, trials.offsets_s, trials.keys
    kind, boost_kind, brightness, fc_levels = objects
    radars, radar_steps, radar_rcs, space, layer_steps = sensors
    sat_el, sat_rates, sat_layer, layers = space
    capacity = tracker[0].capacity
    n_r, n_n, n_t = alt.shape
    n_m = radars.shape[0]
    n_l = layer_steps.size
    n_s = sat_el.shape[0]
    n_sensors = n_m + n_l
    slots = n_n + _FA_SLOTS
    for r in nb.prange(n_r):
        cfg = tracker[0]
        store = empty_track_store(capacity)
        x, P, status, t_state, label, track_id = (
            store.x,
            store.P,
            store.status,
            store.t,
            store.label,
            store.track_id,
        )
        last_id = np.full(n_n, -1, dtype=np.int64)
        z = np.empty((slots, 3))
        R = np.empty((slots, 3, 3))
        lab = np.empty(slots, dtype=np.int64)
        assigned = np.empty(slots, dtype=np.int64)
        zi, Ri = np.empty(3), np.empty((3, 3))
        in_view = np.zeros(capacity, dtype=np.bool_)
        pos = np.empty(3)
        sat = np.empty((n_s, 3))
        key = keys[r]
        truth_eci = np.empty((n_n, 3))
        track_pos = np.empty((capacity, 3))
        for k in range(n_t):
            t = t_s[k]
            theta = theta0 + OMEGA_EARTH_RAD_S * (t + offsets[r])
            if k % gospa_every == 0:  # the picture before this step's scans: confirmed tracks against truth
                n_true = 0
                for n in range(n_n):
                    if np.isfinite(alt[r, n, k]):
                        _to_inertial(r_ecef[r, n, k], theta, truth_eci[n_true])
                        n_true += 1
                n_conf = 0
                for j in range(capacity):
                    if status[j] == CONFIRMED:  # its state moved on at constant velocity to t
                        for i in range(3):
                            track_pos[n_conf, i] = x[j, i] + x[j, 3 + i] * (t - t_state[j])
                        n_conf += 1
                gospa_m[r, k // gospa_every] = gospa_distance(truth_eci[:n_true], track_pos[:n_conf], gospa_c)
            for m in range(n_sensors):
                is_radar = m < n_m
                if is_radar and k % radar_steps[m] != 0:
                    continue
                if not is_radar and k % layer_steps[m - n_m] != 0:
                    continue
                if not is_radar and n_s:
                    satellites_ecef(sat_el, sat_rates, t + offsets[r], theta, sat)
                d = 0
                for n in range(n_n):
                    if not np.isfinite(alt[r, n, k]):
                        continue
                    if is_radar:
                        kk = boost_kind if phase[r, n, k] == phases.PHASE_BOOST else kind[n]
                        vis, rng_m, az, el, snr = rad.look(radars[m], r_ecef[r, n, k], radar_rcs[m, kk])
                        if not vis:
                            continue
                        pd = rad.detection_probability(snr, radars[m].pfa)
                        if uniform(key, draw_counter(k, m, n, _DETECT)) >= pd:
                            continue
                        c = draw_counter(k, m, n, _NOISE)
                        noise = (normal(key, c), normal(key, c + np.uint64(1)), normal(key, c + np.uint64(2)))
                        rad.measurement(radars[m], rng_m, az, el, snr, noise, zi, Ri)
                        if phase[r, n, k] == phases.PHASE_MIDCOURSE:
                            seen_by[r, n, m] = True
                    else:
                        layer = m - n_m
                        boosting = phase[r, n, k] == phases.PHASE_BOOST
                        sensor = layers[layer]
                        pd = sensor.pd_boost if boosting else 1.0 - (1.0 - sensor.pd_dim) ** brightness[n]
                        if pd <= 0.0 or (boosting and alt[r, n, k] < sensor.min_plume_alt_m):
                            continue
                        rb = R_EARTH_EQ_M + (0.0 if boosting else sensor.limb_alt_m)
                        if (
                            not boosting
                            and r_ecef[r, n, k, 0] ** 2 + r_ecef[r, n, k, 1] ** 2 + r_ecef[r, n, k, 2] ** 2
                            <= rb * rb
                        ):
                            continue
                        first, second = -1, -1
                        for j in range(n_s):
                            if sat_layer[j] != layer:
                                continue
                            p = r_ecef[r, n, k]
                            reach = sensor.max_range_m if boosting else sensor.dim_range_m
                            if sees(
                                sat[j, 0],
                                sat[j, 1],
                                sat[j, 2],
                                p[0],
                                p[1],
                                p[2],
                                rb * rb,
                                reach**2,
                                math.cos(sensor.field_of_regard_rad) ** 2,
                            ):
                                if uniform(key, draw_counter(k, m, n, j)) < pd:
                                    if first < 0:
                                        first = j
                                    elif second < 0:
                                        second = j
                        if second < 0:
                            continue
                        _stereo(
                            sat[first],
                            sat[second],
                            r_ecef[r, n, k],
                            sensor.angle_sigma_rad,
                            key,
                            draw_counter(k, m, n, n_s),
                            zi,
                            Ri,
                        )
                    if per_object[r, n].first_detect_t_s == np.inf:
                        per_object[r, n].first_detect_t_s = t
                    if first_by_sensor[r, n, m] == np.inf:
                        first_by_sensor[r, n, m] = t
                    _to_inertial(zi, theta, z[d])
                    _rotate_cov(Ri, theta, R[d])
                    lab[d] = n
                    d += 1
                if is_radar and radars[m].false_alarms_per_scan > 0.0:  # uniform over the radar's coverage
                    radar = radars[m]
                    count = _poisson(
                        radar.false_alarms_per_scan, uniform(key, draw_counter(k, m, n_n, _FA_COUNT))
                    )
                    for f in range(count):
                        slot = n_n + f
                        n_faces = radar.n_faces
                        u_face = uniform(key, draw_counter(k, m, slot, _FA_FACE))
                        face = radar.faces_az_rad[min(int(u_face * n_faces), n_faces - 1)]
                        az = (
                            face
                            + (2.0 * uniform(key, draw_counter(k, m, slot, _FA_AZ)) - 1.0)
                            * radar.face_half_width_rad
                        )
                        el = radar.min_elevation_rad + uniform(key, draw_counter(k, m, slot, _FA_EL)) * (
                            radar.max_elevation_rad - radar.min_elevation_rad
                        )
                        rng_lo = max(radar.min_range_m, 100e3)
                        rng_m = rng_lo + uniform(key, draw_counter(k, m, slot, _FA_RANGE)) * (
                            radar.ref_range_m - rng_lo
                        )
                        rad.measurement(radar, rng_m, az, el, radar.ref_snr, (0.0, 0.0, 0.0), zi, Ri)
                        _to_inertial(zi, theta, z[d])
                        _rotate_cov(Ri, theta, R[d])
                        lab[d] = -1
                        d += 1
                if d == 0 and status.max() == 0:
                    continue
                for j in range(capacity):  # which live tracks this sensor could have seen
                    in_view[j] = status[j] > 0
                    if is_radar and in_view[j]:
                        _to_earth_fixed(x[j], theta, pos)
                        in_view[j] = rad.look(radars[m], pos, radars[m].ref_rcs_m2)[0]
                scan(store, t, z[:d], R[:d], lab[:d], in_view, cfg, assigned[:d])
                for j in range(capacity):  # what the tracks now hold of each object
                    n = label[j]
                    if status[j] != CONFIRMED or n < 0 or t_state[j] != t:
                        continue
                    if per_object[r, n].first_track_t_s == np.inf:
                        per_object[r, n].first_track_t_s = t
                    if track_id[j] > last_id[n]:  # ids only grow: a new id is a new track on this object
                        last_id[n] = track_id[j]
                        per_object[r, n].tracks_held += 1
                    variance = max(P[j, 0, 0], P[j, 1, 1], P[j, 2, 2])
                    for q in range(fc_levels.size):  # each layer's requirement, met once
                        if fire_control[r, n, q] == np.inf and variance <= fc_levels[q] ** 2:
                            fire_control[r, n, q] = t
                            per_object[r, n].fire_control_t_s = min(per_object[r, n].fire_control_t_s, t)


def track_trials(world, truth, keys, theta0_rad, offsets_s, fc_levels_m) -> dict[str, np.ndarray]:
    """Run the tracked-sensing kernel for every trial of a chunk.

    Parameters
    ----------
    world : the World (``tracking_radars``, ``space_sensors``, ``rcs_m2``, ``ir_brightness``, ``tracker``).
    truth : :class:`domesim.threats.batch.ThreatBatch` of the chunk.
    keys : (R,) uint64 per-trial keys of the ``sensor.track`` stream.
    fc_levels_m : (Q,) the fire-control requirements of the layers (largest 1-sigma position component), m.

    Returns per (R, N): ``first_detect_t_s``, ``first_track_t_s``, ``fire_control_t_s`` (the first time a
    confirmed track met the loosest requirement; inf if never), ``fire_control_by_level_t_s`` (R, N, Q)
    (the first time it met each requirement),
    ``tracks_held`` (distinct confirmed tracks); ``seen_by`` (R, N, M) radars that saw it in midcourse, and
    ``first_by_sensor_t_s`` (R, N, M + L) each radar's and space layer's first detection; ``gospa_m``
    (R, B): the GOSPA distance between the confirmed tracks and the objects in flight every
    ``GOSPA_EVERY_S`` (cut-off ``GOSPA_CUTOFF_M``).
    """
    infos = world.objects
    kinds = sorted({info.kind for info in infos} | {"booster"})
    kind = np.array([kinds.index(info.kind) for info in infos], dtype=np.int64)
    radars = world.tracking_radars
    n_m = len(radars)
    step = world.grid.step_s
    layers = world.space_sensors
    sensors = Sensors(
        radars=rad.records(radars),
        radar_steps=np.array([max(1, round(r.cls.revisit_s / step)) for r in radars], dtype=np.int64),
        radar_rcs_m2=np.ascontiguousarray(
            np.array([[world.rcs_m2.get(k, {}).get(r.cls.band, 1.0) for k in kinds] for r in radars]).reshape(
                n_m, len(kinds)
            )
        ),
        space=Constellations.of(layers),
        layer_steps=np.array([max(1, round(lay.sensor.revisit_s / step)) for lay in layers], dtype=np.int64),
    )
    n_r, n_n = truth.alt_m.shape[:2]
    n_s = max((len(layer.elements) for layer in layers), default=0)
    check_counter_bounds(truth.t_s.size, n_m + len(layers), n_n + _FA_SLOTS, max(_DRAWS, n_s + 4))
    gospa_every = max(1, round(GOSPA_EVERY_S / step))
    per_object = np.zeros((n_r, n_n), PER_OBJECT_DTYPE).view(np.recarray)
    per_object[["first_detect_t_s", "first_track_t_s", "fire_control_t_s"]] = (np.inf, np.inf, np.inf)
    seen_by = np.zeros((n_r, n_n, n_m), dtype=np.bool_)
    first_by_sensor = np.full((n_r, n_n, n_m + len(layers)), np.inf)
    gospa_m = np.zeros((n_r, (truth.t_s.size + gospa_every - 1) // gospa_every))
    fire_control = np.full((n_r, n_n, np.size(fc_levels_m)), np.inf)
    trials = Trials(
        truth=Truth(
            np.ascontiguousarray(truth.r_ecef),
            np.ascontiguousarray(truth.alt_m),
            np.ascontiguousarray(truth.phase),
            truth.t_s,
        ),
        theta0_rad=float(theta0_rad),
        offsets_s=np.ascontiguousarray(offsets_s, dtype=np.float64),
        keys=keys,
    )
    objects = Objects(
        kind=kind,
        boost_kind=kinds.index("booster"),
        brightness=np.array([world.ir_brightness.get(info.kind, 1.0) for info in infos]),
        fc_levels_m=np.ascontiguousarray(fc_levels_m, dtype=np.float64),
    )
    tracker = np.array([world.tracker.record()]).view(np.recarray)
    _track_trials(
        trials,
        objects,
        sensors,
        tracker,
        gospa_every,
        GOSPA_CUTOFF_M,
        per_object,
        fire_control,
        seen_by,
        first_by_sensor,
        gospa_m,
    )
    out = {name: np.ascontiguousarray(per_object[name]) for name in PER_OBJECT_DTYPE.names or ()}
    return out | {
        "fire_control_by_level_t_s": fire_control,
        "seen_by": seen_by,
        "first_by_sensor_t_s": first_by_sensor,
        "gospa_m": gospa_m,
    }
