"""A TOML writer for plain data (what a parsed scenario holds): the builder's "download as TOML".

Top-level tables become ``[table]`` sections (their sub-tables ``[table.sub]``), top-level arrays of
tables ``[[block]]`` sections (their sub-tables inline), everything else ``key = value``. Strings are
written as basic strings with every control character escaped, so no value can break out of its line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE.match(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as TOML")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _table(lines: list[str], header: str, table: Mapping[str, Any], *, inline_tables: bool) -> None:
    lines.append(header)
    subtables = []
    for key, value in table.items():
        if isinstance(value, Mapping) and not inline_tables:
            subtables.append((key, value))
        else:
            lines.append(f"{_key(str(key))} = {_value(value)}")
    for key, value in subtables:
        lines.append("")
        name = header.strip("[]")
        _table(lines, f"[{name}.{_key(str(key))}]", value, inline_tables=False)


def dumps(data: Mapping[str, Any], header: str = "") -> str:
    """``data`` (a parsed TOML document: dicts, lists, strings, numbers, booleans, dates) as TOML text,
    preceded by ``header`` as comment lines."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    plain = [(k, v) for k, v in data.items() if not isinstance(v, Mapping) and not _is_table_array(v)]
    for key, value in plain:
        lines.append(f"{_key(str(key))} = {_value(value)}")
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append("")
            _table(lines, f"[{_key(str(key))}]", value, inline_tables=False)
        elif _is_table_array(value):
            for block in value:
                lines.append("")
                _table(lines, f"[[{_key(str(key))}]]", block, inline_tables=True)
    return "\n".join(lines).lstrip("\n") + "\n"
