"""Shared helpers of the builder tests: write a scenario, run a few trials, render the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from domesim.build.catalogue import Catalogue
from domesim.montecarlo.runner import run_trials
from domesim.report.html import render_report
from domesim.results.summary import build_summary, build_tables, nominal_altitudes
from domesim.scenario.loader import LoadedScenario, load_scenario


def _load_text(tmp_path: Path, text: str, catalogue: Catalogue | None = None, name: str = "s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return load_scenario(path, catalogue=catalogue)


def _run_and_report(loaded: LoadedScenario, out: Path, trials: int = 2, seed: int = 1) -> tuple[dict, str]:
    """A short run of a loaded scenario, its summary and its HTML report."""
    world = loaded.world
    log = run_trials(world, trials, seed)
    tables = build_tables(world, log)
    summary = build_summary(
        world,
        tables,
        trials=trials,
        seed=seed,
        chunk_trials=100,
        version="test",
        git_hash="",
        scenario_hash=loaded.scenario_hash,
        description="",
        wall_s=0.0,
    )
    path = render_report(
        out / "report.html", summary, tables, nominal_altitudes(world), loaded.text, loaded.provenance
    )
    return summary, Path(path).read_text()


@pytest.fixture
def load_text():
    """``load_text(folder, toml_text, catalogue=None)``: write a scenario file and load it."""
    return _load_text


@pytest.fixture
def run_and_report():
    """``run_and_report(loaded, folder)``: a two-trial run's summary and report text."""
    return _run_and_report
