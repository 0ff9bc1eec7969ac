"""Architecture sweeps: cost and protection of many variants of one scenario, stored point by point.

A sweep file names a base scenario and the architecture parameters to vary (key paths into the
scenario, :mod:`domesim.scenario.edits`), over a grid (every combination of listed values) or a sample
(a Latin hypercube over ranges). Each point is loaded, costed (:func:`scenario_cost`) and simulated
(Monte Carlo with the sweep's trials and seed: common random numbers across points, so differences
between points are not sampling noise of different seeds), then stored as one row of the DuckDB table
``sweep_points`` in the run catalogue. A point's row is its checkpoint: run the sweep again after an
interruption and the stored points are read back, never recomputed, and the rest are run.

The cost-effectiveness frontier is the Pareto set of (20-year cost, probability of no leak): the
points no other point beats on both (cheaper or equal, and at least as protective, one strictly).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy.stats import qmc

from domesim import __version__
from domesim.build.schema import seed_in_range
from domesim.errors import ParameterError, Problem, ScenarioError
from domesim.limits import DEFAULT_POLICY, MAX_SWEEP_POINTS, PATH_CHARS, InputPolicy, quote
from domesim.montecarlo.executors import Executor, InProcess
from domesim.montecarlo.runner import run_trials
from domesim.results.exchange import engagement_cost_usd
from domesim.results.metrics import binomial_ci
from domesim.results.store import RunCatalogue
from domesim.results.summary import build_tables
from domesim.scenario.attack_cost import attack_cost
from domesim.scenario.costing import scenario_cost
from domesim.scenario.edits import parse_key
from domesim.scenario.loader import _problems_from_validation, load_scenario, read_toml, scenario_problems

POINT_COLUMNS = {
    "sweep_id": "VARCHAR",
    "sweep": "VARCHAR",
    "point": "INTEGER",
    "params": "VARCHAR",  # JSON: key path -> value
    "p_no_leak": "DOUBLE",
    "p_no_leak_lo": "DOUBLE",
    "p_no_leak_hi": "DOUBLE",
    "expected_leakers": "DOUBLE",
    "cost_usd": "DOUBLE",
    "cost_low_usd": "DOUBLE",
    "cost_high_usd": "DOUBLE",
    "dollar_year": "INTEGER",
    "horizon_years": "INTEGER",
    "attack_cost_usd": "DOUBLE",  # the raid's cost to the attacker (scenario.attack_cost)
    "attack_cost_low_usd": "DOUBLE",
    "attack_cost_high_usd": "DOUBLE",
    "engagement_cost_usd": "DOUBLE",  # the defender's mean engagement cost (results.exchange)
    "attack_cheapest_usd": "DOUBLE",  # [sweep] attack_goal: the cheapest attack meeting it (NULL: none found)
    "attack_cheapest": "VARCHAR",  # JSON: that attack (missiles, countermeasures, p_leak)
    "trials": "INTEGER",
    "seed": "BIGINT",
    "wall_s": "DOUBLE",
    "created_utc": "TIMESTAMP",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SweepParameter(_Strict):
    key: str = Field(
        min_length=1
    )  # a key path into the scenario, e.g. interceptor_site[gbi_fort_greely].inventory
    label: str | None = None  # for tables and plots (default: the key)
    values: list[int | float | str | bool] | None = Field(default=None, min_length=1)  # method = "grid"
    low: float | None = Field(default=None, allow_inf_nan=False)  # method = "sample": a finite range
    high: float | None = Field(default=None, allow_inf_nan=False)
    integer: bool = False  # sample: round to whole numbers (counts, inventories)

    @model_validator(mode="after")
    def _values_or_range(self) -> SweepParameter:
        parse_key(self.key)  # a malformed path is reported here, before anything runs
        if (self.values is None) == (self.low is None or self.high is None):
            raise ValueError("give either values = [...] (grid) or low and high (sample)")
        if self.low is not None and self.high is not None and not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class SweepSection(_Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    scenario: str = Field(min_length=1)  # the base scenario, relative to the sweep file
    trials: int = Field(default=200, ge=1, le=1_000_000)
    seed: int = Field(default=1, ge=0)
    method: Literal["grid", "sample"] = "grid"
    samples: int = Field(default=50, ge=1, le=100_000)  # method = "sample"
    set: dict[str, Any] = Field(default_factory=dict)  # edits applied to every point
    horizon_years: int | None = Field(default=None, ge=1, le=100)
    dollar_year: int | None = None
    # the attacker's cheapest answer to each point (studies.attack): its goal, candidates and trials
    attack_goal: str | None = None
    attack_budget: int = Field(default=12, ge=1, le=1000)
    attack_trials: int | None = Field(default=None, ge=1, le=1_000_000)

    @field_validator("attack_goal")
    @classmethod
    def _goal(cls, value: str | None) -> str | None:
        if value is not None:
            from domesim.studies.attack import Goal  # attack builds on this module

            try:
                Goal.parse(value)
            except ParameterError as exc:  # reported at this key, like every other value of the file
                raise ValueError(str(exc)) from None
        return value

    @field_validator("seed")
    @classmethod
    def _seed(cls, value: int) -> int:
        return seed_in_range(value)


class SweepFile(_Strict):
    sweep: SweepSection
    parameter: list[SweepParameter] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _method(self) -> SweepFile:
        for p in self.parameter:
            if self.sweep.method == "grid" and p.values is None:
                raise ValueError(f"parameter {p.key!r}: a grid sweep needs values = [...]")
            if self.sweep.method == "sample" and p.low is None:
                raise ValueError(f"parameter {p.key!r}: a sampled sweep needs low and high")
        for key in self.sweep.set:
            parse_key(key)
        return self


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: its file, base scenario and the architecture points to run."""

    path: Path
    spec: SweepFile
    scenario_path: Path
    points: list[dict[str, Any]]  # key path -> value, one dict per point
    sweep_id: str  # identifies what the stored rows mean: spec, base scenario text, version
    policy: InputPolicy = DEFAULT_POLICY  # what each point's load is allowed (files it names, sizes)

    @property
    def name(self) -> str:
        return self.spec.sweep.name

    def labels(self) -> dict[str, str]:
        return {p.key: p.label or p.key for p in self.spec.parameter}


def _points(spec: SweepFile) -> list[dict[str, Any]]:
    params = spec.parameter
    if spec.sweep.method == "grid":
        return [
            {p.key: v for p, v in zip(params, combo, strict=True)}
            for combo in itertools.product(*(p.values or [] for p in params))
        ]
    unit = qmc.LatinHypercube(d=len(params), seed=spec.sweep.seed).random(spec.sweep.samples)
    points = []
    for row in unit:
        point: dict[str, Any] = {}
        for p, u in zip(params, row, strict=True):
            lo, hi = float(p.low or 0.0), float(p.high or 0.0)
            v = lo + u * (hi - lo)
            point[p.key] = int(round(v)) if p.integer else float(v)
        points.append(point)
    return points


def point_count(spec: SweepFile) -> int:
    """How many points the sweep has, counted without making them (a grid's product of value counts)."""
    if spec.sweep.method == "grid":
        return math.prod(len(p.values or ()) for p in spec.parameter)
    return spec.sweep.samples


def load_sweep(path: str | Path, policy: InputPolicy = DEFAULT_POLICY) -> Sweep:
    """Read and validate a sweep file and find its base scenario, which must lie under the sweep file's
    folder or a folder ``policy`` allows; the number of points is checked before they are made.

    Raises
    ------
    ScenarioError
        Naming the file, key and what is expected (the sweep file's, or the scenario's at a point).
    """
    path = Path(path)
    text, data = read_toml(path, policy)
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from_validation(exc, str(path), text)) from None
    except ParameterError as exc:  # a malformed key path (parse_key), before any point runs
        raise ScenarioError([Problem(str(path), "parameter", str(exc))]) from None
    if outside := policy.outside(spec.sweep.scenario, path.parent):
        raise scenario_problems(str(path), text, [(("sweep", "scenario"), outside)])
    scenario_path = (path.parent / spec.sweep.scenario).resolve()
    try:
        is_file = scenario_path.is_file()
    except OSError as exc:  # a name the file system refuses (too long)
        is_file, why = False, f" ({exc.strerror})"
    else:
        why = ""
    if not is_file:
        found = f"no scenario file at {quote(str(scenario_path), PATH_CHARS)}{why}"
        raise scenario_problems(str(path), text, [(("sweep", "scenario"), found)])
    if too_many := policy.over("the number of points", point_count(spec), MAX_SWEEP_POINTS):
        key = ("parameter",) if spec.sweep.method == "grid" else ("sweep", "samples")
        raise scenario_problems(str(path), text, [(key, too_many)])
    points = _points(spec)
    base_text, _ = read_toml(scenario_path, policy)
    ident = json.dumps([spec.model_dump(mode="json"), base_text, __version__], sort_keys=True)
    sweep_id = hashlib.sha256(ident.encode()).hexdigest()[:16]
    return Sweep(path, spec, scenario_path, points, sweep_id, policy)


class SweepStore:
    """The ``sweep_points`` table of the run catalogue's DuckDB file (one row per finished point)."""

    def __init__(self, catalogue: RunCatalogue):
        self.catalogue = catalogue
        columns = ", ".join(f"{n} {k}" for n, k in POINT_COLUMNS.items())
        with self.catalogue.connect() as con:
            con.execute(f"CREATE TABLE IF NOT EXISTS sweep_points ({columns}, PRIMARY KEY (sweep_id, point))")
            for name, kind in POINT_COLUMNS.items():  # a catalogue written by an earlier version
                con.execute(f"ALTER TABLE sweep_points ADD COLUMN IF NOT EXISTS {name} {kind}")

    def done(self, sweep_id: str) -> dict[int, dict[str, Any]]:
        with self.catalogue.connect() as con:
            cur = con.execute("SELECT * FROM sweep_points WHERE sweep_id = ? ORDER BY point", [sweep_id])
            names = [d[0] for d in cur.description or []]
            return {row[names.index("point")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}

    def add(self, row: dict[str, Any]) -> None:
        names = list(row)
        sql = f"INSERT INTO sweep_points ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        with self.catalogue.connect() as con:
            con.execute(sql, [row[n] for n in names])


def run_point(sweep: Sweep, point: dict[str, Any]) -> dict[str, Any]:
    """Cost and simulate one architecture point; the row to store (without the sweep's ids).

    Raises
    ------
    ScenarioError
        The edited scenario is invalid, naming the point.
    """
    s = sweep.spec.sweep
    start = time.perf_counter()
    try:
        loaded = load_scenario(
            sweep.scenario_path, trials=s.trials, seed=s.seed, edits={**s.set, **point}, policy=sweep.policy
        )
    except ScenarioError as exc:  # say which point made the scenario invalid
        where = f"point {json.dumps(point)}"
        raise ScenarioError(
            [Problem(p.file, p.key, f"{where}: {p.message}", p.line) for p in exc.problems]
        ) from None
    cost = scenario_cost(loaded, horizon_years=s.horizon_years, dollar_year=s.dollar_year)
    attack = attack_cost(loaded.spec, dollar_year=cost.dollar_year)
    log = run_trials(loaded.world, s.trials, s.seed, loaded.montecarlo.chunk_trials)
    tables = build_tables(loaded.world, log)
    leakers = tables["trials"]["leakers"]
    engagement = engagement_cost_usd(loaded.world, tables, cost)
    cheapest = _cheapest_attack(sweep, point) if s.attack_goal else None
    no_leak = int((leakers == 0).sum())
    lo, hi = binomial_ci(no_leak, s.trials)
    return {
        "params": json.dumps(point, sort_keys=True),
        "p_no_leak": no_leak / s.trials,
        "p_no_leak_lo": float(lo),
        "p_no_leak_hi": float(hi),
        "expected_leakers": float(np.mean(leakers)),
        "cost_usd": float(cost.total_usd),
        "cost_low_usd": float(cost.total_low_usd),
        "cost_high_usd": float(cost.total_high_usd),
        "dollar_year": int(cost.dollar_year),
        "horizon_years": int(cost.horizon_years),
        "attack_cost_usd": attack.usd,
        "attack_cost_low_usd": attack.low_usd,
        "attack_cost_high_usd": attack.high_usd,
        "engagement_cost_usd": float(engagement.mean()),
        "attack_cheapest_usd": None if cheapest is None else cheapest["attacker_cost_usd"],
        "attack_cheapest": None if cheapest is None else json.dumps(cheapest, sort_keys=True),
        "trials": s.trials,
        "seed": s.seed,
        "wall_s": time.perf_counter() - start,
    }


def _cheapest_attack(sweep: Sweep, point: dict[str, Any]) -> dict[str, Any] | None:
    """The attacker's cheapest answer to the sweep's ``attack_goal`` against this point's defence (None:
    none within the budget). Its candidates are not stored: the point's row is the checkpoint."""
    from domesim.studies.attack import AttackSearch, Goal, run_attack_search  # attack builds on this module

    s = sweep.spec.sweep
    assert s.attack_goal is not None
    search = AttackSearch(
        scenario_path=sweep.scenario_path,
        goal=Goal.parse(s.attack_goal),
        trials=s.attack_trials or s.trials,
        seed=s.seed,
        budget=s.attack_budget,
        policy=sweep.policy,
        base_edits={**s.set, **point},
    )
    answer: dict[str, Any] | None = run_attack_search(search, None)["attack"]
    return answer


def run_sweep(
    sweep: Sweep,
    store: SweepStore,
    executor: Executor | None = None,
    on_point: Callable[[int, dict[str, Any], bool], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the points not yet stored, storing each as it finishes; returns every point's row in point
    order.

    The points are the executor's tasks (:mod:`domesim.montecarlo.executors`; default: one after
    another in this process), each simulated in one process; a lost worker costs only its point.
    ``on_point(index, row, reused)`` is called for each point as it is read back or finishes (for
    progress). An interruption (Ctrl-C, SIGTERM) takes effect when the next point arrives: the points
    finished by then are stored, then KeyboardInterrupt is raised (a second Ctrl-C stops at once).
    """
    with _interrupt_between_points() as interrupted:
        done = store.done(sweep.sweep_id)
        rows: dict[int, dict[str, Any]] = {}
        for i in sorted(done):
            rows[i] = done[i]
            if on_point is not None:
                on_point(i, done[i], True)
        todo = [(i, point) for i, point in enumerate(sweep.points) if i not in done]
        tasks = [(point,) for _, point in todo]
        for index, result in (executor or InProcess()).run(run_point, sweep, tasks):
            i = todo[index][0]
            row = {"sweep_id": sweep.sweep_id, "sweep": sweep.name, "point": i, **result}
            row["created_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
            store.add(row)
            rows[i] = row
            if on_point is not None:
                on_point(i, row, False)
            if interrupted[0]:
                raise KeyboardInterrupt
        return [rows[i] for i in range(len(sweep.points))]


@contextmanager
def _interrupt_between_points() -> Iterator[list[bool]]:
    """Ctrl-C during a sweep takes effect between points. A SIGINT that arrives while the catalogue
    (DuckDB) is writing a row can be absorbed by it, and the sweep would run on; so the signal only sets a
    flag here, and the loop raises KeyboardInterrupt when the next point arrives."""
    flag = [False]
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def note(signum: int, frame: Any) -> None:
        if flag[0]:  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        flag[0] = True

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def pareto_front(cost: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Boolean mask of the points on the cost-effectiveness frontier (minimise cost, maximise p).

    A point is on it when no other point costs no more and protects at least as well, being better in
    one of the two.

    >>> pareto_front(np.array([1.0, 2.0, 3.0, 2.5]), np.array([0.5, 0.7, 0.9, 0.6])).tolist()
    [True, True, True, False]
    """
    cost, p = np.asarray(cost, dtype=float), np.asarray(p, dtype=float)
    better_eq = (cost[None, :] <= cost[:, None]) & (p[None, :] >= p[:, None])
    strictly = (cost[None, :] < cost[:, None]) | (p[None, :] > p[:, None])
    return np.asarray(~(better_eq & strictly).any(axis=1))


def sweep_table(sweep: Sweep, rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Columns of the sweep's points (one per parameter, the metrics, and ``pareto``)."""
    params = [json.loads(r["params"]) for r in rows]
    table: dict[str, np.ndarray] = {"point": np.array([r["point"] for r in rows], dtype=np.int64)}
    for key, label in sweep.labels().items():
        table[label] = np.array([p[key] for p in params])
    for name in ("cost_usd", "cost_low_usd", "cost_high_usd", "p_no_leak", "p_no_leak_lo", "p_no_leak_hi",
                 "expected_leakers", "attack_cost_usd", "engagement_cost_usd", "wall_s"):  # fmt: skip
        table[name] = np.array([r[name] for r in rows], dtype=float)
    table["pareto"] = pareto_front(table["cost_usd"], table["p_no_leak"])
    if sweep.spec.sweep.attack_goal:  # defence cost against the cost of the attacker's cheapest answer
        found = [r["attack_cheapest_usd"] for r in rows]
        cheapest = np.array([np.nan if usd is None else usd for usd in found])
        table["attack_cheapest_usd"] = cheapest
        # no answer within the budget: at least as costly as any found (the defence's best case)
        table["attack_pareto"] = pareto_front(table["cost_usd"], np.nan_to_num(cheapest, nan=np.inf))
    return table
