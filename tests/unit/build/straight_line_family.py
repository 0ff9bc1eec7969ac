"""A worked example of a threat family: a vehicle that flies the great circle from its launch point to
its aim point at a constant height and speed, then drops onto the aim point.

The whole family is this one module plus its catalogue entries (docs/design.md, "How to add a threat
family"): its [[threat]] block, how a block becomes threats, the generator that flies them on the time
grid (arrays over trials, objects and steps), the random stream of its dispersions, and its
registration. Nothing in the builder, the schema or the engine names it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field

from domesim.build.blocks import StrictModel, ThreatBlock
from domesim.build.threats import THREAT_FAMILIES, ThreatContext, ThreatFamily, aim_points, launch_point
from domesim.core import frames
from domesim.core.ballistic import PHASE_IMPACTED, PHASE_MIDCOURSE, STATUS_FLYING, STATUS_IMPACTED
from domesim.threats.ballistic import ObjectInfo
from domesim.threats.batch import ThreatBatch


class StraightLineDispersion(StrictModel):
    """Per-trial 1-sigma dispersion of the speed (0 = off)."""

    speed_sigma_frac: float = Field(default=0.0, ge=0.0, le=0.3)


class StraightLineThreat(ThreatBlock):
    """Its [[threat]] block: the common keys, plus its own dispersion table."""

    dispersion: StraightLineDispersion = Field(default_factory=StraightLineDispersion)  # type: ignore[assignment]


@dataclass(frozen=True, kw_only=True)
class StraightLineVehicle:
    """One launched vehicle (SI units)."""

    name: str
    threat_class: str
    launch_lat_rad: float
    launch_lon_rad: float
    aim_lat_rad: float
    aim_lon_rad: float
    launch_t_s: float
    speed_m_s: float
    height_m: float
    speed_sigma_frac: float

    @property
    def range_m(self) -> float:
        return float(
            frames.great_circle_distance_m(
                self.launch_lat_rad, self.launch_lon_rad, self.aim_lat_rad, self.aim_lon_rad
            )
        )

    def objects(self) -> list[ObjectInfo]:
        """Its one simulated object, lethal from launch to impact."""
        return [
            ObjectInfo(
                name=self.name,
                kind="straight_line",
                lethal=True,
                threat=self,
                aim_lat_rad=self.aim_lat_rad,
                aim_lon_rad=self.aim_lon_rad,
                threat_class=self.threat_class,
                launch_t_s=self.launch_t_s,
                nominal_impact_t_s=self.launch_t_s + self.range_m / self.speed_m_s,
                range_m=self.range_m,
                apogee_m=self.height_m,
            )
        ]


def build(ctx: ThreatContext) -> list[StraightLineVehicle]:
    """The vehicles of one [[threat]] block (problems go to ``ctx.builder``)."""
    p = ctx.builder.params(ctx.entry, ctx.block.override, ctx.path, f"threat {ctx.entry.id}")
    launch, aims = launch_point(ctx), aim_points(ctx)
    if p is None or launch is None or aims is None:
        return []
    vehicles = []
    for j in range(ctx.block.count):
        aim_label, aim = aims[j % len(aims)]
        vehicles.append(
            StraightLineVehicle(
                name=ctx.member_name(j, aim_label),
                threat_class=ctx.entry.id,
                launch_lat_rad=launch[0],
                launch_lon_rad=launch[1],
                aim_lat_rad=aim[0],
                aim_lon_rad=aim[1],
                launch_t_s=ctx.launch_time_s(j),
                speed_m_s=p["speed_km_s"],
                height_m=p["height_km"],
                speed_sigma_frac=ctx.block.dispersion.speed_sigma_frac,
            )
        )
    return vehicles


def fly(vehicles, grid, rng, trials, rtol, atol) -> ThreatBatch:
    """Truth on the grid, arrays over (trials, vehicles, steps): the point at the flown fraction of the
    great circle (spherical interpolation of the launch and aim directions), at the vehicle's height."""
    t_s = grid.t_s
    n = len(vehicles)
    speed = np.array([v.speed_m_s for v in vehicles])
    sigma = np.array([v.speed_sigma_frac for v in vehicles])
    z = rng.standard_normal((trials, n)) if rng is not None else np.zeros((trials, n))
    speed = speed * np.maximum(1.0 + sigma * z, 0.1)  # (R, N)
    range_m = np.array([v.range_m for v in vehicles])
    t0 = np.array([v.launch_t_s for v in vehicles])
    t_impact = t0 + range_m / speed  # (R, N)
    a = frames.geodetic_to_ecef(*(np.array([[v.launch_lat_rad, v.launch_lon_rad, 0.0] for v in vehicles]).T))
    b = frames.geodetic_to_ecef(*(np.array([[v.aim_lat_rad, v.aim_lon_rad, 0.0] for v in vehicles]).T))
    ra, rb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)  # (N,)
    angle = np.arccos(np.clip(np.sum(a * b, axis=-1) / (ra * rb), -1.0, 1.0))  # (N,)
    frac = (t_s[None, None, :] - t0[None, :, None]) / (t_impact - t0[None, :])[..., None]  # (R, N, T)
    flying = (frac >= 0.0) & (frac <= 1.0)
    f = np.clip(frac, 0.0, 1.0)[..., None]
    w = angle[None, :, None, None]
    # along the great circle between the two surface points (slerp of their directions, radius
    # interpolated), so that both ends are exact; then up to the flight height
    u = (
        np.sin((1 - f) * w) * (a / ra[:, None])[None, :, None]
        + np.sin(f * w) * (b / rb[:, None])[None, :, None]
    )
    ground = u / np.sin(w) * ((1 - f) * ra[None, :, None, None] + f * rb[None, :, None, None])
    lat, lon, _ = frames.ecef_to_geodetic(ground)
    height = np.array([v.height_m for v in vehicles])[None, :, None] * np.ones_like(lat)
    r = np.where(flying[..., None], frames.geodetic_to_ecef(lat, lon, height), np.nan)
    v_ecef = np.gradient(r, t_s, axis=2)
    impacted = t_impact <= t_s[-1]
    phase = np.where(flying, PHASE_MIDCOURSE, np.where(frac > 1.0, PHASE_IMPACTED, 0)).astype(np.int8)
    aim = np.array([[v.aim_lat_rad, v.aim_lon_rad] for v in vehicles])
    return ThreatBatch(
        t_s=t_s,
        r_ecef=r,
        v_ecef=np.where(np.isfinite(v_ecef), v_ecef, 0.0),
        alt_m=np.where(flying, height, np.nan),
        phase=phase,
        impact_t_s=np.where(impacted, t_impact, np.nan),
        impact_lat_rad=np.where(impacted, aim[None, :, 0], np.nan),
        impact_lon_rad=np.where(impacted, aim[None, :, 1], np.nan),
        status=np.where(impacted, STATUS_IMPACTED, STATUS_FLYING).astype(np.int8),
    )


FAMILY = ThreatFamily(
    name="straight_line",
    catalogue_families=("straight_line",),
    display_name="great-circle vehicles (worked example)",
    block=StraightLineThreat,
    build=build,
    fly=fly,
    stream="threat.straight_line",
)
THREAT_FAMILIES.register(FAMILY)
