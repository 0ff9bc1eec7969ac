"""The embedded data catalogue (package TOML files) with the provenance of every parameter.

A parameter is an inline table ``{value, low, high, tag, source, note}``; a scenario names an entry
by id and may override any of its parameters, which then carry the tag ``scenario``.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

DATA_FILES = (
    "sources.toml",
    "geography.toml",
    "systems.toml",
    "glide.toml",
    "cruise.toml",
    "space.toml",
    "tracking.toml",
    "costs.toml",
)


@dataclass(frozen=True)
class Param:
    """One catalogue value and where it comes from; ``value`` is None when the public value is unknown."""

    value: Any
    tag: str
    source: tuple[str, ...] = ()
    note: str = ""
    low: Any = None
    high: Any = None


@dataclass(frozen=True)
class Entry:
    """A catalogue entry: its parameters (with provenance) and its plain fields (names, ids)."""

    section: str
    id: str
    params: dict[str, Param] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)

    def value(self, key: str) -> Any:
        return self.params[key].value if key in self.params else self.fields[key]


def _is_param(item: Any) -> bool:
    return isinstance(item, dict) and "tag" in item


class Catalogue:
    """Sections of entries: ``threat``, ``interceptor``, ``sensor``, ``deployment``, ``asset``, ``site``..."""

    def __init__(self, data: dict[str, dict[str, dict[str, Any]]]):
        self.data = data

    def ids(self, section: str) -> list[str]:
        return sorted(self.data.get(section, {}))

    def has(self, section: str, entry_id: str) -> bool:
        return entry_id in self.data.get(section, {})

    def suggest(self, section: str, entry_id: str) -> str:
        """' (did you mean ...?)' or a list of the valid ids, for error messages."""
        close = difflib.get_close_matches(entry_id, self.ids(section), n=3)
        if close:
            return f"; did you mean {', '.join(repr(c) for c in close)}?"
        return f"; known {section} ids: {', '.join(self.ids(section))}"

    def entry(self, section: str, entry_id: str) -> Entry:
        raw = self.data[section][entry_id]
        params = {
            key: Param(
                item.get("value"),
                item["tag"],
                tuple(item.get("source", ())),
                item.get("note", ""),
                item.get("low"),
                item.get("high"),
            )
            for key, item in raw.items()
            if _is_param(item)
        }
        fields = {key: item for key, item in raw.items() if not _is_param(item)}
        return Entry(section, entry_id, params, fields)

    def with_value(self, section: str, entry_id: str, key: str, value: Any) -> Catalogue:
        """A copy with one parameter's value replaced (its provenance kept): a sensitivity study's case."""
        data = {name: dict(entries) for name, entries in self.data.items()}
        entry = dict(data[section][entry_id])
        entry[key] = {**entry[key], "value": value}
        data[section][entry_id] = entry
        return Catalogue(data)

    def source_title(self, source_id: str) -> str:
        return str(self.data.get("source", {}).get(source_id, {}).get("title", ""))


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The catalogue shipped with domesim (read once per process)."""
    merged: dict[str, dict[str, dict[str, Any]]] = {}
    folder = resources.files("domesim") / "data"
    for name in DATA_FILES:
        for section, entries in tomllib.loads((folder / name).read_text(encoding="utf-8")).items():
            merged.setdefault(section, {}).update(entries)
    return Catalogue(merged)
