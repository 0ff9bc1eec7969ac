"""The cost-exchange of a run: what the engagement cost the defender against what the raid cost the attacker.

Per trial, the defender's engagement cost is every interceptor fired priced at what it costs to replace
(its class's unit cost, plus its launch for a space-based interceptor, from the scenario's lifecycle
costing), plus the satellites anti-satellite attacks killed, replaced the same way; its mean over the
trials has a 95 % interval (normal approximation of the mean). The attacker's cost is the raid's
(:mod:`domesim.scenario.attack_cost`), central and over its price ranges. The exchange ratio is the
defender's engagement cost per dollar of the attack: above 1, each dollar of attack costs the defence more
than a dollar to answer. Its interval combines the sampling interval of the defender's cost with the range
of the attack's prices (the defender's unit prices at their central values). The architecture's 20-year
cost is set beside it: the price of being able to answer at all.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from domesim.engine.world import World
from domesim.scenario.attack_cost import AttackCost
from domesim.scenario.costing import ScenarioCost

Z95 = 1.959963984540054  # two-sided 95 % quantile of the normal distribution


def replacement_usd(world: World, cost: ScenarioCost) -> dict[str, float | None]:
    """Dollars to replace one interceptor fired, by interceptor class (None: the class is not costed).

    A space-based interceptor is its satellite's unit and launch cost over the interceptors it carries.
    """
    per_satellite = {layer.name: layer.per_satellite for layer in world.sbi_layers}
    carried = {
        b.interceptor.name: per_satellite.get(b.name, 1) for b in world.batteries
    }  # one class per layer in practice
    out: dict[str, float | None] = {}
    by_name = {e.spec.name: e.spec for e in cost.elements}
    for name in world.interceptor_types:
        spec = by_name.get(name)
        if spec is None or "acquisition_usd" in spec.not_costed:
            out[name] = None
            continue
        launch = 0.0
        if (
            "launch_usd" not in spec.not_costed
        ):  # a launch with no public price adds nothing, said in the output
            launch = spec.mass_kg * spec.launch_usd_per_kg + spec.launch_price_usd / max(
                spec.units_per_launch, 1
            )
        out[name] = (spec.unit_cost_usd + launch) / carried.get(name, 1)
    return out


def engagement_cost_usd(
    world: World, tables: dict[str, dict[str, np.ndarray]], cost: ScenarioCost
) -> np.ndarray:
    """(R,) the defender's engagement cost of every trial (module docstring); classes not costed add 0 and
    are listed by :func:`cost_exchange`."""
    trials = tables["trials"]
    prices = replacement_usd(world, cost)
    total = np.zeros(trials["trial"].size)
    for name, price in prices.items():
        if price is not None:
            total += trials[f"shots_{name}"] * price
    if "asat_kills" in trials:
        sbi = [prices.get(b.interceptor.name) for b in world.batteries[len(world.ground_batteries) :]]
        per_satellite = [layer.per_satellite for layer in world.sbi_layers]
        priced = [p * n for p, n in zip(sbi, per_satellite, strict=True) if p is not None]
        if priced:  # a killed satellite is replaced whole (the first SBI layer's price if several)
            total += trials["asat_kills"] * priced[0]
    return total


def cost_exchange(
    world: World, tables: dict[str, dict[str, np.ndarray]], cost: ScenarioCost, attack: AttackCost
) -> dict[str, Any]:
    """The ``cost_exchange`` section of ``summary.json`` (US dollars of the scenario cost's dollar year)."""
    if attack.dollar_year != cost.dollar_year:
        raise ValueError(f"attack priced in {attack.dollar_year} dollars, defence in {cost.dollar_year}")
    per_trial = engagement_cost_usd(world, tables, cost)
    n = per_trial.size
    mean = float(per_trial.mean())
    half = Z95 * float(per_trial.std(ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    lo, hi = max(0.0, mean - half), mean + half
    prices = replacement_usd(world, cost)

    def ratio(a: float, b: float) -> float | None:
        return a / b if b > 0 else None

    return {
        "dollar_year": cost.dollar_year,
        "defender_engagement_usd": {"mean": mean, "ci95": [lo, hi]},
        "replacement_usd_per_interceptor": prices,
        "not_costed_interceptors": sorted(name for name, p in prices.items() if p is None),
        "architecture_usd": cost.total_usd,
        "architecture_horizon_years": cost.horizon_years,
        "attacker_usd": {"value": attack.usd, "low": attack.low_usd, "high": attack.high_usd},
        "attacker_items": list(attack.items),
        "attacker_not_costed": list(attack.not_costed),
        "attacker_assumed_midpoints": list(attack.assumed_midpoints),
        "exchange_ratio": {
            "value": ratio(mean, attack.usd),
            "interval": [ratio(lo, attack.high_usd), ratio(hi, attack.low_usd)],
        },
        "architecture_per_attack_dollar": ratio(cost.total_usd, attack.usd),
        "lower_bounds": {
            "defender": bool(prices) and any(p is None for p in prices.values()),
            "attacker": not attack.complete,
        },
        "note": (
            "defender: interceptors fired (and satellites killed by anti-satellite attacks) priced at "
            "replacement, mean over trials with a 95 % interval; attacker: the raid at catalogue prices, "
            "central and over their ranges; exchange ratio = defender engagement cost / attacker cost"
        ),
    }
