"""The cruise family: subsonic land-attack and hypersonic cruise missiles flying waypoint routes on the
ellipsoid (climb, cruise, turns, pop-up and dive). Physics: :mod:`domesim.threats.cruise`,
:mod:`domesim.core.route`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from domesim.build.blocks import StrictModel, ThreatBlock
from domesim.build.threats import THREAT_FAMILIES, ThreatContext, ThreatFamily
from domesim.core.units import DEG
from domesim.errors import TargetingError

if TYPE_CHECKING:  # the physics is imported where it runs: validating a file compiles nothing
    from domesim.threats.batch import ThreatBatch
    from domesim.threats.cruise import CruiseObject


class CruiseDispersion(StrictModel):
    """Per-trial 1-sigma dispersions of a cruise missile (0 = off)."""

    speed_sigma_frac: float = Field(default=0.0, ge=0.0, le=0.2)  # cruise speed
    cross_track_sigma_m: float = Field(default=0.0, ge=0.0, le=1e5)  # route offset
    launch_t_sigma_s: float = Field(default=0.0, ge=0.0, le=3600.0)  # launch time


class CruiseThreat(ThreatBlock):
    """A ``[[threat]]`` block of a cruise-missile class."""

    waypoints_deg: list[tuple[float, float]] = Field(default_factory=list, max_length=50)  # (lat, lon)
    launch_alt_m: float = Field(default=0.0, ge=0.0, le=20000.0)  # air launch altitude
    dispersion: CruiseDispersion = Field(default_factory=CruiseDispersion)  # type: ignore[assignment]


def build(ctx: ThreatContext) -> list[CruiseObject]:
    """Cruise missiles of one block, flying the block's waypoints to each aim point."""
    from domesim.threats.cruise import CruiseMissile, CruiseObject

    b, t = ctx.builder, ctx.block
    resolved = ctx.vehicle_and_places(CruiseMissile.from_params)
    if resolved is None:
        return []
    missile, launch, aims = resolved
    way_lat = tuple(w[0] * DEG for w in t.waypoints_deg)
    way_lon = tuple(w[1] * DEG for w in t.waypoints_deg)
    d = t.dispersion
    missiles = []
    for j in range(t.count):
        aim_label, aim = aims[j % len(aims)]
        cruiser = CruiseObject(
            name=ctx.member_name(j, aim_label),
            missile=missile,
            launch_lat_rad=launch[0],
            launch_lon_rad=launch[1],
            aim_lat_rad=aim[0],
            aim_lon_rad=aim[1],
            launch_t_s=ctx.launch_time_s(j),
            waypoints_lat_rad=way_lat,
            waypoints_lon_rad=way_lon,
            launch_alt_m=t.launch_alt_m,
            speed_sigma_frac=d.speed_sigma_frac,
            cross_track_sigma_m=d.cross_track_sigma_m,
            launch_t_sigma_s=d.launch_t_sigma_s,
        )
        try:
            cruiser.plan()
        except TargetingError as exc:
            b.problem(ctx.path + ("waypoints_deg" if t.waypoints_deg else "aim_asset",), str(exc))
            return []
        missiles.append(cruiser)
    return missiles


def fly(threats, grid, rng, trials, rtol, atol) -> ThreatBatch:
    """Truth of the cruise missiles (:func:`domesim.threats.cruise.fly_cruise`): the route kernel is
    closed-form between route pieces, so the integration tolerances do not apply."""
    from domesim.threats.cruise import fly_cruise

    return fly_cruise(threats, grid, rng, trials)


THREAT_FAMILIES.register(
    ThreatFamily(
        name="cruise",
        catalogue_families=("cruise",),
        display_name="cruise missiles",
        block=CruiseThreat,
        build=build,
        fly=fly,
        stream="threat.cruise",
        order=30,
    )
)
