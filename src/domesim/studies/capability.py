"""Capability over time: the probability of no leak year by year as the architecture is fielded.

The fielding schedule of :func:`~domesim.scenario.costing.scenario_cost` gives, per element class and
year, the units in service. Each year's architecture is the scenario's with every element scaled to
that fraction of its full size: interceptor sites keep that share of their inventory (rounded down),
and constellations (space-based interceptors and space sensors) keep that share of their satellites,
spread evenly over the pattern's slots. Radars and other elements without a schedule are in service
from the first year. Years whose fielding is the same share one simulation; all use the same trials and
seed (common random numbers), so a change from one year to the next is the fielding, not noise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from domesim.engine.world import World
from domesim.montecarlo.runner import run_trials
from domesim.results.metrics import binomial_ci
from domesim.results.summary import build_tables
from domesim.scenario.costing import ScenarioCost


def fielded_shares(cost: ScenarioCost, year_index: int) -> dict[str, float]:
    """Share of each element's full size in service at the end of a year, keyed by site/constellation."""
    out: dict[str, float] = {}
    for estimate in cost.estimates:
        schedule = estimate.cost.schedule
        full = max(int(schedule.target_units), 1)
        share = min(float(schedule.in_service[year_index]) / full, 1.0)
        for where in estimate.holding.where:
            out[where] = share
    return out


def _thin(elements: np.ndarray, share: float) -> np.ndarray:
    """``share`` of the satellites, spread evenly over the slots (the pattern's order)."""
    n = int(np.floor(share * len(elements) + 1e-9))
    return elements[(np.arange(n) * len(elements)) // max(n, 1)] if n else elements[:0]


def fielded_world(world: World, shares: dict[str, float]) -> World:
    """The world with each site's inventory and each constellation's satellites scaled by its share."""
    n_ground = len(world.ground_batteries)
    batteries = [
        dataclasses.replace(b, inventory=int(np.floor(shares.get(b.name, 1.0) * b.inventory + 1e-9)))
        if i < n_ground
        else b
        for i, b in enumerate(world.batteries)
    ]
    sbi_layers = [
        dataclasses.replace(layer, elements=_thin(layer.elements, shares.get(layer.name, 1.0)))
        for layer in world.sbi_layers
    ]
    sensors = [
        dataclasses.replace(layer, elements=_thin(layer.elements, shares.get(layer.name, 1.0)))
        for layer in world.space_sensors
    ]
    return dataclasses.replace(world, batteries=batteries, sbi_layers=sbi_layers, space_sensors=sensors)


def capability_by_year(
    world: World,
    cost: ScenarioCost,
    trials: int,
    seed: int,
    on_year: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Per year of the cost horizon: the fielded shares, P(no leak) with its 95 % interval, leakers.
    ``on_year(year)`` is called as each year is done (for progress bars)."""
    years = [int(y) for y in cost.estimates[0].cost.schedule.years] if cost.estimates else []
    cache: dict[tuple, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for i, year in enumerate(years):
        shares = fielded_shares(cost, i)
        key = tuple(sorted(shares.items()))
        if key not in cache:
            leakers = build_tables(world, run_trials(fielded_world(world, shares), trials, seed))["trials"][
                "leakers"
            ]
            no_leak = int((leakers == 0).sum())
            lo, hi = binomial_ci(no_leak, trials)
            cache[key] = {
                "p_no_leak": no_leak / trials,
                "p_no_leak_lo": float(lo),
                "p_no_leak_hi": float(hi),
                "expected_leakers": float(np.mean(leakers)),
            }
        rows.append({"year": year, "fielded_share": shares, **cache[key]})
        if on_year is not None:
            on_year(year)
    return rows
