"""Interceptor classes placed at sites (the ``[[interceptor_site]]`` blocks): the registry and the
surface-launched class (a fly-out envelope: burn time, burnout speed, altitude window, range).
Space-based interceptors are constellation payloads (:mod:`domesim.build.constellations`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domesim.build.builder import Builder
from domesim.build.catalogue import Entry
from domesim.build.registry import Registry

if TYPE_CHECKING:  # the physics is imported where it runs: validating or costing a file compiles nothing
    from domesim.build.architecture import InterceptorSite
    from domesim.build.parts import WorldParts


@dataclass(frozen=True, kw_only=True)
class InterceptorKind:
    """One registered class of site-placed interceptors."""

    name: str
    catalogue_families: tuple[str, ...]
    display_name: str
    # (builder, the resolved [[interceptor_site]], its catalogue class, parts): appends its battery
    build: Callable[[Builder, InterceptorSite, Entry, WorldParts], None]
    engagement_windows: Callable[..., Any]  # compiled entry: latest launch time per step


INTERCEPTOR_CLASSES: Registry[InterceptorKind] = Registry("interceptor class")


def _surface_battery(b: Builder, site: InterceptorSite, entry: Entry, parts: WorldParts) -> None:
    from domesim.interceptors.flyout import Battery, InterceptorClass

    p = b.params(entry, site.override, site.path, f"interceptor {site.class_id}")
    if p is None:
        return
    if site.deployment is not None:  # the inventory's provenance
        deployment = b.catalogue.entry("deployment", site.deployment)
        b.params(deployment, {}, site.path, f"deployment {deployment.id}")
    cls = InterceptorClass(
        name=site.class_id,
        layer=site.layer,
        burn_time_s=p["burn_time_s"],
        burnout_speed_m_s=p["burnout_speed_km_s"],
        min_intercept_alt_m=p["min_intercept_alt_km"],
        max_intercept_alt_m=p["max_intercept_alt_km"],
        max_range_m=p["max_range_km"],
        sspk=p["sspk"],
        reliability=p["reliability"],
        fire_control_sigma_m=p.get("fire_control_sigma_km"),  # the class's, or the site's override
    )
    if cls.min_intercept_alt_m >= cls.max_intercept_alt_m:
        b.problem(site.path + ("override",), "min_intercept_alt_km must be below max_intercept_alt_km")
        return
    parts.ground_batteries.append(
        Battery(
            name=site.label,
            interceptor=cls,
            lat_rad=site.lat_rad,
            lon_rad=site.lon_rad,
            alt_m=site.alt_m,
            inventory=site.inventory,
        )
    )


def _latest_launch_t_s(battery, r_ecef, alt_m, t_s):
    """Engagement windows of a battery (:func:`domesim.interceptors.flyout.latest_launch_t_s`)."""
    from domesim.interceptors.flyout import latest_launch_t_s

    return latest_launch_t_s(battery, r_ecef, alt_m, t_s)


INTERCEPTOR_CLASSES.register(
    InterceptorKind(
        name="surface",
        catalogue_families=("surface",),
        display_name="ground- and sea-based interceptors",
        build=_surface_battery,
        engagement_windows=_latest_launch_t_s,
    )
)
