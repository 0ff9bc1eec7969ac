"""A small TOML writer for the fuzzer's mutants (the standard library reads TOML but does not write it).

It writes what a mutant can hold: tables, arrays of tables, inline tables and arrays, strings, integers
of any size, floats with ``nan``/``inf``, booleans, and two markers the mutation engine uses for values
too big to build as Python objects: :class:`Nested` (an array or inline table nested thousands deep,
written without recursion) and :class:`Raw` (text written as it is, e.g. a TOML date-time).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Nested:
    """``depth`` levels of ``[...]`` (kind "array") or ``{x = ...}`` (kind "table") around ``leaf``."""

    kind: str
    depth: int
    leaf: Any = 1


@dataclass(frozen=True)
class Raw:
    text: str


def key(name: str) -> str:
    return name if _BARE_KEY.match(name) else string(name)


def string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:  # a lone surrogate has no TOML spelling
            out.append("\\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value(v: Any) -> str:
    """One value, inline."""
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, Nested):  # iterative: the depth is the point of the marker
        opening, closing = ("[", "]") if v.kind == "array" else ("{x = ", "}")
        return opening * v.depth + value(v.leaf) + closing * v.depth
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    return string(str(v))  # dates and anything else tomllib can hand back: as text


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps(data: dict[str, Any]) -> str:
    """The document: top-level scalars first, then one ``[table]`` or ``[[array]]`` block per key whose
    own values are written inline (so a nested table stays inside its block)."""
    head, blocks = [], []
    for name, v in data.items():
        if isinstance(v, dict):
            body = "".join(f"{key(k)} = {value(x)}\n" for k, x in v.items())
            blocks.append(f"[{key(name)}]\n{body}")
        elif _is_table_array(v):
            for item in v:
                body = "".join(f"{key(k)} = {value(x)}\n" for k, x in item.items())
                blocks.append(f"[[{key(name)}]]\n{body}")
        else:
            head.append(f"{key(name)} = {value(v)}\n")
    return "".join(head) + "\n" + "\n".join(blocks)
