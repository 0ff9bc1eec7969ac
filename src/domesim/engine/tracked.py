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

import numba as nb
import numpy as np

from domesim.core import ballistic as phases
from domesim.core import kepler
from domesim.core.constants import OMEGA_EARTH_RAD_S, R_EARTH_EQ_M
from domesim.core.counter_rng import normal, uniform
from domesim.orbits.coverage import satellites_ecef, sees
from domesim.sensors import radar as rad
from domesim.tracking.metrics import gospa_distance
from domesim.tracking.tracker import CONFIRMED, scan

# counter layout: ((step * sensors + sensor) * (objects + false-alarm slots) + slot) * draws + draw
_DRAWS = 16
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
    c, s = math.cos(theta), math.sin(theta)
    out[0] = c * v_ecef[0] - s * v_ecef[1]
    out[1] = s * v_ecef[0] + c * v_ecef[1]
    out[2] = v_ecef[2]


@nb.njit(cache=True, error_model="numpy")
def _to_earth_fixed(v_eci, theta, out):
    c, s = math.cos(theta), math.sin(theta)
    out[0] = c * v_eci[0] + s * v_eci[1]
    out[1] = -s * v_eci[0] + c * v_eci[1]
    out[2] = v_eci[2]


@nb.njit(cache=True, error_model="numpy")
def _rotate_cov(R_ecef, theta, out):
    c, s = math.cos(theta), math.sin(theta)
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    out[:, :] = rot @ R_ecef @ rot.T


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
        um = u + sigma * normal(key, counter + 2 * idx) * e1 + sigma * normal(key, counter + 2 * idx + 1) * e2
        um /= math.sqrt(um @ um)
        w = 1.0 / (dist * sigma) ** 2
        proj = np.eye(3) - np.outer(um, um)
        A += w * proj
        b += w * (proj @ s)
    R[:, :] = np.linalg.inv(A)
    z[:] = R @ b


@nb.njit(cache=True, parallel=True, error_model="numpy")
def _track_trials(
    r_ecef,
    alt,
    phase,
    kind,
    boost_kind,
    t_s,
    theta0,
    offsets,
    keys,
    radar_p,
    radar_faces,
    radar_steps,
    radar_fa,
    radar_rcs,
    sat_el,
    sat_rates,
    sat_layer,
    layer_steps,
    layer_sigma,
    layer_pd_boost,
    layer_pd_dim,
    layer_range,
    layer_for,
    layer_plume_alt,
    layer_limb,
    layer_dim_range,
    brightness,
    cfg,
    capacity,
    fc_sigma,
    first_det,
    first_track,
    fc_time,
    n_tracks,
    seen_by,
    first_by_sensor,
    gospa_every,
    gospa_c,
    gospa_m,
):
    n_r, n_n, n_t = alt.shape
    n_m = radar_p.shape[0]
    n_l = layer_steps.size
    n_s = sat_el.shape[0]
    n_sensors = n_m + n_l
    slots = n_n + _FA_SLOTS
    for r in nb.prange(n_r):
        x = np.zeros((capacity, 6))
        P = np.zeros((capacity, 6, 6))
        status = np.zeros(capacity, dtype=np.int8)
        t_state = np.zeros(capacity)
        history = np.zeros(capacity, dtype=np.int64)
        scans = np.zeros(capacity, dtype=np.int64)
        misses = np.zeros(capacity, dtype=np.int64)
        label = np.full(capacity, -1, dtype=np.int64)
        track_id = np.full(capacity, -1, dtype=np.int64)
        next_id = np.zeros(1, dtype=np.int64)
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
        space_key = key ^ np.uint64(0x5BD1E9955BD1E995)  # a separate counter domain for space draws
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
                base = (k * n_sensors + m) * slots
                if not is_radar and n_s:
                    satellites_ecef(sat_el, sat_rates, t + offsets[r], theta, sat)
                d = 0
                for n in range(n_n):
                    if not np.isfinite(alt[r, n, k]):
                        continue
                    c0 = (base + n) * _DRAWS
                    if is_radar:
                        kk = boost_kind if phase[r, n, k] == phases.PHASE_BOOST else kind[n]
                        vis, rng_m, az, el, snr = rad.look(
                            radar_p[m], radar_faces[m], r_ecef[r, n, k], radar_rcs[m, kk]
                        )
                        if not vis or uniform(key, c0) >= rad.detection_probability(
                            snr, radar_p[m, rad.P_PFA]
                        ):
                            continue
                        rad.measurement(
                            radar_p[m],
                            rng_m,
                            az,
                            el,
                            snr,
                            normal(key, c0 + 1),
                            normal(key, c0 + 2),
                            normal(key, c0 + 3),
                            zi,
                            Ri,
                        )
                        if phase[r, n, k] == phases.PHASE_MIDCOURSE:
                            seen_by[r, n, m] = True
                    else:
                        layer = m - n_m
                        boosting = phase[r, n, k] == phases.PHASE_BOOST
                        pd = (
                            layer_pd_boost[layer]
                            if boosting
                            else 1.0 - (1.0 - layer_pd_dim[layer]) ** brightness[n]
                        )
                        if pd <= 0.0 or (boosting and alt[r, n, k] < layer_plume_alt[layer]):
                            continue
                        rb = R_EARTH_EQ_M + (0.0 if boosting else layer_limb[layer])
                        if (
                            not boosting
                            and r_ecef[r, n, k, 0] ** 2 + r_ecef[r, n, k, 1] ** 2 + r_ecef[r, n, k, 2] ** 2
                            <= rb * rb
                        ):
                            continue
                        first, second = -1, -1
                        cs = ((k * n_l + layer) * n_n + n) * (n_s + 4)  # counters of the space draws
                        for j in range(n_s):
                            if sat_layer[j] != layer:
                                continue
                            p = r_ecef[r, n, k]
                            reach = layer_range[layer] if boosting else layer_dim_range[layer]
                            if sees(
                                sat[j, 0],
                                sat[j, 1],
                                sat[j, 2],
                                p[0],
                                p[1],
                                p[2],
                                rb * rb,
                                reach**2,
                                math.cos(layer_for[layer]) ** 2,
                            ):
                                if uniform(space_key, cs + j) < pd:
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
                            layer_sigma[layer],
                            space_key,
                            cs + n_s,
                            zi,
                            Ri,
                        )
                    if first_det[r, n] == np.inf:
                        first_det[r, n] = t
                    if first_by_sensor[r, n, m] == np.inf:
                        first_by_sensor[r, n, m] = t
                    _to_inertial(zi, theta, z[d])
                    _rotate_cov(Ri, theta, R[d])
                    lab[d] = n
                    d += 1
                if is_radar and radar_fa[m] > 0.0:  # false alarms, uniform over the radar's coverage
                    c0 = (base + n_n) * _DRAWS
                    count = _poisson(radar_fa[m], uniform(key, c0))
                    for f in range(count):
                        cf = (base + n_n + f) * _DRAWS
                        faces = radar_faces[m]
                        n_faces = 0
                        for face in faces:
                            n_faces += np.isfinite(face)
                        face = faces[min(int(uniform(key, cf + 1) * n_faces), n_faces - 1)]
                        az = face + (2.0 * uniform(key, cf + 2) - 1.0) * radar_p[m, rad.P_HALF_WIDTH]
                        el = radar_p[m, rad.P_MIN_EL] + uniform(key, cf + 3) * (
                            radar_p[m, rad.P_MAX_EL] - radar_p[m, rad.P_MIN_EL]
                        )
                        rng_lo = max(radar_p[m, rad.P_MIN_RANGE], 100e3)
                        rng_m = rng_lo + uniform(key, cf + 4) * (radar_p[m, rad.P_REF_RANGE] - rng_lo)
                        snr = radar_p[m, rad.P_REF_SNR]
                        rad.measurement(radar_p[m], rng_m, az, el, snr, 0.0, 0.0, 0.0, zi, Ri)
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
                        in_view[j] = rad.look(radar_p[m], radar_faces[m], pos, radar_p[m, rad.P_REF_RCS])[0]
                scan(
                    x,
                    P,
                    status,
                    t_state,
                    history,
                    scans,
                    misses,
                    label,
                    track_id,
                    next_id,
                    t,
                    z[:d],
                    R[:d],
                    lab[:d],
                    in_view,
                    cfg,
                    assigned[:d],
                )
                for j in range(capacity):  # what the tracks now hold of each object
                    n = label[j]
                    if status[j] != CONFIRMED or n < 0 or t_state[j] != t:
                        continue
                    if first_track[r, n] == np.inf:
                        first_track[r, n] = t
                    if track_id[j] > last_id[n]:  # ids only grow: a new id is a new track on this object
                        last_id[n] = track_id[j]
                        n_tracks[r, n] += 1
                    if (
                        fc_time[r, n] == np.inf
                        and max(P[j, 0, 0], P[j, 1, 1], P[j, 2, 2]) <= fc_sigma[n] ** 2
                    ):
                        fc_time[r, n] = t


def track_trials(world, truth, keys, theta0_rad, offsets_s, fc_sigma_m) -> dict[str, np.ndarray]:
    """Run the tracked-sensing kernel for every trial of a chunk.

    Parameters
    ----------
    world : the World (``tracking_radars``, ``space_sensors``, ``rcs_m2``, ``ir_brightness``, ``tracker``).
    truth : :class:`domesim.threats.batch.ThreatBatch` of the chunk.
    keys : (R,) uint64 per-trial keys of the ``sensor.track`` stream.
    fc_sigma_m : (N,) fire-control requirement of each object (largest 1-sigma position component), m.

    Returns per (R, N): ``first_detect_t_s``, ``first_track_t_s``, ``fire_control_t_s`` (inf if never),
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
    width = max([len(r.cls.faces_az_rad) for r in radars] + [1])
    faces = np.full((n_m, width), np.nan)
    for i, r in enumerate(radars):
        faces[i, : len(r.cls.faces_az_rad)] = r.cls.faces_az_rad
    params = np.array([r.params() for r in radars]).reshape(n_m, -1) if n_m else np.zeros((0, 22))
    step = world.grid.step_s
    radar_steps = np.array([max(1, round(r.cls.revisit_s / step)) for r in radars], dtype=np.int64)
    radar_fa = np.array([r.cls.false_alarms_per_scan for r in radars])
    rcs = np.array([[world.rcs_m2.get(k, {}).get(r.cls.band, 1.0) for k in kinds] for r in radars]).reshape(
        n_m, len(kinds)
    )
    layers = world.space_sensors
    sat_el = np.concatenate([lay.elements for lay in layers]) if layers else np.zeros((0, 6))
    sat_layer = (
        np.concatenate([np.full(len(lay.elements), i) for i, lay in enumerate(layers)])
        if layers
        else np.zeros(0, np.int64)
    )
    col = lambda name: np.array([getattr(lay.sensor, name) for lay in layers], dtype=np.float64)  # noqa: E731
    layer_steps = np.array([max(1, round(lay.sensor.revisit_s / step)) for lay in layers], dtype=np.int64)
    n_r, n_n = truth.alt_m.shape[:2]
    out = {
        "first_detect_t_s": np.full((n_r, n_n), np.inf),
        "first_track_t_s": np.full((n_r, n_n), np.inf),
        "fire_control_t_s": np.full((n_r, n_n), np.inf),
        "tracks_held": np.zeros((n_r, n_n), dtype=np.int64),
        "seen_by": np.zeros((n_r, n_n, n_m), dtype=np.bool_),
        "first_by_sensor_t_s": np.full((n_r, n_n, n_m + len(layers)), np.inf),
    }
    gospa_every = max(1, round(GOSPA_EVERY_S / step))
    out["gospa_m"] = np.zeros((n_r, (truth.t_s.size + gospa_every - 1) // gospa_every))
    brightness = np.array([world.ir_brightness.get(info.kind, 1.0) for info in infos])
    _track_trials(
        np.ascontiguousarray(truth.r_ecef),
        np.ascontiguousarray(truth.alt_m),
        np.ascontiguousarray(truth.phase),
        kind,
        kinds.index("booster"),
        truth.t_s,
        float(theta0_rad),
        np.ascontiguousarray(offsets_s, dtype=np.float64),
        keys,
        np.ascontiguousarray(params),
        faces,
        radar_steps,
        radar_fa,
        np.ascontiguousarray(rcs),
        np.ascontiguousarray(sat_el),
        kepler.element_rates(np.ascontiguousarray(sat_el)),
        sat_layer.astype(np.int64),
        layer_steps,
        col("angle_sigma_rad"),
        col("pd_boost"),
        col("pd_dim"),
        col("max_range_m"),
        col("field_of_regard_rad"),
        col("min_plume_alt_m"),
        col("limb_alt_m"),
        col("dim_range_m"),
        brightness,
        world.tracker.vector(),
        world.tracker.capacity,
        np.ascontiguousarray(fc_sigma_m, dtype=np.float64),
        out["first_detect_t_s"],
        out["first_track_t_s"],
        out["fire_control_t_s"],
        out["tracks_held"],
        out["seen_by"],
        out["first_by_sensor_t_s"],
        gospa_every,
        GOSPA_CUTOFF_M,
        out["gospa_m"],
    )
    return out
