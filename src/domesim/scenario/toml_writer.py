"""A TOML writer for plain data (what a parsed scenario holds; the standard library reads TOML but does not
write it): the builder's "download as TOML", and the files the tests and the fuzzer generate.

Top-level tables become ``[table]`` sections (their sub-tables ``[table.sub]``), top-level arrays of
tables ``[[block]]`` sections (their sub-tables inline), everything else ``name = value``. Strings are
written as basic strings with every control character escaped, so no value can break out of its line
(a lone surrogate, which has no TOML spelling, becomes U+FFFD). An object with a ``toml_text()`` method
writes itself (the fuzzer's values nested thousands deep, written without recursion).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def key(name: str) -> str:
    """A key: bare where TOML allows it, else quoted."""
    return name if _BARE.match(name) else string(name)


def string(text: str) -> str:
    """A TOML basic string."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value(item: Any) -> str:
    """One value, inline."""
    if hasattr(item, "toml_text"):
        return str(item.toml_text())
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if math.isnan(item):
            return "nan"
        if math.isinf(item):
            return "inf" if item > 0 else "-inf"
        return repr(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, dt.datetime | dt.date | dt.time):
        return item.isoformat()
    if isinstance(item, Mapping):
        return "{" + ", ".join(f"{key(str(k))} = {value(v)}" for k, v in item.items()) + "}"
    if isinstance(item, list | tuple):
        return "[" + ", ".join(value(v) for v in item) + "]"
    raise TypeError(f"cannot write a {type(item).__name__} as TOML")


def _is_table_array(item: Any) -> bool:
    return isinstance(item, list) and bool(item) and all(isinstance(v, Mapping) for v in item)


def _table(lines: list[str], header: str, table: Mapping[str, Any], *, inline_tables: bool) -> None:
    lines.append(header)
    subtables = []
    for name, item in table.items():
        if isinstance(item, Mapping) and not inline_tables:
            subtables.append((name, item))
        else:
            lines.append(f"{key(str(name))} = {value(item)}")
    for name, item in subtables:
        lines.append("")
        _table(lines, f"[{header.strip('[]')}.{key(str(name))}]", item, inline_tables=False)


def dumps(data: Mapping[str, Any], header: str = "") -> str:
    """``data`` (a parsed TOML document: dicts, lists, strings, numbers, booleans, dates) as TOML text,
    preceded by ``header`` as comment lines."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for name, item in data.items():
        if not isinstance(item, Mapping) and not _is_table_array(item):
            lines.append(f"{key(str(name))} = {value(item)}")
    for name, item in data.items():
        if isinstance(item, Mapping):
            lines.append("")
            _table(lines, f"[{key(str(name))}]", item, inline_tables=False)
        elif _is_table_array(item):
            for block in item:
                lines.append("")
                _table(lines, f"[[{key(str(name))}]]", block, inline_tables=True)
    return "\n".join(lines).lstrip("\n") + "\n"
