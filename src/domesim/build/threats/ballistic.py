"""The ballistic family: staged ballistic missiles (ICBM, IRBM, MRBM, SLBM) with an optional post-boost
vehicle releasing RVs and penetration aids, and fractional-orbit (FOBS) classes, which fly the same
staged boost and then an orbit with a de-orbit burn. Physics: :mod:`domesim.threats.ballistic`,
:mod:`domesim.threats.fobs`, :mod:`domesim.threats.payload`.
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from domesim.build.blocks import StrictModel, ThreatBlock
from domesim.build.threats import THREAT_FAMILIES, ThreatContext, ThreatFamily, aim_points, launch_point
from domesim.core.units import DEG
from domesim.errors import TargetingError

if TYPE_CHECKING:  # the physics is imported where it runs: validating a file compiles nothing
    from domesim.build.catalogue import Entry
    from domesim.build.countermeasures import Countermeasure
    from domesim.threats.ballistic import BallisticMissile, LaunchSolution, Shape, ThreatObject
    from domesim.threats.batch import ThreatBatch
    from domesim.threats.payload import Release


class BallisticDispersion(StrictModel):
    """Per-trial 1-sigma dispersions of the launch solution (0 = off)."""

    azimuth_sigma_deg: float = Field(default=0.0, ge=0.0, le=10.0)
    pitch_sigma_deg: float = Field(default=0.0, ge=0.0, le=10.0)
    thrust_sigma_frac: float = Field(default=0.0, ge=0.0, le=0.2)
    beta_sigma_frac: float = Field(default=0.0, ge=0.0, le=1.0)


class PayloadSpec(StrictModel):
    """What the missile's post-boost vehicle carries beyond the RV aimed at the threat's aim point."""

    rv_aim_assets: list[str] = Field(default_factory=list, max_length=20)
    decoys: int = Field(default=0, ge=0, le=100)
    decoy_class: str = "light_decoy"
    bus: str = "generic"


# The keys that may set a ballistic trajectory's shape (at most one per block; none: minimum energy); the
# physics module's SHAPES turns each into its Shape (a test keeps the two lists the same).
SHAPE_KEYS = ("loft_deg", "burnout_angle_deg", "apogee_km", "flight_time_min")


class BallisticThreat(ThreatBlock):
    """A ``[[threat]]`` block of a ballistic or fractional-orbit class."""

    # the trajectory's shape: degrees above (below) the minimum-energy burnout angle, a burnout
    # flight-path angle, an apogee height or a flight time; depressed to near-vertical
    loft_deg: float | None = Field(default=None, ge=-60.0, le=85.0)
    burnout_angle_deg: float | None = Field(default=None, ge=-10.0, le=89.5)
    apogee_km: float | None = Field(default=None, gt=0.0, le=40_000.0)
    flight_time_min: float | None = Field(default=None, gt=0.0, le=100.0)
    approach: Literal["short", "long"] = "short"  # fractional orbits: the short or the long way round
    payload: PayloadSpec | None = None
    # ids of [countermeasure.<id>] catalogue entries the missiles carry (build/countermeasures.py)
    countermeasures: list[str] = Field(default_factory=list, max_length=10)
    dispersion: BallisticDispersion = Field(default_factory=BallisticDispersion)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one_shape(self) -> BallisticThreat:
        given = [key for key in SHAPE_KEYS if getattr(self, key) is not None]
        if len(given) > 1:
            raise ValueError(f"give at most one of {', '.join(SHAPE_KEYS)} (got {', '.join(given)})")
        return self

    def shape_key(self) -> str | None:
        """The key that sets the trajectory's shape (None: minimum energy)."""
        return next((key for key in SHAPE_KEYS if getattr(self, key) is not None), None)


def _countermeasures(ctx: ThreatContext) -> list[tuple[Countermeasure, dict]] | None:
    """The block's countermeasures, each with the SI values of its catalogue entry, or None (problem
    recorded)."""
    from domesim.build.countermeasures import COUNTERMEASURES

    b, t = ctx.builder, ctx.block
    fitted: list[tuple[Countermeasure, dict]] = []
    ok = True
    for k, cm_id in enumerate(t.countermeasures):
        where = ctx.path + ("countermeasures", k)
        if cm_id in t.countermeasures[:k]:
            b.problem(where, f"countermeasure {cm_id!r} is listed twice")
            ok = False
            continue
        entry = b.lookup("countermeasure", cm_id, where)
        if entry is None:
            ok = False
            continue
        family = entry.fields.get("family")
        kind = COUNTERMEASURES.for_family(family)
        if kind is None:
            b.problem(where, f"countermeasure {cm_id!r}: family {family!r} is not registered")
            ok = False
            continue
        if missing := kind.requires(t.payload, b.catalogue):
            b.problem(where, f"countermeasure {cm_id!r} ({kind.display_name}) needs {missing}")
            ok = False
            continue
        p = b.params(entry, {}, where, f"countermeasure {cm_id}")
        if p is None:
            ok = False
            continue
        fitted.append((kind, p))
    return fitted if ok else None


def _missile(ctx: ThreatContext, fitted: list[tuple[Countermeasure, dict]]) -> BallisticMissile | None:
    from domesim.errors import ParameterError

    b, entry = ctx.builder, ctx.entry
    p = b.params(entry, ctx.block.override, ctx.path, f"threat {entry.id}")
    if p is None:
        return None
    lengths = {len(p[k]) for k in ("stage_burn_s", "stage_delta_v_km_s", "exhaust_velocity_km_s")}
    if len(lengths) != 1:
        b.problem(
            ctx.path + ("override",),
            "stage_burn_s, stage_delta_v_km_s and exhaust_velocity_km_s must have "
            "one value per stage (the same length)",
        )
        return None
    missile = _make_missile(entry, p)
    for kind, cm in fitted:  # countermeasures that change the boost, before the launch solution
        try:
            missile = kind.boost(missile, cm)
        except ParameterError as exc:
            b.problem(ctx.path + ("countermeasures",), f"{kind.name}: {exc}")
            return None
    return missile


def _make_missile(entry: Entry, p: dict) -> BallisticMissile:
    """The missile of a catalogue entry from its SI parameter values ``p``."""
    from domesim.threats.ballistic import BallisticMissile

    return BallisticMissile(
        name=entry.id,
        stage_burn_s=tuple(p["stage_burn_s"]),
        stage_delta_v_m_s=tuple(p["stage_delta_v_km_s"]),
        exhaust_velocity_m_s=tuple(p["exhaust_velocity_km_s"]),
        vertical_rise_s=p["vertical_rise_s"],
        reentry_beta_kg_m2=p["reentry_beta_kg_m2"],
        pitch_local=entry.fields.get("steering") == "local_horizontal",
        pitch_exponent=p["pitch_over_exponent"],
    )


def catalogue_missile(entry: Entry) -> BallisticMissile:
    """The missile of a catalogue ballistic or fractional-orbit entry with its catalogue values (the
    analytic commands and the book use it; a scenario's threats are built by :func:`build`)."""
    from domesim.core.units import to_si

    p = {
        key: tuple(to_si(key, v) for v in param.value)
        if isinstance(param.value, list)
        else to_si(key, param.value)
        for key, param in entry.params.items()
        if param.value is not None
    }
    return _make_missile(entry, p)


def _solve(ctx: ThreatContext, missile: BallisticMissile, launch, aim) -> LaunchSolution | None:
    """The launch solution of a ballistic or fractional-orbit class, or None (problem recorded)."""
    from domesim.threats.ballistic import solve_launch
    from domesim.threats.fobs import solve_fobs

    b, t = ctx.builder, ctx.block
    try:
        if not missile.pitch_local:
            shape = _shape(t)
            key = pickle.dumps((missile, launch, aim, shape.key, shape.target))  # (its measure is a lambda)
            if key not in b.solutions:
                b.solutions[key] = solve_launch(missile, launch[0], launch[1], aim[0], aim[1], shape)
            return b.solutions[key]
        # A fractional-orbit class: insertion, partial revolution, de-orbit burn.
        orbit = b.params(ctx.entry, t.override, ctx.path, f"threat {t.threat_class}")
        if orbit is None:
            return None
        return solve_fobs(
            missile,
            orbit["orbit_apogee_alt_km"],
            orbit["min_perigee_alt_km"],
            orbit["deorbit_dv_km_s"],
            launch[0],
            launch[1],
            aim[0],
            aim[1],
            t.approach == "long",
        )
    except TargetingError as exc:
        b.problem(ctx.targeting_key(), str(exc))
        return None


def _releases(ctx: ThreatContext, missile, launch, aim, solution, label) -> tuple[Release, ...] | None:
    """The RVs and penetration aids a bus releases, with the velocity change that aims each RV."""
    from domesim.threats.ballistic import nominal_states
    from domesim.threats.payload import Release, solve_release_dv

    b, payload = ctx.builder, ctx.block.payload
    where = ctx.path + ("payload",)
    bus = b.lookup("bus", payload.bus, where + ("bus",))
    aid = b.lookup("penaid", payload.decoy_class, where + ("decoy_class",)) if payload.decoys else None
    aims = [aim[:2]]
    for k, asset in enumerate(payload.rv_aim_assets):
        place = b.place("asset", asset, None, None, where + ("rv_aim_assets", k))
        if place is not None:
            aims.append(place[:2])
    if bus is None or (payload.decoys and aid is None) or len(aims) != 1 + len(payload.rv_aim_assets):
        return None
    bus_p = b.params(bus, {}, where, f"bus {bus.id}") or {}
    times = [solution.t_cut_s + (k + 1) * bus_p["release_interval_s"] for k in range(len(aims))]
    states = nominal_states(missile, launch[0], launch[1], solution, times)
    rvs = []
    for k, ((lat, lon), t_k, state) in enumerate(zip(aims, times, states, strict=True)):
        try:
            dv = solve_release_dv(state, t_k, lat, lon, missile.reentry_beta_kg_m2, f"{label} RV{k + 1}")
        except TargetingError as exc:
            b.problem(where + ("rv_aim_assets",), str(exc))
            return None
        rvs.append(
            Release(
                name=f"RV{k + 1}",
                kind="rv",
                lethal=True,
                t_after_launch_s=t_k,
                dv_local_m_s=dv,
                beta_kg_m2=missile.reentry_beta_kg_m2,
                aim_lat_rad=lat,
                aim_lon_rad=lon,
            )
        )
    decoys = []
    if aid is not None:
        aid_p = b.params(aid, {}, where, f"penaid {aid.id}") or {}
        for k in range(payload.decoys):
            rv = rvs[k % len(rvs)]  # each decoy accompanies an RV: same release, same velocity change
            decoys.append(
                Release(
                    name=f"{aid.fields.get('signature', aid.id)}{k + 1}",
                    kind=str(aid.fields["signature"]),
                    lethal=False,
                    t_after_launch_s=rv.t_after_launch_s,
                    dv_local_m_s=rv.dv_local_m_s,
                    beta_kg_m2=aid_p["beta_kg_m2"],
                    spread_m_s=bus_p["decoy_spread_m_s"],
                    aim_lat_rad=rv.aim_lat_rad,
                    aim_lon_rad=rv.aim_lon_rad,
                )
            )
    return tuple(rvs + decoys)


def _shape(block: BallisticThreat) -> Shape:
    """The trajectory shape a block asks for (minimum energy when it sets none)."""
    from domesim.threats.ballistic import SHAPES

    key = block.shape_key() or "loft_deg"
    return SHAPES[key](getattr(block, key) or 0.0)


def build(ctx: ThreatContext) -> list[ThreatObject]:
    """The missiles of one block: one launch solution (and payload) per distinct aim point."""
    from domesim.build.countermeasures import Payload
    from domesim.threats.ballistic import ThreatObject

    b, t = ctx.builder, ctx.block
    fitted = _countermeasures(ctx)
    missile = _missile(ctx, fitted) if fitted is not None else None
    launch = launch_point(ctx)
    aims = aim_points(ctx)
    if fitted is None or missile is None or launch is None or aims is None:
        return []
    solved: dict[tuple[float, float], tuple[LaunchSolution, Payload]] = {}
    for aim_label, aim in aims:
        if aim in solved:
            continue
        solution = _solve(ctx, missile, launch, aim)
        if solution is None:
            return []
        label = ctx.label(aim_label)
        shape = _shape(t)
        if abs(solution.shape_error) > shape.tolerance:  # an error, not a trajectory of another shape
            lo, hi = solution.shape_reach
            asked = shape.display(shape.target)
            b.problem(
                ctx.path + (shape.key,),
                f"{label}: {missile.name} cannot fly {shape.key} = {asked:g} to this aim point "
                f"({solution.range_m / 1e3:,.0f} km); at that range it can fly {shape.key} from {lo:,.1f} "
                f"to {hi:,.1f}"
                + (" (degrees from the minimum-energy angle)" if shape.key == "loft_deg" else ""),
            )
            return []
        releases = _releases(ctx, missile, launch, aim, solution, label) if t.payload else ()
        if releases is None:
            return []
        payload = Payload(releases=releases)
        for kind, cm in fitted:  # countermeasures that change what the sensors see of the objects
            payload = kind.payload(payload, cm)
        solved[aim] = (solution, payload)
    d = t.dispersion
    missiles = []
    for j in range(t.count):
        aim_label, aim = aims[j % len(aims)]
        solution, payload = solved[aim]
        name = ctx.member_name(j, aim_label)
        missiles.append(
            ThreatObject(
                name=name,
                missile=missile,
                launch_lat_rad=launch[0],
                launch_lon_rad=launch[1],
                aim_lat_rad=aim[0],
                aim_lon_rad=aim[1],
                launch_t_s=ctx.launch_time_s(j),
                solution=solution,
                azimuth_sigma_rad=d.azimuth_sigma_deg * DEG,
                pitch_sigma_rad=d.pitch_sigma_deg * DEG,
                thrust_sigma_frac=d.thrust_sigma_frac,
                beta_sigma_frac=d.beta_sigma_frac,
                releases=tuple(replace(r, name=f"{name} {r.name}") for r in payload.releases),
                rv_ir_factor=payload.rv_ir_factor,
            )
        )
    return missiles


def fly(threats, grid, rng, trials, rtol, atol) -> ThreatBatch:
    """Truth of the missiles and everything they release (:func:`domesim.threats.ballistic.fly_threats`)."""
    from domesim.threats.ballistic import fly_threats

    return fly_threats(threats, grid, rng, trials, rtol, atol)


THREAT_FAMILIES.register(
    ThreatFamily(
        name="ballistic",
        catalogue_families=("ballistic", "fobs"),
        display_name="ballistic missiles and fractional orbits",
        block=BallisticThreat,
        build=build,
        fly=fly,
        stream="threat",
        order=10,
    )
)
