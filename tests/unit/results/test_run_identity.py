"""What shapes a run's results is recorded: the chunk size in ``summary.json`` and, with every value of
the built world (catalogue values included), in the scenario hash that the run catalogue stores. Two
runs with the same hash, seed and trials must hold the same results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from domesim.build.catalogue import load_catalogue
from domesim.results.run import run_scenario
from domesim.scenario.loader import load_scenario

REPO = Path(__file__).resolve().parents[3]
NK1 = REPO / "examples" / "nk-1.toml"


def _with_chunks(folder: Path, chunk_trials: int) -> Path:
    text = NK1.read_text(encoding="utf-8")
    path = folder / f"nk-1-{chunk_trials}.toml"
    path.write_text(text.replace("\n[montecarlo]\n", f"\n[montecarlo]\nchunk_trials = {chunk_trials}\n"))
    return path


def test_chunk_size_is_in_the_summary_and_the_hash(tmp_path: Path) -> None:
    a = load_scenario(_with_chunks(tmp_path, 10), trials=20, seed=2)
    b = load_scenario(_with_chunks(tmp_path, 20), trials=20, seed=2)
    assert a.scenario_hash != b.scenario_hash
    run_a, run_b = run_scenario(a), run_scenario(b)
    assert (run_a.summary["chunk_trials"], run_b.summary["chunk_trials"]) == (10, 20)
    assert run_a.summary["scenario_hash"] == a.scenario_hash


def test_a_catalogue_value_changes_the_hash() -> None:
    base = load_scenario(NK1)
    varied = load_catalogue().with_value("interceptor", "gbi", "sspk", 0.5)
    assert load_scenario(NK1, catalogue=varied).scenario_hash != base.scenario_hash
    assert load_scenario(NK1).scenario_hash == base.scenario_hash  # and nothing else does


def test_the_hash_is_the_same_in_another_process() -> None:
    code = (
        "import sys; from domesim.scenario.loader import load_scenario as load; "
        "print(load(sys.argv[1]).scenario_hash)"
    )
    other = subprocess.run([sys.executable, "-c", code, str(NK1)], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == load_scenario(NK1).scenario_hash
