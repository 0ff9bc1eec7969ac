"""Shared fixtures: keep every test's run catalogue out of the user's home folder; run independent
subprocesses side by side."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")
R = TypeVar("R")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``DOMESIM_DATA_DIR`` (the ``runs.duckdb`` catalogue) at a fresh temporary folder.

    Subprocesses started by a test inherit it through ``os.environ``.
    """
    data_dir = tmp_path_factory.mktemp("domesim-data")
    monkeypatch.setenv("DOMESIM_DATA_DIR", str(data_dir))
    return data_dir


def _side_by_side(call: Callable[[T], R], items: Iterable[T], first_alone: bool = True) -> list[R]:
    todo = list(items)
    done = [call(todo.pop(0))] if first_alone and todo else []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return done + list(pool.map(call, todo))


@pytest.fixture(scope="session")
def side_by_side() -> Callable[..., list]:
    """``side_by_side(call, items, first_alone=True)``: ``[call(item) for item in items]``, as many at a
    time as there are CPUs. For calls that each start a domesim process (seconds of start-up and work
    each) and do not depend on one another; the results come back in the order of ``items``. The first
    call runs alone unless ``first_alone`` is false: on a cold numba cache it compiles what the others
    then load from the cache instead of compiling it again each."""
    return _side_by_side
