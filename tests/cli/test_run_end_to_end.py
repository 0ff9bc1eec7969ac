"""End-to-end ``domesim run``: outputs, catalogue, reproducibility over workers, resume, shot accounting.

Every run is a real subprocess (``python -m domesim.cli``), so exit codes, stdout and the chunked
multi-process backend are the ones a user gets. Trial counts are small: each run takes seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

# Every test runs `domesim run` in subprocesses (seconds each): left out of `make check`.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NK1 = REPO / "examples" / "nk-1.toml"
TABLES = ("trials", "engagements", "objects")
SUMMARY_KEYS = {
    "scenario",
    "trials",
    "seed",
    "version",
    "p_no_leak",
    "expected_leakers",
    "threat_objects",
    "interceptors_fired",
    "kills_by_layer",
    "wall_s",
}


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DOMESIM_DATA_DIR=str(data_dir))
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _run(scenario: Path, out: Path, data_dir: Path, *extra: str) -> dict:
    result = _cli(
        "run",
        str(scenario),
        "--out",
        str(out),
        "--data-dir",
        str(data_dir),
        "--json",
        *extra,
        data_dir=data_dir,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _summary_without_wall(out: Path) -> str:
    summary = json.loads((out / "summary.json").read_text())
    summary.pop("wall_s")
    return json.dumps(summary, sort_keys=True)


def _chunked_copy(tmp_path: Path, chunk_trials: int = 50) -> Path:
    """nk-1 with ``chunk_trials`` under [montecarlo], so a few hundred trials make several chunks."""
    text = NK1.read_text(encoding="utf-8")
    assert "\n[montecarlo]\n" in text
    path = tmp_path / "nk-1-chunked.toml"
    path.write_text(text.replace("\n[montecarlo]\n", f"\n[montecarlo]\nchunk_trials = {chunk_trials}\n"))
    return path


@pytest.fixture(scope="module")
def nk1_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One 200-trial run of examples/nk-1.toml with seed 3: its stdout, folders and summary."""
    base = tmp_path_factory.mktemp("nk1-run")
    out, data = base / "out", base / "data"
    result = _cli(
        "run",
        str(NK1),
        "--trials",
        "200",
        "--seed",
        "3",
        "--out",
        str(out),
        "--data-dir",
        str(data),
        "--json",
        data_dir=data,
    )
    return {"result": result, "out": out, "data": data}


# ------------------------------------------------------------------------------------- outputs


def test_run_prints_one_json_summary(nk1_run: dict) -> None:
    result = nk1_run["result"]
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    summary = json.loads(result.stdout)
    assert isinstance(summary, dict)
    assert SUMMARY_KEYS <= set(summary)
    assert summary["scenario"] == "nk-1"
    assert summary["trials"] == 200 and summary["seed"] == 3
    assert isinstance(summary["version"], str) and summary["version"]
    assert summary["threat_objects"] == 1
    p = summary["p_no_leak"]
    lo, hi = p["ci95"]
    assert 0.0 <= lo <= p["mean"] <= hi <= 1.0
    assert summary["expected_leakers"] == pytest.approx(1.0 - p["mean"])  # one object: leakers in {0, 1}
    assert set(summary["interceptors_fired"]) == {"gbi"}
    assert summary["interceptors_fired"]["gbi"] > 0
    assert set(summary["kills_by_layer"]) == {"midcourse"}
    assert summary["kills_by_layer"]["midcourse"] == pytest.approx(p["mean"])
    assert summary["wall_s"] >= 0.0
    assert summary == json.loads((nk1_run["out"] / "summary.json").read_text())


def test_run_writes_its_files(nk1_run: dict) -> None:
    out = nk1_run["out"]
    for name in ("summary.json", "report.html", "scene.czml", *(f"{t}.parquet" for t in TABLES)):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert "nk-1" in (out / "report.html").read_text(encoding="utf-8")
    assert pq.read_table(out / "trials.parquet").num_rows == 200
    assert pq.read_table(out / "objects.parquet").num_rows == 1


def test_runs_lists_the_run_from_a_duckdb_catalogue(nk1_run: dict) -> None:
    data = nk1_run["data"]
    catalogue = data / "runs.duckdb"
    assert catalogue.is_file()
    import duckdb

    with duckdb.connect(str(catalogue), read_only=True) as con:  # a real DuckDB file
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    result = _cli("runs", "--json", "--data-dir", str(data), data_dir=data)
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert len(listing["runs"]) == 1
    row = listing["runs"][0]
    summary = json.loads((nk1_run["out"] / "summary.json").read_text())
    assert row["scenario"] == "nk-1" and row["trials"] == 200 and row["seed"] == 3
    assert row["p_no_leak"] == pytest.approx(summary["p_no_leak"]["mean"])
    assert Path(row["out_dir"]) == nk1_run["out"].resolve()


def test_runs_with_an_empty_data_dir_lists_nothing(tmp_path: Path) -> None:
    result = _cli("runs", "--json", "--data-dir", str(tmp_path / "empty"), data_dir=tmp_path / "empty")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["runs"] == []


def test_shot_and_kill_accounting_per_trial(nk1_run: dict) -> None:
    """trials.parquet agrees with engagements.parquet trial by trial (nk-1: one threat object)."""
    out = nk1_run["out"]
    trials = pq.read_table(out / "trials.parquet").to_pydict()
    eng = pq.read_table(out / "engagements.parquet").to_pydict()
    n = len(trials["trial"])
    assert trials["trial"] == list(range(n))
    shots = np.zeros(n, dtype=np.int64)
    kills = np.zeros(n, dtype=np.int64)
    np.add.at(shots, eng["trial"], eng["shots"])
    np.add.at(kills, eng["trial"], np.asarray(eng["killed"], dtype=np.int64))
    assert len(eng["trial"]) > 0 and min(eng["shots"]) >= 1
    assert np.array_equal(np.asarray(trials["shots_fired"]), shots)
    assert np.array_equal(np.asarray(trials["objects_killed"]), kills)
    summary = json.loads((out / "summary.json").read_text())
    leakers = np.asarray(trials["leakers"])
    assert np.all(leakers + np.asarray(trials["objects_killed"]) == summary["threat_objects"])
    assert np.mean(leakers == 0) == pytest.approx(summary["p_no_leak"]["mean"])
    assert np.mean(trials["shots_fired"]) == pytest.approx(summary["interceptors_fired"]["gbi"])
    # an object is killed at most once: by the last engagement against it, and then never engaged again
    for t in np.flatnonzero(kills):
        rows = [i for i, trial in enumerate(eng["trial"]) if trial == t]
        killed = [eng["killed"][i] for i in rows]
        assert killed.count(True) == 1 and killed[-1]


# ------------------------------------------------------------------------------- reproducibility


@pytest.fixture(scope="module")
def chunked_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """300 trials in chunks of 50 with seed 7: one worker, two workers; and seed 8 with one worker."""
    base = tmp_path_factory.mktemp("chunked")
    scenario = _chunked_copy(base)
    data = base / "data"
    outs = {"w1": base / "w1", "w2": base / "w2", "seed8": base / "seed8"}
    _run(scenario, outs["w1"], data, "--trials", "300", "--seed", "7", "--workers", "1")
    _run(scenario, outs["w2"], data, "--trials", "300", "--seed", "7", "--workers", "2")
    _run(scenario, outs["seed8"], data, "--trials", "300", "--seed", "8", "--workers", "1")
    return outs


def test_several_chunks_were_made(chunked_runs: dict[str, Path]) -> None:
    for out in chunked_runs.values():
        assert len(list((out / "chunks").glob("chunk-*.npz"))) == 6


def test_same_seed_same_result_with_one_or_two_workers(chunked_runs: dict[str, Path]) -> None:
    w1, w2 = chunked_runs["w1"], chunked_runs["w2"]
    assert _summary_without_wall(w1) == _summary_without_wall(w2)
    for table in TABLES:
        a, b = pq.read_table(w1 / f"{table}.parquet"), pq.read_table(w2 / f"{table}.parquet")
        assert a.schema.equals(b.schema), table
        assert a.equals(b), table


def test_different_seed_different_result(chunked_runs: dict[str, Path]) -> None:
    w1, other = chunked_runs["w1"], chunked_runs["seed8"]
    assert _summary_without_wall(w1) != _summary_without_wall(other)
    assert not pq.read_table(w1 / "trials.parquet").equals(pq.read_table(other / "trials.parquet"))
    assert not pq.read_table(w1 / "engagements.parquet").equals(pq.read_table(other / "engagements.parquet"))


# ----------------------------------------------------------------------------------------- resume


def test_resume_recomputes_only_the_missing_chunk(tmp_path: Path) -> None:
    scenario = _chunked_copy(tmp_path)
    out, data = tmp_path / "out", tmp_path / "data"
    args = ("--trials", "200", "--seed", "11")
    _run(scenario, out, data, *args)
    first = _summary_without_wall(out)
    first_tables = {t: pq.read_table(out / f"{t}.parquet") for t in TABLES}
    chunks = sorted((out / "chunks").glob("chunk-*.npz"))
    assert len(chunks) == 4
    removed = chunks[1]
    kept = {c: (c.stat().st_mtime_ns, c.read_bytes()) for c in chunks if c != removed}
    # make any rewrite visible in the mtime even on a coarse-grained file system
    for c in kept:
        os.utime(c, ns=(1_000_000_000, 1_000_000_000))
    kept = {c: (c.stat().st_mtime_ns, content) for c, (_, content) in kept.items()}
    (out / "summary.json").unlink()
    removed.unlink()

    _run(scenario, out, data, *args)
    assert _summary_without_wall(out) == first
    for t in TABLES:
        assert pq.read_table(out / f"{t}.parquet").equals(first_tables[t]), t
    assert removed.is_file(), "the missing chunk was not recomputed"
    for c, (mtime, content) in kept.items():
        assert c.stat().st_mtime_ns == mtime, f"{c.name} was rewritten"
        assert c.read_bytes() == content


def test_changed_seed_does_not_reuse_checkpoints(tmp_path: Path) -> None:
    """Chunks are keyed by seed: a second run into the same folder with another seed recomputes them."""
    scenario = _chunked_copy(tmp_path)
    out, data = tmp_path / "out", tmp_path / "data"
    _run(scenario, out, data, "--trials", "100", "--seed", "1")
    first = pq.read_table(out / "trials.parquet")
    summary = _run(scenario, out, data, "--trials", "100", "--seed", "2")
    assert summary["seed"] == 2
    assert not pq.read_table(out / "trials.parquet").equals(first), "seed-1 chunks were reused for seed 2"
