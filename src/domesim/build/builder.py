"""The builder's working state: catalogue look-ups, parameters resolved to SI with their provenance,
and every problem found, collected rather than raised one at a time, so a user sees every fault of a
file at once.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from domesim.build.catalogue import Catalogue, Entry, Param
from domesim.core.units import DEG, to_si
from domesim.errors import ParameterError
from domesim.limits import quote

Path = tuple[Any, ...]


_FRACTIONS = {
    "sspk",
    "reliability",
    "pfa",
    "p_discriminate_midcourse",
    "pd_boost",
    "pd_dim",
}  # probabilities in [0, 1]


_ANY_SIGN = {
    "burnout_gamma_deg",
    "geo_lon_deg",
    "faces_az_deg",
    "ref_rcs_dbsm",
    "loss_db",
    "min_elevation_deg",
}  # checked where used  # angles that may be negative


_MAY_BE_ZERO = {
    "false_alarms_per_scan",
    "site_kill_radius_km",  # 0: warheads that get through never destroy a battery
    "range_rate_sigma_m_s",
    "min_range_km",
    "divert_dv_km_s",
    "commit_delay_s",
    "phasing",
    "launch_speed_m_s",
    "boost_time_s",
    "climb_distance_km",
    "popup_distance_km",
    "cue_delay_s",
    "kill_assessment_s",
    "vertical_rise_s",
}  # other parameters are > 0 (min_* >= 0)


@dataclass
class Builder:
    """Accumulates problems (key path, message) and provenance rows while building."""

    catalogue: Catalogue
    problems: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    # launch solutions already solved in this build, by everything that decides them: blocks that fly
    # the same class from the same point to the same aim with the same shape share one (a raid written
    # as many blocks is solved once, not once a block)
    solutions: dict[bytes, Any] = field(default_factory=dict)
    _seen: set[tuple[str, str]] = field(default_factory=set)

    def problem(self, path: Path, message: str) -> None:
        self.problems.append((path, message))

    @contextmanager
    def reported(self, path: Path) -> Iterator[None]:
        """A component that refuses its values (:class:`ParameterError` from its record) becomes a
        problem on ``path``, with the file's key and line, instead of an error without them."""
        try:
            yield
        except ParameterError as exc:
            self.problem(path, str(exc))

    def lookup(self, section: str, entry_id: str, path: Path) -> Entry | None:
        if not self.catalogue.has(section, entry_id):
            self.problem(
                path, f"unknown {section} id {quote(entry_id)!r}{self.catalogue.suggest(section, entry_id)}"
            )
            return None
        return self.catalogue.entry(section, entry_id)

    def params(
        self,
        entry: Entry,
        overrides: Mapping[str, Any],
        path: Path,
        element: str,
        table: str | None = "override",
    ) -> dict[str, Any] | None:
        """SI values of an entry's parameters with the scenario's overrides; records provenance.

        ``table`` is the scenario table holding the overrides (None: they are keys of ``path`` itself).
        """
        resolved = dict(entry.params)
        ok = True
        for key, value in overrides.items():
            where = path + ((table,) if table else ()) + (key,)
            if key not in entry.params:
                close = difflib.get_close_matches(key, list(entry.params), n=2)
                hint = (
                    f"; did you mean {', '.join(map(repr, close))}?"
                    if close
                    else f"; {entry.section} {entry.id!r} has: {', '.join(sorted(entry.params))}"
                )
                self.problem(where, f"unknown parameter {quote(key)!r}{hint}")
                ok = False
                continue
            message = _check_value(key, value, entry.params[key].value)
            if message:
                self.problem(where, message)
                ok = False
                continue
            resolved[key] = Param(value, "scenario", note="set in the scenario file")
        si: dict[str, Any] = {}
        for key, param in resolved.items():
            if param.value is None:
                self.problem(
                    path,
                    f"{entry.section} {entry.id!r} has no public value for {key!r} (tag 'unknown'): "
                    f"set it with override.{key} in the scenario",
                )
                ok = False
                continue
            v = param.value
            si[key] = [to_si(key, x) for x in v] if isinstance(v, list) else to_si(key, v)
            if (element, key) not in self._seen:
                self._seen.add((element, key))
                self.provenance.append(
                    {
                        "element": element,
                        "parameter": key,
                        "value": v,
                        "tag": param.tag,
                        "source": ", ".join(param.source),
                        "note": param.note,
                        "section": entry.section,  # where it lives in the catalogue (sensitivity studies)
                        "id": entry.id,
                        "low": param.low,
                        "high": param.high,
                    }
                )
        return si if ok else None

    def place(self, kind: str, place_id: str | None, lat: float | None, lon: float | None, path: Path):
        """(lat_rad, lon_rad, alt_m) of a catalogue site/asset/region reference point or explicit degrees."""
        if place_id is None:
            return (lat or 0.0) * DEG, (lon or 0.0) * DEG, 0.0
        entry = self.lookup(kind, place_id, path)
        if entry is None:
            return None
        keys = ("ref_lat_deg", "ref_lon_deg") if kind == "region" else ("lat_deg", "lon_deg")
        if any(key not in entry.params for key in keys):
            self.problem(
                path,
                f"{kind} {quote(str(place_id))!r} has no reference point in the catalogue: give "
                "launch_lat_deg and launch_lon_deg instead",
            )
            return None
        alt = entry.params["alt_m"].value if "alt_m" in entry.params else 0.0
        return entry.value(keys[0]) * DEG, entry.value(keys[1]) * DEG, float(alt)


def _check_value(key: str, value: Any, catalogue_value: Any) -> str | None:
    values = value if isinstance(value, list) else [value]
    if isinstance(catalogue_value, list) != isinstance(value, list):
        return f"expected {'a list of numbers' if isinstance(catalogue_value, list) else 'a number'}"
    for v in values:
        if not math.isfinite(v):
            return f"must be a finite number (got {v})"
        if key in _ANY_SIGN:
            continue
        if key in _FRACTIONS and not 0.0 <= v <= 1.0:
            return f"is a probability: must be between 0 and 1 (got {v})"
        if (key.startswith("min_") or key in _MAY_BE_ZERO) and v < 0:
            return f"must be >= 0 (got {v})"
        if not key.startswith("min_") and key not in _FRACTIONS | _MAY_BE_ZERO and v <= 0:
            return f"must be > 0 (got {v})"
    return None


def deployed(
    b: Builder, spec: Any, kind: str, path: Path
) -> tuple[str, str | None, tuple[float, float, float], str, Entry | None] | None:
    """(class id, site id, (lat_rad, lon_rad, alt_m), label, deployment entry or None) of a [[sensor]]
    or [[interceptor_site]] block, or None (problem recorded)."""
    deployment = None
    class_id = getattr(spec, kind)
    site = spec.site
    if spec.deployment is not None:
        deployment = b.lookup("deployment", spec.deployment, path + ("deployment",))
        if deployment is None:
            return None
        if kind not in deployment.fields:
            b.problem(path + ("deployment",), f"deployment {quote(spec.deployment)!r} is not a {kind}")
            return None
        class_id = class_id or deployment.fields[kind]
        site = site or deployment.fields["site"]
    place = b.place("site", site, spec.lat_deg, spec.lon_deg, path + ("site",))
    if place is None:
        return None
    if spec.alt_m is not None:
        place = (place[0], place[1], spec.alt_m)
    label = spec.name or spec.deployment or f"{class_id}@{site or 'site'}"
    return class_id, site, place, label, deployment


def site_of(b: Builder, spec: Any) -> str | None:
    """The catalogue site of a [[sensor]] or [[interceptor_site]] block (named, or its deployment's)."""
    site = spec.site
    if spec.deployment and b.catalogue.has("deployment", spec.deployment):
        site = site or b.catalogue.entry("deployment", spec.deployment).fields.get("site")
    return site


def country_of(b: Builder, site: str | None) -> str:
    """The country of a catalogue site ("US" for a point, or a site the catalogue does not place)."""
    if site and b.catalogue.has("site", site):
        return str(b.catalogue.entry("site", site).fields.get("country", "US"))
    return "US"


def is_canadian(b: Builder, spec: Any) -> bool:
    """Whether a [[sensor]] or [[interceptor_site]] stands at a Canadian site."""
    site = site_of(b, spec)
    return site is not None and b.catalogue.has("site", site) and country_of(b, site) == "CA"
