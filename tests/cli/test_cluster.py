"""Runs and sweeps on a real Dask cluster (a LocalCluster of two worker processes on loopback).

One worker is killed with SIGKILL mid-run: the scheduler reruns its tasks on the other worker (or on
the one its nanny restarts), and the answer must be identical to the same run with one process, chunk
by chunk for a run and row by row for a sweep. Also: ``--workers`` and ``--cluster`` together, and a
malformed spec, are clear errors; ``domesim run --cluster local:2`` prints the dashboard and the same
summary as ``--workers 1``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from domesim.errors import ParameterError
from domesim.montecarlo.executors import open_executor
from domesim.results.run import run_scenario
from domesim.results.store import RunCatalogue
from domesim.scenario.loader import load_scenario
from domesim.studies.sweep import SweepStore, load_sweep, run_sweep

distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[2]


def _chunked_nk1(folder: Path, chunk_trials: int = 10) -> Path:
    """nk-1 with small chunks, so a run of a few dozen trials is many tasks."""
    text = (REPO / "examples" / "nk-1.toml").read_text(encoding="utf-8")
    path = folder / "nk-1.toml"
    path.write_text(text.replace("\n[montecarlo]\n", f"\n[montecarlo]\nchunk_trials = {chunk_trials}\n"))
    return path


class _KillOneWorker:
    """Called as each result arrives; at the first, SIGKILLs one worker process of the executor's cluster."""

    def __init__(self) -> None:
        self.client: distributed.Client | None = None
        self.killed: int | None = None

    def __call__(self, *args: object) -> None:
        if self.killed is None and self.client is not None:
            self.killed = min(self.client.run(os.getpid).values())
            os.kill(self.killed, signal.SIGKILL)


@pytest.fixture
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


@pytest.mark.slow
def test_run_survives_a_killed_worker_with_the_same_answer(tmp_path: Path, cluster) -> None:
    loaded = load_scenario(_chunked_nk1(tmp_path), trials=60, seed=7)
    alone = run_scenario(loaded)
    kill = _KillOneWorker()
    with open_executor(cluster=cluster.scheduler_address) as executor:
        kill.client = executor.client
        spread = run_scenario(loaded, executor=executor, checkpoint_dir=tmp_path / "chunks", on_chunk=kill)
        assert kill.killed is not None
        # it died (its nanny started another in its place)
        assert kill.killed not in executor.client.run(os.getpid).values()
    assert len(list((tmp_path / "chunks").glob("chunk-*.npz"))) == 6
    for name, table in alone.tables.items():
        for column, values in table.items():
            np.testing.assert_array_equal(spread.tables[name][column], values, err_msg=f"{name}.{column}")
    strip = ("wall_s",)
    assert {k: v for k, v in spread.summary.items() if k not in strip} == {
        k: v for k, v in alone.summary.items() if k not in strip
    }


SWEEP = """
[sweep]
name = "cluster"
scenario = "nk-1.toml"
trials = 12
seed = 5
method = "grid"

[[parameter]]
key = "interceptor_site[gbi_fort_greely].inventory"
values = [0, 2, 4]

[[parameter]]
key = "doctrine.salvo_size"
values = [1, 2]
"""


@pytest.mark.slow
def test_sweep_survives_a_killed_worker_with_the_same_rows(tmp_path: Path, cluster) -> None:
    _chunked_nk1(tmp_path)
    (tmp_path / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    sweep = load_sweep(tmp_path / "sweep.toml")
    alone = run_sweep(sweep, SweepStore(RunCatalogue(tmp_path / "alone.duckdb")))
    kill = _KillOneWorker()
    with open_executor(cluster=cluster.scheduler_address) as executor:
        kill.client = executor.client
        store = SweepStore(RunCatalogue(tmp_path / "spread.duckdb"))
        spread = run_sweep(sweep, store, executor, on_point=kill)
    assert kill.killed is not None
    varying = ("wall_s", "created_utc")
    assert [{k: v for k, v in r.items() if k not in varying} for r in spread] == [
        {k: v for k, v in r.items() if k not in varying} for r in alone
    ]
    stored = SweepStore(RunCatalogue(tmp_path / "spread.duckdb")).done(sweep.sweep_id)
    assert sorted(stored) == list(range(6))  # every point stored once


def test_cluster_options_are_checked() -> None:
    with pytest.raises(ParameterError, match="not both"), open_executor(workers=2, cluster="local:2"):
        pass
    for spec in ("local:0", "local:x", "udp://host:1", "local"):
        with pytest.raises(ParameterError, match="--cluster"), open_executor(cluster=spec):
            pass


@pytest.mark.slow
def test_cli_run_on_a_local_cluster_gives_the_one_process_summary(tmp_path: Path) -> None:
    path = _chunked_nk1(tmp_path, 20)
    env = {**os.environ, "DOMESIM_DATA_DIR": str(tmp_path / "data")}

    def run(*options: str) -> dict:
        out = tmp_path / "out" / "-".join(options).replace(":", "")
        cmd = [sys.executable, "-m", "domesim.cli", "run", str(path), "--trials", "40", "--out", str(out)]
        result = subprocess.run([*cmd, *options, "--json"], capture_output=True, text=True, env=env, cwd=REPO)
        assert result.returncode == 0, result.stderr
        run.stderr = result.stderr  # type: ignore[attr-defined]
        summary = json.loads(result.stdout)
        summary.pop("wall_s")
        shutil.rmtree(out)
        return summary

    alone = run("--workers", "1")
    spread = run("--cluster", "local:2")
    assert "dashboard: http://127.0.0.1:" in run.stderr.replace("\n", "")  # type: ignore[attr-defined]
    assert spread == alone
