"""The curated import surface of domesim: run a scenario, read its results, cost its architecture.

Example (the tutorial, ``docs/tutorial.md``, walks through a whole study)::

    from domesim.api import run, open_run, scenario_cost

    results = run("examples/nk-1.toml", trials=200, seed=1)
    results.summary["p_no_leak"]            # the summary.json that `domesim run` writes
    df = results.to_pandas("objects")       # a table as a pandas DataFrame (also "trials", "engagements"...)
    ds = results.to_xarray()                # per trial x object arrays, units as attributes
    results.save("out/nk-1")                # the run folder of `domesim run --out out/nk-1`
    same = open_run("out/nk-1")             # a stored run, as the same Results object
    two = run("examples/nk-1.toml", trials=200, seed=1, edits={"doctrine.salvo_size": 2})
    scenario_cost("examples/nk-1.toml").total_usd
    attack("examples/nk-10.toml", goal="p_leak>=0.5", trials=100, budget=20)["attack"]  # the cheapest answer

Everything here is stable for users; modules not re-exported here may change between versions.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from domesim.core.analytic import absentee, minimum_energy_trajectory, salvo, shoot_look_shoot, shots_needed
from domesim.errors import DomesimError, ParameterError, ScenarioError
from domesim.limits import InputPolicy
from domesim.results.compare import compare
from domesim.results.store import RunCatalogue, read_table
from domesim.scenario.costing import scenario_cost
from domesim.scenario.loader import LoadedScenario, load_scenario

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import xarray as xr

__all__ = [
    "DomesimError",
    "attack",
    "Results",
    "RunCatalogue",
    "ScenarioError",
    "absentee",
    "compare",
    "load_scenario",
    "minimum_energy_trajectory",
    "open_run",
    "run",
    "salvo",
    "scenario_cost",
    "shoot_look_shoot",
    "shots_needed",
]

Tables = dict[str, dict[str, np.ndarray]]

# the tables of a run in the order `domesim run` writes them (the optional ones only when present)
_TABLE_ORDER = ("trials", "engagements", "objects", "leakers", "assets", "sensors", "gospa", "sites", "waves")
# unit suffix of a column name -> the unit (the longest suffix wins)
_UNITS = {
    "_km_s": "km/s",
    "_m_s": "m/s",
    "_km": "km",
    "_m": "m",
    "_s": "s",
    "_deg": "deg",
    "_rad": "rad",
    "_usd": "USD",
}
# the objects table's descriptive columns: coordinates of the object dimension, not variables
_OBJECT_COORDS = ("name", "kind", "lethal", "threat_class", "aim")


def _units(name: str) -> str:
    """The unit a column's name carries (``launch_t_s`` -> ``"s"``); ``"1"`` for counts and probabilities."""
    for suffix in sorted(_UNITS, key=len, reverse=True):
        if name.endswith(suffix):
            return _UNITS[suffix]
    return "1"


class Results:
    """The results of one run: its summary, its tables, its report.

    Made by :func:`run` (a fresh run) or :func:`open_run` (a run folder that ``domesim run --out`` or
    :meth:`save` wrote); both give the same summary and tables for the same scenario, seed and trials.

    Attributes
    ----------
    summary : dict
        The ``summary.json`` dict: ``p_no_leak {mean, ci95}``, ``expected_leakers``, ``interceptors_fired``,
        ``kills_by_layer``, ``leak_causes``, ``inventory``, ``wall_s``...
    warnings : list of str
        What the scenario's build said a user should know (fresh runs only).
    run_dir : pathlib.Path or None
        The folder it was opened from (:func:`open_run`), else None.
    """

    def __init__(
        self,
        summary: dict[str, Any],
        tables: Tables,
        *,
        loaded: LoadedScenario | None = None,
        run_dir: Path | None = None,
    ) -> None:
        self.summary = summary
        self._tables = tables
        self._loaded = loaded
        self.run_dir = run_dir
        self.warnings: list[str] = list(loaded.warnings) if loaded is not None else []

    def __repr__(self) -> str:
        s, p = self.summary, self.summary["p_no_leak"]
        lo, hi = p["ci95"]
        return (
            f"Results({s['scenario']!r}: {s['trials']} trials, seed {s['seed']}, "
            f"P(no leaker) {p['mean']:.4f} [{lo:.4f}, {hi:.4f}]; tables {list(self.names)})"
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the run's tables (``trials``, ``engagements``, ``objects``, ``leakers``; ``assets``,
        ``sensors``, ``gospa``, ``sites`` and a campaign's ``waves`` where the scenario has them)."""
        return tuple(self._tables)

    def _columns(self, name: str) -> dict[str, np.ndarray]:
        if name not in self._tables:
            raise ParameterError(f"no table {name!r} in this run; its tables are {list(self._tables)}")
        return self._tables[name]

    def table(self, name: str) -> pa.Table:
        """Table ``name`` as a pyarrow Table (what ``domesim run`` writes as ``<name>.parquet``)."""
        import pyarrow as pa

        return pa.table({key: pa.array(np.asarray(col)) for key, col in self._columns(name).items()})

    def to_pandas(self, name: str) -> pd.DataFrame:
        """Table ``name`` as a pandas DataFrame, one column per field (units in the column names)."""
        return self.table(name).to_pandas()

    def to_xarray(self) -> xr.Dataset:
        """The run as an xarray Dataset over the dimensions ``trial`` and ``object``.

        Per (trial, object): ``leaked`` (a warhead that was not killed), ``leak_cause`` (``""`` where it did
        not leak; absent for runs stored before the ``leakers`` table), ``killed``, ``shots`` (interceptors
        fired at it), ``engagements``, ``kill_t_s`` and ``kill_alt_km`` (the killing engagement's intercept
        time and altitude, NaN where not killed).
        Per trial: the ``trials`` table's columns; per object: the ``objects`` table's numbers, and its
        ``name``, ``kind``, ``lethal``, ``threat_class`` and ``aim`` as coordinates. Every number has a
        ``units`` attribute (``"1"``: a count or probability); the Dataset's attributes are the summary's
        scenario, seed, trials, sensing and version.
        """
        import xarray as xr

        trials, objects = self._columns("trials"), self._columns("objects")
        n_r, n_n = len(trials["trial"]), len(objects["object"])
        eng = self._columns("engagements")
        t, n = eng["trial"].astype(np.int64), eng["object"].astype(np.int64)
        shots = np.zeros((n_r, n_n), np.int32)
        np.add.at(shots, (t, n), eng["shots"].astype(np.int32))
        count = np.zeros((n_r, n_n), np.int32)
        np.add.at(count, (t, n), 1)
        killed = np.zeros((n_r, n_n), bool)
        kill_t = np.full((n_r, n_n), np.nan)
        kill_alt = np.full((n_r, n_n), np.nan)
        k = eng["killed"].astype(bool)
        killed[t[k], n[k]] = True
        kill_t[t[k], n[k]] = eng["intercept_t_s"][k]
        kill_alt[t[k], n[k]] = eng["intercept_alt_km"][k]
        pair = ("trial", "object")
        data: dict[str, Any] = {
            "leaked": (pair, ~killed & objects["lethal"].astype(bool), {"long_name": "a warhead not killed"}),
            "killed": (pair, killed, {"long_name": "killed by an interceptor"}),
            "shots": (pair, shots, {"long_name": "interceptors fired at it", "units": "1"}),
            "engagements": (pair, count, {"long_name": "engagements (salvos) against it", "units": "1"}),
            "kill_t_s": (pair, kill_t, {"long_name": "intercept time of the kill", "units": "s"}),
            "kill_alt_km": (pair, kill_alt, {"long_name": "intercept altitude of the kill", "units": "km"}),
        }
        if "leakers" in self._tables:  # runs written before the leakers table have no causes
            leak = self._tables["leakers"]
            cause = np.full((n_r, n_n), "", dtype=object)
            cause[leak["trial"].astype(np.int64), leak["object"].astype(np.int64)] = leak["cause"]
            data["leak_cause"] = (pair, cause.astype(str), {"long_name": "why it leaked ('' if it did not)"})
        for key, col in trials.items():
            if key != "trial":
                data[key] = (("trial",), col, {"units": _units(key)})
        for key, col in objects.items():
            if key not in ("object", *_OBJECT_COORDS):
                data[key] = (("object",), col, {"units": _units(key)})
        coords: dict[str, Any] = {"trial": trials["trial"], "object": objects["object"]}
        for key in _OBJECT_COORDS:
            if key in objects:
                coords[key] = ("object", objects[key])
        attrs = {key: self.summary[key] for key in ("scenario", "seed", "trials", "sensing", "version")}
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def report(self, path: str | os.PathLike[str]) -> Path:
        """Write the one-file HTML report of the run (the ``report.html`` of ``domesim run``) to ``path``.

        A run opened from a folder copies the folder's ``report.html``.
        """
        out = Path(path)
        if self._loaded is None:
            stored = self.run_dir / "report.html" if self.run_dir is not None else None
            if stored is None or not stored.is_file():
                raise ParameterError(
                    f"no report.html in {self.run_dir}: run the scenario again (domesim.api.run) to write one"
                )
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stored, out)
            return out
        from domesim.report.html import render_report  # matplotlib: only when a report is written
        from domesim.results.summary import nominal_altitudes

        loaded = self._loaded
        return render_report(
            out, self.summary, self._tables, nominal_altitudes(loaded.world), loaded.text, loaded.provenance
        )

    def save(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write the run folder that ``domesim run --out out_dir`` writes (``summary.json``, the Parquet
        tables, ``report.html``), which :func:`open_run` reads back. Returns the folder."""
        from domesim.results.run import write_run

        out = write_run(out_dir, self.summary, self._tables, self._loaded)
        self.report(out / "report.html")
        return out


def run(
    scenario: str | os.PathLike[str] | LoadedScenario,
    *,
    trials: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    cluster: str | None = None,
    sensing: str | None = None,
    edits: Mapping[str, Any] | None = None,
    allow_paths: Iterable[str | os.PathLike[str]] = (),
    allow_large: bool = False,
) -> Results:
    """Run a scenario's Monte Carlo and return its :class:`Results`, as ``domesim run`` would.

    Parameters
    ----------
    scenario : path or LoadedScenario
        A scenario file, or one loaded with :func:`load_scenario` (to run a built world again without
        building it; then ``sensing`` and ``edits`` must be given to :func:`load_scenario` instead).
    trials, seed : int, optional
        Replace the file's ``[montecarlo]`` values.
    workers : int
        Local worker processes (results are identical for any number).
    cluster : str, optional
        Run the chunks on Dask instead: ``"local:N"`` (N worker processes on this machine) or
        ``"tcp://HOST:PORT"`` (a running scheduler); the same results as ``workers=1``.
    sensing : str, optional
        Replace the file's sensing fidelity: ``"full"``, ``"screening"`` or ``"ideal"``.
    edits : mapping, optional
        Values to set by key path before the scenario is built, e.g. ``{"doctrine.salvo_size": 2}`` or
        ``{"interceptor_site[gbi_fort_greely].inventory": 20}`` (:mod:`domesim.scenario.edits`).
    allow_paths : folders, optional
        Folders outside the scenario's own from which it may name files (a TLE file), as
        ``domesim run --allow-path`` (:class:`domesim.limits.InputPolicy`).
    allow_large : bool
        Lift the bounds on input sizes of :mod:`domesim.limits`, as ``domesim run --allow-large``.

    Raises
    ------
    ScenarioError
        With every problem of the file (file, key, line).
    ParameterError
        ``sensing`` or ``edits`` with a scenario that is already built; ``workers`` and ``cluster``
        both given, or a malformed cluster.
    """
    from domesim.montecarlo.executors import open_executor
    from domesim.results.run import run_scenario  # the simulation: numba kernels

    if isinstance(scenario, LoadedScenario):
        if sensing is not None or edits:
            raise ParameterError(
                "run(): sensing and edits change how a scenario is built: pass the file's path, or give "
                "them to load_scenario(path, sensing=..., edits=...)"
            )
        loaded = scenario
    else:
        policy = InputPolicy.of(allow_large=allow_large, allow_paths=allow_paths)
        loaded = load_scenario(Path(scenario), trials, seed, sensing, edits, policy=policy)
    with open_executor(workers, cluster) as executor:
        out = run_scenario(loaded, trials=trials, seed=seed, executor=executor)
    return Results(out.summary, out.tables, loaded=loaded)


def attack(
    scenario: str | os.PathLike[str],
    *,
    goal: str,
    trials: int = 200,
    seed: int | None = None,
    budget: int = 40,
    catalogue: RunCatalogue | None = None,
    allow_paths: Iterable[str | os.PathLike[str]] = (),
    allow_large: bool = False,
) -> dict[str, Any]:
    """The attacker's cheapest answer to ``goal`` (``"p_leak>=0.5"``) against the scenario's defence, as
    ``domesim attack --json`` prints it (plus ``candidates``: every attack simulated).

    ``catalogue``: where the candidates are stored, so that a search run again reads them back (default:
    the user's run catalogue, as the command line). See :mod:`domesim.studies.attack`.
    """
    from domesim.results.store import CATALOGUE_NAME, default_data_dir
    from domesim.scenario.loader import load_spec
    from domesim.studies.attack import AttackSearch, Goal, run_attack_search
    from domesim.studies.sweep import SweepStore

    policy = InputPolicy.of(allow_large=allow_large, allow_paths=allow_paths)
    path = Path(scenario).resolve()
    spec = load_spec(path, policy=policy).spec
    search = AttackSearch(
        scenario_path=path,
        goal=Goal.parse(goal),
        trials=trials,
        seed=spec.montecarlo.seed if seed is None else seed,
        budget=budget,
        policy=policy,
    )
    store = SweepStore(catalogue or RunCatalogue(default_data_dir() / CATALOGUE_NAME))
    return run_attack_search(search, store)


def open_run(run_dir: str | os.PathLike[str]) -> Results:
    """The :class:`Results` of a stored run: the folder that ``domesim run --out`` (or
    :meth:`Results.save`) wrote, with ``summary.json`` and one ``<table>.parquet`` per table."""
    folder = Path(run_dir)
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise ParameterError(
            f"{folder}: no summary.json; a run folder is what `domesim run --out FOLDER` writes"
        )
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    found = {p.stem: p for p in folder.glob("*.parquet") if not p.name.startswith(".")}
    order = [name for name in _TABLE_ORDER if name in found] + sorted(set(found) - set(_TABLE_ORDER))
    tables = {name: read_table(found[name]) for name in order}
    missing = [name for name in ("trials", "engagements", "objects") if name not in tables]
    if missing:
        raise ParameterError(f"{folder}: a run folder has {', '.join(f'{m}.parquet' for m in missing)}")
    return Results(summary, tables, run_dir=folder)
