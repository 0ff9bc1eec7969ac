"""What a scenario fields, from the validated file and the catalogue alone: the :class:`Architecture`.

No threats, no trajectories, no compiled kernels: the interceptor sites, the sensor sites and the
constellations of a :class:`~domesim.build.schema.ScenarioFile`, each resolved against the catalogue
(deployment -> class and site, site -> place and country, constellation -> payload and number of
satellites), with the ``[norad]`` switches applied as the world builder applies them. Costing reads it
(``domesim cost`` needs no physics); the builder can turn each record into its physics object.

Problems (unknown ids, a deployment of the wrong kind, a space-based class on a ground site...) are
collected as ``(key path, message)`` pairs, as the builder collects them, so a user sees every fault of
a file at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path as FilePath
from typing import Any, Literal

import numpy as np

from domesim.build.builder import Builder, country_of, deployed, is_canadian
from domesim.build.catalogue import Catalogue, Entry
from domesim.build.constellations import PAYLOADS
from domesim.build.interceptors import INTERCEPTOR_CLASSES
from domesim.build.schema import ScenarioFile
from domesim.build.sensors import SENSOR_FAMILIES
from domesim.core.constants import R_EARTH_EQ_M
from domesim.core.timegrid import earth_rotation_angle, julian_date
from domesim.core.units import DEG, to_si
from domesim.errors import ParameterError, ScenarioError
from domesim.limits import DEFAULT_POLICY, MAX_SATELLITES, InputPolicy

KeyPath = tuple[Any, ...]
Override = Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class PlacedElement:
    """What a ``[[sensor]]`` and an ``[[interceptor_site]]`` in play have in common: a catalogue class at a
    place, labelled as the builder labels it."""

    path: KeyPath  # ("sensor" or "interceptor_site", i) in the file
    class_id: str  # catalogue [sensor.<id>] or [interceptor.<id>]
    family: str  # the class's catalogue family (the registered kind that builds it)
    label: str  # name, else deployment id, else "<class>@<site>": the battery's or radar's name
    deployment: str | None  # catalogue [deployment.<id>], if named
    site: str | None  # catalogue [site.<id>], if any (named or the deployment's)
    lat_rad: float
    lon_rad: float
    alt_m: float
    country: str  # the site's country ("US" when the site is not in the catalogue)
    override: Override = field(default_factory=dict)  # the file's overrides of the class's parameters

    @property
    def lat_deg(self) -> float:
        return self.lat_rad / DEG

    @property
    def lon_deg(self) -> float:
        return self.lon_rad / DEG


@dataclass(frozen=True, kw_only=True)
class InterceptorSite(PlacedElement):
    """One ``[[interceptor_site]]`` in play: a surface battery of one interceptor class."""

    layer: str  # the class's layer ("midcourse", "upper_tier"...; "unassigned" if the catalogue has none)
    inventory: int  # the file's inventory, else the deployment's catalogue inventory


@dataclass(frozen=True, kw_only=True)
class SensorSite(PlacedElement):
    """One ``[[sensor]]`` in play: a surface sensor (radar) at one place."""

    band: str | None  # the file's band, else the class's


@dataclass(frozen=True, kw_only=True)
class Constellation:
    """One ``[[constellation]]``: satellites carrying a space sensor or space-based interceptors."""

    path: KeyPath  # ("constellation", i) in the file
    label: str  # name, else catalogue constellation id, else payload class: the builder's layer name
    constellation: str | None  # catalogue [constellation.<id>], if named
    payload: Literal["sensor", "interceptor"]
    class_id: str  # catalogue [sensor.<id>] (family space_ir) or [interceptor.<id>] (family sbi)
    family: str  # the payload class's catalogue family (the registered payload that builds it)
    layer: str  # interceptors: the class's layer (default "boost"); sensors: "space_sensors"
    elements: np.ndarray  # (S, 6) mean elements at the scenario epoch (circular: a, e, i, raan, argp, M)
    per_satellite: int = 1  # interceptors per satellite (sensors: 1)
    override: Override = field(default_factory=dict)  # orbit and payload overrides, as in the file

    @property
    def satellites(self) -> int:
        return len(self.elements)

    @property
    def units(self) -> int:
        """Payloads on orbit: satellites x per_satellite."""
        return self.satellites * self.per_satellite


@dataclass(frozen=True)
class Holding:
    """What a scenario fields of one element class (summed over its sites or constellations)."""

    element: str  # catalogue class id
    kind: str  # "interceptor" (surface), "sbi", "space_sensor", "radar"
    layer: str
    units: int = 0
    sites: int = 0  # interceptor sites (batteries), radar deployments, constellations
    canada_units: int = 0  # units at Canadian sites
    where: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Architecture:
    """Every fielded element of a scenario, in file order, and the problems found resolving them."""

    interceptor_sites: tuple[InterceptorSite, ...] = ()
    sensor_sites: tuple[SensorSite, ...] = ()
    constellations: tuple[Constellation, ...] = ()
    problems: tuple[tuple[KeyPath, str], ...] = ()

    @property
    def sensor_constellations(self) -> tuple[Constellation, ...]:
        return tuple(c for c in self.constellations if c.payload == "sensor")

    @property
    def interceptor_constellations(self) -> tuple[Constellation, ...]:
        return tuple(c for c in self.constellations if c.payload == "interceptor")

    def holdings(self) -> list[Holding]:
        """One :class:`Holding` per element class, in a stable order: surface interceptors, SBIs, space
        sensors, radars (each in file order)."""
        found: dict[str, Holding] = {}

        def add(class_id: str, kind: str, layer: str, units: int, country: str, label: str) -> None:
            h = found.get(class_id, Holding(class_id, kind, layer))
            found[class_id] = replace(
                h,
                units=h.units + int(units),
                sites=h.sites + 1,
                canada_units=h.canada_units + (int(units) if country == "CA" else 0),
                where=h.where + (label,),
            )

        for s in self.interceptor_sites:
            add(s.class_id, "interceptor", s.layer, s.inventory, s.country, s.label)
        for c in self.interceptor_constellations:
            add(c.class_id, "sbi", c.layer, c.units, "US", c.label)
        for c in self.sensor_constellations:
            add(c.class_id, "space_sensor", "space_sensors", c.satellites, "US", c.label)
        for r in self.sensor_sites:
            add(r.class_id, "radar", "ground_sensors", 1, r.country, r.label)
        return list(found.values())


# ------------------------------------------------------------------------------------------- resolving
def _unknown_values(b: Builder, entry: Entry, values: Mapping[str, Any], path: KeyPath) -> bool:
    """Whether any of ``values`` is unknown (None), each reported as the builder reports it."""
    missing = [key for key, value in values.items() if value is None]
    for key in missing:
        b.problem(
            path,
            f"{entry.section} {entry.id!r} has no public value for {key!r} (tag 'unknown'): "
            f"set it with override.{key} in the scenario",
        )
    return bool(missing)


def _placed_class(b: Builder, spec: Any, kind: str, path: KeyPath):
    """(class entry, class id, site, place, label, deployment) of a [[sensor]] or [[interceptor_site]]
    whose class a registered site kind builds, or None (problem recorded)."""
    found = deployed(b, spec, kind, path)
    if found is None:
        return None
    class_id, site, place, label, deployment = found
    entry = b.lookup(kind, class_id, path + (kind,))
    if entry is None:
        return None
    family = entry.fields.get("family")
    registry = SENSOR_FAMILIES if kind == "sensor" else INTERCEPTOR_CLASSES
    if registry.for_family(family) is None:
        if PAYLOADS.for_family(family) is not None:
            b.problem(
                path + (kind,), f"{class_id!r} is a space-based {kind}: carry it on a [[constellation]]"
            )
        else:
            b.problem(
                path + (kind,),
                f"{kind} {class_id!r} is of family {family!r}, which no registered {registry.what} builds "
                f"({', '.join(registry.families())})",
            )
        return None
    return entry, class_id, site, place, label, deployment


def _placed_blocks(b: Builder, blocks: list[Any], kind: str, canada: bool):
    """(block, key path, resolved class and place) of each [[sensor]] or [[interceptor_site]] in play: the
    ``[norad]`` switch for Canada applied, blocks with a problem (recorded) left out."""
    section = "interceptor_site" if kind == "interceptor" else "sensor"
    for i, s in enumerate(blocks):
        path: KeyPath = (section, i)
        if not canada and is_canadian(b, s):
            continue
        found = _placed_class(b, s, kind, path)
        if found is not None:
            yield s, path, found


def _interceptor_sites(b: Builder, spec: ScenarioFile) -> list[InterceptorSite]:
    sites = []
    for s, path, found in _placed_blocks(b, spec.interceptor_site, "interceptor", spec.norad.canada_sites):
        entry, class_id, site, (lat, lon, alt), label, deployment = found
        inventory = s.inventory
        if inventory is None and deployment is not None:
            if "inventory" not in deployment.params:
                b.problem(
                    path, f"deployment {deployment.id!r} has no inventory in the catalogue: set inventory"
                )
                continue
            stock = deployment.params["inventory"].value
            if _unknown_values(b, deployment, {"inventory": stock}, path):
                continue
            inventory = int(to_si("inventory", stock))
        sites.append(
            InterceptorSite(
                path=path,
                class_id=class_id,
                layer=str(entry.fields.get("layer", "unassigned")),
                label=label,
                deployment=s.deployment,
                site=site,
                family=str(entry.fields.get("family")),
                lat_rad=lat,
                lon_rad=lon,
                alt_m=alt,
                inventory=int(inventory or 0),
                country=country_of(b, site),
                override=dict(s.override),
            )
        )
    return sites


def _sensor_sites(b: Builder, spec: ScenarioFile) -> list[SensorSite]:
    sites = []
    for s, path, found in _placed_blocks(b, spec.sensor, "sensor", spec.norad.canada_sensors):
        entry, class_id, site, (lat, lon, alt), label, _ = found
        band = s.band or entry.fields.get("band")
        sites.append(
            SensorSite(
                path=path,
                class_id=class_id,
                family=str(entry.fields.get("family", "")),
                band=None if band is None else str(band),
                label=label,
                deployment=s.deployment,
                site=site,
                lat_rad=lat,
                lon_rad=lon,
                alt_m=alt,
                country=country_of(b, site),
                override=dict(s.override),
            )
        )
    return sites


GEO_RADIUS_M = 42_164_170.0  # geosynchronous orbit radius (sidereal day, WGS84 GM)


def orbit_elements(
    b: Builder,
    c: Any,
    entry: Entry | None,
    orbit: dict[str, Any],
    epoch_jd: float,
    base_dir: FilePath,
    path: KeyPath,
    policy: InputPolicy = DEFAULT_POLICY,
) -> np.ndarray | None:
    """Mean elements (S, 6) at the scenario epoch of one [[constellation]], or None (problem recorded).
    A ``tle_file`` must lie under ``base_dir`` (the scenario's folder) or a folder ``policy`` allows."""
    from domesim.orbits import constellation as orbits  # numpy only: no compiled kernels

    try:
        if c.walker is not None or (entry is not None and "planes" in orbit):
            w = c.walker
            if w is not None:
                walker = orbits.Walker(
                    w.alt_km * 1e3,
                    w.inc_deg * DEG,
                    w.planes,
                    w.per_plane,
                    w.phasing,
                    w.pattern,
                    w.raan0_deg * DEG,
                )
            else:
                walker = orbits.Walker(
                    orbit["alt_km"],
                    orbit["inc_deg"],
                    int(orbit["planes"]),
                    int(orbit["per_plane"]),
                    int(orbit["phasing"]),
                    str(entry.fields.get("pattern", "delta")) if entry else "delta",
                )
            return walker.elements()
        if c.elements_deg is not None:
            return orbits.element_set([list(row) for row in c.elements_deg])
        theta0 = float(earth_rotation_angle(0.0, epoch_jd))
        if c.geo_lon_deg is not None or "geo_lon_deg" in orbit:
            lons = (
                np.radians(c.geo_lon_deg) if c.geo_lon_deg is not None else np.asarray(orbit["geo_lon_deg"])
            )
            el = np.zeros((lons.size, 6))
            el[:, 0] = GEO_RADIUS_M
            el[:, 5] = (lons + theta0) % (2 * np.pi)  # over that longitude at the epoch
            return el
        if "heo_planes" in orbit:
            planes = int(orbit["heo_planes"])
            rp, ra = R_EARTH_EQ_M + orbit["heo_perigee_alt_km"], R_EARTH_EQ_M + orbit["heo_apogee_alt_km"]
            el = np.zeros((planes, 6))
            el[:, 0], el[:, 1], el[:, 2], el[:, 4] = (
                0.5 * (rp + ra),
                (ra - rp) / (ra + rp),
                63.4 * DEG,
                1.5 * np.pi,
            )
            el[:, 3] = np.arange(planes) * 2 * np.pi / planes
            el[:, 5] = (np.pi + np.arange(planes) * 2 * np.pi / planes) % (2 * np.pi)  # apogees in turn
            return el
        if c.tle_file is not None:
            from domesim.orbits.tle import read_elements

            if outside := policy.outside(c.tle_file, base_dir):
                b.problem(path + ("tle_file",), outside)
                return None
            return read_elements(base_dir / c.tle_file, epoch_jd, policy=policy)[1]
    except ParameterError as exc:
        b.problem(path + ("walker" if c.walker is not None else "override",), str(exc))
        return None
    except ScenarioError as exc:
        b.problem(path + ("tle_file",), str(exc))
        return None
    b.problem(path, "no orbits: give walker, elements_deg, geo_lon_deg or tle_file")
    return None


def _constellations(
    b: Builder, spec: ScenarioFile, base_dir: FilePath, policy: InputPolicy
) -> list[Constellation]:
    out = []
    for i, c in enumerate(spec.constellation):
        path: KeyPath = ("constellation", i)
        entry = (
            b.lookup("constellation", c.constellation, path + ("constellation",)) if c.constellation else None
        )
        if c.constellation and entry is None:
            continue
        mine = {k: v for k, v in c.override.items() if entry is not None and k in entry.params}
        orbit: dict[str, Any] = {}
        if entry is not None:
            raw = {k: p.value for k, p in entry.params.items()} | mine
            if _unknown_values(b, entry, raw, path):
                continue
            orbit = {
                k: [to_si(k, x) for x in v] if isinstance(v, list) else to_si(k, v) for k, v in raw.items()
            }
        sensor_id = c.sensor or (entry.fields.get("sensor") if entry and not c.interceptor else None)
        sbi_id = c.interceptor or (entry.fields.get("interceptor") if entry and not c.sensor else None)
        label = c.name or c.constellation or sensor_id or sbi_id or f"constellation {i + 1}"
        section, class_id = ("sensor", sensor_id) if sensor_id else ("interceptor", sbi_id)
        where = path + (section if (c.sensor or c.interceptor) else "constellation",)
        payload = b.lookup(section, str(class_id), where)
        if c.walker is None and "planes" in orbit:  # a catalogue Walker pattern, perhaps overridden
            planned = orbit["planes"] * orbit.get("per_plane", 1)
            if too_many := policy.over("the satellites of this constellation", planned, MAX_SATELLITES):
                b.problem(path + ("override",), too_many)
                continue
        epoch_jd = julian_date(spec.scenario.epoch_utc)
        elements = orbit_elements(b, c, entry, orbit, epoch_jd, base_dir, path, policy)
        if payload is None or elements is None:
            continue
        kind = PAYLOADS.for_family(payload.fields.get("family"))
        if kind is None or kind.section != section:
            b.problem(where, f"{class_id!r} is not a space-based {section} class")
            continue
        is_sbi = section == "interceptor"
        out.append(
            Constellation(
                path=path,
                label=label,
                constellation=c.constellation,
                payload="interceptor" if is_sbi else "sensor",
                class_id=str(class_id),
                family=kind.name,
                layer=str(payload.fields.get("layer", "boost")) if is_sbi else "space_sensors",
                elements=elements,
                per_satellite=(c.per_satellite or int(orbit.get("per_satellite", 1))) if is_sbi else 1,
                override=dict(c.override),
            )
        )
    return out


def architecture(
    spec: ScenarioFile,
    catalogue: Catalogue,
    base_dir: str | FilePath = ".",
    builder: Builder | None = None,
    policy: InputPolicy = DEFAULT_POLICY,
) -> Architecture:
    """The fielded elements of a validated scenario, resolved against the catalogue.

    ``base_dir`` is where files named by the scenario (a TLE catalogue) are looked up; they must lie
    under it unless ``policy`` allows their folder, and ``policy`` also says whether the satellites
    counted here may exceed :data:`~domesim.limits.MAX_SATELLITES`. Problems are in
    ``problems`` (key path, message); the elements they concern are left out. The world builder passes
    its ``builder``, so that the problems join its own.
    """
    b = builder or Builder(catalogue)
    first = len(b.problems)
    constellations = _constellations(b, spec, FilePath(base_dir), policy)
    # catalogue constellations and TLE files are counted only now (the loader counted the file's own)
    satellites = sum(c.satellites for c in constellations)
    if too_many := policy.over("the satellites of every [[constellation]]", satellites, MAX_SATELLITES):
        b.problem(("constellation",), too_many)
    sensors = _sensor_sites(b, spec)
    sites = _interceptor_sites(b, spec)
    return Architecture(
        interceptor_sites=tuple(sites),
        sensor_sites=tuple(sensors),
        constellations=tuple(constellations),
        problems=tuple(b.problems[first:]),
    )
