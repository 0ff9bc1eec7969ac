"""The builder's form, made from a scenario: one control per count a user may change, each turned into
key-path edits (:mod:`domesim.scenario.edits`) of the base scenario.

A control has a ``key`` (what the page sends back), a kind (``int`` with bounds, or ``bool``), its value
in the base and the edits it stands for. The server accepts only the keys of the base's controls, with
values of the control's kind within its bounds (:func:`edits_for`); nothing a request sends is written
into a scenario any other way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domesim.build.catalogue import Catalogue, load_catalogue
from domesim.limits import MAX_SATELLITES, MAX_THREAT_MISSILES
from domesim.scenario.edits import BLOCK_ID_KEYS

MAX_INVENTORY = 100_000  # interceptors at one site: far above any real battery or field
MAX_WALKER = 10_000  # planes, or satellites per plane (the schema's bound; MAX_SATELLITES caps the product)
WALKER_KEYS = ("alt_km", "inc_deg", "planes", "per_plane", "phasing")


class EditError(ValueError):
    """An edit the base scenario's form does not allow: ``key`` and what is wrong."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


@dataclass
class Control:
    key: str
    label: str
    group: str
    kind: str  # "int" or "bool"
    value: int | bool
    minimum: int = 0
    maximum: int = 0
    note: str = ""
    edits_true: dict[str, Any] = field(default_factory=dict)  # bool: edits when switched on (besides none)
    edits_false: dict[str, Any] = field(default_factory=dict)  # bool: edits when switched off
    edit_keys: tuple[str, ...] = ()  # int: the key paths set to the value
    fixed: dict[str, Any] = field(default_factory=dict)  # int: other keys set with it (a whole walker)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "group": self.group,
            "kind": self.kind,
            "value": self.value,
        }
        if self.kind == "int":
            out |= {"min": self.minimum, "max": self.maximum}
        if self.note:
            out["note"] = self.note
        return out


GROUPS = (
    ("sbi", "Space-based interceptors"),
    ("midcourse", "GBI / NGI and other midcourse sites"),
    ("sea", "Ships on station (sea-based sites)"),
    ("terminal", "THAAD / PAC-3 batteries"),
    ("sensors", "Sensors"),
    ("norad", "NORAD"),
    ("raid", "The raid"),
)


def _selector(blocks: list[Any], i: int) -> str:
    """How a key path names block ``i``: its id when no other block has it, else its position."""
    block = blocks[i]
    if isinstance(block, dict):
        for k in BLOCK_ID_KEYS:
            name = block.get(k)
            if isinstance(name, str) and name and "]" not in name and "." not in name:
                same = [
                    b for b in blocks if isinstance(b, dict) and name in (b.get(j) for j in BLOCK_ID_KEYS)
                ]
                if len(same) == 1:
                    return name
                break
    return str(i)


def _params(catalogue: Catalogue, section: str, entry_id: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(parameter values, plain fields) of a catalogue entry, or empty dicts."""
    if not isinstance(entry_id, str) or not catalogue.has(section, entry_id):
        return {}, {}
    entry = catalogue.entry(section, entry_id)
    return {k: p.value for k, p in entry.params.items()}, dict(entry.fields)


def _int(value: Any, default: int = 0) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def controls(data: Mapping[str, Any], catalogue: Catalogue | None = None) -> list[Control]:
    """The controls of a parsed scenario ``data`` (its TOML as a dict), in the order of :data:`GROUPS`."""
    cat = catalogue or load_catalogue()
    out: list[Control] = []
    blocks = data.get("constellation")
    blocks = blocks if isinstance(blocks, list) else []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        sel = _selector(blocks, i)
        params, fields = _params(cat, "constellation", block.get("constellation"))
        label = str(block.get("name") or block.get("constellation") or f"constellation {i + 1}")
        is_sbi = bool(block.get("interceptor")) or (not block.get("sensor") and "interceptor" in fields)
        path = f"constellation[{sel}]"
        if is_sbi:
            walker = block.get("walker")
            orbit = params | {k: v for k, v in (block.get("override") or {}).items() if k in params}
            if isinstance(walker, dict):
                fixed: dict[str, Any] = {}
                now = walker
            elif all(k in orbit for k in ("alt_km", "inc_deg", "planes", "per_plane")):
                now = orbit
                fixed = {f"{path}.walker.{k}": orbit[k] for k in WALKER_KEYS if k in orbit}
                fixed[f"{path}.walker.pattern"] = str(fields.get("pattern", "delta"))
            else:
                continue  # an SBI layer from elements or a TLE file: no counts to change
            for what, title in (("per_plane", "SBIs per plane"), ("planes", "planes")):
                out.append(
                    Control(
                        key=f"{path}.walker.{what}",
                        label=f"{label}: {title}",
                        group="sbi",
                        kind="int",
                        value=_int(now.get(what), 1),
                        minimum=1,
                        maximum=MAX_WALKER,
                        note=f"planes x per plane at most {MAX_SATELLITES:,} satellites",
                        edit_keys=(f"{path}.walker.{what}",),
                        fixed={k: v for k, v in fixed.items() if not k.endswith(f".{what}")},
                    )
                )
        else:
            out.append(
                Control(
                    key=path,
                    label=f"{label} (space sensor layer)",
                    group="sensors",
                    kind="bool",
                    value=True,
                    edits_false={path: None},
                )
            )
    sites = data.get("interceptor_site")
    sites = sites if isinstance(sites, list) else []
    for i, block in enumerate(sites):
        if not isinstance(block, dict):
            continue
        sel = _selector(sites, i)
        path = f"interceptor_site[{sel}]"
        dep_params, dep_fields = _params(cat, "deployment", block.get("deployment"))
        class_id = block.get("interceptor") or dep_fields.get("interceptor")
        _, int_fields = _params(cat, "interceptor", class_id)
        site_id = block.get("site") or dep_fields.get("site")
        _, site_fields = _params(cat, "site", site_id)
        layer = str(int_fields.get("layer", ""))
        group = (
            "sea"
            if site_fields.get("country") == "at sea"
            else "terminal"
            if layer in ("upper_tier", "lower_tier")
            else "midcourse"
        )
        label = str(block.get("name") or block.get("deployment") or f"interceptor site {i + 1}")
        inventory = block.get("inventory", dep_params.get("inventory"))
        out.append(
            Control(
                key=f"{path}.inventory",
                label=f"{label}: inventory",
                group=group,
                kind="int",
                value=_int(inventory),
                maximum=MAX_INVENTORY,
                edit_keys=(f"{path}.inventory",),
            )
        )
        out.append(
            Control(
                key=path,
                label=f"{label}: {'on station' if group == 'sea' else 'fielded'}",
                group=group,
                kind="bool",
                value=True,
                edits_false={path: None},
            )
        )
    sensors = data.get("sensor")
    sensors = sensors if isinstance(sensors, list) else []
    for i, block in enumerate(sensors):
        if not isinstance(block, dict):
            continue
        path = f"sensor[{_selector(sensors, i)}]"
        label = str(block.get("name") or block.get("deployment") or block.get("sensor") or f"sensor {i + 1}")
        out.append(
            Control(key=path, label=label, group="sensors", kind="bool", value=True, edits_false={path: None})
        )
    norad_table = data.get("norad")
    norad: Mapping[str, Any] = norad_table if isinstance(norad_table, dict) else {}
    parts = ("canada_sensors", "canada_sites", "canada_assets")
    canada = all(bool(norad.get(k, True)) for k in parts)
    out.append(
        Control(
            key="norad.canada",
            label="Canada in (Canadian sensors, sites and cities)",
            group="norad",
            kind="bool",
            value=canada,
            edits_true={f"norad.{k}": True for k in parts},
            edits_false={f"norad.{k}": False for k in parts},
        )
    )
    threats = data.get("threat")
    threats = threats if isinstance(threats, list) else []
    for i, block in enumerate(threats):
        if not isinstance(block, dict):
            continue
        label = str(block.get("name") or block.get("class") or f"threat {i + 1}")
        out.append(
            Control(
                key=f"threat[{i}].count",
                label=f"{label}: missiles",
                group="raid",
                kind="int",
                value=_int(block.get("count"), 1),
                minimum=1,
                maximum=MAX_THREAT_MISSILES,
                edit_keys=(f"threat[{i}].count",),
            )
        )
    order = {g: n for n, (g, _) in enumerate(GROUPS)}
    return sorted(out, key=lambda c: order[c.group])


def edits_for(form: list[Control], values: Mapping[str, Any]) -> dict[str, Any]:
    """The key-path edits for the control values a request sent (``key -> int or bool``).

    Raises
    ------
    EditError
        A key that is not a control of this scenario, or a value of the wrong type or out of bounds.
    """
    by_key = {c.key: c for c in form}
    fixed: dict[str, Any] = {}  # the whole walker of an SBI layer whose count changes (its base values)
    values_set: dict[str, Any] = {}
    removals: dict[str, Any] = {}
    for key, value in values.items():
        control = by_key.get(key)
        if control is None:
            known = ", ".join(sorted(by_key)) or "none"
            raise EditError(key, f"not a control of this scenario (its controls: {known[:2000]})")
        if control.kind == "bool":
            if not isinstance(value, bool):
                raise EditError(key, "must be true or false")
            for k, v in (control.edits_true if value else control.edits_false).items():
                (removals if v is None else values_set)[k] = v
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise EditError(key, f"must be a whole number from {control.minimum:,} to {control.maximum:,}")
        if not control.minimum <= value <= control.maximum:
            raise EditError(
                key, f"is {value:,}, outside {control.minimum:,} to {control.maximum:,} for this control"
            )
        fixed |= control.fixed
        for k in control.edit_keys:
            values_set[k] = value

    # the base's walker, then the values sent (which win), then removals: a block's edits before it goes
    # removals by position first, from the last block back, then by id (positions shift, ids do not)
    def position(key: str) -> tuple[int, int]:
        sel = key.rsplit("[", 1)[1].rstrip("]")
        return (0, -int(sel)) if sel.isdigit() else (1, 0)

    ordered = {k: removals[k] for k in sorted(removals, key=position)}
    return {k: v for k, v in fixed.items() if k not in values_set} | values_set | ordered
