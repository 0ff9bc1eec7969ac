"""The set-up of each worker of a Dask LocalCluster that a run starts (imported only with ``--cluster``,
since importing Dask takes about a second)."""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

from domesim.montecarlo.executors import die_with_parent


class DieWithParent(WorkerPlugin):
    """Each worker dies with the process that started the cluster (no orphan after ``kill -9``)."""

    def setup(self, worker: Any) -> None:
        die_with_parent()
