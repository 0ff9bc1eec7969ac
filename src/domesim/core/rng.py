"""Named random streams: one root seed, spawned per chunk and per stream name.

A stream is ``SeedSequence(root_seed, spawn_key=(chunk, stream_id))`` with a fixed id per name, so
adding a stream (a new sensor, say) never shifts another (the kill draws stay the same), and a
chunk's draws do not depend on which worker runs it or in what order.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_id(name: str) -> int:
    """Stable integer id of a stream name (CRC-32 of its UTF-8 bytes).

    >>> stream_id("kill")
    120149609
    """
    return zlib.crc32(name.encode("utf-8"))


def stream(root_seed: int, chunk: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` for chunk ``chunk`` of a run seeded with ``root_seed``."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(root_seed, spawn_key=(chunk, stream_id(name))))
    )
