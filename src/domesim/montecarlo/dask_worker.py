"""The set-up of each worker of a Dask LocalCluster that a run starts (imported only with ``--cluster``,
since importing Dask takes about a second)."""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

from domesim.montecarlo.executors import die_with_parent


class WorkerSetup(WorkerPlugin):
    """numba's threads share the machine's cores among the workers, and each worker dies with the
    process that started the cluster (no orphan after ``kill -9``)."""

    def __init__(self, threads: int):
        self.threads = threads

    def setup(self, worker: Any) -> None:
        import numba

        die_with_parent()
        numba.set_num_threads(self.threads)
