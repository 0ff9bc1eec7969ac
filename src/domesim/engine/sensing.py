"""The engine's sensing role: what the battle manager knows of each object, and from when.

One chain for every fidelity. The fidelity is a property of the sensor models, chosen from
:data:`FIDELITIES`, and each gives the engagement loop the same :class:`Picture`: when each object was
first detected, when the defence may first act on it, and when each battery may commit on it.

- ``full`` (the default): every radar and space sensor layer draws its looks on the grid (radar
  equation, faces, elevation limits, ceiling, skip zone, revisit, Swerling I detection, noise, false
  alarms; stereo fixes from two satellites), a tracker builds tracks from the detections without
  knowing where they came from, and a battery commits once a track of its class's accuracy holds the
  object. Truth only scores the tracks afterwards: a track holds the object nearest it (among the objects
  of the missile whose detection updated it), so a track that swapped onto a decoy is scored on the decoy.
- ``screening``: the same sensors' coverage at a single-look Pd of 1/2, first detection plus the
  doctrine's cue delay, no track: an optimistic screening estimate, labelled so in every output.
- ``ideal``: every object is known from the moment it exists: an upper bound.

The battle manager's decision delay (the doctrine's ``cue_delay_s``) follows the picture in every
fidelity: it belongs to command and control, not to the sensors.

Random draws of the full chain come from :mod:`domesim.core.counter_rng` with one key per trial from the
``sensor.track`` stream, addressed by (step, sensor, slot, draw): results do not depend on threads or
workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numba as nb
import numpy as np

from domesim.core import ballistic as phases
from domesim.core.constants import OMEGA_EARTH_RAD_S
from domesim.core.counter_rng import check_counter_bounds, draw_counter, trial_keys, uniform
from domesim.core.frames import (
    covariance_to_inertial_into,
    ecef_to_eci_xyz,
    to_earth_fixed_into,
    to_inertial_into,
)
from domesim.core.rng import stream
from domesim.engine.world import World
from domesim.orbits.coverage import satellites_ecef
from domesim.sensors import radar as rad
from domesim.sensors import space_ir
from domesim.sensors.space_ir import Constellations, Truth
from domesim.threats.batch import ThreatBatch
from domesim.tracking.metrics import gospa_distance
from domesim.tracking.tracker import CONFIRMED, empty_track_store, scan

# GOSPA of the track picture (Rahmathullah et al. 2017) every 10 s, with a 10 km cut-off: a track farther
# than that from every object counts as false, and an object with none as missed (a fire-control track
# is far tighter, so the cut-off only separates "tracked" from "not tracked")
GOSPA_EVERY_S = 10.0
GOSPA_CUTOFF_M = 10e3


@dataclass(frozen=True)
class Chunk:
    """What every fidelity's sensors share in one chunk: its truth, random streams and clock."""

    truth: ThreatBatch
    seed: int
    index: int
    theta0_rad: float  # Earth rotation angle at t = 0
    offsets_s: np.ndarray  # (R,) each trial's constellation epoch offset


@dataclass
class Picture:
    """What the battle manager knows of each (trial, object) of a chunk."""

    detect_t_s: np.ndarray  # (R, N) first detection by any sensor (ideal: when the object appears)
    ready_t_s: np.ndarray  # (R, N) when the defence may first act on it (the loosest requirement)
    battery_ready_t_s: np.ndarray  # (S, R, N) when each ground battery may commit on it
    log: dict[str, np.ndarray] = field(default_factory=dict)  # the fidelity's per-object records
    seen_by: np.ndarray | None = None  # (R, N, M) radars whose detections updated a track holding it


@dataclass(frozen=True)
class Fidelity:
    """A sensing fidelity: how its sensors build the picture, and what every output says of it."""

    name: str
    note: str  # said in every output: a result that rests on a modelling shortcut says so
    sense: Callable[[World, Chunk], Picture]


def appears_t_s(truth: ThreatBatch) -> np.ndarray:
    """When each (trial, object) first exists on the grid (launch, or release from its bus), inf never."""
    exists = np.isfinite(truth.alt_m)
    return np.where(exists.any(axis=-1), truth.t_s[np.argmax(exists, axis=-1)], np.inf)


def _same_for_every_battery(world: World, ready: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.broadcast_to(ready, (len(world.ground_batteries), *ready.shape)))


def _ideal(world: World, chunk: Chunk) -> Picture:
    appears = appears_t_s(chunk.truth)
    ready = appears + world.doctrine.cue_delay_s  # the battle manager's decision takes its time in all
    return Picture(appears, ready, _same_for_every_battery(world, ready))


def _space_first_sighting(world: World, chunk: Chunk) -> np.ndarray:
    """First single-satellite infrared sighting of each object (a launch warning needs no stereo fix)."""
    truth = chunk.truth
    if not world.space_sensors:
        return np.full(truth.alt_m.shape[:2], np.inf)
    return space_ir.first_detection_t_s(
        world.space_sensors,
        truth.r_ecef,
        truth.alt_m,
        truth.phase,
        _brightness(world),
        truth.t_s,
        chunk.theta0_rad,
        chunk.offsets_s,
        stream(chunk.seed, chunk.index, "sensor.space"),
    )


def _screening(world: World, chunk: Chunk) -> Picture:
    truth = chunk.truth
    kinds = _kinds(world)
    seen = np.full(truth.alt_m.shape[:2], np.inf)
    if world.radars:
        rad.screening_first_look(
            rad.records(world.radars),
            _rcs_table(world, kinds),
            _object_kinds(world, kinds),
            kinds.index("booster"),
            _truth(truth),
            seen,
        )
    detect = np.minimum(seen, _space_first_sighting(world, chunk))
    ready = detect + world.doctrine.cue_delay_s
    return Picture(detect, ready, _same_for_every_battery(world, ready))


def _full(world: World, chunk: Chunk) -> Picture:
    truth = chunk.truth
    ground = world.ground_batteries
    # each class commits on a track of its own accuracy (a site may override its class's)
    required = [b.interceptor.fire_control_sigma_m or world.fire_control_sigma_m for b in ground]
    levels = np.unique(required) if ground else np.array([world.fire_control_sigma_m])
    keys = trial_keys(stream(chunk.seed, chunk.index, "sensor.track"), truth.alt_m.shape[0])
    log = track_trials(world, truth, keys, chunk.theta0_rad, chunk.offsets_s, levels)
    delay = world.doctrine.cue_delay_s
    by_level = log.pop("fire_control_by_level_t_s")
    battery_ready = np.moveaxis(by_level[..., np.searchsorted(levels, required)], -1, 0) + delay
    detect = np.minimum(log["first_detect_t_s"], _space_first_sighting(world, chunk))
    return Picture(
        detect_t_s=detect,
        ready_t_s=log["fire_control_t_s"] + delay,
        battery_ready_t_s=np.ascontiguousarray(battery_ready),
        log=log,
        seen_by=log.pop("seen_by"),
    )


FIDELITIES: dict[str, Fidelity] = {
    f.name: f
    for f in (
        Fidelity(
            "full",
            "full sensing chain: radar and infrared looks drawn on the grid, tracks built without truth, "
            "each layer commits on a track of its own fire-control accuracy",
            _full,
        ),
        Fidelity(
            "screening",
            "screening estimate (optimistic): first detection by the sensors' coverage at a single-look Pd "
            "of 1/2 plus the cue delay, on the true state, with no tracking and no fire-control requirement",
            _screening,
        ),
        Fidelity(
            "ideal",
            "ideal sensing (an upper bound): every object is known from the moment it exists "
            "(the decision delay still applies)",
            _ideal,
        ),
    )
}


def sense(world: World, chunk: Chunk) -> Picture:
    """The picture of the world's fidelity, then the doctrine's discrimination: decoys the battle manager
    recognises are never engaged (perfectly with ``engage_lethal_only``; with the discrimination
    probability of the radars that tracked them, with ``discriminate_by_sensors`` on the full chain)."""
    picture = FIDELITIES[world.sensing].sense(world, chunk)
    lethal = np.array([info.lethal for info in world.objects], dtype=bool)
    recognised = np.zeros(picture.ready_t_s.shape, dtype=bool)
    if world.doctrine.engage_lethal_only:
        recognised[:, ~lethal] = True
    if world.doctrine.discriminate_by_sensors and picture.seen_by is not None:
        p_disc = np.array([r.cls.p_discriminate for r in world.radars])
        best = np.where(picture.seen_by, p_disc, 0.0).max(axis=-1, initial=0.0)
        draws = stream(chunk.seed, chunk.index, "discrimination").random(best.shape)
        # a decoy that carries its RV's own signature (anti-simulation) gives the radars nothing to tell apart
        discriminable = np.array([info.discriminable for info in world.objects], dtype=bool)
        recognised |= (draws < best) & ~lethal & discriminable
    picture.ready_t_s = np.where(recognised, np.inf, picture.ready_t_s)
    picture.battery_ready_t_s = np.ascontiguousarray(np.where(recognised, np.inf, picture.battery_ready_t_s))
    return picture


# ------------------------------------------------------------------------------------------ full chain


def radars_that_see(world: World, truth: ThreatBatch) -> np.ndarray:
    """(M,) whether each radar's screening coverage (single-look Pd of 1/2) ever holds an object of
    ``truth``: a radar that holds none cannot change an outcome (the builder warns about it)."""
    kinds = _kinds(world)
    rcs = _rcs_table(world, kinds)
    records = rad.records(world.radars)
    sees = np.zeros(len(world.radars), dtype=bool)
    for m in range(len(world.radars)):
        seen = np.full(truth.alt_m.shape[:2], np.inf)
        rad.screening_first_look(
            records[m : m + 1],
            rcs[m : m + 1],
            _object_kinds(world, kinds),
            kinds.index("booster"),
            _truth(truth),
            seen,
        )
        sees[m] = bool(np.isfinite(seen).any())
    return sees


def _kinds(world: World) -> list[str]:
    """The signature classes of the raid's objects (what the sensors see: ``ObjectInfo.seen_as``)."""
    return sorted({info.seen_as for info in world.objects} | {"booster"})


def _object_kinds(world: World, kinds: list[str]) -> np.ndarray:
    return np.array([kinds.index(info.seen_as) for info in world.objects], dtype=np.int64)


def _rcs_table(world: World, kinds: list[str]) -> np.ndarray:
    """(M, kinds) cross-section of each object kind in each radar's band, m^2 (1 where not catalogued)."""
    table = [[world.rcs_m2.get(k, {}).get(r.cls.band, 1.0) for k in kinds] for r in world.radars]
    return np.ascontiguousarray(np.array(table, dtype=np.float64).reshape(len(world.radars), len(kinds)))


def _brightness(world: World) -> np.ndarray:
    """(N,) infrared brightness of each object outside boost relative to an RV: its signature class's,
    times its own factor (a cooled shroud)."""
    return np.array([world.ir_brightness.get(info.seen_as, 1.0) * info.ir_factor for info in world.objects])


def _truth(truth: ThreatBatch) -> Truth:
    return Truth(
        np.ascontiguousarray(truth.r_ecef),
        np.ascontiguousarray(truth.alt_m),
        np.ascontiguousarray(truth.phase),
        np.ascontiguousarray(truth.t_s, dtype=np.float64),
    )


class Objects(NamedTuple):
    """What the kernel needs of each threat object besides its truth."""

    kind: np.ndarray  # (N,) int64: index of the object's kind in the radar cross-section table
    boost_kind: int  # the index of "booster", the kind of every object while it boosts
    brightness: np.ndarray  # (N,) infrared brightness outside boost relative to an RV
    family_lo: np.ndarray  # (N,) first object of the missile (or vehicle) the object belongs to
    family_hi: np.ndarray  # (N,) one past its last
    fc_levels_m: np.ndarray  # (Q,) fire-control requirements of the layers (largest 1-sigma position), m


class Sensors(NamedTuple):
    """The radars and space sensor layers, as the kernel takes them."""

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


@nb.njit(cache=True, error_model="numpy")
def _nearest_object(x_eci, r_ecef_rk, alt_rk, lo, hi, theta):
    """The object of ``lo .. hi - 1`` (one missile's objects, existing now) nearest the inertial
    position ``x_eci``: the object a shot at this track would be flown at. -1 if none exists."""
    best, best_d2 = -1, np.inf
    c, s = math.cos(theta), math.sin(theta)
    for n in range(lo, hi):
        if not np.isfinite(alt_rk[n]):
            continue
        p0, p1, p2 = ecef_to_eci_xyz(c, s, r_ecef_rk[n, 0], r_ecef_rk[n, 1], r_ecef_rk[n, 2])
        d2 = (p0 - x_eci[0]) ** 2 + (p1 - x_eci[1]) ** 2 + (p2 - x_eci[2]) ** 2
        if d2 < best_d2:
            best, best_d2 = n, d2
    return best


@nb.njit(cache=True, parallel=True)
def _track_trials(
    trials, objects, sensors, tracker, gospa, per_object, fire_control, seen_by, first_by_sensor, gospa_m
):
    """Every trial of the chunk, one per thread (:func:`_track_trial`).

    ``tracker`` is a (1,) TRACKER_DTYPE array (a parallel loop takes a record only inside an array);
    ``gospa`` is (steps between samples, cut-off m). The outputs are plain arguments, never in a tuple:
    numba's parallel loops lose some writes to arrays that come in tuples. The loop body is one call:
    a trial's looks, scans and scoring are :func:`_track_trial`."""
    # the parallel loop takes flat arguments only (nested tuples are not passed into it): the tuples are
    # taken apart here and put together again inside
    r_ecef, alt, phase, t_s = trials.truth
    theta0, offsets, keys = trials.theta0_rad, trials.offsets_s, trials.keys
    kind, boost_kind, brightness, family_lo, family_hi, fc_levels = objects
    radars, radar_steps, radar_rcs, space, layer_steps = sensors
    sat_el, sat_rates, sat_layer, layers = space
    for r in nb.prange(keys.size):
        _track_trial(
            r,
            ((r_ecef, alt, phase, t_s), theta0, offsets, keys),
            (kind, boost_kind, brightness, family_lo, family_hi, fc_levels),
            (radars, radar_steps, radar_rcs, (sat_el, sat_rates, sat_layer, layers), layer_steps),
            tracker[0],
            gospa,
            (per_object[r], fire_control[r], seen_by[r], first_by_sensor[r], gospa_m[r]),
        )


@nb.njit(cache=True, error_model="numpy")
def _track_trial(r, trials, objects, sensors, cfg, gospa, out):
    """Trial ``r``: looks, scans, and the scoring of the tracks; ``out`` holds the trial's rows of the
    outputs of :func:`_track_trials` (per object, fire control, seen by, first by sensor, GOSPA)."""
    per_object, fire_control, seen_by, first_by_sensor, gospa_m = out
    (r_ecef, alt, phase, t_s), theta0, offsets, keys = trials
    kind, boost_kind, brightness, family_lo, family_hi, fc_levels = objects
    radars, radar_steps, radar_rcs, (sat_el, sat_rates, sat_layer, layers), layer_steps = sensors
    gospa_every, gospa_c = gospa
    capacity = cfg.capacity
    n_n, n_t = alt.shape[1], alt.shape[2]
    n_m = radars.shape[0]
    n_s = sat_el.shape[0]
    slots = n_n + rad.FALSE_ALARM_SLOTS
    store = empty_track_store(capacity)
    x, P, status, t_state, track_id = store.x, store.P, store.status, store.t, store.track_id
    last_id = np.full(n_n, -1, dtype=np.int64)
    z, R = np.empty((slots, 3)), np.empty((slots, 3, 3))
    source = np.empty(slots, dtype=np.int64)  # the object a detection came from (-1: false alarm)
    assigned = np.empty(slots, dtype=np.int64)
    zi, Ri = np.empty(3), np.empty((3, 3))
    in_view = np.zeros(capacity, dtype=np.bool_)
    pos = np.empty(3)
    sat = np.empty((n_s, 3))
    sat_step = -1  # the step whose satellite positions ``sat`` holds
    # each layer's satellites are consecutive: layer l's are layer_first[l] .. layer_first[l + 1] - 1
    layer_first = np.searchsorted(sat_layer, np.arange(layer_steps.size + 1))
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
                    to_inertial_into(r_ecef[r, n, k], theta, truth_eci[n_true])
                    n_true += 1
            n_conf = 0
            for j in range(store.high[0]):
                if status[j] == CONFIRMED:  # its state moved on at constant velocity to t
                    for i in range(3):
                        track_pos[n_conf, i] = x[j, i] + x[j, 3 + i] * (t - t_state[j])
                    n_conf += 1
            gospa_m[k // gospa_every] = gospa_distance(truth_eci[:n_true], track_pos[:n_conf], gospa_c)
        for m in range(n_m + layer_steps.size):
            is_radar = m < n_m
            if k % (radar_steps[m] if is_radar else layer_steps[m - n_m]) != 0:
                continue
            if not is_radar and n_s and sat_step != k:  # every layer's satellites, once a step
                satellites_ecef(sat_el, sat_rates, t + offsets[r], theta, sat)
                sat_step = k
            d = 0
            for n in range(n_n):  # the looks at every object in flight
                if not np.isfinite(alt[r, n, k]):
                    continue
                boosting = phase[r, n, k] == phases.PHASE_BOOST
                counter = draw_counter(k, m, n, 0)
                if is_radar:
                    rcs = radar_rcs[m, boost_kind if boosting else kind[n]]
                    if not rad.draw_look(radars[m], r_ecef[r, n, k], rcs, key, counter, zi, Ri):
                        continue
                else:
                    sensor = layers[m - n_m]
                    if boosting and alt[r, n, k] < sensor.min_plume_alt_m:  # below the cloud tops
                        continue
                    if not space_ir.draw_stereo_look(
                        sensor, (sat, layer_first[m - n_m], layer_first[m - n_m + 1]), r_ecef[r, n, k],
                        boosting, brightness[n], key, counter, zi, Ri,
                    ):  # fmt: skip
                        continue
                if per_object[n].first_detect_t_s == np.inf:
                    per_object[n].first_detect_t_s = t
                if first_by_sensor[n, m] == np.inf:
                    first_by_sensor[n, m] = t
                to_inertial_into(zi, theta, z[d])
                covariance_to_inertial_into(Ri, theta, R[d])
                source[d] = n
                d += 1
            if is_radar:  # false alarms, uniform over the radar's coverage
                count = rad.false_alarm_count(radars[m], uniform(key, draw_counter(k, m, n_n, rad.FA_COUNT)))
                for f in range(count):
                    rad.draw_false_alarm(radars[m], key, draw_counter(k, m, n_n + f, 0), zi, Ri)
                    to_inertial_into(zi, theta, z[d])
                    covariance_to_inertial_into(Ri, theta, R[d])
                    source[d] = -1
                    d += 1
            if d == 0 and store.high[0] == 0:
                continue
            for j in range(store.high[0]):  # which live tracks this sensor expected to see
                in_view[j] = status[j] > 0
                if is_radar and in_view[j]:  # in its coverage, within its reference detection range
                    to_earth_fixed_into(x[j], theta, pos)
                    in_view[j] = rad.expects_reference_detection(radars[m], pos)
            scan(store, t, z[:d], R[:d], in_view, cfg, assigned[:d])
            # Scoring, with the truth: the confirmed tracks this scan updated, and what they hold
            for i in range(d):
                j = assigned[i]
                if source[i] < 0 or j < 0 or status[j] != CONFIRMED:
                    continue
                n = _nearest_object(
                    x[j], r_ecef[r, :, k], alt[r, :, k], family_lo[source[i]], family_hi[source[i]], theta
                )
                if n < 0:
                    continue
                if per_object[n].first_track_t_s == np.inf:
                    per_object[n].first_track_t_s = t
                if track_id[j] > last_id[n]:  # ids only grow: a new id is a new track on this object
                    last_id[n] = track_id[j]
                    per_object[n].tracks_held += 1
                if is_radar and phase[r, n, k] == phases.PHASE_MIDCOURSE:
                    seen_by[n, m] = True
                variance = max(P[j, 0, 0], P[j, 1, 1], P[j, 2, 2])
                for q in range(fc_levels.size):  # each layer's requirement, met once
                    if fire_control[n, q] == np.inf and variance <= fc_levels[q] ** 2:
                        fire_control[n, q] = t
                        per_object[n].fire_control_t_s = min(per_object[n].fire_control_t_s, t)


def _families(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Each object's missile (or vehicle): the range of object indices it shares (objects are listed
    threat by threat, so a missile's objects are contiguous)."""
    lo, hi = [], []
    start = 0
    for threat in world.threats:
        count = len(threat.objects())
        lo += [start] * count
        hi += [start + count] * count
        start += count
    return np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64)


def track_trials(world, truth, keys, theta0_rad, offsets_s, fc_levels_m) -> dict[str, np.ndarray]:
    """Run the full chain's looks, tracker and scoring for every trial of a chunk.

    Parameters
    ----------
    world : the World (``radars``, ``space_sensors``, ``rcs_m2``, ``ir_brightness``, ``tracker``).
    truth : :class:`domesim.threats.batch.ThreatBatch` of the chunk.
    keys : (R,) uint64 per-trial keys of the ``sensor.track`` stream.
    fc_levels_m : (Q,) the fire-control requirements of the layers (largest 1-sigma position component), m.

    Returns per (R, N): ``first_detect_t_s``, ``first_track_t_s`` (a confirmed track first held it),
    ``fire_control_t_s`` (a confirmed track holding it first met the loosest requirement; inf if never),
    ``fire_control_by_level_t_s`` (R, N, Q) (the first time it met each requirement), ``tracks_held``
    (distinct confirmed tracks that held it); ``seen_by`` (R, N, M) radars whose detections updated a
    track holding it in midcourse, and ``first_by_sensor_t_s`` (R, N, M + L) each radar's and space
    layer's first detection; ``gospa_m`` (R, B): the GOSPA distance between the confirmed tracks and the
    objects in flight every ``GOSPA_EVERY_S`` (cut-off ``GOSPA_CUTOFF_M``).
    """
    kinds = _kinds(world)
    radars = world.radars
    n_m = len(radars)
    step = world.grid.step_s
    layers = world.space_sensors
    sensors = Sensors(
        radars=rad.records(radars),
        radar_steps=np.array([max(1, round(r.cls.revisit_s / step)) for r in radars], dtype=np.int64),
        radar_rcs_m2=_rcs_table(world, kinds),
        space=Constellations.of(layers),
        layer_steps=np.array([max(1, round(lay.sensor.revisit_s / step)) for lay in layers], dtype=np.int64),
    )
    n_r, n_n = truth.alt_m.shape[:2]
    n_s = max((len(layer.elements) for layer in layers), default=0)
    check_counter_bounds(
        truth.t_s.size, n_m + len(layers), n_n + rad.FALSE_ALARM_SLOTS, max(rad.DRAWS_PER_SLOT, n_s + 4)
    )
    gospa_every = max(1, round(GOSPA_EVERY_S / step))
    per_object = np.zeros((n_r, n_n), PER_OBJECT_DTYPE).view(np.recarray)
    per_object[["first_detect_t_s", "first_track_t_s", "fire_control_t_s"]] = (np.inf, np.inf, np.inf)
    seen_by = np.zeros((n_r, n_n, n_m), dtype=np.bool_)
    first_by_sensor = np.full((n_r, n_n, n_m + len(layers)), np.inf)
    gospa_m = np.zeros((n_r, (truth.t_s.size + gospa_every - 1) // gospa_every))
    fire_control = np.full((n_r, n_n, np.size(fc_levels_m)), np.inf)
    family_lo, family_hi = _families(world)
    _track_trials(
        Trials(
            _truth(truth),
            theta0_rad=float(theta0_rad),
            offsets_s=np.ascontiguousarray(offsets_s, dtype=np.float64),
            keys=keys,
        ),
        Objects(
            kind=_object_kinds(world, kinds),
            boost_kind=kinds.index("booster"),
            brightness=_brightness(world),
            family_lo=family_lo,
            family_hi=family_hi,
            fc_levels_m=np.ascontiguousarray(fc_levels_m, dtype=np.float64),
        ),
        sensors,
        np.array([world.tracker.record()]).view(np.recarray),
        (gospa_every, GOSPA_CUTOFF_M),
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
