"""The glide family: hypersonic boost-glide vehicles (a rocket boost, a pull-up, an equilibrium glide
with bank steering, a terminal dive). Physics: :mod:`domesim.threats.glide`, :mod:`domesim.core.glide`.
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
    from domesim.threats.glide import GlideObject, GlideSolution


class GlideDispersion(StrictModel):
    """Per-trial 1-sigma dispersions of a glide vehicle (0 = off)."""

    azimuth_sigma_deg: float = Field(default=0.0, ge=0.0, le=10.0)
    pitch_sigma_deg: float = Field(default=0.0, ge=0.0, le=10.0)
    thrust_sigma_frac: float = Field(default=0.0, ge=0.0, le=0.2)
    ld_sigma_frac: float = Field(default=0.0, ge=0.0, le=0.5)  # lift-to-drag ratio
    beta_sigma_frac: float = Field(default=0.0, ge=0.0, le=1.0)
    aim_sigma_m: float = Field(default=0.0, ge=0.0, le=1e5)  # guidance aim error per axis


class GlideThreat(ThreatBlock):
    """A ``[[threat]]`` block of a boost-glide class."""

    dispersion: GlideDispersion = Field(default_factory=GlideDispersion)  # type: ignore[assignment]


def build(ctx: ThreatContext) -> list[GlideObject]:
    """Glide vehicles of one block: one solution per distinct aim point."""
    from domesim.threats.glide import GlideObject, GlideVehicle, solve_glide

    b, t = ctx.builder, ctx.block
    resolved = ctx.vehicle_and_places(GlideVehicle.from_params)
    if resolved is None:
        return []
    vehicle, launch, aims = resolved
    solved: dict[tuple[float, float], GlideSolution] = {}
    for _, aim in aims:
        if aim not in solved:
            try:
                solved[aim] = solve_glide(vehicle, launch[0], launch[1], aim[0], aim[1])
            except TargetingError as exc:
                b.problem(ctx.targeting_key(), str(exc))
                return []
    d = t.dispersion
    gliders = []
    for j in range(t.count):
        aim_label, aim = aims[j % len(aims)]
        gliders.append(
            GlideObject(
                name=ctx.member_name(j, aim_label),
                vehicle=vehicle,
                launch_lat_rad=launch[0],
                launch_lon_rad=launch[1],
                aim_lat_rad=aim[0],
                aim_lon_rad=aim[1],
                launch_t_s=ctx.launch_time_s(j),
                solution=solved[aim],
                azimuth_sigma_rad=d.azimuth_sigma_deg * DEG,
                pitch_sigma_rad=d.pitch_sigma_deg * DEG,
                thrust_sigma_frac=d.thrust_sigma_frac,
                ld_sigma_frac=d.ld_sigma_frac,
                beta_sigma_frac=d.beta_sigma_frac,
                aim_sigma_m=d.aim_sigma_m,
            )
        )
    return gliders


def fly(threats, grid, rng, trials, rtol, atol) -> ThreatBatch:
    """Truth of the glide vehicles (:func:`domesim.threats.glide.fly_gliders`)."""
    from domesim.threats.glide import fly_gliders

    return fly_gliders(threats, grid, rng, trials, rtol, atol)


THREAT_FAMILIES.register(
    ThreatFamily(
        name="glide",
        catalogue_families=("glide",),
        display_name="hypersonic boost-glide vehicles",
        block=GlideThreat,
        build=build,
        fly=fly,
        stream="threat.glide",
        order=20,
    )
)
