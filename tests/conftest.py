"""Shared fixtures: keep every test's run catalogue out of the user's home folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``DOMESIM_DATA_DIR`` (the ``runs.duckdb`` catalogue) at a fresh temporary folder.

    Subprocesses started by a test inherit it through ``os.environ``.
    """
    data_dir = tmp_path_factory.mktemp("domesim-data")
    monkeypatch.setenv("DOMESIM_DATA_DIR", str(data_dir))
    return data_dir
