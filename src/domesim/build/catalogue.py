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


# ------------------------------------------------------------------------------- listing (domesim catalogue)

KINDS: dict[str, str] = {
    "threat": "threat classes (ballistic, FOBS, glide, cruise) and their trajectory parameters",
    "interceptor": "interceptor classes (surface batteries, space-based interceptors)",
    "sensor": "sensor classes (radars, space infrared payloads)",
    "constellation": "satellite constellations (orbits, the payload they carry)",
    "deployment": "a sensor or interceptor class at a site, with its inventory",
    "site": "places where sensors and interceptors are deployed",
    "asset": "defended places (cities and bases) a threat may aim at",
    "region": "launch regions (latitude/longitude boxes)",
    "bus": "post-boost vehicles",
    "penaid": "penetration aids (decoys)",
    "countermeasure": "countermeasure classes a ballistic threat may carry (fast burn, cooled shroud...)",
    "signature": "radar cross-sections and infrared signatures of object kinds",
    "doctrine": "firing doctrine defaults",
    "tracking": "tracker defaults",
    "cost": "cost-estimating parameters of each element class",
    "launch_price": "launch prices per kg",
    "source": "the public sources cited by the catalogue",
}

# a key's display unit, from its suffix (longest first); core.units.SUFFIXES converts the SI ones
_UNITS = (
    ("_musd_per_unit_year", "M$/unit-year"),
    ("_musd_per_site_year", "M$/site-year"),
    ("_musd_per_year", "M$/year"),
    ("_usd_per_kg", "$/kg"),
    ("_musd", "M$"),
    ("_per_year", "/year"),
    ("_years", "years"),
    ("_dbsm", "dBsm"),
    ("_kg_m2", "kg/m^2"),
    ("_km_s", "km/s"),
    ("_m_s2", "m/s^2"),
    ("_m_s", "m/s"),
    ("_km", "km"),
    ("_min", "min"),
    ("_mrad", "mrad"),
    ("_urad", "urad"),
    ("_rad", "rad"),
    ("_deg", "deg"),
    ("_kg", "kg"),
    ("_k", "K"),
    ("_frac", "fraction"),
    ("_g", "g"),
    ("_m", "m"),
    ("_s", "s"),
)
_NO_UNIT = {"confirm_m", "confirm_n"}  # the tracker's M-of-N confirmation counts


def unit_label(key: str) -> str:
    """The unit a catalogue key's value is given in, from its suffix ("" for a pure number).

    >>> unit_label("burnout_speed_km_s"), unit_label("unit_cost_musd"), unit_label("sspk")
    ('km/s', 'M$', '')
    """
    if key in _NO_UNIT:
        return ""
    return next((label for suffix, label in _UNITS if key.endswith(suffix)), "")


def find_kind(kind: str) -> str:
    """The catalogue section a user's KIND names ("threats" -> "threat"), or a :class:`DomesimError`
    with the closest kinds."""
    from domesim.errors import DomesimError

    name = kind.strip().lower().replace("-", "_")
    for candidate in (name, name.removesuffix("s"), name.removesuffix("es")):
        if candidate in KINDS:
            return candidate
    close = difflib.get_close_matches(name, list(KINDS), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise DomesimError(f"unknown catalogue kind {kind!r}: {hint}known kinds: {', '.join(KINDS)}")


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def catalogue_listing(
    kind: str | None = None, entry_id: str | None = None, catalogue: Catalogue | None = None
) -> dict[str, Any]:
    """What ``domesim catalogue [KIND [ID]]`` shows, JSON-ready.

    Without ``kind``: every kind with its number of entries. With it: each entry's plain fields and its
    parameters (value, unit, public range, provenance tag, source ids, note), and the title of every
    source the entries cite. Raises :class:`DomesimError` for an unknown kind or id (with the closest).
    """
    from domesim.errors import DomesimError

    cat = catalogue or load_catalogue()
    if kind is None:
        return {
            "kinds": [
                {"kind": k, "entries": len(cat.data.get(k, {})), "description": d} for k, d in KINDS.items()
            ]
        }
    section = find_kind(kind)
    ids = cat.ids(section)
    if entry_id is not None:
        if not cat.has(section, entry_id):
            raise DomesimError(f"unknown {section} id {entry_id!r}{cat.suggest(section, entry_id)}")
        ids = [entry_id]
    entries: list[dict[str, Any]] = []
    cited: set[str] = set()
    for i in ids:
        e = cat.entry(section, i)
        params = {}
        for key, p in e.params.items():
            params[key] = {
                "value": _plain(p.value),
                "unit": unit_label(key),
                "low": _plain(p.low),
                "high": _plain(p.high),
                "tag": p.tag,
                "source": list(p.source),
                "note": p.note,
            }
            cited.update(p.source)
        entries.append({"id": i, **e.fields, "params": params})
    return {
        "kind": section,
        "description": KINDS[section],
        "entries": entries,
        "sources": {s: cat.source_title(s) for s in sorted(cited)},
    }
