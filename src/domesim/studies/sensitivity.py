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
from domesim.montecarlo.executors import Executor, InProcess
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
    log = run_trials(loaded.world, trials, seed, loaded.montecarlo.chunk_trials)
    leakers = build_tables(loaded.world, log)["trials"]["leakers"]
    cost = scenario_cost(loaded, catalogue=catalogue)
    return Case(float(np.mean(leakers == 0)), float(np.mean(leakers)), float(cost.total_usd))


@dataclass(frozen=True)
class _Study:
    """What every case of a study shares (the executor's shared object)."""

    path: Path
    trials: int
    seed: int
    base: Case
    base_world: str  # the base world's hash: a case that builds the same world only re-costs it
    policy: InputPolicy  # what each load of the file is allowed


def _case(study: _Study, item: UncertainInput, value: float) -> Case | str:
    """One input at one value: its case, or why the scenario is invalid there (a task: any process)."""
    varied = load_catalogue().with_value(item.section, item.id, item.parameter, value)
    try:
        loaded = load_scenario(
            study.path, trials=study.trials, seed=study.seed, catalogue=varied, policy=study.policy
        )
    except ScenarioError as exc:  # the end of a range clashes with another value: say so, go on
        return str(exc)
    if _world_key(loaded) == study.base_world:  # nothing simulated changed: only the cost can
        cost = scenario_cost(loaded, catalogue=varied)
        return Case(study.base.p_no_leak, study.base.expected_leakers, float(cost.total_usd))
    return evaluate(loaded, study.trials, study.seed, varied)


def run_sensitivity(
    path: str | Path,
    trials: int,
    seed: int,
    on_case: Callable[[UncertainInput | None, str, Case | str], None] | None = None,
    only: str | None = None,
    executor: Executor | None = None,
    policy: InputPolicy = DEFAULT_POLICY,
) -> Sensitivity:
    """The base case and, per uncertain input, the cases at its low and high values (an input whose
    low or high value makes the scenario invalid is listed in ``skipped`` with the reason).

    The cases other than the base are the executor's tasks (:mod:`domesim.montecarlo.executors`;
    default: one after another in this process). ``on_case(input or None, "base" | "low" | "high",
    case or why it was skipped)`` is called as each case finishes; ``only`` keeps the inputs whose label
    (``id.parameter``) contains it; ``policy`` is what each load of the file is allowed
    (:class:`~domesim.limits.InputPolicy`).
    """
    base_loaded = load_scenario(path, trials=trials, seed=seed, policy=policy)
    base = evaluate(base_loaded, trials, seed)
    if on_case is not None:
        on_case(None, "base", base)
    study = _Study(Path(path), trials, seed, base, _world_key(base_loaded), policy)
    unread = UNUSED_BY_SENSING.get(base_loaded.world.sensing, ())
    unused: list[tuple[UncertainInput, str]] = []
    varied: list[UncertainInput] = []
    for item in uncertain_inputs(base_loaded):
        if only is not None and only not in item.label:
            continue
        if item.section in unread:
            unused.append((item, f'not read with sensing = "{base_loaded.world.sensing}"'))
        else:
            varied.append(item)
    ends = ("low", "high")
    tasks = [(item, getattr(item, end)) for item in varied for end in ends]
    cases: dict[tuple[int, str], Case | str] = {}
    for index, case in (executor or InProcess()).run(_case, study, tasks):
        item_index, which = divmod(index, 2)
        cases[item_index, ends[which]] = case
        if on_case is not None:
            on_case(varied[item_index], ends[which], case)
    skipped: list[tuple[UncertainInput, str, str]] = []
    results = []
    for i, item in enumerate(varied):
        low, high = cases[i, "low"], cases[i, "high"]
        if isinstance(low, str) or isinstance(high, str):
            end, why = ("low", low) if isinstance(low, str) else ("high", high)
            skipped.append((item, end, str(why)))
        else:
            results.append((item, low, high))
    return Sensitivity(base, results, skipped, unused)
