"""Constellations (the ``[[constellation]]`` blocks): their orbits, and the registry of the payloads
they carry (a space-based infrared sensor, a space-based interceptor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from domesim.build.builder import Builder, Path
from domesim.build.catalogue import Entry
from domesim.build.registry import Registry

if TYPE_CHECKING:  # the physics is imported where it runs: validating or costing a file compiles nothing
    from domesim.build.architecture import Architecture
    from domesim.build.parts import WorldParts


@dataclass(frozen=True, kw_only=True)
class OrbitingPayload:
    """One ``[[constellation]]`` of the architecture with its orbits propagated to the epoch and its
    payload's parameters resolved: what a payload kind builds from."""

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
    build: Callable[[OrbitingPayload, WorldParts], None]  # appends what it builds to the parts
    kernel: Callable[..., Any]  # compiled entry: detection (sensors) or boost-phase engagement (SBIs)
    stream: str  # named random stream of its draws


PAYLOADS: Registry[PayloadKind] = Registry("constellation payload")


def build_constellations(b: Builder, spec: Any, fielded: Architecture, parts: WorldParts) -> None:
    """Every constellation of the architecture: its orbits at the epoch, its payload built by the
    registered payload kind."""
    for c in fielded.constellations:
        block = spec.constellation[c.path[1]]
        entry = b.catalogue.entry("constellation", c.constellation) if c.constellation else None
        mine = {k: v for k, v in block.override.items() if entry is not None and k in entry.params}
        orbit = b.params(entry, mine, c.path, f"constellation {entry.id}") if entry else {}
        if orbit is None:
            continue
        payload = b.catalogue.entry(PAYLOADS[c.family].section, c.class_id)
        overrides = {k: v for k, v in block.override.items() if k not in mine}
        p = b.params(payload, overrides, c.path, f"{payload.section} {c.class_id}")
        if p is None:
            continue
        with b.reported(c.path + ("override",)):
            PAYLOADS[c.family].build(
                OrbitingPayload(
                    builder=b,
                    block=block,
                    path=c.path,
                    label=c.label,
                    orbit=orbit,
                    elements=c.elements,
                    class_id=c.class_id,
                    payload=payload,
                    params=p,
                ),
                parts,
            )


def _space_sensor(c: OrbitingPayload, parts: WorldParts) -> None:
    from domesim.sensors.space_ir import SpaceSensorClass, SpaceSensorLayer

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


def _sbi(c: OrbitingPayload, parts: WorldParts) -> None:
    from domesim.interceptors.flyout import Battery, InterceptorClass
    from domesim.interceptors.sbi import SbiKinematics, SbiLayer

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


def _space_ir_first_detection(*args: Any) -> Any:
    """First detections by space sensor layers (:func:`domesim.sensors.space_ir.first_detection_t_s`)."""
    from domesim.sensors.space_ir import first_detection_t_s

    return first_detection_t_s(*args)


def _engage_boost(*args: Any) -> Any:
    """One SBI layer's boost-phase engagements (:func:`domesim.interceptors.sbi.engage_boost`)."""
    from domesim.interceptors.sbi import engage_boost

    return engage_boost(*args)


PAYLOADS.register(
    PayloadKind(
        name="space_ir",
        catalogue_families=("space_ir",),
        section="sensor",
        display_name="space-based infrared sensors",
        build=_space_sensor,
        kernel=_space_ir_first_detection,
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
        kernel=_engage_boost,
        stream="kill.sbi",
    )
)
