"""Find the line of a key path in a TOML text, so error messages can point at it.

tomllib gives no positions, so this scans the text: it finds the header of the table (the n-th
``[[array]]`` element, or ``[table]``), then the deepest key of the path inside that block.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?")


def _key_line(lines: list[str], start: int, end: int, key: str) -> int | None:
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=|[{{,]\s*\"?{re.escape(key)}\"?\s*=")
    for i in range(start, end):
        if pattern.search(lines[i]):
            return i
    return None


def locate_line(text: str, path: tuple) -> int | None:
    """1-based line of ``path`` (e.g. ``("threat", 0, "override", "sspk")``) in ``text``, or None.

    >>> text = '[scenario]\\nname = "x"\\n[[threat]]\\nclass = "a"\\n[[threat]]\\nclass = "b"'
    >>> locate_line(text, ("threat", 1, "class"))
    6
    """
    lines = text.splitlines()
    if not path:
        return None
    section = str(path[0])
    index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
    keys = [str(p) for p in path[(2 if index is not None else 1) :] if not isinstance(p, int)]
    headers = [
        (i, m.group(1), m.group(2).replace('"', "").strip())
        for i, line in enumerate(lines)
        if (m := _HEADER.match(line))
    ]
    start = None
    count = -1
    for i, brackets, name in headers:
        if name == section and (brackets == "[[") == (index is not None):
            count += 1
            if index is None or count == index:
                start = i
                break
    if start is None and index is None:
        # no [section] header, only dotted sub-tables ([cost.element.sbi]): start at the deepest one
        for depth in range(len(keys), 0, -1):
            sub = ".".join([section] + keys[:depth])
            hit = next((i for i, brackets, name in headers if name == sub and brackets == "["), None)
            if hit is not None:
                start, section, keys = hit, sub, keys[depth:]
                break
    if start is None:
        return None
    end = len(lines)
    for i, _, name in headers:
        if i > start and not name.startswith(section + "."):
            end = i
            break
    best = start
    for depth in range(len(keys), 1, -1):  # a dotted sub-table deeper than one level: start inside it
        sub = ".".join([section] + keys[:depth])
        hit = next((i for i, _, name in headers if start < i < end and name == sub), None)
        if hit is not None:
            best, section, keys = hit, sub, keys[depth:]
            break
    for depth in range(len(keys)):
        sub = ".".join([section] + keys[: depth + 1])
        sub_header = next((i for i, _, name in headers if start < i < end and name == sub), None)
        found = sub_header if sub_header is not None else _key_line(lines, best, end, keys[depth])
        if found is None:
            break
        best = found
    return best + 1
