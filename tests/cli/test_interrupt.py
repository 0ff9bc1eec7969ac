"""Interrupting a run with workers: SIGTERM stops the workers and keeps the finished chunks (the same
command resumes); ``kill -9`` of the run leaves no worker process behind (local processes or a Dask
LocalCluster). Linux: descendants are found through /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc"),
]


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _descendants(root: int) -> set[int]:
    parents = {int(p.name): _parent_of(int(p.name)) for p in Path("/proc").iterdir() if p.name.isdigit()}
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":  # a zombie has exited; only its parent's wait is missing
            alive.add(pid)
    return alive


def _start_run(tmp_path: Path, *options: str) -> tuple[subprocess.Popen, Path, list[str]]:
    text = (REPO / "examples" / "nk-1.toml").read_text(encoding="utf-8")
    scenario = tmp_path / "nk-1.toml"
    scenario.write_text(text.replace("\n[montecarlo]\n", "\n[montecarlo]\nchunk_trials = 20\n"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "domesim.cli", "run", str(scenario), "--trials", "3000", "--out", str(out)]
    cmd += [*options, "--data-dir", str(tmp_path / "data")]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not list((out / "chunks").glob("chunk-*.npz")):  # wait until the workers have finished a chunk
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "no chunk finished in 240 s"
        time.sleep(0.2)
    return proc, out, cmd


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(pids)


def test_sigterm_stops_the_workers_and_the_same_command_resumes(tmp_path: Path) -> None:
    proc, out, cmd = _start_run(tmp_path, "--workers", "2")
    workers = _descendants(proc.pid)
    assert workers, "the run has worker processes"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 130
    assert "finished chunks are kept" in (proc.stderr.read() if proc.stderr else "")
    assert not _gone_within(workers, 10), "worker processes outlived the run"
    kept = len(list((out / "chunks").glob("chunk-*.npz")))
    assert 1 <= kept < 150
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert len(list((out / "chunks").glob("chunk-*.npz"))) == 150


@pytest.mark.parametrize("options", [("--workers", "2"), ("--cluster", "local:2")], ids=["processes", "dask"])
def test_kill_9_leaves_no_worker_behind(tmp_path: Path, options: tuple[str, str]) -> None:
    proc, _, _ = _start_run(tmp_path, *options)
    workers = _descendants(proc.pid)
    assert workers, "the run has worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert not _gone_within(workers, 10), "worker processes outlived the run"
