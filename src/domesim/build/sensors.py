"""Sensor families placed at sites (the ``[[sensor]]`` blocks): the registry and the radar family.

A sensor family says how to build one ``[[sensor]]`` block into the engine's sensor model (for a radar:
radar equation, faces, elevation limits, ceiling, skip zone, noise, false alarms, discrimination). Every
sensing fidelity uses that one model: the full chain draws its looks, the screening estimate takes its
coverage at a single-look Pd of 1/2. Space-based sensors are constellation payloads
(:mod:`domesim.build.constellations`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domesim.build.builder import Builder
from domesim.build.catalogue import Entry
from domesim.build.registry import Registry
from domesim.core.units import DEG

if TYPE_CHECKING:  # the physics is imported where it runs: validating or costing a file compiles nothing
    from domesim.build.architecture import SensorSite
    from domesim.sensors.radar import Radar


@dataclass(frozen=True, kw_only=True)
class SensorFamily:
    """One registered family of site-placed sensors."""

    name: str
    catalogue_families: tuple[str, ...]
    display_name: str
    # (builder, the resolved [[sensor]], its catalogue class) -> the model, or None (problem recorded)
    build: Callable[[Builder, SensorSite, Entry], Radar | None]


SENSOR_FAMILIES: Registry[SensorFamily] = Registry("sensor family")

RADAR_KEYS = (
    "max_range_km",
    "ref_rcs_dbsm",
    "pfa",
    "min_elevation_deg",
    "max_elevation_deg",
    "faces_az_deg",
    "face_half_width_deg",
    "revisit_s",
    "range_sigma_m",
    "angle_sigma_mrad",
    "false_alarms_per_scan",
    "p_discriminate_midcourse",
)
RADAR_EQUATION_KEYS = ("power_aperture_w_m2", "dwell_s", "noise_temp_k", "loss_db")


def _radar(b: Builder, site: SensorSite, entry: Entry) -> Radar | None:
    """One [[sensor]] radar with its detection model (radar equation, faces, elevation limits, ceiling,
    skip zone, noise, false alarms, discrimination), or None (problem recorded)."""
    from domesim.sensors.radar import BANDS, Radar, RadarClass, range_from_power_aperture, reference_snr

    path, class_id, label = site.path, site.class_id, site.label
    deployment = b.catalogue.entry("deployment", site.deployment) if site.deployment else None
    # the radar equation's own inputs may be given instead of the class's detection range
    equation = {
        k: v for k, v in site.override.items() if k in RADAR_EQUATION_KEYS and not isinstance(v, list)
    }
    others = {k: v for k, v in site.override.items() if k not in RADAR_EQUATION_KEYS}
    p = b.params(entry, others, path, f"sensor {class_id}")
    if p is None:
        return None
    if equation:
        bad = [k for k in RADAR_EQUATION_KEYS if k != "loss_db" and not equation.get(k, 1.0) > 0]
        if bad or set(equation) != set(RADAR_EQUATION_KEYS):
            key = bad[0] if bad else "power_aperture_w_m2"
            b.problem(
                path + ("override", key),
                f"the radar equation needs {', '.join(RADAR_EQUATION_KEYS)}, each > 0 except loss_db "
                f"(got {equation.get(key)!r} for {key}; power_aperture_w_m2 is average power x effective "
                "aperture, W m^2)",
            )
            return None
        p.update({k: float(v) for k, v in equation.items()})
    if deployment is not None and "faces_az_deg" in deployment.params and "faces_az_deg" not in site.override:
        p["faces_az_deg"] = [f * DEG for f in deployment.value("faces_az_deg")]  # the site's own boresights
    band = site.band
    if band not in BANDS:
        where = path + ("band",) if band != entry.fields.get("band") else path + ("sensor",)
        b.problem(where, f"unknown radar band {band!r}; expected one of {', '.join(BANDS)}")
        return None
    if "power_aperture_w_m2" in p:  # the radar equation from power-aperture, dwell, noise and losses
        p["max_range_km"] = range_from_power_aperture(
            p["power_aperture_w_m2"],
            p["dwell_s"],
            p["noise_temp_k"],
            p["loss_db"],
            10.0 ** (p["ref_rcs_dbsm"] / 10.0),
            reference_snr(p["pfa"]),
        )
    missing = [key for key in RADAR_KEYS if key not in p]
    if missing:
        b.problem(
            path + ("sensor",),
            f"the radar model of {class_id!r} is missing {', '.join(missing)} (set them with override)",
        )
        return None
    faces = [
        float(f) for f in (p["faces_az_deg"] if isinstance(p["faces_az_deg"], list) else [p["faces_az_deg"]])
    ]
    if any(not 0.0 <= f <= 2 * math.pi + 1e-12 for f in faces):
        b.problem(path + ("override", "faces_az_deg"), "face azimuths must be between 0 and 360 deg")
        return None
    if p["min_elevation_deg"] >= p["max_elevation_deg"]:
        b.problem(path + ("override",), "min_elevation_deg must be below max_elevation_deg")
        return None
    cls = RadarClass(
        name=class_id,
        band=str(band),
        ref_range_m=p["max_range_km"],
        ref_rcs_m2=10.0 ** (p["ref_rcs_dbsm"] / 10.0),
        pfa=p["pfa"],
        min_elevation_rad=p["min_elevation_deg"],
        max_elevation_rad=p["max_elevation_deg"],
        faces_az_rad=tuple(faces),
        face_half_width_rad=p["face_half_width_deg"],
        min_range_m=p.get("min_range_km", 0.0),
        revisit_s=p["revisit_s"],
        range_sigma_m=p["range_sigma_m"],
        angle_sigma_rad=p["angle_sigma_mrad"],
        false_alarms_per_scan=p["false_alarms_per_scan"],
        p_discriminate=p["p_discriminate_midcourse"],
        max_altitude_m=p.get("max_altitude_km", math.inf),
    )
    return Radar(name=label, cls=cls, lat_rad=site.lat_rad, lon_rad=site.lon_rad, alt_m=site.alt_m)


SENSOR_FAMILIES.register(
    SensorFamily(
        name="radar",
        catalogue_families=("radar",),
        display_name="ground- and sea-based radars",
        build=_radar,
    )
)
