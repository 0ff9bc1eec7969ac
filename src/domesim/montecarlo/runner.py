"""Chunked Monte Carlo: trials split into fixed chunks, run by an executor (in this process, in local
processes or on a Dask cluster: :mod:`domesim.montecarlo.executors`).

The chunk plan depends only on (trials, chunk_trials), and each chunk draws from its own named
streams (:mod:`domesim.core.rng`), so results are identical for any executor and number of workers.
Each finished chunk is written to the checkpoint folder at once (atomically); a run that is
interrupted or fails keeps them, and the same command picks them up again instead of recomputing them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from domesim.engine.simulate import simulate_chunk, trials_per_chunk
from domesim.engine.world import World
from domesim.montecarlo.executors import Executor, InProcess

PER_TRIAL_PREFIX = "eng_"  # arrays named eng_* are per engagement; the others have a leading trial axis


def chunk_plan(trials: int, chunk_trials: int) -> list[tuple[int, int, int]]:
    """(chunk index, first trial, number of trials) for each chunk.

    >>> chunk_plan(250, 100)
    [(0, 0, 100), (1, 100, 100), (2, 200, 50)]
    """
    return [
        (i, start, min(chunk_trials, trials - start))
        for i, start in enumerate(range(0, trials, chunk_trials))
    ]


class Checkpoint:
    """Finished chunks of one run on disk, keyed by everything that determines their content."""

    def __init__(self, folder: Path | None, key: dict):
        self.folder = folder
        if folder is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        key_file = folder / "key.json"
        if key_file.exists() and json.loads(key_file.read_text()) != key:
            for old in folder.glob("chunk-*.npz"):  # another scenario, seed or version: start afresh
                old.unlink()
        key_file.write_text(json.dumps(key, sort_keys=True))

    def path(self, chunk: int) -> Path:
        assert self.folder is not None
        return self.folder / f"chunk-{chunk:05d}.npz"

    def load(self, chunk: int) -> dict[str, np.ndarray] | None:
        if self.folder is None or not self.path(chunk).exists():
            return None
        with np.load(self.path(chunk)) as data:
            return {name: data[name] for name in data.files}

    def save(self, chunk: int, log: dict[str, np.ndarray]) -> None:
        if self.folder is None:
            return
        tmp = self.path(chunk).with_suffix(".tmp.npz")
        np.savez(tmp, **log)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
        os.replace(tmp, self.path(chunk))


def run_trials(
    world: World,
    trials: int,
    seed: int,
    chunk_trials: int = 100,
    executor: Executor | None = None,
    checkpoint_dir: Path | None = None,
    checkpoint_key: dict | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Run every chunk (reusing checkpointed ones) and merge them in chunk order.

    ``executor`` runs the chunks (:mod:`domesim.montecarlo.executors`; default: in this process); each
    chunk is checkpointed as it arrives. ``on_chunk(n_trials)`` is called as each chunk finishes (for
    progress bars).
    """
    chunk_trials = trials_per_chunk(world, chunk_trials)  # bounded by memory; the same for any executor
    plan = chunk_plan(trials, chunk_trials)
    checkpoint = Checkpoint(
        checkpoint_dir, dict(checkpoint_key or {}, trials=trials, seed=seed, chunk_trials=chunk_trials)
    )
    logs: dict[int, dict[str, np.ndarray]] = {}
    todo = []
    for chunk, _, n in plan:
        saved = checkpoint.load(chunk)
        if saved is None:
            todo.append((chunk, n, seed))
        else:
            logs[chunk] = saved
            if on_chunk:
                on_chunk(n)
    for index, log in (executor or InProcess()).run(simulate_chunk, world, todo):
        chunk, n, _ = todo[index]
        checkpoint.save(chunk, log)
        logs[chunk] = log
        if on_chunk:
            on_chunk(n)
    return merge_chunks([logs[chunk] for chunk, _, _ in plan], [start for _, start, _ in plan])


def merge_chunks(logs: list[dict[str, np.ndarray]], starts: list[int]) -> dict[str, np.ndarray]:
    """Concatenate chunk logs in order; engagement trial indices become run-wide."""
    merged: dict[str, np.ndarray] = {}
    for name in logs[0]:
        parts = [log[name] for log in logs]
        if name == "eng_trial":
            parts = [part + start for part, start in zip(parts, starts, strict=True)]
        merged[name] = np.concatenate(parts, axis=0)
    return merged
