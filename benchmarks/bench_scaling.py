"""Scale-out on Dask: a sweep on a LocalCluster of 1 and of 2 workers (parallel efficiency), the cost
of one task to the scheduler (per-task overhead), and what those figures project for a 64-worker
cluster.

Set-up: the sweep is nk-1 (examples/nk-1.toml) over GBI inventories {0, 2, 4, 6, 8, 10} x salvo size
{1, 2}: 12 points of ``TRIALS`` trials each, seed 1, every point costed and simulated (one task per
point, each result stored in a DuckDB catalogue as it arrives, exactly as ``domesim sweep --cluster``
does). Each configuration runs into a fresh catalogue, so no point is read back. Each worker runs
numba's kernels on one thread in both clusters (``--cluster local:1`` would give its one worker every
core of the machine), so the speed-up measures the spreading of tasks over workers. The clusters are
started before the clock starts (start-up is reported apart) and warmed with one point so that no
timed task waits for numba's cache. Candidates alternate (1, 2, 1, 2, ...) as in the harness;
``REPEATS`` sweeps each, median reported. The rows of both must be identical (checked).

Per-task overhead: ``OVERHEAD_TASKS`` no-op tasks (a module-level function returning its argument)
submitted at once to the 2-worker cluster, wall time / tasks. A point's own work is measured in the
1-worker sweep (wall / points).

Projection for N workers: ``T(N) = startup + ceil(P / N) * t_point + P * t_task``, where the last term
is the scheduler's serial cost of P tasks; written for a 10,000-point sweep at N = 64. The projection
assumes points of equal cost and a scheduler that is not the bottleneck; it ignores data transfer
(a point's result is one row).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import harness
from domesim.montecarlo.executors import DaskCluster
from domesim.results.store import RunCatalogue
from domesim.studies.sweep import SweepStore, load_sweep, run_sweep

REPO = Path(__file__).resolve().parents[1]
TRIALS = 200
REPEATS = 3
OVERHEAD_TASKS = 500
PROJECTED_POINTS, PROJECTED_WORKERS = 10_000, 64

SWEEP = f"""
[sweep]
name = "bench-scaling"
scenario = "nk-1.toml"
trials = {TRIALS}
seed = 1
method = "grid"

[[parameter]]
key = "interceptor_site[gbi_fort_greely].inventory"
values = [0, 2, 4, 6, 8, 10]

[[parameter]]
key = "doctrine.salvo_size"
values = [1, 2]
"""


@contextlib.contextmanager
def one_thread_workers(n: int):
    """A LocalCluster of ``n`` workers as ``--cluster local:N`` starts it, but each worker's numba kernels
    on one thread: a worker is then one core in both configurations, so the speed-up measures the
    spreading of tasks, not numba's threads (``local:1`` on this machine would give its worker both cores)."""
    import logging

    from distributed import Client, LocalCluster

    from domesim.montecarlo.dask_worker import DieWithParent

    cluster = LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )  # fmt: skip
    client = Client(cluster)
    client.register_plugin(DieWithParent(), name="domesim-die-with-parent")
    executor = DaskCluster(client, cluster, numba_threads=1)
    try:
        yield executor
    finally:
        executor.close()


def echo(shared: None, x: int) -> int:
    return x


def _timed_sweep(sweep, executor, folder: Path, tag: str) -> tuple[float, list[dict]]:
    store = SweepStore(RunCatalogue(folder / f"{tag}.duckdb"))
    started = time.perf_counter()
    rows = run_sweep(sweep, store, executor)
    return time.perf_counter() - started, rows


def main(quick: bool) -> None:
    repeats = 1 if quick else REPEATS
    print("== scale-out on Dask: a 12-point sweep on 1 and 2 LocalCluster workers ==")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(REPO / "examples" / "nk-1.toml", folder / "nk-1.toml")
        (folder / "sweep.toml").write_text(SWEEP, encoding="utf-8")
        sweep = load_sweep(folder / "sweep.toml")
        walls: dict[int, list[float]] = {1: [], 2: []}
        rows: dict[int, list[dict]] = {}
        startup: dict[int, float] = {}
        executors = {}
        with contextlib.ExitStack() as stack:
            for n in (1, 2):
                started = time.perf_counter()
                executors[n] = stack.enter_context(one_thread_workers(n))
                startup[n] = time.perf_counter() - started
                # warm every worker's imports and numba cache: one point per worker, not timed
                warm = dataclasses.replace(sweep, points=sweep.points[:n], sweep_id=f"warm{n}")
                run_sweep(warm, SweepStore(RunCatalogue(folder / f"warm{n}.duckdb")), executors[n])
            for r in range(repeats):
                for n in (1, 2):
                    time.sleep(0.3)
                    wall, rows[n] = _timed_sweep(sweep, executors[n], folder, f"n{n}-r{r}")
                    walls[n].append(wall)
            started = time.perf_counter()
            results = dict(executors[2].run(echo, None, [(i,) for i in range(OVERHEAD_TASKS)]))
            per_task = (time.perf_counter() - started) / OVERHEAD_TASKS
            assert results == {i: i for i in range(OVERHEAD_TASKS)}
    varying = ("wall_s", "created_utc")
    same = [{k: v for k, v in row.items() if k not in varying} for row in rows[1]] == [
        {k: v for k, v in row.items() if k not in varying} for row in rows[2]
    ]
    t1, t2 = statistics.median(walls[1]), statistics.median(walls[2])
    points = len(sweep.points)
    t_point = t1 / points
    print(f"cluster start-up: 1 worker {startup[1]:.1f} s, 2 workers {startup[2]:.1f} s (not timed below)")
    print(f"sweep of {points} points x {TRIALS} trials, median of {repeats}:")
    print(f"  1 worker : {t1:6.2f} s  [{min(walls[1]):.2f} - {max(walls[1]):.2f}]  ({t_point:.2f} s a point)")
    print(f"  2 workers: {t2:6.2f} s  [{min(walls[2]):.2f} - {max(walls[2]):.2f}]")
    print(f"  speed-up {t1 / t2:.2f}x, parallel efficiency {t1 / (2 * t2):.0%}; rows identical: {same}")
    print(f"per-task overhead ({OVERHEAD_TASKS} no-op tasks on 2 workers): {per_task * 1e3:.2f} ms a task")
    n, p = PROJECTED_WORKERS, PROJECTED_POINTS
    projected = startup[2] + math.ceil(p / n) * t_point + p * per_task
    print(
        f"projection, {p:,} points on {n} workers of this speed: {startup[2]:.0f} s start-up + "
        f"{math.ceil(p / n)} x {t_point:.2f} s + {p:,} x {per_task * 1e3:.2f} ms = {projected / 60:.1f} min "
        f"(one worker: {p * t_point / 3600:.1f} h; efficiency {p * t_point / (n * projected):.0%})"
    )
    if not same:
        raise SystemExit("the 1- and 2-worker sweeps gave different rows")
    print(f"CPU PSI some at end: {harness.cpu_psi() or 'not readable'}")


if __name__ == "__main__":
    main(harness.parse_quick(__doc__ or ""))
