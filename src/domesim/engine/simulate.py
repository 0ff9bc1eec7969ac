"""The time-stepped engagement engine over arrays of (R trials, N objects).

For one chunk of trials: fly the threats (truth on the grid), sense them (:mod:`domesim.engine.sensing`:
when the defence can act on each object, and each battery on it, at the world's sensing fidelity),
then step through the grid trial by trial in a compiled loop (engagement windows computed where it asks):
resolve the intercepts due at this step (kill draws from the ``kill`` stream: one reliability draw
per salvo, the common-mode chance that the engagement works at all, then one SSPK draw per
interceptor, so a salvo of n kills with ``r (1 - (1 - p)^n)``, design.md section 6), then commit salvos
to the objects that are ready (shoot-look-shoot after a kill assessment), sharing each trial's
inventories between objects.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

from domesim.c2.doctrine import assign_by_value, earliest_intercept, why_not_engaged
from domesim.c2.threat_evaluation import threatened_assets
from domesim.core import ballistic as kernel
from domesim.core.frames import earth_rotation_angle, great_circle_distance_m
from domesim.core.rng import stream
from domesim.engine.sensing import Chunk, sense
from domesim.engine.world import World, fly_truth  # fly_truth: here too, where it always was
from domesim.interceptors.flyout import BATTERY_DTYPE
from domesim.interceptors.sbi import engage_boost
from domesim.threats.batch import ThreatBatch


class Windows(NamedTuple):
    """What the engagement windows are computed from, where the loop asks (c2.doctrine.intercept_step),
    and when the defence may act (arrays of a chunk)."""

    batteries: np.ndarray  # (S,) BATTERY_DTYPE: the ground batteries
    r_ecef: np.ndarray  # (R, N, T, 3) truth positions, m, ECEF (NaN when the object does not exist)
    alt_m: np.ndarray  # (R, N, T) geodetic heights, m
    t_s: np.ndarray  # (T,) grid times
    ready_t: np.ndarray  # (R, N) when the defence may first act on each object
    battery_ready: np.ndarray  # (S, R, N) when each battery may commit on it (its class's track quality)
    impact_step: np.ndarray  # (R, N) step of impact (T if none)


class Stock(NamedTuple):
    """The ground batteries (S,): inventories, salvo, lethality, layer and reserve."""

    inventory0: np.ndarray  # (R, S) at the start of the raid in each trial
    salvo: np.ndarray
    sspk: np.ndarray
    reliability: np.ndarray
    battery_layer: np.ndarray  # index of each battery's layer
    reserve: np.ndarray  # interceptors kept for threats to first-priority assets


class Rules(NamedTuple):
    """Doctrine scalars."""

    max_engagements: int
    kill_assessment_s: float
    per_layer: int  # salvos one layer may fire at one object (0: no limit)
    by_value: bool  # "value" assignment (maximum marginal return), else "earliest"


class Threats(NamedTuple):
    """What the battle manager knows of each (trial, object), and the kill draws."""

    priority: np.ndarray  # (R, N) 1 (highest) to 3
    value: np.ndarray  # (R, N) value of the threatened asset (0: none)
    u: np.ndarray  # (R, N, E, 1 + salvo) uniforms: one reliability draw, then one per interceptor
    razes: np.ndarray  # (R, N, S) bool: the object, if it lands, destroys the battery (a warhead at its site)


# What the engagement loop writes, one record per (trial, object) and per (trial, object, engagement).
OUTCOME_DTYPE = np.dtype([("killed", "?"), ("kill_t_s", "f8"), ("kill_battery", "i8"), ("held", "i1")])
ENGAGEMENT_DTYPE = np.dtype(
    [("battery", "i8"), ("launch_step", "i8"), ("intercept_step", "i8"), ("shots", "i8"), ("hit", "?")]
)


@nb.njit(cache=True)
def _allow(out, n, r, t, layer_eng, inventory, lost, windows, stock, rules, threats):
    """Doctrine: the batteries that may engage object ``n`` now: those still standing (``lost``: destroyed
    by a warhead that got through) whose class's fire-control requirement the track meets
    (``battery_ready``), within the engagements per layer, keeping the reserves for threats to
    first-priority assets."""
    per_layer = rules.per_layer
    for b in range(out.size):
        out[b] = (
            not lost[b]
            and t >= windows.battery_ready[b, r, n]
            and (per_layer <= 0 or layer_eng[n, stock.battery_layer[b]] < per_layer)
            and (inventory[b] > stock.reserve[b] or threats.priority[r, n] == 1)
        )


@nb.njit(cache=True, parallel=True)
def _engage(windows, stock, rules, threats, outcome, engagements, shots_fired, lost_t):
    """Fill the kill and engagement records for every trial (one trial per thread at a time).

    ``outcome`` (R, N) :data:`OUTCOME_DTYPE`: killed, when, by which battery, and why a ready object last
    went without a salvo (``c2.doctrine.why_not_engaged``); ``engagements`` (R, N, E)
    :data:`ENGAGEMENT_DTYPE`; ``shots_fired`` (R, S); ``lost_t`` (R, S) when each battery was destroyed
    (inf: never; finite on entry: lost in an earlier wave). The outputs are plain arguments, never in a
    tuple: numba's parallel loops lose some writes to arrays that come in tuples. The loop body is one call:
    a trial's step-by-step logic is :func:`_engage_trial`."""
    for r in nb.prange(windows.alt_m.shape[0]):
        out = (outcome[r], engagements[r], shots_fired[r], lost_t[r])
        _engage_trial(r, windows, stock, rules, threats, out)


@nb.njit(cache=True)
def _engage_trial(r, windows, stock, rules, threats, out):
    """Trial ``r`` of :func:`_engage`, step by step; ``out`` holds its rows of the outputs."""
    outcome, engagements, shots_fired, lost_t = out
    t_s, ready_t, impact_step = windows.t_s, windows.ready_t, windows.impact_step
    inventory0, salvo, sspk, reliability, battery_layer, reserve = stock
    max_engagements, kill_assessment_s, per_layer, by_value = rules
    priority, value, u, razes = threats
    n_batteries = windows.batteries.shape[0]
    n_objects, n_steps = windows.alt_m.shape[1], windows.alt_m.shape[2]
    n_layers = battery_layer.max() + 1 if n_batteries else 1
    inventory = inventory0[r].copy()
    lost = np.isfinite(lost_t)  # batteries destroyed (in an earlier wave, or by a leaker of this one)
    next_ready = ready_t[r].copy()
    pending = np.full(n_objects, -1, dtype=np.int64)  # step of the intercept in flight
    n_eng = np.zeros(n_objects, dtype=np.int64)
    layer_eng = np.zeros((n_objects, n_layers), dtype=np.int64)
    # where each (battery, object) window search resumes, and the pairs out of reach for good
    reach = (
        np.zeros((n_batteries, n_objects), dtype=np.int64),
        np.zeros((n_batteries, n_objects), dtype=np.bool_),
    )
    for k in range(n_steps):
        t = t_s[k]
        for n in range(n_objects):  # intercepts arriving now
            if pending[n] != k:
                continue
            e = n_eng[n] - 1
            s = engagements[n, e].battery
            hit = False
            if u[r, n, e, 0] < reliability[s]:
                for q in range(engagements[n, e].shots):
                    hit = hit or u[r, n, e, q + 1] < sspk[s]
            engagements[n, e].hit = hit
            pending[n] = -1
            if hit:
                outcome[n].killed = True
                outcome[n].kill_t_s = t
                outcome[n].kill_battery = s
            else:
                next_ready[n] = t + kill_assessment_s
        for n in range(n_objects):  # what gets through lands: batteries near its impact are destroyed
            if impact_step[r, n] == k and not outcome[n].killed:
                for s in range(n_batteries):
                    if razes[r, n, s] and not lost[s]:
                        lost[s] = True
                        lost_t[s] = t
        ready = np.zeros(n_objects, dtype=np.bool_)  # objects a new salvo may be committed to
        for n in range(n_objects):
            ready[n] = not (
                outcome[n].killed
                or pending[n] >= 0
                or n_eng[n] >= max_engagements
                or t < next_ready[n]
                or k >= impact_step[r, n]
            )
        objects = np.flatnonzero(ready)
        if objects.size == 0:
            continue
        allowed = np.empty((objects.size, n_batteries), dtype=np.bool_)
        for c in range(objects.size):
            _allow(allowed[c], objects[c], r, t, layer_eng, inventory, lost, windows, stock, rules, threats)
        if by_value:
            chosen, chosen_step = assign_by_value(
                windows, reach, stock, inventory, allowed, value[r, objects], objects, r, k, t
            )
        for c in range(objects.size):
            n = objects[c]
            if by_value:
                s, j = chosen[c], chosen_step[c]
            else:  # in object order, each taking the battery that intercepts it first
                # (reserves checked against the stock the objects before it have left)
                _allow(allowed[c], n, r, t, layer_eng, inventory, lost, windows, stock, rules, threats)
                s, j = earliest_intercept(windows, reach, inventory, allowed[c], r, n, k, t)
            if s < 0:
                outcome[n].held = why_not_engaged(windows, reach, inventory, r, n, k, t)
                continue
            layer_eng[n, battery_layer[s]] += 1
            shots = min(salvo[s], inventory[s])
            inventory[s] -= shots
            shots_fired[s] += shots
            e = n_eng[n]
            engagements[n, e].battery = s
            engagements[n, e].launch_step = k
            engagements[n, e].intercept_step = j
            engagements[n, e].shots = shots
            n_eng[n] += 1
            pending[n] = j


CHUNK_MEMORY_BYTES = 512 * 2**20  # working-set target of one chunk


def trials_per_chunk(world: World, limit: int) -> int:
    """Trials per chunk so that one chunk's arrays stay near :data:`CHUNK_MEMORY_BYTES`, at most ``limit``.

    Per trial and object and step the engine holds the truth (state, height, phase: about 8 float64,
    with the copies made while assembling released objects about 3 times that); the engagement windows
    are computed where the loop asks, never stored. The answer depends on the world only, never on the
    worker count, so the chunk plan (and with it every random stream) is the same for any workers.
    """
    return max(1, min(limit, CHUNK_MEMORY_BYTES // trial_bytes(world)))


def trial_bytes(world: World) -> int:
    """Bytes of one trial's arrays (:func:`trials_per_chunk`); the builder refuses a world whose single
    trial is far above the chunk budget (:data:`domesim.limits.MAX_TRIAL_MEMORY_FACTOR`)."""
    return len(world.objects) * world.grid.steps * 8 * 24


class Readiness(NamedTuple):
    """The defence at the start of a raid, per trial: what a campaign carries from wave to wave."""

    inventory: np.ndarray  # (R, S) interceptors at each ground battery
    sbi_left: tuple[np.ndarray, ...]  # per SBI layer, (R, satellites) int64: interceptors on each satellite
    lost: np.ndarray  # (R, S) bool: the battery was destroyed by a warhead that got through


def full_readiness(world: World, n_trials: int) -> Readiness:
    """Every magazine full and every satellite loaded."""
    inventory = np.array([b.inventory for b in world.ground_batteries], dtype=np.int64)
    return Readiness(
        inventory=np.tile(inventory, (n_trials, 1)),
        lost=np.zeros((n_trials, inventory.size), dtype=np.bool_),
        sbi_left=tuple(
            np.full((n_trials, len(layer.elements)), layer.per_satellite, dtype=np.int64)
            for layer in world.sbi_layers
        ),
    )


def epoch_offsets(world: World, chunk: int, n_trials: int, seed: int) -> np.ndarray:
    """(R,) when each trial meets the constellations, s after the scenario epoch. The attack meets them at a
    random time (one sidereal day spans every phase of the Earth's rotation under them); "fixed" keeps the
    scenario epoch for every trial."""
    if not world.random_epoch:
        return np.zeros(n_trials)
    return stream(seed, chunk, "space.epoch").uniform(0.0, 86164.0905, n_trials)


def simulate_chunk(world: World, chunk: int, n_trials: int, seed: int) -> dict[str, np.ndarray]:
    """Simulate ``n_trials`` trials of chunk ``chunk``; returns per-trial and per-engagement arrays.

    The result depends only on (world, chunk, n_trials, seed), never on the worker that runs it. A
    campaign (``world.waves``) runs its waves in turn (:func:`domesim.engine.campaign.simulate_campaign`).
    """
    if world.waves:
        from domesim.engine.campaign import simulate_campaign  # the campaign builds on this module

        return simulate_campaign(world, chunk, n_trials, seed)
    offsets = epoch_offsets(world, chunk, n_trials, seed)
    return simulate_raid(world, chunk, seed, full_readiness(world, n_trials), offsets)[0]


def simulate_raid(
    world: World, chunk: int, seed: int, readiness: Readiness, offsets: np.ndarray
) -> tuple[dict[str, np.ndarray], Readiness]:
    """One raid against the defence as ``readiness`` leaves it, the constellations met ``offsets`` (R,) s
    after the scenario epoch; returns the raid's log and the defence it leaves."""
    n_trials = offsets.size
    grid = world.grid
    t_s = grid.t_s
    truth = fly_truth(world, n_trials, seed, chunk)
    n_objects = truth.r_ecef.shape[1]
    theta0 = float(earth_rotation_angle(0.0, grid.epoch_jd))
    draws = Chunk(truth, seed, chunk, theta0, offsets)
    picture = sense(world, draws)
    detect, ready, battery_ready = picture.detect_t_s, picture.ready_t_s, picture.battery_ready_t_s
    ground = world.ground_batteries
    outcome = np.zeros((n_trials, n_objects), OUTCOME_DTYPE).view(np.recarray)
    outcome.kill_t_s[:] = np.nan
    outcome.kill_battery[:] = -1
    sbi_left = tuple(left.copy() for left in readiness.sbi_left)  # spent in place by the boost phase
    boost_log = _boost_phase(world, draws, detect, outcome, sbi_left)
    impacted = truth.phase == kernel.PHASE_IMPACTED
    impact_step = np.where(impacted.any(axis=-1), np.argmax(impacted, axis=-1), t_s.size)

    n_ground = len(ground)
    layer_names = sorted({b.interceptor.layer for b in ground})
    battery_layer = np.array([layer_names.index(b.interceptor.layer) for b in ground], dtype=np.int64)
    threatened, priority = evaluate_threats(world, truth)
    max_eng = world.doctrine.max_engagements
    salvo = np.array([world.doctrine.salvo_size] * n_ground, dtype=np.int64)
    # Per engagement: one reliability draw, then one draw per interceptor of the salvo.
    u = stream(seed, chunk, "kill").random((n_trials, n_objects, max_eng, 1 + int(salvo.max(initial=1))))

    salvos = np.zeros((n_trials, n_objects, max_eng), ENGAGEMENT_DTYPE).view(np.recarray)
    for name in ("battery", "launch_step", "intercept_step"):
        salvos[name] = -1
    ground_fired = np.zeros((n_trials, n_ground), dtype=np.int64)
    lost_t = np.where(readiness.lost, -1.0, np.inf)  # an earlier wave's losses: before this wave's clock
    reserve = [
        math.floor(world.doctrine.reserve_frac.get(b.interceptor.layer, 0.0) * b.inventory) for b in ground
    ]
    _engage(
        Windows(
            batteries=np.array([b.record() for b in ground], dtype=BATTERY_DTYPE).view(np.recarray),
            r_ecef=np.ascontiguousarray(truth.r_ecef),
            alt_m=np.ascontiguousarray(truth.alt_m),
            t_s=t_s,
            ready_t=np.ascontiguousarray(ready),
            battery_ready=battery_ready,
            impact_step=impact_step,
        ),
        Stock(
            inventory0=np.ascontiguousarray(readiness.inventory, dtype=np.int64),
            salvo=salvo,
            sspk=np.array([b.interceptor.sspk for b in ground]),
            reliability=np.array([b.interceptor.reliability for b in ground]),
            battery_layer=battery_layer,
            reserve=np.array(reserve, dtype=np.int64),
        ),
        Rules(
            max_engagements=max_eng,
            kill_assessment_s=float(world.doctrine.kill_assessment_s),
            per_layer=world.doctrine.engagements_per_layer,
            by_value=world.doctrine.assignment == "value",
        ),
        Threats(
            priority=priority,
            value=np.array([a.value for a in world.assets] + [0.0])[threatened],  # -1 (no asset): 0
            u=u,
            razes=_razes(world, truth),
        ),
        outcome,
        salvos,
        ground_fired,
        lost_t,
    )
    eng_battery, eng_launch_step, eng_intercept_step = (
        salvos.battery,
        salvos.launch_step,
        salvos.intercept_step,
    )
    eng_shots, eng_hit, held = salvos.shots, salvos.hit, outcome.held
    shots_fired = np.concatenate([ground_fired, boost_log["fired"]], axis=1)

    r_idx, n_idx, e_idx = np.nonzero(eng_battery >= 0)
    step = eng_intercept_step[r_idx, n_idx, e_idx]
    battery = eng_battery[r_idx, n_idx, e_idx]
    sites = np.array([b.r_ecef for b in ground]).reshape(-1, 3)
    point = truth.r_ecef[r_idx, n_idx, step]
    ground_log = {
        "eng_trial": r_idx.astype(np.int64),
        "eng_object": n_idx.astype(np.int32),
        "eng_battery": battery,
        "eng_launch_t_s": t_s[eng_launch_step[r_idx, n_idx, e_idx]],
        "eng_intercept_t_s": t_s[step],
        "eng_shots": eng_shots[r_idx, n_idx, e_idx].astype(np.int32),
        "eng_killed": eng_hit[r_idx, n_idx, e_idx],
        "eng_alt_m": truth.alt_m[r_idx, n_idx, step],
        "eng_range_m": np.linalg.norm(point - sites[battery], axis=-1) if len(battery) else np.zeros(0),
    }
    engagements = {
        key: np.concatenate([boost_log["engagements"][key], ground_log[key]]) for key in ground_log
    }
    log = {
        "killed": np.ascontiguousarray(outcome.killed),
        "kill_t_s": np.ascontiguousarray(outcome.kill_t_s),
        "kill_battery": np.ascontiguousarray(outcome.kill_battery),
        "shots_fired": shots_fired,
        "detect_t_s": detect,
        "impact_t_s": truth.impact_t_s,
        "impact_lat_rad": truth.impact_lat_rad,
        "impact_lon_rad": truth.impact_lon_rad,
        "threatened_asset": threatened,
        "held": np.ascontiguousarray(held),
        **{key: value for key, value in picture.log.items() if key != "first_by_sensor_t_s"},
        **({"sensor_first_detect_t_s": picture.log["first_by_sensor_t_s"]} if picture.log else {}),
        "site_lost": np.isfinite(lost_t),  # (R, S): destroyed by now
        **engagements,
    }
    left = np.where(np.isfinite(lost_t), 0, readiness.inventory - ground_fired)  # lost with its battery
    return log, Readiness(inventory=left, sbi_left=sbi_left, lost=np.isfinite(lost_t))


def _razes(world: World, truth: ThreatBatch) -> np.ndarray:
    """(R, N, S) bool: whether each warhead, if it gets through, lands within the doctrine's
    ``site_kill_radius_m`` of each ground battery and destroys it."""
    ground = world.ground_batteries
    n_trials, n_objects = truth.impact_lat_rad.shape
    razes = np.zeros((n_trials, n_objects, len(ground)), dtype=np.bool_)
    radius = world.doctrine.site_kill_radius_m
    if not ground or radius <= 0.0:
        return razes
    lethal = np.array([info.lethal for info in world.objects], dtype=np.bool_)
    lat = np.array([b.lat_rad for b in ground])
    lon = np.array([b.lon_rad for b in ground])
    distance = great_circle_distance_m(
        truth.impact_lat_rad[..., None], truth.impact_lon_rad[..., None], lat, lon
    )  # NaN (never lands) compares False
    return (distance <= radius) & lethal[None, :, None]


def evaluate_threats(world: World, truth: ThreatBatch) -> tuple[np.ndarray, np.ndarray]:
    """Threatened asset (R, N) (-1: none) and engagement priority (R, N) of every object.

    The predicted impact point is taken as the truth's (a tracker's impact prediction converges to it
    well before any terminal engagement); objects that threaten no asset get the lowest priority.
    """
    lat = [a.lat_rad for a in world.assets]
    lon = [a.lon_rad for a in world.assets]
    # where an object never lands within the grid, its aim point stands for the impact point
    aim_lat = np.array([info.aim_lat_rad for info in world.objects])
    aim_lon = np.array([info.aim_lon_rad for info in world.objects])
    ok = np.isfinite(truth.impact_lat_rad)
    threatened = threatened_assets(
        np.where(ok, truth.impact_lat_rad, aim_lat),
        np.where(ok, truth.impact_lon_rad, aim_lon),
        np.array(lat),
        np.array(lon),
        world.doctrine.threat_radius_m,
    )
    ranks = np.array([a.priority for a in world.assets] + [3], dtype=np.int64)
    return threatened, ranks[threatened]  # index -1 picks the "no asset" rank


def _boost_phase(
    world: World, chunk: Chunk, detect: np.ndarray, outcome: np.recarray, sbi_left: tuple[np.ndarray, ...]
) -> dict:
    """Engage boosting missiles with every SBI layer in turn; a kill kills all the missile's objects.
    ``sbi_left`` (per layer, (R, satellites)): the interceptors each satellite holds, spent in place.

    Fills ``outcome`` (R, N) :data:`OUTCOME_DTYPE` (killed, kill time, battery) in place; returns the
    shots fired per layer ``fired`` (R, L) and the boost-phase ``engagements`` in the engine's engagement
    columns.
    """
    truth, t_s, theta0, offsets = chunk.truth, chunk.truth.t_s, chunk.theta0_rad, chunk.offsets_s
    killed, kill_t, kill_battery = outcome.killed, outcome.kill_t_s, outcome.kill_battery  # views
    n_trials = truth.r_ecef.shape[0]
    n_ground = len(world.ground_batteries)
    fired = np.zeros((n_trials, len(world.sbi_layers)), dtype=np.int64)
    columns: dict[str, list[np.ndarray]] = {key: [] for key in _ENGAGEMENT_COLUMNS}
    boosting = (truth.phase == kernel.PHASE_BOOST).any(axis=(0, 2))
    boost_objects = np.flatnonzero(boosting)
    # every object belongs to the missile (or vehicle) of its boosting object
    owners = [info.threat for info in world.objects]
    family = [np.array([owners[n] is owners[b] for n in range(len(owners))]) for b in boost_objects]
    for layer_index, layer in enumerate(world.sbi_layers):
        rng = stream(chunk.seed, chunk.index, f"kill.sbi.{layer.name}")
        u = rng.random((n_trials, boost_objects.size, 1 + layer.salvo))
        seen = np.where(killed[:, boost_objects], np.inf, detect[:, boost_objects])
        out = engage_boost(
            layer, truth.r_ecef, truth.alt_m, truth.phase, boost_objects, t_s, seen, theta0, offsets, u,
            sbi_left[layer_index],
        )
        fired[:, layer_index] = out["fired"]
        battery = n_ground + layer_index
        r_idx, b_idx = np.nonzero(out["shots"] > 0)
        step = out["step"][r_idx, b_idx]
        obj = boost_objects[b_idx]
        for r, b, k in zip(
            r_idx[out["hit"][r_idx, b_idx]],
            b_idx[out["hit"][r_idx, b_idx]],
            step[out["hit"][r_idx, b_idx]],
            strict=True,
        ):
            killed[r, family[b]] = True
            kill_t[r, family[b]] = t_s[k]
            kill_battery[r, family[b]] = battery
        launch = np.maximum(seen[r_idx, b_idx] + layer.kinematics.commit_delay_s, t_s[0])
        columns["eng_trial"].append(r_idx.astype(np.int64))
        columns["eng_object"].append(obj.astype(np.int32))
        columns["eng_battery"].append(np.full(r_idx.size, battery, dtype=np.int64))
        columns["eng_launch_t_s"].append(launch)
        columns["eng_intercept_t_s"].append(t_s[step])
        columns["eng_shots"].append(out["shots"][r_idx, b_idx].astype(np.int32))
        columns["eng_killed"].append(out["hit"][r_idx, b_idx])
        columns["eng_alt_m"].append(truth.alt_m[r_idx, obj, step])
        columns["eng_range_m"].append(np.full(r_idx.size, np.nan))  # the SBI's own distance is not kept
    engagements = {
        key: np.concatenate(parts) if parts else np.zeros(0, dtype=_ENGAGEMENT_COLUMNS[key])
        for key, parts in columns.items()
    }
    return {"fired": fired, "engagements": engagements}


_ENGAGEMENT_COLUMNS = {
    "eng_trial": np.int64,
    "eng_object": np.int32,
    "eng_battery": np.int64,
    "eng_launch_t_s": np.float64,
    "eng_intercept_t_s": np.float64,
    "eng_shots": np.int32,
    "eng_killed": np.bool_,
    "eng_alt_m": np.float64,
    "eng_range_m": np.float64,
}
