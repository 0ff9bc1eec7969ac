"""TEMPORARY placeholder: replaced by the viewer branch at merge (it mounts /cesium and /globe)."""

from __future__ import annotations

from typing import Any


def mount_globe(app: Any) -> None:
    """TEMPORARY placeholder: replaced by the viewer branch at merge."""
