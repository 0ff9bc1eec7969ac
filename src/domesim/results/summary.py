"""From a run's merged chunk log to its tables (trials, engagements, objects) and its summary.

``summary.json`` holds the command-line contract: scenario, trials, seed, version,
``p_no_leak {mean, ci95}``, expected_leakers, threat_objects, ``interceptors_fired {type: mean}``,
``kills_by_layer {layer: mean}``, wall_s. Everything but ``wall_s`` is a function of the scenario,
the seed and the trial count only, so two runs with any worker count give the same bytes.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from domesim.core import ballistic as kernel
from domesim.core.frames import great_circle_distance_m
from domesim.engine.sensing import FIDELITIES, GOSPA_CUTOFF_M, GOSPA_EVERY_S
from domesim.engine.simulate import fly_truth
from domesim.engine.world import World
from domesim.results.leaks import cause_names, classify_leakers
from domesim.results.metrics import binomial_ci


def _round(x: float, digits: int = 10) -> float:
    """Round for JSON: stable text across platforms, and no spurious 0.30000000000000004."""
    return float(round(float(x), digits))


def build_tables(world: World, log: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Column tables of a run: one row per trial, per engagement (salvo) and per simulated object.

    Leakers and kills count warheads (lethal objects) only; kills of decoys and buses are counted apart,
    as interceptors spent on them.
    """
    killed = log["killed"]
    trials = killed.shape[0]
    batteries = world.batteries
    infos = world.objects
    lethal = np.array([info.lethal for info in infos])
    trial_table: dict[str, np.ndarray] = {
        "trial": np.arange(trials, dtype=np.int64),
        "leakers": (~killed & lethal).sum(axis=1).astype(np.int32),
        "objects_killed": (killed & lethal).sum(axis=1).astype(np.int32),
        "nonlethal_killed": (killed & ~lethal).sum(axis=1).astype(np.int32),
        "shots_fired": log["shots_fired"].sum(axis=1).astype(np.int32),
    }
    for name in world.interceptor_types:
        cols = [i for i, b in enumerate(batteries) if b.interceptor.name == name]
        trial_table[f"shots_{name}"] = log["shots_fired"][:, cols].sum(axis=1).astype(np.int32)
    for layer in world.layers:
        in_layer = np.array([i for i, b in enumerate(batteries) if b.interceptor.layer == layer])
        kills = np.isin(log["kill_battery"], in_layer) & lethal
        trial_table[f"kills_{layer}"] = kills.sum(axis=1).astype(np.int32)

    battery = log["eng_battery"]
    engagements: dict[str, np.ndarray] = {
        "trial": log["eng_trial"].astype(np.int64),
        "object": log["eng_object"].astype(np.int32),
        "site": np.array([batteries[i].name for i in battery], dtype=str),
        "interceptor": np.array([batteries[i].interceptor.name for i in battery], dtype=str),
        "layer": np.array([batteries[i].interceptor.layer for i in battery], dtype=str),
        "launch_t_s": log["eng_launch_t_s"],
        "intercept_t_s": log["eng_intercept_t_s"],
        "shots": log["eng_shots"].astype(np.int32),
        "killed": log["eng_killed"].astype(bool),
        "intercept_alt_km": log["eng_alt_m"] / 1e3,
        "intercept_range_km": log["eng_range_m"] / 1e3,
    }
    aim_lat = np.array([info.aim_lat_rad for info in infos])
    aim_lon = np.array([info.aim_lon_rad for info in infos])
    miss_km = great_circle_distance_m(log["impact_lat_rad"], log["impact_lon_rad"], aim_lat, aim_lon) / 1e3
    with warnings.catch_warnings():  # an object that never lands (a burnt-up balloon) has no miss
        warnings.simplefilter("ignore", RuntimeWarning)
        mean_miss_km = np.nanmean(miss_km, axis=0)
    objects: dict[str, np.ndarray] = {
        "object": np.arange(len(infos), dtype=np.int32),
        "name": np.array([info.name for info in infos], dtype=str),
        "kind": np.array([info.kind for info in infos], dtype=str),
        "lethal": lethal,
        "threat_class": np.array([info.threat_class for info in infos], dtype=str),
        "aim": np.array(
            [f"{math.degrees(a):.4f},{math.degrees(o):.4f}" for a, o in zip(aim_lat, aim_lon, strict=True)],
            dtype=str,
        ),
        "launch_t_s": np.array([info.launch_t_s for info in infos]),
        "impact_t_s": np.array([info.nominal_impact_t_s for info in infos]),
        "range_km": np.array([info.range_m / 1e3 for info in infos]),
        "apogee_km": np.array([info.apogee_m / 1e3 for info in infos]),
        "p_leak": (~killed).mean(axis=0),
        "mean_miss_km": mean_miss_km,
        **_timeline_columns(log, np.array([info.launch_t_s for info in infos])),
    }
    cause = classify_leakers(world, log)
    names = cause_names(world)
    for i, name in enumerate(names):  # the share of trials each object leaked for each cause
        objects[f"leak_{name}"] = (cause == i).mean(axis=0)
    leak_r, leak_n = np.nonzero(cause >= 0)
    leakers = {
        "trial": leak_r.astype(np.int64),
        "object": leak_n.astype(np.int32),
        "name": objects["name"][leak_n],
        "cause": np.array(names, dtype=str)[cause[leak_r, leak_n]] if leak_r.size else np.zeros(0, str),
    }
    tables = {"trials": trial_table, "engagements": engagements, "objects": objects, "leakers": leakers}
    if "wave_left" in log:  # a campaign
        trial_table["asat_kills"] = log["wave_asat_kills"].sum(axis=1).astype(np.int32)
        objects["wave"] = world.wave_of_object
    if "threatened_asset" in log and world.assets:
        tables["assets"] = _asset_table(world, log, killed, lethal)
    if "sensor_first_detect_t_s" in log:
        tables["sensors"] = _sensor_table(world, log, lethal)
    if "gospa_m" in log:
        tables["gospa"] = _gospa_table(world, log["gospa_m"])
    if "site_lost" in log:  # ground batteries destroyed by warheads that got through
        tables["sites"] = {
            "site": np.array([b.name for b in world.ground_batteries], dtype=str),
            "p_destroyed": log["site_lost"].mean(axis=0),
        }
    if "wave_left" in log:
        tables["waves"] = _wave_table(world, log, killed, lethal)
    return tables


def _wave_table(world: World, log: dict[str, np.ndarray], killed: np.ndarray, lethal: np.ndarray):
    """One row per (wave, trial): the wave's leakers, the satellites its attacks killed, the loaded SBIs over
    its launch area, and the interceptors of each class left when it is over."""
    wave_of = world.wave_of_object
    n_trials, n_waves = log["wave_left"].shape[:2]
    leak = ~killed & lethal
    table: dict[str, np.ndarray] = {
        "wave": np.repeat(np.arange(n_waves, dtype=np.int32), n_trials),
        "name": np.repeat(np.array([w.name for w in world.waves], dtype=str), n_trials),
        "trial": np.tile(np.arange(n_trials, dtype=np.int64), n_waves),
        "leakers": np.concatenate([leak[:, wave_of == w].sum(axis=1) for w in range(n_waves)]).astype(
            np.int32
        ),
        "warheads": np.repeat([int(lethal[wave_of == w].sum()) for w in range(n_waves)], n_trials).astype(
            np.int32
        ),
        "asat_kills": log["wave_asat_kills"].T.reshape(-1).astype(np.int32),
        "sbi_near_launch": log["wave_sbi_near_launch"].T.reshape(-1).astype(np.int32),
    }
    for name in world.interceptor_types:
        cols = [i for i, b in enumerate(world.batteries) if b.interceptor.name == name]
        table[f"left_{name}"] = log["wave_left"][:, :, cols].sum(axis=2).T.reshape(-1).astype(np.int64)
    return table


def _wave_summary(world: World, table: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """``summary.json``'s ``waves``: per wave, P(no leak) with its interval, expected leakers, the mean
    interceptors of each class left, the satellites killed by attacks and the loaded SBIs over the launch
    area."""
    out = []
    for w, wave in enumerate(world.waves):
        rows = table["wave"] == w
        n = int(rows.sum())
        no_leak = int(np.count_nonzero(table["leakers"][rows] == 0))
        lo, hi = (float(x) for x in binomial_ci(no_leak, n))
        out.append(
            {
                "name": wave.name,
                "start_h": _round(wave.start_s / 3600.0),
                "warheads": int(table["warheads"][rows][0]) if n else 0,
                "p_no_leak": {"mean": _round(no_leak / n), "ci95": [_round(lo), _round(hi)]},
                "expected_leakers": _round(table["leakers"][rows].mean()),
                "interceptors_left": {
                    name: _round(table[f"left_{name}"][rows].mean()) for name in world.interceptor_types
                },
                "satellites_killed_by_asat": _round(table["asat_kills"][rows].mean()),
                "sbi_over_launch_area": _round(table["sbi_near_launch"][rows].mean()),
            }
        )
    return out


def _gospa_table(world: World, gospa_m: np.ndarray) -> dict[str, np.ndarray]:
    """GOSPA of the track picture over time: mean and 10th/90th percentiles over the trials, km."""
    every = max(1, round(GOSPA_EVERY_S / world.grid.step_s))
    return {
        "t_s": world.grid.t_s[::every][: gospa_m.shape[1]],
        "mean_km": gospa_m.mean(axis=0) / 1e3,
        "p10_km": np.percentile(gospa_m, 10, axis=0) / 1e3,
        "p90_km": np.percentile(gospa_m, 90, axis=0) / 1e3,
    }


def _median_after(t_s: np.ndarray, launch_s: np.ndarray) -> np.ndarray:
    """Median over trials of a per-(trial, object) time after launch, NaN where it never happened."""
    after = np.where(np.isfinite(t_s), t_s - launch_s, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(after, axis=0)


def _timeline_columns(log: dict[str, np.ndarray], launch_s: np.ndarray) -> dict[str, np.ndarray]:
    """Per object: when the defence first saw it and, on the full chain, held a fire-control track."""
    cols = {
        "detect_after_launch_s": _median_after(log["detect_t_s"], launch_s),
        "p_detected": np.isfinite(log["detect_t_s"]).mean(axis=0),
    }
    if "fire_control_t_s" in log:
        cols["track_after_launch_s"] = _median_after(log["first_track_t_s"], launch_s)
        cols["fire_control_after_launch_s"] = _median_after(log["fire_control_t_s"], launch_s)
        cols["p_fire_control"] = np.isfinite(log["fire_control_t_s"]).mean(axis=0)
        cols["tracks_held"] = log["tracks_held"].mean(axis=0)
    return cols


def _asset_table(world: World, log: dict[str, np.ndarray], killed: np.ndarray, lethal: np.ndarray):
    """Per defended asset: warheads aimed at it and the mean number that leak through to it per trial."""
    target = log["threatened_asset"]
    leak = ~killed & lethal
    trials = max(killed.shape[0], 1)
    return {
        "asset": np.array([a.name for a in world.assets], dtype=str),
        "country": np.array([a.country for a in world.assets], dtype=str),
        "lat_deg": np.degrees([a.lat_rad for a in world.assets]),
        "lon_deg": np.degrees([a.lon_rad for a in world.assets]),
        "priority": np.array([a.priority for a in world.assets], dtype=np.int32),
        "warheads_aimed": np.array(
            [((target == i) & lethal).sum() / trials for i in range(len(world.assets))]
        ),
        "mean_leakers": np.array([((target == i) & leak).sum() / trials for i in range(len(world.assets))]),
        "p_hit": np.array([((target == i) & leak).any(axis=1).mean() for i in range(len(world.assets))]),
    }


def _sensor_table(world: World, log: dict[str, np.ndarray], lethal: np.ndarray) -> dict[str, np.ndarray]:
    """Per sensor (radar or space layer): the share of warheads it detects and when (median after launch)."""
    names = [r.name for r in world.radars] + [layer.name for layer in world.space_sensors]
    launch = np.array([info.launch_t_s for info in world.objects])[lethal]
    first = log["sensor_first_detect_t_s"][:, lethal]  # (R, W, sensors)
    seen = np.isfinite(first)
    return {
        "sensor": np.array(names, dtype=str),
        "p_detects_warhead": seen.mean(axis=(0, 1)) if first.size else np.zeros(len(names)),
        "first_detect_after_launch_s": np.array(
            [
                _median_after(first[..., i].ravel(), np.repeat(launch[None], first.shape[0], 0).ravel())
                for i in range(len(names))
            ]  # fmt: skip
        ).reshape(len(names)),
    }


def _sensor_summary(table: dict[str, np.ndarray] | None) -> dict[str, dict[str, float | None]]:
    """The sensor table as JSON: sensor -> share of warheads detected, median first detection."""
    if not table:
        return {}
    out = {}
    for i, name in enumerate(table["sensor"]):
        t = float(table["first_detect_after_launch_s"][i])
        out[str(name)] = {
            "p_detects_warhead": _round(table["p_detects_warhead"][i]),
            "first_detect_after_launch_s": _round(t) if math.isfinite(t) else None,
        }
    return out


def _timeline_summary(objects: dict[str, np.ndarray]) -> dict[str, float | None]:
    """Warhead averages of the per-object timeline columns (NaN-free for JSON)."""
    lethal = objects["lethal"]
    out: dict[str, float | None] = {}
    for key in ("detect_after_launch_s", "p_detected", "track_after_launch_s", "fire_control_after_launch_s",
                "p_fire_control", "tracks_held"):  # fmt: skip
        if key in objects:
            values = objects[key][lethal]
            values = values[np.isfinite(values)]
            out[key] = _round(values.mean()) if values.size else None
    return out


def nominal_altitudes(world: World) -> dict[str, np.ndarray]:
    """Dispersion-free altitude profiles for plots: ``t_s`` (T,) and ``alt_km`` (N, T), NaN off flight."""
    truth = fly_truth(world, 1)
    alt = np.where(truth.phase[0] == kernel.PHASE_IMPACTED, np.nan, truth.alt_m[0] / 1e3)
    return {"t_s": truth.t_s, "alt_km": alt}


def build_summary(
    world: World,
    tables: dict[str, dict[str, np.ndarray]],
    *,
    trials: int,
    seed: int,
    chunk_trials: int,
    version: str,
    git_hash: str,
    scenario_hash: str,
    description: str,
    wall_s: float,
) -> dict[str, Any]:
    """The run's headline metrics, JSON-ready, with what reproduces them: trials, seed, the chunk size
    the trials were drawn in (each chunk has its own random streams), version and scenario hash."""
    t = tables["trials"]
    no_leak = int(np.count_nonzero(t["leakers"] == 0))
    lo, hi = (float(x) for x in binomial_ci(no_leak, trials))
    shots = {name: _round(t[f"shots_{name}"].mean()) for name in world.interceptor_types}
    kills = {layer: _round(t[f"kills_{layer}"].mean()) for layer in world.layers}
    fired_by_battery = {}
    eng = tables["engagements"]
    for b in world.batteries:
        fired = eng["shots"][eng["site"] == b.name].sum() if eng["site"].size else 0
        fired_by_battery[b.name] = {
            "interceptor": b.interceptor.name,
            "inventory": b.inventory,
            "mean_fired": _round(fired / trials),
        }
    if "sites" in tables:
        for name, p in zip(tables["sites"]["site"], tables["sites"]["p_destroyed"], strict=True):
            fired_by_battery[str(name)]["p_destroyed"] = _round(p)
    return {
        "scenario": world.name,
        "description": description,
        "trials": trials,
        "seed": seed,
        "chunk_trials": chunk_trials,
        "version": version,
        "git_hash": git_hash,
        "scenario_hash": scenario_hash,
        "sensing": world.sensing,
        "sensing_note": FIDELITIES[world.sensing].note,
        "p_no_leak": {"mean": _round(no_leak / trials), "ci95": [_round(lo), _round(hi)]},
        "expected_leakers": _round(t["leakers"].mean()),
        "threat_objects": int(sum(info.lethal for info in world.objects)),  # warheads
        "objects_total": len(world.objects),  # warheads, buses and penetration aids
        "interceptors_fired": shots,
        "kills_by_layer": kills,
        "leak_causes": {
            name: _round(np.count_nonzero(tables["leakers"]["cause"] == name) / trials)
            for name in cause_names(world)
        },
        "timeline": _timeline_summary(tables["objects"]),
        "sensors": _sensor_summary(tables.get("sensors")),
        "gospa": {
            "cutoff_km": GOSPA_CUTOFF_M / 1e3,
            "every_s": GOSPA_EVERY_S,
            "mean_km": _round(float(tables["gospa"]["mean_km"].mean())),  # over time and trials
            "peak_mean_km": _round(float(tables["gospa"]["mean_km"].max())),
        }
        if "gospa" in tables
        else {},
        "leakers_by_asset": {
            str(name): {"mean_leakers": _round(m), "p_hit": _round(p)}
            for name, m, p in zip(
                *(tables["assets"][k] for k in ("asset", "mean_leakers", "p_hit")), strict=True
            )
        }
        if "assets" in tables
        else {},
        "leakers_by_country": {
            str(c): _round(tables["assets"]["mean_leakers"][tables["assets"]["country"] == c].sum())
            for c in sorted(set(tables["assets"]["country"].tolist()))
        }
        if "assets" in tables
        else {},
        "inventory": fired_by_battery,
        **({"waves": _wave_summary(world, tables["waves"])} if "waves" in tables else {}),
        "wall_s": round(wall_s, 3),
    }
