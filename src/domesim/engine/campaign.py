"""A campaign: several raids (waves), possibly days apart, against one defence whose stocks carry over.

Each trial fights every wave in turn. What a wave leaves is what the next one meets: interceptors fired
are gone from their battery; a battery whose class reloads (a ship back in port: the catalogue's
``reload_days``) is full again if the gap between the waves' starts is at least that long, the others
(silos, fixed launchers) are not; satellites that fired their interceptors or were killed by an
anti-satellite attack hold none, and are replaced, emptiest slot first, at the layer's replenishment
rate (the cost catalogue's production and launch cadence), over the gap. Anti-satellite attacks
(:mod:`domesim.threats.asat`) strike before a wave's missiles fly.

The constellations keep moving: each trial meets them at its own random phase (``space.epoch``), and a
wave ``start_s`` later meets them ``start_s`` further on. Wave 0 draws from the run's seed, so a
one-wave campaign without attacks is the plain raid; each later wave from a seed derived from it and the
wave's index (:func:`wave_seed`).

The log is the raids' logs side by side on the object axis (wave by wave, the order of
``World.objects``), times on each wave's own clock; shots fired add up; ``wave_left`` (R, W, B) holds
the interceptors each battery (ground, then SBI layers: interceptors on orbit) has left after each wave,
``wave_asat_kills`` (R, W) the satellites each wave's attacks killed, and ``wave_sbi_near_launch`` (R, W)
the loaded satellites over the wave's launch area (within an SBI's fly-out in :data:`BOOST_WINDOW_S`) when
its first missile lifts off, after the attacks.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from domesim.core.frames import earth_rotation_angle
from domesim.core.rng import stream
from domesim.engine.simulate import Readiness, epoch_offsets, full_readiness, simulate_raid
from domesim.engine.world import Wave, World, wave_seed
from domesim.threats.asat import loaded_near, strike

# "Over the launch area": within the distance an SBI flies out in a solid ICBM's boost time (170 s [S40]),
# the satellites that could engage a missile launched there.
BOOST_WINDOW_S = 170.0

SUMMED = ("shots_fired",)  # over the waves
LAST = ("site_lost",)  # what the campaign has done by its end
AVERAGED = ("gospa_m",)  # a time series on each wave's clock: the mean over the waves


def restock(world: World, readiness: Readiness, gap_s: float) -> Readiness:
    """The defence after ``gap_s`` seconds between two waves (module docstring)."""
    assert world.logistics is not None
    full = full_readiness(world, readiness.inventory.shape[0])
    reloads = np.array(world.logistics.reload_s) <= gap_s  # (S,)
    inventory = np.where(reloads[None, :] & ~readiness.lost, full.inventory, readiness.inventory)
    sbi_left = []
    for layer, left, rate in zip(
        world.sbi_layers, readiness.sbi_left, world.logistics.replenish_per_s, strict=True
    ):
        replaced = int(np.floor(rate * gap_s))
        empty = left == 0
        # the first `replaced` empty slots of each trial get a new, loaded satellite
        refill = empty & (np.cumsum(empty, axis=1) <= replaced)
        sbi_left.append(np.where(refill, layer.per_satellite, left).astype(np.int64))
    return Readiness(inventory=inventory, sbi_left=tuple(sbi_left), lost=readiness.lost)


def simulate_campaign(world: World, chunk: int, n_trials: int, seed: int) -> dict[str, np.ndarray]:
    """Every wave of ``world.waves`` in turn for ``n_trials`` trials of chunk ``chunk`` (module docstring)."""
    offsets = epoch_offsets(world, chunk, n_trials, seed)  # one phase per trial, for every wave
    theta0 = float(earth_rotation_angle(0.0, world.grid.epoch_jd))
    layer_index = {layer.name: i for i, layer in enumerate(world.sbi_layers)}
    readiness = full_readiness(world, n_trials)
    logs, left, asat_kills, near_launch = [], [], [], []
    for w, wave in enumerate(world.waves):
        if w:
            readiness = restock(world, readiness, wave.start_s - world.waves[w - 1].start_s)
        seed_w = wave_seed(seed, w)
        killed = np.zeros(n_trials, dtype=np.int64)
        sbi_left = tuple(a.copy() for a in readiness.sbi_left)
        for k, attack in enumerate(wave.asat):  # each attack its own stream, whatever its name
            u = stream(seed_w, chunk, f"asat.{k}").random(
                (n_trials, len(attack.layers), attack.count)
            )
            for j, name in enumerate(attack.layers):
                i = layer_index[name]
                killed += strike(
                    attack, world.sbi_layers[i].elements, sbi_left[i], offsets + wave.start_s, theta0, u[:, j]
                )
        near_launch.append(_loaded_over_launch(world, wave, sbi_left, offsets + wave.start_s, theta0))
        raid = replace(world, threat_groups=wave.threat_groups, waves=())
        log, readiness = simulate_raid(
            raid, chunk, seed_w, readiness._replace(sbi_left=sbi_left), offsets + wave.start_s
        )
        logs.append(log)
        left.append(
            np.concatenate(
                [readiness.inventory] + [a.sum(axis=1)[:, None] for a in readiness.sbi_left], axis=1
            )
        )
        asat_kills.append(killed)
    merged = merge_waves(logs, [wave.n_objects for wave in world.waves])
    merged["wave_left"] = np.stack(left, axis=1)
    merged["wave_asat_kills"] = np.stack(asat_kills, axis=1)
    merged["wave_sbi_near_launch"] = np.stack(near_launch, axis=1)
    return merged


def _loaded_over_launch(
    world: World, wave: Wave, sbi_left: tuple[np.ndarray, ...], epoch_s: np.ndarray, theta0: float
) -> np.ndarray:
    """(R,) loaded satellites of every SBI layer over the wave's first launch point at its launch."""
    first = min((t for g in wave.threat_groups for t in g.threats), key=lambda t: t.launch_t_s)
    count = np.zeros(epoch_s.size, dtype=np.int64)
    for layer, left in zip(world.sbi_layers, sbi_left, strict=True):
        radius = float(layer.kinematics.distance_m(BOOST_WINDOW_S))
        count += loaded_near(
            layer.elements,
            left,
            epoch_s,
            first.launch_t_s,
            theta0,
            first.launch_lat_rad,
            first.launch_lon_rad,
            radius,
        )
    return count


def merge_waves(logs: list[dict[str, np.ndarray]], objects: list[int]) -> dict[str, np.ndarray]:
    """The waves' logs as one: per-object arrays side by side on the object axis, engagements with their
    objects renumbered, :data:`SUMMED` added up and :data:`AVERAGED` averaged."""
    first = np.cumsum([0] + objects[:-1])
    merged: dict[str, np.ndarray] = {}
    for name in logs[0]:
        parts = [log[name] for log in logs]
        if name in SUMMED:
            merged[name] = np.sum(parts, axis=0)
        elif name in LAST:
            merged[name] = parts[-1]
        elif name in AVERAGED:
            merged[name] = np.mean(parts, axis=0)
        elif name == "eng_object":
            merged[name] = np.concatenate([p + np.int32(f) for p, f in zip(parts, first, strict=True)])
        elif name.startswith("eng_"):
            merged[name] = np.concatenate(parts)
        else:
            merged[name] = np.concatenate(parts, axis=1)
    return merged
