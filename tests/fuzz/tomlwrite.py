"""The fuzzer's TOML: domesim's own writer (:mod:`domesim.scenario.toml_writer`) with two markers the
mutation engine uses for values too big to build as Python objects: :class:`Nested` (an array or inline
table nested thousands deep, written without recursion) and :class:`Raw` (text written as it is, e.g. a
TOML date-time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domesim.scenario.toml_writer import dumps, key, string, value

__all__ = ["Nested", "Raw", "dumps", "key", "string", "value"]


@dataclass(frozen=True)
class Nested:
    """``depth`` levels of ``[...]`` (kind "array") or ``{x = ...}`` (kind "table") around ``leaf``."""

    kind: str
    depth: int
    leaf: Any = 1

    def toml_text(self) -> str:
        opening, closing = ("[", "]") if self.kind == "array" else ("{x = ", "}")
        return opening * self.depth + value(self.leaf) + closing * self.depth


@dataclass(frozen=True)
class Raw:
    text: str

    def toml_text(self) -> str:
        return self.text
