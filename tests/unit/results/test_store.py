"""Tests of Parquet tables and the DuckDB run catalogue in domesim.results.store."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from domesim.errors import ParameterError
from domesim.results.store import RunCatalogue, default_data_dir, read_table, write_tables


def _tables() -> dict[str, dict[str, np.ndarray]]:
    return {
        "trials": {
            "trial": np.arange(4, dtype=np.int64),
            "leakers": np.array([0, 1, 0, 2], dtype=np.int32),
            "shots_gbi": np.array([2, 2, 4, 0], dtype=np.int32),
        },
        "engagements": {
            "trial": np.array([0, 0, 2], dtype=np.int64),
            "site": np.array(["Fort Greely", "Vandenberg", "Fort Greely"]),
            "killed": np.array([True, False, True]),
            "intercept_alt_km": np.array([250.0, np.nan, 310.5]),
        },
        "objects": {"object": np.array([], dtype=np.int32), "name": np.array([], dtype=str)},
    }


def test_write_read_round_trip(tmp_path: Path) -> None:
    tables = _tables()
    paths = write_tables(tmp_path / "run", tables)
    assert set(paths) == set(tables)
    for name, columns in tables.items():
        assert paths[name] == tmp_path / "run" / f"{name}.parquet"
        back = read_table(paths[name])
        assert list(back) == list(columns)
        for key, col in columns.items():
            assert back[key].dtype.kind == col.dtype.kind, (name, key)
            assert back[key].dtype == col.dtype or col.dtype.kind == "U"
            np.testing.assert_array_equal(back[key], col)
    # Only the Parquet files remain: the temporary files were moved into place.
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == sorted(f"{n}.parquet" for n in tables)


def test_write_replaces_existing_file(tmp_path: Path) -> None:
    write_tables(tmp_path, {"t": {"a": np.arange(5)}})
    write_tables(tmp_path, {"t": {"a": np.arange(2)}})
    np.testing.assert_array_equal(read_table(tmp_path / "t.parquet")["a"], [0, 1])


@pytest.mark.parametrize(
    "tables",
    [
        {"t": {"a": np.arange(3), "b": np.arange(4)}},
        {"t": {"a": np.zeros((2, 2))}},
        {"../escape": {"a": np.arange(3)}},
    ],
)
def test_write_rejects_bad_tables_without_writing(tmp_path: Path, tables: dict) -> None:
    with pytest.raises(ParameterError):
        write_tables(tmp_path, {"good": {"a": np.arange(3)}, **tables})
    assert list(tmp_path.iterdir()) == []


def _row(run_id: str, created: datetime, p: float) -> dict:
    return {
        "run_id": run_id,
        "created_utc": created,
        "scenario": "demo",
        "scenario_hash": "abc123",
        "seed": np.int64(7),
        "trials": 1000,
        "version": "0.1.0",
        "git_hash": "deadbeef",
        "p_no_leak": np.float64(p),
        "p_no_leak_lo": p - 0.01,
        "p_no_leak_hi": p + 0.01,
        "expected_leakers": 0.2,
        "wall_s": 1.5,
        "out_dir": Path("/tmp/runs") / run_id,
    }


def test_catalogue_lists_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "data" / "runs.duckdb"
    cat = RunCatalogue(path)
    t0 = datetime(2025, 5, 20, 12, 0, tzinfo=UTC)
    cat.add_run(_row("older", t0, 0.9))
    cat.add_run(_row("newer", t0 + timedelta(minutes=5), 0.8))
    assert path.is_file()
    runs = RunCatalogue(path).list_runs()
    assert [r["run_id"] for r in runs] == ["newer", "older"]
    assert runs[0]["p_no_leak"] == 0.8 and runs[0]["seed"] == 7 and runs[0]["out_dir"] == "/tmp/runs/newer"
    assert runs[1]["created_utc"] == datetime(2025, 5, 20, 12, 0)
    assert [r["run_id"] for r in cat.list_runs(limit=1)] == ["newer"]


def test_catalogue_defaults_and_query(tmp_path: Path) -> None:
    cat = RunCatalogue(tmp_path / "runs.duckdb")
    cat.add_run({"run_id": "a", "scenario": "x", "p_no_leak": 0.5})
    cat.add_run({"run_id": "b", "scenario": "x", "p_no_leak": 0.7})
    assert [r["run_id"] for r in cat.list_runs()] == ["b", "a"]  # same-tick ties: insertion order
    rows = cat.query("SELECT scenario, round(avg(p_no_leak), 3) AS p FROM runs GROUP BY scenario")
    assert rows == [{"scenario": "x", "p": 0.6}]
    assert cat.list_runs()[0]["created_utc"] is not None


def test_catalogue_rejects_bad_rows(tmp_path: Path) -> None:
    cat = RunCatalogue(tmp_path / "runs.duckdb")
    cat.add_run({"run_id": "a"})
    with pytest.raises(ParameterError, match="already"):
        cat.add_run({"run_id": "a"})
    with pytest.raises(ParameterError, match="unknown"):
        cat.add_run({"run_id": "b", "colour": "red"})
    with pytest.raises(ParameterError, match="run_id"):
        cat.add_run({"scenario": "x"})


def test_catalogue_shared_with_another_process(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    RunCatalogue(path).add_run({"run_id": "here"})
    code = (
        "import sys; from domesim.results.store import RunCatalogue; "
        "RunCatalogue(sys.argv[1]).add_run({'run_id': 'there'})"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    assert {r["run_id"] for r in RunCatalogue(path).list_runs()} == {"here", "there"}


def test_default_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOMESIM_DATA_DIR", str(tmp_path / "d"))
    assert default_data_dir() == tmp_path / "d"
    monkeypatch.delenv("DOMESIM_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "domesim"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "domesim"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "domesim"


def test_catalogue_waits_for_a_lock_held_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    RunCatalogue(path)
    hold = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "print('locked', flush=True); time.sleep(0.5)"
    )
    with subprocess.Popen([sys.executable, "-c", hold, str(path)], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        RunCatalogue(path).add_run({"run_id": "after-wait"})
    assert [r["run_id"] for r in RunCatalogue(path).list_runs()] == ["after-wait"]
