"""One-at-a-time sensitivity of the headline metrics to every uncertain catalogue input (tornado charts).

The uncertain inputs are the catalogue values a scenario uses that carry a range (``low`` and ``high``
in ``src/domesim/data/*.toml``): each is set to its low and then its high value with every other input
at its catalogue value, and the scenario is costed and simulated again with the same trials and seed
(common random numbers, so a bar is the input's effect, not sampling noise). An input that leaves the
simulated world unchanged (a unit cost, say) reuses the base simulation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from domesim.build.catalogue import Catalogue, load_catalogue
from domesim.errors import ScenarioError
from domesim.limits import DEFAULT_POLICY, InputPolicy
from domesim.montecarlo.runner import run_trials
from domesim.results.summary import build_tables
from domesim.scenario.costing import scenario_cost
from domesim.scenario.loader import LoadedScenario, load_scenario


@dataclass(frozen=True)
class UncertainInput:
    """A catalogue value with a range: ``section.id.parameter`` (human units, as in the catalogue)."""

    section: str
    id: str
    parameter: str
    value: float
    low: float
    high: float
    tag: str

    @property
    def label(self) -> str:
        return f"{self.id}.{self.parameter}"


@dataclass(frozen=True)
class Case:
    """The headline metrics of one case (the base, or one input at one end of its range)."""

    p_no_leak: float
    expected_leakers: float
    cost_usd: float


@dataclass(frozen=True)
class Sensitivity:
    base: Case
    results: list[tuple[UncertainInput, Case, Case]]  # (input, at its low value, at its high value)
    skipped: list[tuple[UncertainInput, str, str]]  # (input, "low" | "high", why)
    # inputs the scenario's sensing fidelity does not read: listed, not simulated, not drawn as zero bars
    unused: list[tuple[UncertainInput, str]] = dataclasses.field(default_factory=list)  # (input, why)


# The catalogue sections each sensing fidelity does not read (the sensor models it leaves out).
UNUSED_BY_SENSING = {
    "ideal": ("sensor", "signature", "tracking"),
    "screening": ("tracking",),
    "full": (),
}


def _is_number(x: Any) -> TypeGuard[float]:
    return isinstance(x, int | float) and not isinstance(x, bool)


def uncertain_inputs(loaded: LoadedScenario) -> list[UncertainInput]:
    """The catalogue inputs of a scenario that have a numeric range wider than a point, in build order."""
    out, seen = [], set()
    for row in loaded.provenance:
        section, entry_id, parameter = row.get("section"), row.get("id"), row["parameter"]
        low, high, value = row.get("low"), row.get("high"), row["value"]
        key = (section, entry_id, parameter)
        if section is None or entry_id is None or key in seen:
            continue
        if not (_is_number(low) and _is_number(high) and _is_number(value)) or low == high:
            continue
        seen.add(key)
        out.append(
            UncertainInput(section, entry_id, parameter, float(value), float(low), float(high), row["tag"])
        )
    return out


def _world_key(loaded: LoadedScenario) -> str:
    return hashlib.sha256(pickle.dumps(loaded.world)).hexdigest()


def evaluate(loaded: LoadedScenario, trials: int, seed: int, catalogue: Catalogue | None = None) -> Case:
    """Cost and simulate one loaded scenario."""
    log = run_trials(loaded.world, trials, seed)
    leakers = build_tables(loaded.world, log)["trials"]["leakers"]
    cost = scenario_cost(loaded, catalogue=catalogue)
    return Case(float(np.mean(leakers == 0)), float(np.mean(leakers)), float(cost.total_usd))


def run_sensitivity(
    path: str | Path,
    trials: int,
    seed: int,
    on_case: Callable[[UncertainInput | None, str, Case], None] | None = None,
    only: str | None = None,
    policy: InputPolicy = DEFAULT_POLICY,
) -> Sensitivity:
    """The base case and, per uncertain input, the cases at its low and high values (an input whose
    low or high value makes the scenario invalid is listed in ``skipped`` with the reason).

    ``on_case(input or None, "base" | "low" | "high", case)`` is called as each case finishes; ``only``
    keeps the inputs whose label (``id.parameter``) contains it; ``policy`` is what each load of the file
    is allowed (:class:`~domesim.limits.InputPolicy`).
    """
    base_loaded = load_scenario(path, trials=trials, seed=seed, policy=policy)
    base = evaluate(base_loaded, trials, seed)
    if on_case is not None:
        on_case(None, "base", base)
    base_world = _world_key(base_loaded)
    catalogue = load_catalogue()
    skipped: list[tuple[UncertainInput, str, str]] = []
    results = []
    unread = UNUSED_BY_SENSING.get(base_loaded.world.sensing, ())
    unused: list[tuple[UncertainInput, str]] = []
    for item in uncertain_inputs(base_loaded):
        if only is not None and only not in item.label:
            continue
        if item.section in unread:
            unused.append((item, f'not read with sensing = "{base_loaded.world.sensing}"'))
            continue
        ends = []
        for end, value in (("low", item.low), ("high", item.high)):
            varied = catalogue.with_value(item.section, item.id, item.parameter, value)
            try:
                loaded = load_scenario(path, trials=trials, seed=seed, catalogue=varied, policy=policy)
            except ScenarioError as exc:  # the end of a range clashes with another value: say so, go on
                skipped.append((item, end, str(exc)))
                break
            if _world_key(loaded) == base_world:  # nothing simulated changed: only the cost can
                cost = scenario_cost(loaded, catalogue=varied)
                case = Case(base.p_no_leak, base.expected_leakers, float(cost.total_usd))
            else:
                case = evaluate(loaded, trials, seed, varied)
            ends.append(case)
            if on_case is not None:
                on_case(item, end, case)
        if len(ends) == 2:
            results.append((item, ends[0], ends[1]))
    return Sensitivity(base, results, skipped, unused)
