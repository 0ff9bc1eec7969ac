"""Where tasks run: in this process, in local worker processes, or on a Dask cluster.

A task is a module-level function applied to one shared object (the World of a run, the Sweep of a
sweep) and the task's own arguments. Results come back as each task finishes, in any order, tagged with
the task's index: callers store each one at once (a chunk checkpoint, a catalogue row), so a lost
worker or an interruption costs only the tasks in flight, and they order results by index, so the
answer never depends on where or in what order tasks ran.

Executors are opened by :func:`open_executor` from the command line's ``--workers N`` (local
processes) or ``--cluster SPEC`` (Dask). Cluster kinds are a registry keyed by the spec's scheme:
``local:N`` starts a :class:`distributed.LocalCluster` of N single-threaded worker processes on the
loopback interface; ``tcp://HOST:PORT`` connects to a running Dask scheduler. A lost Dask worker's
tasks are rerun elsewhere by the scheduler (they are pure functions of their arguments); a task that
raises is an error, never retried silently.

Worker processes die with the process that started them: on Linux each asks the kernel for SIGKILL when
its parent goes (``PR_SET_PDEATHSIG``), so even ``kill -9`` of a run leaves no worker behind; Ctrl-C and
SIGTERM terminate them before the run exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Protocol

from domesim.errors import ParameterError

Task = Callable[..., Any]


class Executor(Protocol):
    """Runs ``fn(shared, *args)`` for each ``args`` of ``tasks``; yields ``(index, result)`` as each
    finishes."""

    description: str  # for messages: "in this process", "2 local worker processes", "Dask at ..."
    dashboard: str | None  # the Dask dashboard's address, where there is one

    def run(self, fn: Task, shared: Any, tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]: ...


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent exits (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _init_worker(threads: int) -> None:
    import numba

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends the workers
    numba.set_num_threads(threads)


@dataclass
class InProcess:
    """Every task in this process, in index order."""

    description: str = "in this process"
    dashboard: str | None = None

    def run(self, fn: Task, shared: Any, tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        for index, args in enumerate(tasks):
            yield index, fn(shared, *args)


@dataclass
class LocalProcesses:
    """Tasks spread over ``workers`` local processes (spawned: forking after numba's threads have
    started is unsafe), each given an equal share of the cores for numba's threads. The pool starts at
    the first task and serves every later call until :meth:`close` (a search calls it many times)."""

    workers: int
    dashboard: str | None = None
    description: str = field(init=False)
    _pool: ProcessPoolExecutor | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.description = f"{self.workers} local worker processes"

    def run(self, fn: Task, shared: Any, tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        if len(tasks) <= 1 and self._pool is None:
            yield from InProcess().run(fn, shared, tasks)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(max(1, (os.cpu_count() or 1) // self.workers),),
            )
        running = {self._pool.submit(fn, shared, *args): index for index, args in enumerate(tasks)}
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield running.pop(future), future.result()
        except BaseException:
            # Interrupted, or a task failed: end the workers now rather than wait for their tasks.
            self.close(terminate=True)
            raise

    def close(self, terminate: bool = False) -> None:
        if self._pool is None:
            return
        if terminate:
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None


@dataclass
class DaskCluster:
    """Tasks on a Dask cluster through ``client``; ``cluster`` is the LocalCluster this run started
    (closed with the executor), None for a cluster someone else runs."""

    client: Any
    cluster: Any = None
    numba_threads: int | None = None  # numba's threads in each task (None: the workers' own setting)
    description: str = field(init=False)
    dashboard: str | None = field(init=False)

    def __post_init__(self) -> None:
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.description = f"Dask at {self.client.scheduler.address} ({workers} worker{'s' * (workers != 1)})"
        self.dashboard = self.client.dashboard_link

    def run(self, fn: Task, shared: Any, tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        # The shared object goes to every worker once, not with each task.
        shared_future = self.client.scatter(shared, broadcast=True, hash=False)
        futures = [
            self.client.submit(_in_numba_threads, self.numba_threads, fn, shared_future, *args, pure=False)
            for args in tasks
        ]
        index = {future.key: i for i, future in enumerate(futures)}
        arriving = as_completed(futures)
        try:
            for future in arriving:
                try:
                    result = future.result()
                except Exception:
                    if future.status == "error":  # the task itself raised: an error, never retried
                        raise
                    arriving.add(future)  # its result was on a worker that died: computed again
                    continue
                yield index[future.key], result
        finally:
            self.client.cancel(futures + [shared_future])

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _in_numba_threads(threads: int | None, fn: Task, shared: Any, *args: Any) -> Any:
    """``fn(shared, *args)`` with numba's kernels on ``threads`` threads: a Dask task runs in a thread of
    its worker, and numba's setting holds for the thread that makes it."""
    if threads is not None:
        import numba

        numba.set_num_threads(threads)
    return fn(shared, *args)


def _local_cluster(rest: str) -> DaskCluster:
    if not rest.isdigit() or not 1 <= int(rest) <= 512:
        raise ParameterError(f"--cluster local:N needs a worker count N from 1 to 512, not {rest!r}")
    import logging

    from distributed import Client, LocalCluster

    from domesim.montecarlo.dask_worker import DieWithParent

    workers = int(rest)
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",  # loopback only: nothing outside this machine can reach the workers
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    client.register_plugin(DieWithParent(), name="domesim-die-with-parent")
    # numba's threads share this machine's cores among the workers
    return DaskCluster(client, cluster, numba_threads=max(1, (os.cpu_count() or 1) // workers))


def _remote_cluster(address: str) -> DaskCluster:
    from distributed import Client

    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise ParameterError(f"--cluster {address}: no Dask scheduler answered ({exc})") from None
    return DaskCluster(client)


# --cluster SPEC: the spec's scheme -> how to open that kind of cluster (given the whole spec or the rest)
CLUSTER_KINDS: dict[str, Callable[[str], DaskCluster]] = {
    "local": lambda spec: _local_cluster(spec.partition(":")[2]),
    "tcp": _remote_cluster,
}


@contextlib.contextmanager
def open_executor(workers: int = 1, cluster: str | None = None) -> Iterator[Executor]:
    """The executor for ``--workers`` / ``--cluster`` (at most one of them), closed on exit.

    Raises
    ------
    ParameterError
        A malformed cluster spec, both options given, or no scheduler at the address.
    """
    if cluster is None and workers <= 1:
        yield InProcess()
        return
    if cluster is None:
        processes = LocalProcesses(workers)
        try:
            yield processes
        finally:
            processes.close()
        return
    if workers > 1:
        raise ParameterError("give --workers or --cluster, not both (a cluster's workers are its own)")
    scheme = cluster.partition(":")[0]
    if scheme not in CLUSTER_KINDS:
        raise ParameterError(
            f"--cluster {cluster!r}: expected local:N (N worker processes on this machine) or "
            "tcp://HOST:PORT (a running Dask scheduler)"
        )
    executor = CLUSTER_KINDS[scheme](cluster)
    try:
        yield executor
    finally:
        executor.close()
