"""The attacker's cheapest answer: the least costly raid that meets a goal against a fixed defence.

``domesim attack SCENARIO --goal "p_leak>=0.5"`` searches the raid's size and its countermeasures (the
options the catalogue offers: penetration aids of each ``[penaid.<id>]`` class, the ``[countermeasure.<id>]``
classes, a depressed trajectory, launches concentrated in one instant) for the cheapest attack, priced by
:mod:`domesim.scenario.attack_cost`, whose simulated outcome meets the goal. The defence is the scenario's,
unchanged; only its ``[[threat]]`` blocks are edited.

The search, bounded by ``budget`` evaluations and seeded:

1. the **plain salvo baseline**: the scenario's own raid scaled by each factor of :data:`SIZE_FACTORS` in
   turn (no countermeasures added) until one meets the goal;
2. the **countermeasure mixes**, in an order shuffled by the seed: for each, the smallest size that meets
   the goal, trying only sizes cheaper than the best attack found so far (the price of an attack is known
   before it is simulated, so most candidates are never run).

Every evaluation is a point of the sweep machinery (:func:`domesim.studies.sweep.run_point`: common random
numbers, the scenario edited by key paths) and a row of the run catalogue's ``sweep_points`` table, keyed
by the search's identity and the candidate's index: run the same command again after an interruption and
stored points are read back, never recomputed. The same seed gives the same search and the same answer.

The goal is judged on the Monte Carlo estimate (the mean over the trials); its 95 % interval is reported
with it. ``p_leak`` is the probability that at least one warhead gets through, 1 - P(no leak).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from domesim import __version__
from domesim.build.catalogue import Catalogue, load_catalogue
from domesim.errors import ParameterError, Problem, ScenarioError
from domesim.limits import DEFAULT_POLICY, InputPolicy
from domesim.scenario.attack_cost import attack_cost
from domesim.scenario.edits import apply_edits
from domesim.scenario.loader import load_spec, read_toml
from domesim.studies.sweep import Sweep, SweepFile, SweepStore, _interrupt_between_points, run_point

SIZE_FACTORS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)  # the raid's counts scaled by these, in turn
DECOYS_PER_MISSILE = (2, 4, 8)  # penetration aids per missile tried for each penaid class
DEPRESSED_LOFT_DEG = -10.0  # a depressed trajectory: 10 degrees below the minimum-energy burnout angle
GOAL_METRICS = {
    "p_leak": lambda row: 1.0 - row["p_no_leak"],  # P(at least one warhead gets through)
    "expected_leakers": lambda row: row["expected_leakers"],
}
GOAL_OPERATORS = {">=": operator.ge, ">": operator.gt}
_GOAL = re.compile(r"^\s*([a-z_]+)\s*(>=|>)\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*$")


@dataclass(frozen=True)
class Goal:
    """What the attack must achieve, e.g. ``p_leak >= 0.5``."""

    metric: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Goal:
        found = _GOAL.match(text)
        if not found or found.group(1) not in GOAL_METRICS:
            raise ParameterError(
                f"goal {text[:80]!r}: expected METRIC>=VALUE or METRIC>VALUE with METRIC one of "
                f'{", ".join(GOAL_METRICS)} (e.g. "p_leak>=0.5")'
            )
        value = float(found.group(3))
        if found.group(1) == "p_leak" and not 0.0 <= value <= 1.0:
            raise ParameterError(f"goal {text[:80]!r}: p_leak is a probability, from 0 to 1")
        return cls(found.group(1), found.group(2), value)

    def met(self, row: dict[str, Any]) -> bool:
        return bool(GOAL_OPERATORS[self.op](GOAL_METRICS[self.metric](row), self.value))

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


@dataclass(frozen=True)
class Mix:
    """One combination of countermeasures, applied to every ballistic [[threat]] block."""

    decoys: int = 0
    decoy_class: str | None = None
    countermeasures: tuple[str, ...] = ()
    depressed: bool = False
    concentrated: bool = False  # every missile of a block launched at once (launch_interval_s = 0)

    @property
    def plain(self) -> bool:
        return self == Mix()

    def label(self) -> str:
        """In words: "4 balloon, fast_burn, depressed" ("none" for the plain salvo)."""
        parts = [f"{self.decoys} {self.decoy_class}"] if self.decoys else []
        parts += list(self.countermeasures)
        parts += ["depressed"] if self.depressed else []
        parts += ["concentrated"] if self.concentrated else []
        return ", ".join(parts) or "none"

    def describe(self) -> dict[str, Any]:
        return {
            "decoys_per_missile": self.decoys,
            "decoy_class": self.decoy_class,
            "countermeasures": list(self.countermeasures),
            "trajectory": "depressed" if self.depressed else "as in the scenario",
            "launches": "concentrated" if self.concentrated else "as in the scenario",
        }


def mixes(catalogue: Catalogue) -> list[Mix]:
    """Every mix of the catalogue's options (the plain salvo first)."""
    aids = [(0, None)] + [
        (n, c) for c in catalogue.ids("penaid") if c != "debris" for n in DECOYS_PER_MISSILE
    ]
    measures = catalogue.ids("countermeasure") if "countermeasure" in catalogue.data else []
    subsets = [tuple(c) for k in range(len(measures) + 1) for c in itertools.combinations(measures, k)]
    out = [
        Mix(decoys=n, decoy_class=c, countermeasures=cm, depressed=d, concentrated=t)
        for (n, c), cm, d, t in itertools.product(aids, subsets, (False, True), (False, True))
    ]
    return sorted(out, key=lambda m: not m.plain)  # stable: the plain salvo first, then enumeration order


def edits_for(spec_data: dict[str, Any], mix: Mix, factor: float, catalogue: Catalogue) -> dict[str, Any]:
    """The key-path edits that make candidate (mix, size factor) of a scenario's raw TOML content: every
    block's count scaled; the countermeasures on the ballistic blocks (the others fly as they are)."""
    edits: dict[str, Any] = {}
    for i, block in enumerate(spec_data.get("threat", [])):
        count = int(block.get("count", 1))
        edits[f"threat[{i}].count"] = max(1, round(count * factor))
        cls = str(block.get("class", ""))
        if not (
            catalogue.has("threat", cls)
            and catalogue.entry("threat", cls).fields.get("family") == "ballistic"
        ):
            continue
        if mix.concentrated:
            edits[f"threat[{i}].launch_interval_s"] = 0.0
        if mix.depressed:
            edits[f"threat[{i}].loft_deg"] = DEPRESSED_LOFT_DEG
        if mix.decoys:
            edits[f"threat[{i}].payload.decoys"] = mix.decoys
            edits[f"threat[{i}].payload.decoy_class"] = mix.decoy_class
        if mix.countermeasures:
            edits[f"threat[{i}].countermeasures"] = list(mix.countermeasures)
    return edits


@dataclass
class Candidate:
    """One evaluated (or priced and skipped) attack."""

    index: int
    mix: Mix
    factor: float
    missiles: int
    cost_usd: float
    row: dict[str, Any] | None = None  # the stored point (None: not simulated)
    problem: str | None = None  # why it could not be built (a mix this raid cannot fly)

    def to_dict(self, goal: Goal) -> dict[str, Any]:
        out: dict[str, Any] = {
            "missiles": self.missiles,
            "countermeasure_mix": self.mix.label(),
            "size_factor": self.factor,
            **self.mix.describe(),
            "attacker_cost_usd": self.cost_usd,
        }
        if self.row is not None:
            out.update(
                {
                    "p_leak": 1.0 - self.row["p_no_leak"],
                    "p_leak_ci95": [1.0 - self.row["p_no_leak_hi"], 1.0 - self.row["p_no_leak_lo"]],
                    "expected_leakers": self.row["expected_leakers"],
                    "goal_met": goal.met(self.row),
                    "defender_engagement_usd": self.row.get("engagement_cost_usd"),
                    "architecture_usd": self.row["cost_usd"],
                }
            )
        return out


@dataclass
class AttackSearch:
    """A search's settings and what it has found."""

    scenario_path: Path
    goal: Goal
    trials: int
    seed: int
    budget: int
    policy: InputPolicy = DEFAULT_POLICY
    # the key-path edits of the defence and raid to start from (a sweep point)
    base_edits: dict[str, Any] = field(default_factory=dict)
    evaluated: list[Candidate] = field(default_factory=list)
    skipped: list[Candidate] = field(default_factory=list)  # mixes this raid cannot fly, with why
    reused: int = 0

    @property
    def search_id(self) -> str:
        text = self.scenario_path.read_text(encoding="utf-8")
        ident = json.dumps(
            [
                "attack",
                text,
                self.base_edits,
                str(self.goal),
                self.trials,
                self.seed,
                self.budget,
                __version__,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(ident.encode()).hexdigest()[:16]


def _sweep(search: AttackSearch) -> Sweep:
    """The sweep whose points the search's candidates are (its trials and seed; edits given per point)."""
    spec = SweepFile.model_validate(
        {
            "sweep": {
                "name": re.sub(r"[^A-Za-z0-9_.-]", "_", f"attack-{search.scenario_path.stem}")[:80],
                "scenario": search.scenario_path.name,
                "trials": search.trials,
                "seed": search.seed,
            },
            "parameter": [{"key": "threat[0].count", "values": [1]}],  # labels only: points carry their edits
        }
    )
    return Sweep(search.scenario_path, spec, search.scenario_path, [], search.search_id, search.policy)


def run_attack_search(
    search: AttackSearch,
    store: SweepStore | None,
    catalogue: Catalogue | None = None,
    on_candidate: Callable[[Candidate, bool], None] | None = None,
) -> dict[str, Any]:
    """Run the search (module docstring); returns the ``--json`` answer:
    ``{goal, met, attack, attacker_cost_musd, defender_cost_musd, exchange_ratio, baseline, ...}``.

    ``store``: where candidates are kept (None: not kept; a sweep point that runs a search is itself
    the checkpoint). ``on_candidate(candidate, reused)`` is called after each simulated candidate.
    """
    catalogue = catalogue or load_catalogue()
    _, raw = read_toml(search.scenario_path, search.policy)
    try:
        data = apply_edits(raw, search.base_edits)
    except ParameterError as exc:
        raise ScenarioError([Problem(str(search.scenario_path), "", str(exc))]) from None
    base = load_spec(search.scenario_path, edits=search.base_edits, policy=search.policy)
    year = base.spec.cost.dollar_year
    sweep = _sweep(search)
    done = store.done(search.search_id) if store is not None else {}
    all_mixes = mixes(catalogue)
    order = [0] + [1 + int(i) for i in np.random.default_rng(search.seed).permutation(len(all_mixes) - 1)]
    n_sizes = len(SIZE_FACTORS)
    price_cache: dict[int, tuple[float, int] | str] = {}

    def price(m: int, k: int) -> tuple[float, int] | str:
        """(attacker cost, missiles) of candidate (mix m, size k), or why its file is invalid."""
        index = m * n_sizes + k
        if index not in price_cache:
            edits = {**search.base_edits, **edits_for(data, all_mixes[m], SIZE_FACTORS[k], catalogue)}
            try:
                spec = load_spec(search.scenario_path, edits=edits, policy=search.policy).spec
            except ScenarioError as exc:
                price_cache[index] = exc.problems[0].message if exc.problems else str(exc)
            else:
                cost = attack_cost(spec, catalogue, year)
                price_cache[index] = (cost.usd, sum(t.count for t in spec.threat))
        return price_cache[index]

    def evaluate(m: int, k: int) -> Candidate | None:
        index = m * n_sizes + k
        priced = price(m, k)
        if isinstance(priced, str):
            return None
        candidate = Candidate(index, all_mixes[m], SIZE_FACTORS[k], priced[1], priced[0])
        reused = index in done
        if reused:
            candidate.row = done[index]
            search.reused += 1
        else:
            edits = {**search.base_edits, **edits_for(data, all_mixes[m], SIZE_FACTORS[k], catalogue)}
            try:
                result = run_point(sweep, edits)
            except ScenarioError as exc:  # a mix this raid cannot fly (an aim point out of a shape's reach)
                candidate.problem = exc.problems[0].message if exc.problems else str(exc)
                search.skipped.append(candidate)
                return candidate
            row = {"sweep_id": search.search_id, "sweep": sweep.name, "point": index, **result}
            row["created_utc"] = _now()
            if store is not None:
                store.add(row)
            candidate.row = row
        search.evaluated.append(candidate)
        if on_candidate is not None:
            on_candidate(candidate, reused)
        return candidate

    baseline: Candidate | None = None
    best: Candidate | None = None
    with _interrupt_between_points() as interrupted:
        for m in order:
            for k in range(n_sizes):
                if len(search.evaluated) >= search.budget:
                    break
                priced = price(m, k)
                if isinstance(priced, str):
                    continue
                if best is not None and priced[0] >= best.cost_usd:
                    break  # larger sizes of this mix cost more still
                candidate = evaluate(m, k)
                if interrupted[0]:
                    raise KeyboardInterrupt
                if candidate is None or candidate.row is None:
                    continue
                if search.goal.met(candidate.row):
                    best = candidate
                    if m == 0:
                        baseline = candidate
                    break
    return _answer(search, best, baseline)


def _answer(search: AttackSearch, best: Candidate | None, baseline: Candidate | None) -> dict[str, Any]:
    def musd(x: float | None) -> float | None:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else x / 1e6

    answer: dict[str, Any] = {
        "goal": str(search.goal),
        "met": best is not None,
        "attack": best.to_dict(search.goal) if best else None,
        "attacker_cost_musd": musd(best.cost_usd) if best else None,
        "defender_cost_musd": musd(best.row.get("engagement_cost_usd")) if best and best.row else None,
        "exchange_ratio": None,
        "architecture_cost_musd": musd(best.row["cost_usd"]) if best and best.row else None,
        "baseline": baseline.to_dict(search.goal) if baseline else None,
        "baseline_attacker_cost_musd": musd(baseline.cost_usd) if baseline else None,
        "evaluated": len(search.evaluated),
        "reused": search.reused,
        "budget": search.budget,
        "trials": search.trials,
        "seed": search.seed,
        "search_id": search.search_id,
        "candidates": [c.to_dict(search.goal) for c in search.evaluated],
        # mixes the builder refused for this raid (not simulated, not counted in the budget), and why
        "skipped": [
            {"missiles": c.missiles, "countermeasure_mix": c.mix.label(), "problem": c.problem}
            for c in search.skipped
        ],
    }
    if best is not None and best.row is not None and best.cost_usd > 0:
        defender = best.row.get("engagement_cost_usd")
        answer["exchange_ratio"] = None if defender is None else defender / best.cost_usd
    return answer


def _now() -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
