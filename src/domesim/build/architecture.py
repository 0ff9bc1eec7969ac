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

from domesim.build.catalogue import Catalogue, Entry
from domesim.build.schema import ConstellationSpec, InterceptorSiteSpec, ScenarioFile, SensorSpec
from domesim.core.units import DEG, to_si
from domesim.errors import ParameterError, ScenarioError

KeyPath = tuple[Any, ...]
Override = Mapping[str, Any]
OrbitSource = Literal["walker", "elements", "geo", "heo", "tle"]


@dataclass(frozen=True, kw_only=True)
class InterceptorSite:
    """One ``[[interceptor_site]]`` in play: a surface battery of one interceptor class."""

    path: KeyPath  # ("interceptor_site", i) in the file
    class_id: str  # catalogue [interceptor.<id>]
    layer: str  # the class's layer ("midcourse", "upper_tier"...; "unassigned" if the catalogue has none)
    label: str  # name, else deployment id, else "<class>@<site>": the builder's battery name
    deployment: str | None  # catalogue [deployment.<id>], if named
    site: str | None  # catalogue [site.<id>], if any (named or the deployment's)
    lat_deg: float
    lon_deg: float
    alt_m: float
    inventory: int  # the file's inventory, else the deployment's catalogue inventory
    country: str  # the site's country ("US" when the site is not in the catalogue)
    override: Override = field(default_factory=dict)  # the file's overrides of the class's parameters

    @property
    def lat_rad(self) -> float:
        return self.lat_deg * DEG

    @property
    def lon_rad(self) -> float:
        return self.lon_deg * DEG


@dataclass(frozen=True, kw_only=True)
class SensorSite:
    """One ``[[sensor]]`` in play: a surface sensor (radar) at one place."""

    path: KeyPath  # ("sensor", i) in the file
    class_id: str  # catalogue [sensor.<id>]
    family: str  # the class's family ("radar"...)
    band: str | None  # the file's band, else the class's
    label: str  # name, else deployment id, else "<class>@<site>": the builder's radar name
    deployment: str | None
    site: str | None
    lat_deg: float
    lon_deg: float
    alt_m: float
    country: str
    override: Override = field(default_factory=dict)

    @property
    def lat_rad(self) -> float:
        return self.lat_deg * DEG

    @property
    def lon_rad(self) -> float:
        return self.lon_deg * DEG


@dataclass(frozen=True, kw_only=True)
class Constellation:
    """One ``[[constellation]]``: satellites carrying a space sensor or space-based interceptors."""

    path: KeyPath  # ("constellation", i) in the file
    label: str  # name, else catalogue constellation id, else payload class: the builder's layer name
    constellation: str | None  # catalogue [constellation.<id>], if named
    payload: Literal["sensor", "interceptor"]
    class_id: str  # catalogue [sensor.<id>] (family space_ir) or [interceptor.<id>] (family sbi)
    layer: str  # interceptors: the class's layer (default "boost"); sensors: "space_sensors"
    orbits: OrbitSource  # where the orbit elements come from
    satellites: int
    per_satellite: int = 1  # interceptors per satellite (sensors: 1)
    override: Override = field(default_factory=dict)  # orbit and payload overrides, as in the file

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
@dataclass
class _Resolver:
    catalogue: Catalogue
    base_dir: FilePath
    epoch_utc: str
    problems: list[tuple[KeyPath, str]] = field(default_factory=list)

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append((path, message))

    def lookup(self, section: str, entry_id: str, path: KeyPath) -> Entry | None:
        """The catalogue entry, or None with the builder's 'unknown <section> id' problem."""
        if not self.catalogue.has(section, entry_id):
            self.problem(
                path, f"unknown {section} id {entry_id!r}{self.catalogue.suggest(section, entry_id)}"
            )
            return None
        return self.catalogue.entry(section, entry_id)

    def country(self, site: str | None) -> str:
        if site and self.catalogue.has("site", site):
            return str(self.catalogue.entry("site", site).fields.get("country", "US"))
        return "US"

    def canadian(self, spec: SensorSpec | InterceptorSiteSpec) -> bool:
        """Whether a [[sensor]] or [[interceptor_site]] stands at a Canadian site (build/world.py's rule)."""
        site = spec.site
        if spec.deployment and self.catalogue.has("deployment", spec.deployment):
            site = site or self.catalogue.entry("deployment", spec.deployment).fields.get("site")
        if not site or not self.catalogue.has("site", site):
            return False
        return bool(self.catalogue.entry("site", site).fields.get("country") == "CA")

    def deployed(self, spec: SensorSpec | InterceptorSiteSpec, kind: str, path: KeyPath):
        """(class id, site id, (lat_deg, lon_deg, alt_m), label, deployment entry), or None (problem)."""
        deployment = None
        class_id = getattr(spec, kind)
        site = spec.site
        if spec.deployment is not None:
            deployment = self.lookup("deployment", spec.deployment, path + ("deployment",))
            if deployment is None:
                return None
            if kind not in deployment.fields:
                self.problem(path + ("deployment",), f"deployment {spec.deployment!r} is not a {kind}")
                return None
            class_id = class_id or deployment.fields[kind]
            site = site or deployment.fields["site"]
        place = self.place(site, spec.lat_deg, spec.lon_deg, path + ("site",))
        if place is None:
            return None
        if spec.alt_m is not None:
            place = (place[0], place[1], spec.alt_m)
        label = spec.name or spec.deployment or f"{class_id}@{site or 'site'}"
        return class_id, site, place, label, deployment

    def place(self, site: str | None, lat: float | None, lon: float | None, path: KeyPath):
        """(lat_deg, lon_deg, alt_m) of a catalogue site or of explicit degrees, or None (problem)."""
        if site is None:
            return float(lat or 0.0), float(lon or 0.0), 0.0
        entry = self.lookup("site", site, path)
        if entry is None:
            return None
        if any(key not in entry.params for key in ("lat_deg", "lon_deg")):
            self.problem(
                path,
                f"site {site!r} has no reference point in the catalogue: give "
                "launch_lat_deg and launch_lon_deg instead",
            )
            return None
        alt = entry.params["alt_m"].value if "alt_m" in entry.params else 0.0
        return float(entry.value("lat_deg")), float(entry.value("lon_deg")), float(alt)

    def value(self, entry: Entry, key: str, path: KeyPath) -> Any:
        """A catalogue parameter's value, or None with the builder's 'no public value' problem."""
        value = entry.params[key].value
        if value is None:
            self.problem(
                path,
                f"{entry.section} {entry.id!r} has no public value for {key!r} (tag 'unknown'): "
                f"set it with override.{key} in the scenario",
            )
        return value


def _interceptor_sites(r: _Resolver, spec: ScenarioFile) -> list[InterceptorSite]:
    sites = []
    for i, s in enumerate(spec.interceptor_site):
        path: KeyPath = ("interceptor_site", i)
        if not spec.norad.canada_sites and r.canadian(s):
            continue
        found = r.deployed(s, "interceptor", path)
        if found is None:
            continue
        class_id, site, (lat, lon, alt), label, deployment = found
        entry = r.lookup("interceptor", class_id, path + ("interceptor",))
        if entry is None:
            continue
        if entry.fields.get("family") == "sbi":
            r.problem(
                path + ("interceptor",),
                f"{class_id!r} is a space-based interceptor: carry it on a [[constellation]]",
            )
            continue
        inventory = s.inventory
        if inventory is None and deployment is not None:
            if "inventory" not in deployment.params:
                r.problem(
                    path, f"deployment {deployment.id!r} has no inventory in the catalogue: set inventory"
                )
                continue
            stock = r.value(deployment, "inventory", path)
            if stock is None:
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
                lat_deg=lat,
                lon_deg=lon,
                alt_m=float(alt),
                inventory=int(inventory or 0),
                country=r.country(site),
                override=dict(s.override),
            )
        )
    return sites


def _sensor_sites(r: _Resolver, spec: ScenarioFile) -> list[SensorSite]:
    sites = []
    for i, s in enumerate(spec.sensor):
        path: KeyPath = ("sensor", i)
        if not spec.norad.canada_sensors and r.canadian(s):
            continue
        found = r.deployed(s, "sensor", path)
        if found is None:
            continue
        class_id, site, (lat, lon, alt), label, _ = found
        entry = r.lookup("sensor", class_id, path + ("sensor",))
        if entry is None:
            continue
        if entry.fields.get("family") == "space_ir":
            r.problem(
                path + ("sensor",), f"{class_id!r} is a space-based sensor: carry it on a [[constellation]]"
            )
            continue
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
                lat_deg=lat,
                lon_deg=lon,
                alt_m=float(alt),
                country=r.country(site),
                override=dict(s.override),
            )
        )
    return sites


def _satellites(
    r: _Resolver, c: ConstellationSpec, entry: Entry | None, orbit: dict[str, Any], path: KeyPath
) -> tuple[OrbitSource, int] | None:
    """(orbit source, number of satellites) of one [[constellation]], without propagating; the builder's
    order of precedence (``build/world.py`` ``_orbit_elements``) and its checks of the orbits."""
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
                    to_si("alt_km", orbit["alt_km"]),
                    to_si("inc_deg", orbit["inc_deg"]),
                    int(orbit["planes"]),
                    int(orbit["per_plane"]),
                    int(orbit["phasing"]),
                    str(entry.fields.get("pattern", "delta")) if entry else "delta",
                )
            return "walker", walker.size
        if c.elements_deg is not None:
            return "elements", len(orbits.element_set([list(row) for row in c.elements_deg]))
        if c.geo_lon_deg is not None:
            return "geo", len(c.geo_lon_deg)
        if "geo_lon_deg" in orbit:
            return "geo", len(orbit["geo_lon_deg"])
        if "heo_planes" in orbit:
            return "heo", int(orbit["heo_planes"])
        if c.tle_file is not None:
            # sgp4 and the kepler kernels: only for a constellation read from a TLE or OMM file
            from domesim.core.timegrid import julian_date
            from domesim.orbits.tle import read_elements

            names, _ = read_elements(r.base_dir / c.tle_file, julian_date(r.epoch_utc))
            return "tle", len(names)
    except ParameterError as exc:
        r.problem(path + ("walker" if c.walker is not None else "override",), str(exc))
        return None
    except ScenarioError as exc:
        r.problem(path + ("tle_file",), str(exc))
        return None
    r.problem(path, "no orbits: give walker, elements_deg, geo_lon_deg or tle_file")
    return None


def _constellations(r: _Resolver, spec: ScenarioFile) -> list[Constellation]:
    out = []
    for i, c in enumerate(spec.constellation):
        path: KeyPath = ("constellation", i)
        entry = (
            r.lookup("constellation", c.constellation, path + ("constellation",)) if c.constellation else None
        )
        if c.constellation and entry is None:
            continue
        mine = {k: v for k, v in c.override.items() if entry is not None and k in entry.params}
        orbit: dict[str, Any] = {}
        if entry is not None:
            orbit = {k: p.value for k, p in entry.params.items()} | mine
            missing = [k for k, v in orbit.items() if v is None]
            for key in missing:
                r.value(entry, key, path)
            if missing:
                continue
        sensor_id = c.sensor or (entry.fields.get("sensor") if entry and not c.interceptor else None)
        sbi_id = c.interceptor or (entry.fields.get("interceptor") if entry and not c.sensor else None)
        label = c.name or c.constellation or sensor_id or sbi_id or f"constellation {i + 1}"
        section, class_id = ("sensor", sensor_id) if sensor_id else ("interceptor", sbi_id)
        where = path + (section if (c.sensor or c.interceptor) else "constellation",)
        payload = r.lookup(section, str(class_id), where)
        counted = _satellites(r, c, entry, orbit, path)
        if payload is None or counted is None:
            continue
        if payload.fields.get("family") != ("space_ir" if section == "sensor" else "sbi"):
            r.problem(where, f"{class_id!r} is not a space-based {section} class")
            continue
        kind, satellites = counted
        is_sbi = section == "interceptor"
        out.append(
            Constellation(
                path=path,
                label=label,
                constellation=c.constellation,
                payload="interceptor" if is_sbi else "sensor",
                class_id=str(class_id),
                layer=str(payload.fields.get("layer", "boost")) if is_sbi else "space_sensors",
                orbits=kind,
                satellites=satellites,
                per_satellite=(c.per_satellite or int(orbit.get("per_satellite", 1))) if is_sbi else 1,
                override=dict(c.override),
            )
        )
    return out


def architecture(spec: ScenarioFile, catalogue: Catalogue, base_dir: str | FilePath = ".") -> Architecture:
    """The fielded elements of a validated scenario, resolved against the catalogue.

    ``base_dir`` is where files named by the scenario (a TLE catalogue) are looked up. Problems are in
    ``problems`` (key path, message); the elements they concern are left out.
    """
    r = _Resolver(catalogue, FilePath(base_dir), spec.scenario.epoch_utc)
    constellations = _constellations(r, spec)
    sensors = _sensor_sites(r, spec)
    sites = _interceptor_sites(r, spec)
    return Architecture(
        interceptor_sites=tuple(sites),
        sensor_sites=tuple(sensors),
        constellations=tuple(constellations),
        problems=tuple(r.problems),
    )
