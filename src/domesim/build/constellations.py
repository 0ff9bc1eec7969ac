"""Constellations (the ``[[constellation]]`` blocks): their orbits, and the registry of the payloads
they carry (a space-based infrared sensor, a space-based interceptor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

import numpy as np

from domesim.build.builder import Builder, Path
from domesim.build.catalogue import Entry
from domesim.build.parts import WorldParts
from domesim.build.registry import Registry
from domesim.core.constants import R_EARTH_EQ_M
from domesim.core.frames import earth_rotation_angle
from domesim.core.timegrid import TimeGrid
from domesim.core.units import DEG
from domesim.errors import ParameterError, ScenarioError
from domesim.interceptors.flyout import Battery, InterceptorClass
from domesim.interceptors.sbi import SbiKinematics, SbiLayer, engage_boost
from domesim.orbits import constellation as orbits
from domesim.sensors import space_ir
from domesim.sensors.space_ir import SpaceSensorClass, SpaceSensorLayer


@dataclass(frozen=True, kw_only=True)
class Constellation:
    """One ``[[constellation]]`` block, resolved to its orbits and payload class."""

    builder: Builder
    block: Any  # build.schema.ConstellationSpec
    path: Path
    label: str
    orbit: dict[str, Any]  # the catalogue constellation's SI parameters ({} without one)
    elements: np.ndarray  # (S, 6) mean elements at the scenario epoch
    class_id: str
    payload: Entry  # the catalogue class it carries
    params: dict[str, Any]  # the payload's SI parameters with the block's overrides


@dataclass(frozen=True, kw_only=True)
class PayloadKind:
    """One registered constellation payload."""

    name: str
    catalogue_families: tuple[str, ...]
    section: str  # catalogue section of its classes: "sensor" or "interceptor"
    display_name: str
    build: Callable[[Constellation, WorldParts], None]  # appends what it builds to the parts
    kernel: Callable[..., Any]  # compiled entry: detection (sensors) or boost-phase engagement (SBIs)
    stream: str  # named random stream of its draws


PAYLOADS: Registry[PayloadKind] = Registry("constellation payload")


GEO_RADIUS_M = 42_164_170.0  # geosynchronous orbit radius (sidereal day, WGS84 GM)


def orbit_elements(
    b: Builder,
    c: Any,
    entry: Entry | None,
    orbit: dict[str, Any],
    grid: TimeGrid,
    base_dir: FilePath,
    path: Path,
) -> np.ndarray | None:
    """Mean elements (S, 6) at the scenario epoch of one [[constellation]], or None (problem recorded)."""
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
        theta0 = float(earth_rotation_angle(0.0, grid.epoch_jd))
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

            return read_elements(base_dir / c.tle_file, grid.epoch_jd)[1]
    except ParameterError as exc:
        b.problem(path + ("walker" if c.walker is not None else "override",), str(exc))
        return None
    except ScenarioError as exc:
        b.problem(path + ("tle_file",), str(exc))
        return None
    b.problem(path, "no orbits: give walker, elements_deg, geo_lon_deg or tle_file")
    return None


def build_constellations(
    b: Builder, spec: Any, grid: TimeGrid, base_dir: FilePath, parts: WorldParts
) -> None:
    """Every [[constellation]] block, its payload built by the registered payload kind."""
    for i, c in enumerate(spec.constellation):
        path: Path = ("constellation", i)
        entry = (
            b.lookup("constellation", c.constellation, path + ("constellation",)) if c.constellation else None
        )
        if c.constellation and entry is None:
            continue
        mine = {k: v for k, v in c.override.items() if entry is not None and k in entry.params}
        orbit = b.params(entry, mine, path, f"constellation {entry.id}") if entry else {}
        if orbit is None:
            continue
        sensor_id = c.sensor or (entry.fields.get("sensor") if entry and not c.interceptor else None)
        sbi_id = c.interceptor or (entry.fields.get("interceptor") if entry and not c.sensor else None)
        label = c.name or c.constellation or sensor_id or sbi_id or f"constellation {i + 1}"
        payload_overrides = {k: v for k, v in c.override.items() if k not in mine}
        section, class_id = ("sensor", sensor_id) if sensor_id else ("interceptor", sbi_id)
        where = path + (section if (c.sensor or c.interceptor) else "constellation",)
        payload = b.lookup(section, str(class_id), where)
        elements = orbit_elements(b, c, entry, orbit, grid, base_dir, path)
        if payload is None or elements is None:
            continue
        kind = PAYLOADS.for_family(payload.fields.get("family"))
        if kind is None or kind.section != section:
            b.problem(where, f"{class_id!r} is not a space-based {section} class")
            continue
        p = b.params(payload, payload_overrides, path, f"{section} {class_id}")
        if p is None:
            continue
        kind.build(
            Constellation(
                builder=b,
                block=c,
                path=path,
                label=label,
                orbit=orbit,
                elements=elements,
                class_id=str(class_id),
                payload=payload,
                params=p,
            ),
            parts,
        )


def _space_sensor(c: Constellation, parts: WorldParts) -> None:
    p = c.params
    sensor = SpaceSensorClass(
        name=c.class_id,
        max_range_m=p["max_range_km"],
        field_of_regard_rad=p["field_of_regard_deg"],
        min_plume_alt_m=p["min_plume_alt_km"],
        pd_boost=p["pd_boost"],
        pd_dim=p["pd_dim"],
        dim_range_m=p["dim_range_km"],
        limb_alt_m=p["limb_alt_km"],
        revisit_s=p["revisit_s"],
        angle_sigma_rad=p["angle_sigma_urad"],
    )
    parts.space_sensors.append(SpaceSensorLayer(name=c.label, sensor=sensor, elements=c.elements))


def _sbi(c: Constellation, parts: WorldParts) -> None:
    b, p = c.builder, c.params
    if p["divert_dv_km_s"] >= p["delta_v_km_s"]:
        b.problem(
            c.path + ("override",), "divert_dv_km_s must be below delta_v_km_s (the rest is the fly-out)"
        )
        return
    per_sat = c.block.per_satellite or int(c.orbit.get("per_satellite", 1))
    salvo = c.block.salvo_size or int(b.catalogue.entry("doctrine", "default").value("salvo_size"))
    kin = SbiKinematics(
        accel_m_s2=p["accel_g"],
        flyout_dv_m_s=p["delta_v_km_s"] - p["divert_dv_km_s"],
        commit_delay_s=p["commit_delay_s"],
        min_intercept_alt_m=p["min_intercept_alt_km"],
    )
    cls = InterceptorClass(
        name=c.class_id,
        layer=str(c.payload.fields.get("layer", "boost")),
        burn_time_s=kin.flyout_dv_m_s / kin.accel_m_s2,
        burnout_speed_m_s=kin.flyout_dv_m_s,
        min_intercept_alt_m=kin.min_intercept_alt_m,
        max_intercept_alt_m=np.inf,
        max_range_m=np.inf,
        sspk=p["sspk"],
        reliability=p["reliability"],
    )
    parts.sbi_layers.append(
        SbiLayer(
            name=c.label,
            kinematics=kin,
            elements=c.elements,
            per_satellite=per_sat,
            salvo=salvo,
            sspk=p["sspk"],
            reliability=p["reliability"],
        )
    )
    parts.sbi_batteries.append(
        Battery(
            name=c.label,
            interceptor=cls,
            lat_rad=0.0,
            lon_rad=0.0,
            alt_m=0.0,
            inventory=per_sat * len(c.elements),
        )
    )


PAYLOADS.register(
    PayloadKind(
        name="space_ir",
        catalogue_families=("space_ir",),
        section="sensor",
        display_name="space-based infrared sensors",
        build=_space_sensor,
        kernel=space_ir.first_detection_t_s,
        stream="sensor.space",
    )
)
PAYLOADS.register(
    PayloadKind(
        name="sbi",
        catalogue_families=("sbi",),
        section="interceptor",
        display_name="space-based interceptors",
        build=_sbi,
        kernel=engage_boost,
        stream="kill.sbi",
    )
)
