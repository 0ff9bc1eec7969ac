"""The time-stepped engagement engine over arrays of (R trials, N objects).

For one chunk of trials: fly the threats (truth on the grid), find when the defence can act on
each object (cued radar detection plus delay, or at launch with ideal sensing), compute every
battery's engagement windows once, then step through the grid trial by trial in a compiled loop:
resolve the intercepts due at this step (kill draws from the ``kill`` stream: one reliability draw
per salvo, the common-mode chance that the engagement works at all, then one SSPK draw per
interceptor, so a salvo of n kills with ``r (1 - (1 - p)^n)``, design.md section 4), then commit salvos
to the objects that are ready (shoot-look-shoot after a kill assessment), sharing each trial's
inventories between objects.
"""

from __future__ import annotations

from collections.abc import Callable

import numba as nb
import numpy as np

from domesim.c2.doctrine import earliest_intercept
from domesim.core import ballistic as kernel
from domesim.core.rng import stream
from domesim.engine.world import FAMILIES, World
from domesim.interceptors.flyout import latest_launch_t_s
from domesim.sensors.radar_cue import first_detection_t_s
from domesim.threats.ballistic import fly_threats
from domesim.threats.batch import ThreatBatch, concatenate
from domesim.threats.cruise import fly_cruise
from domesim.threats.glide import fly_gliders


@nb.njit(cache=True, parallel=True)
def _engage(
    latest_launch,
    suffix_max,
    t_s,
    ready_t,
    impact_step,
    inventory0,
    salvo,
    max_engagements,
    sspk,
    reliability,
    kill_assessment_s,
    u,
    killed,
    kill_t,
    kill_battery,
    eng_battery,
    eng_launch_step,
    eng_intercept_step,
    eng_shots,
    eng_hit,
    shots_fired,
):
    """Fill the kill and engagement arrays for every trial (one trial per thread at a time)."""
    n_batteries, n_trials, n_objects, n_steps = latest_launch.shape
    for r in nb.prange(n_trials):
        inventory = inventory0.copy()
        next_ready = ready_t[r].copy()
        pending = np.full(n_objects, -1, dtype=np.int64)  # step of the intercept in flight
        n_eng = np.zeros(n_objects, dtype=np.int64)
        unreachable = np.zeros((n_batteries, n_objects), dtype=np.bool_)
        for k in range(n_steps):
            t = t_s[k]
            for n in range(n_objects):  # intercepts arriving now
                if pending[n] != k:
                    continue
                e = n_eng[n] - 1
                s = eng_battery[r, n, e]
                hit = False
                if u[r, n, e, 0] < reliability[s]:
                    for q in range(eng_shots[r, n, e]):
                        hit = hit or u[r, n, e, q + 1] < sspk[s]
                eng_hit[r, n, e] = hit
                pending[n] = -1
                if hit:
                    killed[r, n] = True
                    kill_t[r, n] = t
                    kill_battery[r, n] = s
                else:
                    next_ready[n] = t + kill_assessment_s
            for n in range(n_objects):  # new salvos
                if killed[r, n] or pending[n] >= 0 or n_eng[n] >= max_engagements:
                    continue
                if t < next_ready[n] or k >= impact_step[r, n]:
                    continue
                s, j = earliest_intercept(latest_launch, suffix_max, inventory, unreachable, r, n, k, t)
                if s < 0:
                    continue
                shots = min(salvo[s], inventory[s])
                inventory[s] -= shots
                shots_fired[r, s] += shots
                e = n_eng[n]
                eng_battery[r, n, e] = s
                eng_launch_step[r, n, e] = k
                eng_intercept_step[r, n, e] = j
                eng_shots[r, n, e] = shots
                n_eng[n] += 1
                pending[n] = j


def fly_truth(world: World, n_trials: int, seed: int | None = None, chunk: int = 0) -> ThreatBatch:
    """Truth of every object of the raid on the grid, for ``n_trials`` trials of chunk ``chunk``.

    Each generator family draws its dispersions from its own named stream, so adding a cruise
    missile to a raid does not change the ballistic draws; ``seed=None`` flies without dispersions.
    The object axis follows :attr:`World.objects`.
    """
    batches = []
    for family in FAMILIES:  # the object order of World.objects
        stream_name, fly = GENERATORS[family]
        group = world.family(family)
        if group:
            rng = stream(seed, chunk, stream_name) if seed is not None else None
            batches.append(fly(group, world.grid, rng, n_trials, world.rtol, world.atol))
    return concatenate(batches)


# family -> (its random stream, its generator)
GENERATORS: dict[str, tuple[str, Callable[..., ThreatBatch]]] = {
    "ballistic": ("threat", fly_threats),
    "glide": ("threat.glide", fly_gliders),
    "cruise": (
        "threat.cruise",
        lambda objects, grid, rng, trials, rtol, atol: fly_cruise(objects, grid, rng, trials),
    ),
}


CHUNK_MEMORY_BYTES = 512 * 2**20  # working-set target of one chunk


def trials_per_chunk(world: World, limit: int) -> int:
    """Trials per chunk so that one chunk's arrays stay near :data:`CHUNK_MEMORY_BYTES`, at most ``limit``.

    Per trial and object and step the engine holds the truth (state, height, phase: about 8 float64,
    with the copies made while assembling released objects about 3 times that) and, per battery, the
    engagement windows and their running maximum. The answer depends on the world only, never on the
    worker count, so the chunk plan (and with it every random stream) is the same for any workers.
    """
    per_trial = len(world.objects) * world.grid.steps * 8 * (24 + 2 * len(world.batteries))
    return max(1, min(limit, CHUNK_MEMORY_BYTES // per_trial))


def simulate_chunk(world: World, chunk: int, n_trials: int, seed: int) -> dict[str, np.ndarray]:
    """Simulate ``n_trials`` trials of chunk ``chunk``; returns per-trial and per-engagement arrays.

    The result depends only on (world, chunk, n_trials, seed), never on the worker that runs it.
    """
    grid = world.grid
    t_s = grid.t_s
    truth = fly_truth(world, n_trials, seed, chunk)
    n_objects = truth.r_ecef.shape[1]
    if world.sensing == "ideal":  # known from the moment it exists (launch, or release from its bus)
        exists = np.isfinite(truth.alt_m)
        ready = np.where(exists.any(axis=-1), t_s[np.argmax(exists, axis=-1)], np.inf)
    else:
        ready = first_detection_t_s(world.radars, truth.r_ecef, t_s) + world.doctrine.cue_delay_s
    detect = ready - (0.0 if world.sensing == "ideal" else world.doctrine.cue_delay_s)
    if world.doctrine.engage_lethal_only:  # perfect discrimination: only warheads are engaged
        lethal = np.array([info.lethal for info in world.objects])
        ready[:, ~lethal] = np.inf
    impacted = truth.phase == kernel.PHASE_IMPACTED
    impact_step = np.where(impacted.any(axis=-1), np.argmax(impacted, axis=-1), t_s.size)

    n_batteries = len(world.batteries)
    max_eng = world.doctrine.max_engagements
    salvo = np.array([world.doctrine.salvo_size] * n_batteries, dtype=np.int64)
    if n_batteries:
        latest = np.stack([latest_launch_t_s(b, truth.r_ecef, truth.alt_m, t_s) for b in world.batteries])
    else:
        latest = np.full((0, n_trials, n_objects, t_s.size), -np.inf)
    suffix_max = np.maximum.accumulate(latest[..., ::-1], axis=-1)[..., ::-1].copy()
    # Per engagement: one reliability draw, then one draw per interceptor of the salvo.
    u = stream(seed, chunk, "kill").random((n_trials, n_objects, max_eng, 1 + int(salvo.max(initial=1))))

    killed = np.zeros((n_trials, n_objects), dtype=np.bool_)
    kill_t = np.full((n_trials, n_objects), np.nan)
    kill_battery = np.full((n_trials, n_objects), -1, dtype=np.int64)
    eng_battery = np.full((n_trials, n_objects, max_eng), -1, dtype=np.int64)
    eng_launch_step = np.full_like(eng_battery, -1)
    eng_intercept_step = np.full_like(eng_battery, -1)
    eng_shots = np.zeros_like(eng_battery)
    eng_hit = np.zeros(eng_battery.shape, dtype=np.bool_)
    shots_fired = np.zeros((n_trials, n_batteries), dtype=np.int64)
    _engage(
        np.ascontiguousarray(latest),
        suffix_max,
        t_s,
        np.ascontiguousarray(ready),
        impact_step,
        np.array([b.inventory for b in world.batteries], dtype=np.int64),
        salvo,
        max_eng,
        np.array([b.interceptor.sspk for b in world.batteries]),
        np.array([b.interceptor.reliability for b in world.batteries]),
        world.doctrine.kill_assessment_s,
        u,
        killed,
        kill_t,
        kill_battery,
        eng_battery,
        eng_launch_step,
        eng_intercept_step,
        eng_shots,
        eng_hit,
        shots_fired,
    )

    r_idx, n_idx, e_idx = np.nonzero(eng_battery >= 0)
    step = eng_intercept_step[r_idx, n_idx, e_idx]
    battery = eng_battery[r_idx, n_idx, e_idx]
    sites = np.array([b.r_ecef for b in world.batteries]).reshape(-1, 3)
    point = truth.r_ecef[r_idx, n_idx, step]
    return {
        "killed": killed,
        "kill_t_s": kill_t,
        "kill_battery": kill_battery,
        "shots_fired": shots_fired,
        "detect_t_s": detect,
        "impact_t_s": truth.impact_t_s,
        "impact_lat_rad": truth.impact_lat_rad,
        "impact_lon_rad": truth.impact_lon_rad,
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
