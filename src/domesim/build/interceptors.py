"""Interceptor classes placed at sites (the ``[[interceptor_site]]`` blocks): the registry and the
surface-launched class (a fly-out envelope: burn time, burnout speed, altitude window, range).
Space-based interceptors are constellation payloads (:mod:`domesim.build.constellations`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domesim.build.builder import Builder, Path, deployed, is_canadian
from domesim.build.catalogue import Entry
from domesim.build.parts import WorldParts
from domesim.build.registry import Registry
from domesim.interceptors.flyout import Battery, InterceptorClass, latest_launch_t_s


@dataclass(frozen=True, kw_only=True)
class InterceptorSite:
    """One ``[[interceptor_site]]`` block in play, resolved to its class and place."""

    builder: Builder
    block: Any  # build.schema.InterceptorSiteSpec
    path: Path
    class_id: str
    place: tuple[float, float, float]  # lat_rad, lon_rad, alt_m
    label: str
    deployment: Entry | None
    entry: Entry


@dataclass(frozen=True, kw_only=True)
class InterceptorKind:
    """One registered class of site-placed interceptors."""

    name: str
    catalogue_families: tuple[str, ...]
    display_name: str
    build: Callable[[InterceptorSite, WorldParts], None]  # appends its battery to the parts
    engagement_windows: Callable[..., Any]  # compiled entry: latest launch time per step


INTERCEPTOR_CLASSES: Registry[InterceptorKind] = Registry("interceptor class")


def build_sites(b: Builder, spec: Any, parts: WorldParts) -> None:
    """Every [[interceptor_site]] in play (NORAD switches applied), built by its registered class."""
    from domesim.build.constellations import PAYLOADS

    for i, s in enumerate(spec.interceptor_site):
        path: Path = ("interceptor_site", i)
        if not spec.norad.canada_sites and is_canadian(b, s, path):
            continue
        found = deployed(b, s, "interceptor", path)
        if found is None:
            continue
        class_id, place, label, deployment = found
        entry = b.lookup("interceptor", class_id, path + ("interceptor",))
        if entry is None:
            continue
        family = entry.fields.get("family")
        kind = INTERCEPTOR_CLASSES.for_family(family)
        if kind is None:
            if PAYLOADS.for_family(family) is not None:
                message = f"{class_id!r} is a space-based interceptor: carry it on a [[constellation]]"
            else:
                message = (
                    f"interceptor {class_id!r} is of family {family!r}, which no registered interceptor class "
                    f"builds ({', '.join(INTERCEPTOR_CLASSES.families())})"
                )
            b.problem(path + ("interceptor",), message)
            continue
        site = InterceptorSite(
            builder=b,
            block=s,
            path=path,
            class_id=class_id,
            place=place,
            label=label,
            deployment=deployment,
            entry=entry,
        )
        kind.build(site, parts)


def _surface_battery(site: InterceptorSite, parts: WorldParts) -> None:
    b, s, path, entry, deployment = site.builder, site.block, site.path, site.entry, site.deployment
    p = b.params(entry, s.override, path, f"interceptor {site.class_id}")
    if p is None:
        return
    inventory = s.inventory
    if inventory is None and deployment is not None:
        stock = b.params(deployment, {}, path, f"deployment {deployment.id}") or {}
        if "inventory" not in stock:
            b.problem(path, f"deployment {deployment.id!r} has no inventory in the catalogue: set inventory")
            return
        inventory = int(stock["inventory"])
    cls = InterceptorClass(
        name=site.class_id,
        layer=str(entry.fields.get("layer", "unassigned")),
        burn_time_s=p["burn_time_s"],
        burnout_speed_m_s=p["burnout_speed_km_s"],
        min_intercept_alt_m=p["min_intercept_alt_km"],
        max_intercept_alt_m=p["max_intercept_alt_km"],
        max_range_m=p["max_range_km"],
        sspk=p["sspk"],
        reliability=p["reliability"],
    )
    if cls.min_intercept_alt_m >= cls.max_intercept_alt_m:
        b.problem(path + ("override",), "min_intercept_alt_km must be below max_intercept_alt_km")
        return
    lat, lon, alt = site.place
    parts.ground_batteries.append(
        Battery(
            name=site.label,
            interceptor=cls,
            lat_rad=lat,
            lon_rad=lon,
            alt_m=alt,
            inventory=int(inventory or 0),
        )
    )


INTERCEPTOR_CLASSES.register(
    InterceptorKind(
        name="surface",
        catalogue_families=("surface",),
        display_name="ground- and sea-based interceptors",
        build=_surface_battery,
        engagement_windows=latest_launch_t_s,
    )
)
