"""One scenario run, from a loaded scenario to its tables and ``summary.json``: the code path that
``domesim run`` and :func:`domesim.api.run` share, so that both give the same summary for the same seed
and trial count.

The HTML report is not written here: it belongs to :mod:`domesim.report`, a layer above.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from domesim import __version__
from domesim.engine.simulate import trials_per_chunk
from domesim.montecarlo.executors import Executor
from domesim.montecarlo.runner import run_trials
from domesim.results.exchange import cost_exchange
from domesim.results.store import write_tables
from domesim.results.summary import build_summary, build_tables
from domesim.scenario.attack_cost import attack_cost
from domesim.scenario.costing import scenario_cost
from domesim.scenario.loader import LoadedScenario

Tables = dict[str, dict[str, np.ndarray]]


@dataclass(frozen=True)
class RunOutput:
    """What a run produces: ``summary`` (the ``summary.json`` dict), ``tables`` (name -> column arrays,
    the Parquet tables) and ``wall_s`` (the simulation's wall time, unrounded)."""

    summary: dict[str, Any]
    tables: Tables
    wall_s: float


def git_hash() -> str:
    """The short commit hash of the domesim checkout, or ``"unknown"`` (an installed package)."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def run_scenario(
    loaded: LoadedScenario,
    *,
    trials: int | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
    checkpoint_dir: Path | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> RunOutput:
    """Run a loaded scenario's Monte Carlo and build its tables and summary.

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`domesim.scenario.loader.load_scenario`.
    trials, seed : int, optional
        Replace the scenario's ``[montecarlo]`` values (they do not change the built world).
    executor : Executor, optional
        Where the chunks run (:func:`domesim.montecarlo.executors.open_executor`; default: in this
        process); results are identical for any executor.
    checkpoint_dir : pathlib.Path, optional
        Folder of chunk checkpoints (``<out>/chunks`` for ``domesim run``): finished chunks of the same
        built world, version, seed and trial count are reused. None: nothing is written.
    on_chunk : callable, optional
        ``on_chunk(n_trials)`` as each chunk finishes (progress bars).
    """
    mc = loaded.montecarlo
    trials = mc.trials if trials is None else trials
    seed = mc.seed if seed is None else seed
    world = loaded.world
    started = time.perf_counter()
    # Chunks are reused only for the same built world (scenario and catalogue values, launch solutions,
    # chunk size: the scenario hash) and version; changing domesim's code without a version bump needs a
    # fresh checkpoint folder.
    key = {"scenario_hash": loaded.scenario_hash, "version": __version__}
    log = run_trials(world, trials, seed, mc.chunk_trials, executor, checkpoint_dir, key, on_chunk=on_chunk)
    wall = time.perf_counter() - started
    tables = build_tables(world, log)
    summary = build_summary(
        world,
        tables,
        trials=trials,
        seed=seed,
        chunk_trials=trials_per_chunk(world, mc.chunk_trials),
        version=__version__,
        git_hash=git_hash(),
        scenario_hash=loaded.scenario_hash,
        description=loaded.spec.scenario.description,
        wall_s=wall,
    )
    cost = scenario_cost(loaded)
    attack = attack_cost(loaded.spec, dollar_year=cost.dollar_year)
    summary["cost_exchange"] = cost_exchange(world, tables, cost, attack)
    return RunOutput(summary, tables, wall)


def write_run(
    out_dir: str | os.PathLike[str],
    summary: Mapping[str, Any],
    tables: Tables,
    loaded: LoadedScenario | None = None,
) -> Path:
    """Write a run's Parquet tables and ``summary.json`` into ``out_dir`` (created if missing), and with
    ``loaded`` the scenario as read (``scenario.toml``) and as validated, every default filled in
    (``scenario.json``): `domesim compare` lists the keys that differ between two runs."""
    out = Path(out_dir)
    write_tables(out, tables)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if loaded is not None:
        (out / "scenario.toml").write_text(loaded.text, encoding="utf-8")
        spec = loaded.spec.model_dump(mode="json", by_alias=True)
        (out / "scenario.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    return out
