"""Countermeasures: generic classes from the open literature that an attacker fits to a ballistic missile.

Each acts through the physics and the sensor models the engine already has, never through a factor on
outcomes:

- ``fast_burn``: every stage burns in ``burn_time_factor`` of its time with the same delta-v, so the same
  range comes from a shorter, lower boost (the launch solution is solved for the modified missile); the
  space-based interceptors then have less time and height to reach it [S40, S99].
- ``cooled_shroud``: the RV rides inside a shroud cooled to ``shroud_temperature_k``; its infrared
  emission outside boost falls by Stefan-Boltzmann, ``(T_shroud / T_rv)^4``, which the space sensors'
  per-look detection ``1 - (1 - pd_dim)^brightness`` then reads [S98]. Radar cross-sections are unchanged.
- ``anti_simulation``: the RV is enclosed in a balloon like the balloon decoys it travels with, so it
  takes the balloon's signature (radar cross-sections and infrared), and the battle manager's sensors have
  nothing to tell the decoys of that missile from it: their discrimination probability is 0 [S98]
  (``doctrine.discrimination = "sensors"``; ``"perfect"`` stays the oracle bound it is).

Depressed and lofted trajectories (a ballistic block's ``loft_deg``, ``burnout_angle_deg``, ``apogee_km``
or ``flight_time_min``) and salvo timing (``count`` with ``launch_interval_s``) are countermeasure
classes too; they need no mechanism here.

A ballistic ``[[threat]]`` block names its countermeasures by catalogue id (``countermeasures =
["fast_burn"]``, section ``[countermeasure.<id>]``); the entry's ``family`` picks the mechanism of
:data:`COUNTERMEASURES`, its parameters (with provenance) feed it, and its ``unit_cost_musd`` is the
attacker's cost per missile fitted (priced with the raid: :mod:`domesim.scenario.attack_cost`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from domesim.build.registry import Registry

if TYPE_CHECKING:  # the physics is imported where it runs: validating a file compiles nothing
    from domesim.build.catalogue import Catalogue
    from domesim.threats.ballistic import BallisticMissile
    from domesim.threats.payload import Release


@dataclass(frozen=True, kw_only=True)
class Payload:
    """What a countermeasure may change of what a missile releases: the objects its bus releases, and
    the infrared factor of the missile's own RV when it has no bus."""

    releases: tuple[Release, ...]
    rv_ir_factor: float = 1.0


def _same_missile(missile: BallisticMissile, p: dict[str, Any]) -> BallisticMissile:
    return missile


def _same_payload(payload: Payload, p: dict[str, Any]) -> Payload:
    return payload


def _no_requirement(payload: Any, catalogue: Catalogue) -> str:
    return ""


@dataclass(frozen=True, kw_only=True)
class Countermeasure:
    """A countermeasure mechanism: what it changes of a missile at build time, from the SI parameter
    values ``p`` of its catalogue entry.

    ``boost`` changes the missile before its launch solution is solved; ``payload`` changes what it
    releases once the solution and the releases are known; ``requires`` returns what is missing from a
    block's ``payload`` table (the block's :class:`~domesim.build.threats.ballistic.PayloadSpec`, or
    None) for the mechanism to apply ("" when nothing is).
    """

    name: str
    catalogue_families: tuple[str, ...]
    display_name: str
    mechanism: str  # one line: the physics it acts through
    boost: Callable[[BallisticMissile, dict[str, Any]], BallisticMissile] = _same_missile
    payload: Callable[[Payload, dict[str, Any]], Payload] = _same_payload
    requires: Callable[[Any, Catalogue], str] = _no_requirement


COUNTERMEASURES: Registry[Countermeasure] = Registry("countermeasure")


# --------------------------------------------------------------------------------------------- fast burn


def _fast_burn(missile: BallisticMissile, p: dict[str, Any]) -> BallisticMissile:
    """Every stage burns in ``burn_time_factor`` of its time; its delta-v (and so the range) is kept."""
    f = p["burn_time_factor"]
    if not 0.0 < f <= 1.0:
        from domesim.errors import ParameterError

        raise ParameterError(f"burn_time_factor must be in (0, 1], got {f:g}")
    return replace(
        missile,
        stage_burn_s=tuple(t * f for t in missile.stage_burn_s),
        vertical_rise_s=missile.vertical_rise_s * f,
    )


COUNTERMEASURES.register(
    Countermeasure(
        name="fast_burn",
        catalogue_families=("fast_burn",),
        display_name="fast-burn booster",
        mechanism="stage burn times x burn_time_factor, delta-v per stage unchanged: a shorter, lower boost",
        boost=_fast_burn,
    )
)


# ----------------------------------------------------------------------------------------- cooled shroud


def _shroud_factor(p: dict[str, Any]) -> float:
    """Stefan-Boltzmann: the emitted power of a grey body goes as T^4 (same emissivity and area)."""
    return float((p["shroud_temperature_k"] / p["rv_temperature_k"]) ** 4)


def _cooled_shroud(payload: Payload, p: dict[str, Any]) -> Payload:
    """Every RV's infrared brightness outside boost x (T_shroud / T_rv)^4; everything else unchanged."""
    f = _shroud_factor(p)
    releases = tuple(replace(r, ir_factor=r.ir_factor * f) if r.lethal else r for r in payload.releases)
    return Payload(releases=releases, rv_ir_factor=payload.rv_ir_factor * f)


COUNTERMEASURES.register(
    Countermeasure(
        name="cooled_shroud",
        catalogue_families=("cooled_shroud",),
        display_name="cooled shroud",
        mechanism="RV infrared brightness outside boost x (T_shroud / T_rv)^4 (Stefan-Boltzmann)",
        payload=_cooled_shroud,
    )
)


# --------------------------------------------------------------------------------------- anti-simulation

BALLOON = "balloon"  # the signature class of balloon penetration aids (data/space.toml)


def _needs_balloons(payload: Any, catalogue: Catalogue) -> str:
    decoy_class = getattr(payload, "decoy_class", "")
    ok = (
        payload is not None
        and payload.decoys >= 1
        and catalogue.has("penaid", decoy_class)
        and catalogue.entry("penaid", decoy_class).fields.get("signature") == BALLOON
    )
    return "" if ok else f'payload = {{decoys = 1 or more, decoy_class = "{BALLOON}"}} (balloon decoys)'


def _anti_simulation(payload: Payload, p: dict[str, Any]) -> Payload:
    """Each RV takes the signature of the balloons it travels with; those balloons cannot be told from
    it (the decoys that accompany an RV share its release and velocity change)."""
    releases = tuple(
        replace(r, signature=BALLOON)
        if r.lethal
        else replace(r, discriminable=False)
        if (r.signature or r.kind) == BALLOON
        else r
        for r in payload.releases
    )
    return replace(payload, releases=releases)


COUNTERMEASURES.register(
    Countermeasure(
        name="anti_simulation",
        catalogue_families=("anti_simulation",),
        display_name="anti-simulation (RV inside a balloon)",
        mechanism="each RV takes its balloon decoys' signature; those decoys cannot be discriminated",
        payload=_anti_simulation,
        requires=_needs_balloons,
    )
)
