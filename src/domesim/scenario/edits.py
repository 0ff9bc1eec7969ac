"""Edits to a scenario file's content by key path, for studies that vary an architecture (sweeps).

A key path walks the parsed TOML: dotted table keys, and ``[...]`` to pick one block of an array of
tables, by position or by the id it names (its ``deployment``, ``constellation``, ``id``, ``name`` or
``class``)::

    interceptor_site[gbi_fort_greely].inventory     the GBI site's inventory
    constellation[sbi_cbo_2026].walker.per_plane    satellites per plane of that constellation
    threat[0].count                                 the first threat's missile count
    doctrine.salvo_size

Missing tables on the way are created (so ``doctrine.salvo_size`` works on a file without
``[doctrine]``); a block that is not there is an error naming the key. The value ``None`` (which no TOML
value is) at a block's own path removes the block: ``{"sensor[tpy2_shariki]": None}`` leaves that radar
out (the architecture builder's on/off switches).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from domesim.errors import ParameterError

BLOCK_ID_KEYS = ("deployment", "constellation", "id", "name", "class")
_PART = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]+)\])?$")


def parse_key(key: str) -> list[tuple[str, str | None]]:
    """Split a key path into (table key, block selector or None) parts.

    >>> parse_key("interceptor_site[gbi_fort_greely].inventory")
    [('interceptor_site', 'gbi_fort_greely'), ('inventory', None)]
    """
    parts = []
    for piece in key.split("."):
        found = _PART.match(piece.strip())
        if not found:
            raise ParameterError(
                f"key {key!r}: {piece!r} is not a TOML key or key[block] (e.g. interceptor_site[0].inventory)"
            )
        parts.append((found.group(1), found.group(2)))
    return parts


def _block(blocks: list[Any], selector: str, key: str) -> dict[str, Any]:
    if selector.lstrip("-").isdigit():
        i = int(selector)
        if not -len(blocks) <= i < len(blocks):
            raise ParameterError(f"key {key!r}: there are {len(blocks)} blocks, no [{selector}]")
        return blocks[i]
    matches = [b for b in blocks if isinstance(b, dict) and selector in (b.get(k) for k in BLOCK_ID_KEYS)]
    if len(matches) != 1:
        names = [next((b[k] for k in BLOCK_ID_KEYS if k in b), "?") for b in blocks if isinstance(b, dict)]
        what = "no block" if not matches else f"{len(matches)} blocks"
        raise ParameterError(f"key {key!r}: {what} named {selector!r}; the blocks are {names}")
    return matches[0]


def apply_edits(data: Mapping[str, Any], edits: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the parsed scenario ``data`` with each ``key path -> value`` of ``edits`` set.

    >>> apply_edits({"threat": [{"class": "icbm_solid", "count": 1}]}, {"threat[icbm_solid].count": 3})
    {'threat': [{'class': 'icbm_solid', 'count': 3}]}
    >>> apply_edits({"sensor": [{"deployment": "a"}, {"deployment": "b"}]}, {"sensor[a]": None})
    {'sensor': [{'deployment': 'b'}]}

    Raises
    ------
    ParameterError
        Naming the key, when a path is malformed, picks a block that is not there, or runs into a value.
    """
    out = copy.deepcopy(dict(data))
    for key, value in edits.items():
        parts = parse_key(key)
        node: Any = out
        for depth, (name, selector) in enumerate(parts):
            last = depth == len(parts) - 1
            if not isinstance(node, dict):
                raise ParameterError(f"key {key!r}: {name!r} is inside a value, not a table")
            if selector is None:
                if last:
                    node[name] = copy.deepcopy(value)
                else:
                    node = node.setdefault(name, {})
                continue
            blocks = node.get(name)
            if not isinstance(blocks, list):
                raise ParameterError(f"key {key!r}: the scenario has no [[{name}]] blocks")
            block = _block(blocks, selector, key)
            if last and value is None:  # None removes the block
                blocks[:] = [b for b in blocks if b is not block]
                break
            if last:
                raise ParameterError(f"key {key!r}: name a key inside the block, e.g. {name}[{selector}].x")
            node = block
    return out
