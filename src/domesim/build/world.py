"""Validated scenario + catalogue -> World (SI specs, launch solutions) and the provenance of every value.

Problems are collected, not raised one at a time, so a user sees every fault of a file at once.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path as PurePath
from typing import Any

import numpy as np

from domesim.core.ballistic import STATUS_DIVERGED
from domesim.core.constants import R_EARTH_EQ_M
from domesim.core.frames import earth_rotation_angle
from domesim.core.timegrid import TimeGrid
from domesim.core.units import DEG, to_si
from domesim.interceptors.sbi import SbiLayer
from domesim.engine.simulate import fly_truth
from domesim.engine.world import Asset, Doctrine, World
from domesim.errors import ParameterError, ScenarioError, TargetingError
from domesim.interceptors.flyout import Battery, InterceptorClass, latest_launch_t_s
from domesim.orbits import constellation as orbits
from domesim.interceptors.sbi import SbiKinematics
from domesim.build.catalogue import Catalogue, Entry, Param
from domesim.build.schema import AssetSpec, ScenarioFile
from domesim.sensors.radar import BANDS, Radar, RadarClass, range_from_power_aperture, reference_snr
from domesim.sensors.radar_cue import CueRadar
from domesim.sensors.space_ir import SpaceSensorClass, SpaceSensorLayer
from domesim.threats.ballistic import (
    BallisticMissile,
    LaunchSolution,
    ThreatObject,
    nominal_states,
    solve_launch,
)
from domesim.threats.cruise import CruiseMissile, CruiseObject
from domesim.threats.fobs import solve_fobs
from domesim.threats.glide import GlideObject, GlideSolution, GlideVehicle, solve_glide
from domesim.threats.payload import Release, solve_release_dv
from domesim.tracking.tracker import TrackerConfig

Path = tuple[Any, ...]
_FRACTIONS = {
    "sspk",
    "reliability",
    "pfa",
    "p_discriminate_midcourse",
    "pd_boost",
    "pd_dim",
}  # probabilities in [0, 1]
_ANY_SIGN = {
    "burnout_gamma_deg",
    "geo_lon_deg",
    "faces_az_deg",
    "ref_rcs_dbsm",
    "loss_db",
    "min_elevation_deg",
}  # checked where used  # angles that may be negative
_MAY_BE_ZERO = {
    "false_alarms_per_scan",
    "range_rate_sigma_m_s",
    "min_range_km",
    "divert_dv_km_s",
    "commit_delay_s",
    "phasing",
    "launch_speed_m_s",
    "boost_time_s",
    "climb_distance_km",
    "popup_distance_km",
    "cue_delay_s",
    "kill_assessment_s",
    "vertical_rise_s",
}  # other parameters are > 0 (min_* >= 0)


@dataclass
class Builder:
    """Accumulates problems (key path, message) and provenance rows while building."""

    catalogue: Catalogue
    problems: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)

    def problem(self, path: Path, message: str) -> None:
        self.problems.append((path, message))

    def lookup(self, section: str, entry_id: str, path: Path) -> Entry | None:
        if not self.catalogue.has(section, entry_id):
            self.problem(
                path, f"unknown {section} id {entry_id!r}{self.catalogue.suggest(section, entry_id)}"
            )
            return None
        return self.catalogue.entry(section, entry_id)

    def params(
        self,
        entry: Entry,
        overrides: dict[str, Any],
        path: Path,
        element: str,
        table: str | None = "override",
    ) -> dict[str, Any] | None:
        """SI values of an entry's parameters with the scenario's overrides; records provenance.

        ``table`` is the scenario table holding the overrides (None: they are keys of ``path`` itself).
        """
        resolved = dict(entry.params)
        ok = True
        for key, value in overrides.items():
            where = path + ((table,) if table else ()) + (key,)
            if key not in entry.params:
                close = difflib.get_close_matches(key, list(entry.params), n=2)
                hint = (
                    f"; did you mean {', '.join(map(repr, close))}?"
                    if close
                    else f"; {entry.section} {entry.id!r} has: {', '.join(sorted(entry.params))}"
                )
                self.problem(where, f"unknown parameter {key!r}{hint}")
                ok = False
                continue
            message = _check_value(key, value, entry.params[key].value)
            if message:
                self.problem(where, message)
                ok = False
                continue
            resolved[key] = Param(value, "scenario", note="set in the scenario file")
        si: dict[str, Any] = {}
        for key, param in resolved.items():
            if param.value is None:
                self.problem(
                    path,
                    f"{entry.section} {entry.id!r} has no public value for {key!r} (tag 'unknown'): "
                    f"set it with override.{key} in the scenario",
                )
                ok = False
                continue
            v = param.value
            si[key] = [to_si(key, x) for x in v] if isinstance(v, list) else to_si(key, v)
            if (element, key) not in self._seen:
                self._seen.add((element, key))
                self.provenance.append(
                    {
                        "element": element,
                        "parameter": key,
                        "value": v,
                        "tag": param.tag,
                        "source": ", ".join(param.source),
                        "note": param.note,
                        "section": entry.section,  # where it lives in the catalogue (sensitivity studies)
                        "id": entry.id,
                        "low": param.low,
                        "high": param.high,
                    }
                )
        return si if ok else None

    def place(self, kind: str, place_id: str | None, lat: float | None, lon: float | None, path: Path):
        """(lat_rad, lon_rad, alt_m) of a catalogue site/asset/region reference point or explicit degrees."""
        if place_id is None:
            return (lat or 0.0) * DEG, (lon or 0.0) * DEG, 0.0
        entry = self.lookup(kind, place_id, path)
        if entry is None:
            return None
        keys = ("ref_lat_deg", "ref_lon_deg") if kind == "region" else ("lat_deg", "lon_deg")
        if any(key not in entry.params for key in keys):
            self.problem(
                path,
                f"{kind} {place_id!r} has no reference point in the catalogue: give "
                "launch_lat_deg and launch_lon_deg instead",
            )
            return None
        alt = entry.params["alt_m"].value if "alt_m" in entry.params else 0.0
        return entry.value(keys[0]) * DEG, entry.value(keys[1]) * DEG, float(alt)


def _check_value(key: str, value: Any, catalogue_value: Any) -> str | None:
    values = value if isinstance(value, list) else [value]
    if isinstance(catalogue_value, list) != isinstance(value, list):
        return f"expected {'a list of numbers' if isinstance(catalogue_value, list) else 'a number'}"
    for v in values:
        if not math.isfinite(v):
            return f"must be a finite number (got {v})"
        if key in _ANY_SIGN:
            continue
        if key in _FRACTIONS and not 0.0 <= v <= 1.0:
            return f"is a probability: must be between 0 and 1 (got {v})"
        if (key.startswith("min_") or key in _MAY_BE_ZERO) and v < 0:
            return f"must be >= 0 (got {v})"
        if not key.startswith("min_") and key not in _FRACTIONS | _MAY_BE_ZERO and v <= 0:
            return f"must be > 0 (got {v})"
    return None


def _missile(b: Builder, spec, path: Path) -> BallisticMissile | None:
    entry = b.lookup("threat", spec.threat_class, path + ("class",))
    if entry is None:
        return None
    if entry.fields.get("family") not in ("ballistic", "fobs"):
        b.problem(
            path + ("class",),
            f"threat {entry.id!r} is of family {entry.fields.get('family')!r}; "
            "this version simulates the 'ballistic' and 'fobs' families",
        )
        return None
    p = b.params(entry, spec.override, path, f"threat {entry.id}")
    if p is None:
        return None
    lengths = {len(p[k]) for k in ("stage_burn_s", "stage_delta_v_km_s", "exhaust_velocity_km_s")}
    if len(lengths) != 1:
        b.problem(
            path + ("override",),
            "stage_burn_s, stage_delta_v_km_s and exhaust_velocity_km_s must have "
            "one value per stage (the same length)",
        )
        return None
    return BallisticMissile(
        entry.id,
        tuple(p["stage_burn_s"]),
        tuple(p["stage_delta_v_km_s"]),
        tuple(p["exhaust_velocity_km_s"]),
        p["vertical_rise_s"],
        p["reentry_beta_kg_m2"],
        pitch_local=entry.fields.get("steering") == "local_horizontal",
    )


def _aims(b: Builder, t, spec: ScenarioFile, path: Path) -> list[tuple[str, tuple[float, float]]] | None:
    """The aim points that the members of a salvo cycle through, with a label for each."""
    if t.aim_assets is not None:
        named = [(asset, ("aim_assets", k)) for k, asset in enumerate(t.aim_assets)]
    elif t.aim_at_defended_assets:
        if not spec.asset:
            b.problem(path + ("aim_at_defended_assets",), "the scenario lists no [[asset]] to aim at")
            return None
        aims = []
        for k, a in enumerate(spec.asset):
            place = b.place("asset", a.id, a.lat_deg, a.lon_deg, ("asset", k, "id"))
            if place is None:
                return None
            aims.append((a.name or a.id or f"asset {k + 1}", place[:2]))
        return aims
    else:
        place = b.place("asset", t.aim_asset, t.aim_lat_deg, t.aim_lon_deg, path + ("aim_asset",))
        return None if place is None else [(t.aim_asset or "aim point", place[:2])]
    aims = []
    for asset, where in named:
        place = b.place("asset", asset, None, None, path + where)
        if place is None:
            return None
        aims.append((asset, place[:2]))
    return aims


def _solve(b: Builder, t, path: Path, missile: BallisticMissile, launch, aim) -> LaunchSolution | None:
    """The launch solution of a ballistic or fractional-orbit class, or None (problem recorded)."""
    try:
        if not missile.pitch_local:
            return solve_launch(missile, launch[0], launch[1], aim[0], aim[1], t.loft_deg * DEG)
        # A fractional-orbit class: insertion, partial revolution, de-orbit burn.
        orbit = b.params(
            b.catalogue.entry("threat", t.threat_class), t.override, path, f"threat {t.threat_class}"
        )
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
        b.problem(path + ("aim_lat_deg" if t.aim_lat_deg is not None else "aim_asset",), str(exc))
        return None


def _threats(b: Builder, spec: ScenarioFile) -> list[ThreatObject | GlideObject | CruiseObject]:
    objects: list[ThreatObject | GlideObject | CruiseObject] = []
    for i, t in enumerate(spec.threat):
        path: Path = ("threat", i)
        entry = b.lookup("threat", t.threat_class, path + ("class",))
        if entry is None:
            continue
        if entry.fields.get("family") == "glide":
            objects += _gliders(b, t, spec, path, entry)
            continue
        if entry.fields.get("family") == "cruise":
            objects += _cruisers(b, t, spec, path, entry)
            continue
        missile = _missile(b, t, path)
        launch = b.place(
            "region", t.launch_region, t.launch_lat_deg, t.launch_lon_deg, path + ("launch_region",)
        )
        aims = _aims(b, t, spec, path)
        if missile is None or launch is None or aims is None:
            continue
        solved: dict[tuple[float, float], tuple[LaunchSolution, tuple[Release, ...]]] = {}
        for aim_label, aim in aims:  # one launch solution (and payload) per distinct aim point
            if aim in solved:
                continue
            solution = _solve(b, t, path, missile, launch, aim)
            if solution is None:
                break
            label = t.name or f"{t.threat_class}->{aim_label}"
            if abs(solution.shape_error_deg) > 0.5:
                b.warnings.append(
                    f"threat#{i + 1} ({label}): {missile.name} cannot fly the requested trajectory shape to "
                    f"this aim point ({solution.range_m / 1e3:,.0f} km); its burnout angle is off by "
                    f"{solution.shape_error_deg:+.1f} deg (apogee {solution.apogee_m / 1e3:,.0f} km)"
                )
            releases = _releases(b, t, path, missile, launch, aim, solution, label) if t.payload else ()
            if releases is None:
                break
            solved[aim] = (solution, releases)
        if len(solved) != len({aim for _, aim in aims}):
            continue
        d = t.dispersion
        for j in range(t.count):
            aim_label, aim = aims[j % len(aims)]
            solution, releases = solved[aim]
            base = t.name or f"{t.threat_class}->{aim_label}"
            name = base if t.count == 1 else f"{base} #{j + 1}"
            objects.append(
                ThreatObject(
                    name=name,
                    missile=missile,
                    launch_lat_rad=launch[0],
                    launch_lon_rad=launch[1],
                    aim_lat_rad=aim[0],
                    aim_lon_rad=aim[1],
                    launch_t_s=t.launch_time_s + j * t.launch_interval_s,
                    solution=solution,
                    azimuth_sigma_rad=d.azimuth_sigma_deg * DEG,
                    pitch_sigma_rad=d.pitch_sigma_deg * DEG,
                    thrust_sigma_frac=d.thrust_sigma_frac,
                    beta_sigma_frac=d.beta_sigma_frac,
                    releases=tuple(replace(r, name=f"{name} {r.name}") for r in releases),
                )
            )
    return objects


def _gliders(b: Builder, t, spec: ScenarioFile, path: Path, entry: Entry) -> list[GlideObject]:
    """Glide vehicles of one [[threat]] block: one solution per distinct aim point."""
    p = b.params(entry, t.override, path, f"threat {entry.id}")
    launch = b.place("region", t.launch_region, t.launch_lat_deg, t.launch_lon_deg, path + ("launch_region",))
    aims = _aims(b, t, spec, path)
    if t.payload is not None:
        b.problem(path + ("payload",), f"threat {entry.id!r} is a glide vehicle: it carries no bus payload")
        return []
    if p is None or launch is None or aims is None:
        return []
    try:
        vehicle = GlideVehicle.from_params(entry.id, p)
    except ParameterError as exc:
        b.problem(path + ("override",), str(exc))
        return []
    solved: dict[tuple[float, float], GlideSolution] = {}
    for _, aim in aims:
        if aim not in solved:
            try:
                solved[aim] = solve_glide(vehicle, launch[0], launch[1], aim[0], aim[1])
            except TargetingError as exc:
                b.problem(path + ("aim_lat_deg" if t.aim_lat_deg is not None else "aim_asset",), str(exc))
                return []
    d = t.dispersion
    gliders = []
    for j in range(t.count):
        aim_label, aim = aims[j % len(aims)]
        base = t.name or f"{t.threat_class}->{aim_label}"
        gliders.append(
            GlideObject(
                name=base if t.count == 1 else f"{base} #{j + 1}",
                vehicle=vehicle,
                launch_lat_rad=launch[0],
                launch_lon_rad=launch[1],
                aim_lat_rad=aim[0],
                aim_lon_rad=aim[1],
                launch_t_s=t.launch_time_s + j * t.launch_interval_s,
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


def _cruisers(b: Builder, t, spec: ScenarioFile, path: Path, entry: Entry) -> list[CruiseObject]:
    """Cruise missiles of one [[threat]] block, flying the block's waypoints to each aim point."""
    p = b.params(entry, t.override, path, f"threat {entry.id}")
    launch = b.place("region", t.launch_region, t.launch_lat_deg, t.launch_lon_deg, path + ("launch_region",))
    aims = _aims(b, t, spec, path)
    if t.payload is not None:
        b.problem(path + ("payload",), f"threat {entry.id!r} is a cruise missile: it carries no bus payload")
        return []
    if p is None or launch is None or aims is None:
        return []
    try:
        missile = CruiseMissile.from_params(entry.id, p)
    except ParameterError as exc:
        b.problem(path + ("override",), str(exc))
        return []
    way_lat = tuple(w[0] * DEG for w in t.waypoints_deg)
    way_lon = tuple(w[1] * DEG for w in t.waypoints_deg)
    d = t.dispersion
    missiles = []
    for j in range(t.count):
        aim_label, aim = aims[j % len(aims)]
        base = t.name or f"{t.threat_class}->{aim_label}"
        obj = CruiseObject(
            base if t.count == 1 else f"{base} #{j + 1}",
            missile,
            launch[0],
            launch[1],
            aim[0],
            aim[1],
            t.launch_time_s + j * t.launch_interval_s,
            way_lat,
            way_lon,
            t.launch_alt_m,
            None,
            d.speed_sigma_frac,
            d.cross_track_sigma_m,
            d.launch_t_sigma_s,
        )
        try:
            obj.plan()
        except TargetingError as exc:
            b.problem(path + ("waypoints_deg" if t.waypoints_deg else "aim_asset",), str(exc))
            return []
        missiles.append(obj)
    return missiles


def _releases(b: Builder, t, path: Path, missile, launch, aim, solution, label) -> tuple[Release, ...] | None:
    """The RVs and penetration aids a bus releases, with the velocity change that aims each RV."""
    payload = t.payload
    where = path + ("payload",)
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
        rvs.append(Release(f"RV{k + 1}", "rv", True, t_k, dv, missile.reentry_beta_kg_m2, 0.0, lat, lon))
    decoys = []
    if aid is not None:
        aid_p = b.params(aid, {}, where, f"penaid {aid.id}") or {}
        for k in range(payload.decoys):
            rv = rvs[k % len(rvs)]  # each decoy accompanies an RV: same release, same velocity change
            decoys.append(
                Release(
                    f"{aid.fields.get('signature', aid.id)}{k + 1}",
                    str(aid.fields["signature"]),
                    False,
                    rv.t_after_launch_s,
                    rv.dv_local_m_s,
                    aid_p["beta_kg_m2"],
                    bus_p["decoy_spread_m_s"],
                    rv.aim_lat_rad,
                    rv.aim_lon_rad,
                )
            )
    return tuple(rvs + decoys)


def _deployed(b: Builder, spec, kind: str, path: Path):
    """(class entry id, place, label, deployment entry or None) of a sensor or interceptor site spec."""
    deployment = None
    class_id = getattr(spec, kind)
    site = spec.site
    if spec.deployment is not None:
        deployment = b.lookup("deployment", spec.deployment, path + ("deployment",))
        if deployment is None:
            return None
        if kind not in deployment.fields:
            b.problem(path + ("deployment",), f"deployment {spec.deployment!r} is not a {kind}")
            return None
        class_id = class_id or deployment.fields[kind]
        site = site or deployment.fields["site"]
    place = b.place("site", site, spec.lat_deg, spec.lon_deg, path + ("site",))
    if place is None:
        return None
    if spec.alt_m is not None:
        place = (place[0], place[1], spec.alt_m)
    label = spec.name or spec.deployment or f"{class_id}@{site or 'site'}"
    return class_id, place, label, deployment


def _sensors(b: Builder, spec: ScenarioFile) -> Iterator[tuple[Any, Path, tuple, Entry | None]]:
    """The [[sensor]] blocks in play (NORAD switches applied), each with its path, its deployment
    ``(class_id, (lat, lon, alt), label, deployment)`` and its catalogue class (None if unknown)."""
    for i, s in enumerate(spec.sensor):
        path: Path = ("sensor", i)
        if not spec.norad.canada_sensors and _canadian(b, s, path):
            continue
        found = _deployed(b, s, "sensor", path)
        if found is not None:
            yield s, path, found, b.lookup("sensor", found[0], path + ("sensor",))


def _radars(b: Builder, spec: ScenarioFile) -> list[CueRadar]:
    radars = []
    for s, path, found, entry in _sensors(b, spec):
        class_id, (lat, lon, alt), label, _ = found
        if entry is not None and entry.fields.get("family") == "space_ir":
            b.problem(
                path + ("sensor",), f"{class_id!r} is a space-based sensor: carry it on a [[constellation]]"
            )
            continue
        p = b.params(entry, s.override, path, f"sensor {class_id}") if entry else None
        if p is not None:
            radars.append(CueRadar(label, lat, lon, alt, p["max_range_km"], p["min_elevation_deg"]))
    return radars


def _batteries(b: Builder, spec: ScenarioFile) -> list[Battery]:
    batteries = []
    for i, s in enumerate(spec.interceptor_site):
        path: Path = ("interceptor_site", i)
        if not spec.norad.canada_sites and _canadian(b, s, path):
            continue
        found = _deployed(b, s, "interceptor", path)
        if found is None:
            continue
        class_id, (lat, lon, alt), label, deployment = found
        entry = b.lookup("interceptor", class_id, path + ("interceptor",))
        if entry is not None and entry.fields.get("family") == "sbi":
            b.problem(
                path + ("interceptor",),
                f"{class_id!r} is a space-based interceptor: carry it on a [[constellation]]",
            )
            continue
        p = b.params(entry, s.override, path, f"interceptor {class_id}") if entry else None
        if p is None or entry is None:
            continue
        inventory = s.inventory
        if inventory is None and deployment is not None:
            stock = b.params(deployment, {}, path, f"deployment {deployment.id}") or {}
            if "inventory" not in stock:
                b.problem(
                    path, f"deployment {deployment.id!r} has no inventory in the catalogue: set inventory"
                )
                continue
            inventory = int(stock["inventory"])
        cls = InterceptorClass(
            class_id,
            str(entry.fields.get("layer", "unassigned")),
            p["burn_time_s"],
            p["burnout_speed_km_s"],
            p["min_intercept_alt_km"],
            p["max_intercept_alt_km"],
            p["max_range_km"],
            p["sspk"],
            p["reliability"],
        )
        if cls.min_intercept_alt_m >= cls.max_intercept_alt_m:
            b.problem(path + ("override",), "min_intercept_alt_km must be below max_intercept_alt_km")
            continue
        batteries.append(Battery(label, cls, lat, lon, alt, int(inventory or 0)))
    return batteries


def _doctrine(b: Builder, spec: ScenarioFile) -> Doctrine:
    base = b.catalogue.entry("doctrine", "default")
    doctrine_only = {
        "assignment",
        "discrimination",
        "engagements_per_layer",
        "reserve_frac",
        "threat_radius_km",
    }
    overrides = {
        k: v for k, v in spec.doctrine.model_dump().items() if v is not None and k not in doctrine_only
    }
    p = b.params(base, overrides, ("doctrine",), "doctrine", table=None) or {}
    return Doctrine(
        p.get("cue_delay_s", 0.0),
        p.get("kill_assessment_s", 0.0),
        int(p.get("salvo_size", 1)),
        int(p.get("max_engagements", 1)),
        engage_lethal_only=spec.doctrine.discrimination == "perfect",
        discriminate_by_sensors=spec.doctrine.discrimination == "sensors",
        engagements_per_layer=spec.doctrine.engagements_per_layer,
        reserve_frac=dict(spec.doctrine.reserve_frac),
        threat_radius_m=spec.doctrine.threat_radius_km * 1e3,
        assignment=spec.doctrine.assignment,
    )


def _assets(b: Builder, spec: ScenarioFile) -> list[Asset]:
    """The defended assets: the [[asset]] list, plus every catalogue city if [norad] asks, minus Canada's
    cities if [norad] excludes them."""
    norad = spec.norad
    countries = {"US", "CA"} if norad.canada_assets else {"US"}
    listed = list(spec.asset)
    if norad.defend_all_cities:
        named = {a.id for a in listed}
        for city in b.catalogue.ids("asset"):
            if city not in named and b.catalogue.entry("asset", city).fields.get("country") in countries:
                listed.append(AssetSpec(id=city))
    assets = []
    for i, a in enumerate(listed):
        where = b.place("asset", a.id, a.lat_deg, a.lon_deg, ("asset", i, "id"))
        if where is None:
            continue
        entry: Entry | None = (
            b.catalogue.entry("asset", a.id) if a.id and b.catalogue.has("asset", a.id) else None
        )
        country = a.country or (str(entry.fields.get("country", "")) if entry else "")
        if country == "CA" and not norad.canada_assets:
            continue
        population = entry.value("population") if entry and "population" in entry.params else None
        name = a.name or a.id or "asset"
        assets.append(
            Asset(name, where[0], where[1], country, float(a.value or population or 1.0), a.priority)
        )
    return assets


def _canadian(b: Builder, spec, path: Path) -> bool:
    """Whether a [[sensor]] or [[interceptor_site]] stands at a Canadian site."""
    site = spec.site
    if spec.deployment and b.catalogue.has("deployment", spec.deployment):
        site = site or b.catalogue.entry("deployment", spec.deployment).fields.get("site")
    return (
        bool(site)
        and b.catalogue.has("site", site)
        and b.catalogue.entry("site", site).fields.get("country") == "CA"
    )


GEO_RADIUS_M = 42_164_170.0  # geosynchronous orbit radius (sidereal day, WGS84 GM)


def _orbit_elements(
    b: Builder, c, entry: Entry | None, orbit: dict[str, Any], grid: TimeGrid, base_dir, path: Path
):
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


def _constellations(b: Builder, spec: ScenarioFile, grid: TimeGrid, base_dir):
    """Space sensor layers, SBI layers and the SBI layers' batteries of the [[constellation]] blocks."""
    sensors: list[SpaceSensorLayer] = []
    sbis: list[SbiLayer] = []
    batteries: list[Battery] = []
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
        elements = _orbit_elements(b, c, entry, orbit, grid, base_dir, path)
        if payload is None or elements is None:
            continue
        family = payload.fields.get("family")
        if family != ("space_ir" if section == "sensor" else "sbi"):
            b.problem(
                where,
                f"{class_id!r} is not a space-based {section} class",
            )
            continue
        p = b.params(payload, payload_overrides, path, f"{section} {class_id}")
        if p is None:
            continue
        if section == "sensor":
            sensors.append(
                SpaceSensorLayer(
                    label,
                    SpaceSensorClass(
                        str(class_id),
                        p["max_range_km"],
                        p["field_of_regard_deg"],
                        p["min_plume_alt_km"],
                        p["pd_boost"],
                        p["pd_dim"],
                        p["dim_range_km"],
                        p["limb_alt_km"],
                        p["revisit_s"],
                        p["angle_sigma_urad"],
                    ),
                    elements,
                )
            )
            continue
        if p["divert_dv_km_s"] >= p["delta_v_km_s"]:
            b.problem(
                path + ("override",), "divert_dv_km_s must be below delta_v_km_s (the rest is the fly-out)"
            )
            continue
        per_sat = c.per_satellite or int(orbit.get("per_satellite", 1))
        salvo = c.salvo_size or int(b.catalogue.entry("doctrine", "default").value("salvo_size"))
        kin = SbiKinematics(
            p["accel_g"],
            p["delta_v_km_s"] - p["divert_dv_km_s"],
            p["commit_delay_s"],
            p["min_intercept_alt_km"],
        )
        cls = InterceptorClass(
            str(class_id),
            str(payload.fields.get("layer", "boost")),
            kin.flyout_dv_m_s / kin.accel_m_s2,
            kin.flyout_dv_m_s,
            kin.min_intercept_alt_m,
            np.inf,
            np.inf,
            p["sspk"],
            p["reliability"],
        )
        sbis.append(SbiLayer(label, kin, elements, per_sat, salvo, p["sspk"], p["reliability"]))
        batteries.append(Battery(label, cls, 0.0, 0.0, 0.0, per_sat * len(elements)))
    return sensors, sbis, batteries


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


def _tracking_radars(b: Builder, spec: ScenarioFile) -> list[Radar]:
    """The [[sensor]] radars with their full detection model, for sensing = "tracked"."""
    radars = []
    for s, path, found, entry in _sensors(b, spec):
        class_id, (lat, lon, alt), label, deployment = found
        # the radar equation's own inputs may be given instead of the class's detection range
        equation = {
            k: v for k, v in s.override.items() if k in RADAR_EQUATION_KEYS and not isinstance(v, list)
        }
        others = {k: v for k, v in s.override.items() if k not in RADAR_EQUATION_KEYS}
        p = b.params(entry, others, path, f"sensor {class_id}") if entry else None
        if entry is None or p is None:
            continue
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
                continue
            p.update({k: float(v) for k, v in equation.items()})
        if (
            deployment is not None
            and "faces_az_deg" in deployment.params
            and "faces_az_deg" not in s.override
        ):
            p["faces_az_deg"] = [
                f * DEG for f in deployment.value("faces_az_deg")
            ]  # the site's own boresights
        band = s.band or entry.fields.get("band")
        if band not in BANDS:
            where = path + ("band",) if s.band else path + ("sensor",)
            b.problem(where, f"unknown radar band {band!r}; expected one of {', '.join(BANDS)}")
            continue
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
                f'sensing = "tracked" needs the radar model of {class_id!r}: missing {", ".join(missing)} '
                "(set them with override)",
            )
            continue
        faces = [
            float(f)
            for f in (p["faces_az_deg"] if isinstance(p["faces_az_deg"], list) else [p["faces_az_deg"]])
        ]
        if any(not 0.0 <= f <= 2 * math.pi + 1e-12 for f in faces):
            b.problem(path + ("override", "faces_az_deg"), "face azimuths must be between 0 and 360 deg")
            continue
        if p["min_elevation_deg"] >= p["max_elevation_deg"]:
            b.problem(path + ("override",), "min_elevation_deg must be below max_elevation_deg")
            continue
        cls = RadarClass(
            class_id,
            str(band),
            p["max_range_km"],
            10.0 ** (p["ref_rcs_dbsm"] / 10.0),
            p["pfa"],
            p["min_elevation_deg"],
            p["max_elevation_deg"],
            tuple(faces),
            p["face_half_width_deg"],
            p.get("min_range_km", 0.0),
            p["revisit_s"],
            p["range_sigma_m"],
            p["angle_sigma_mrad"],
            p["false_alarms_per_scan"],
            p["p_discriminate_midcourse"],
        )
        radars.append(Radar(label, cls, lat, lon, alt))
    return radars


def _tracked_sensing(b: Builder, spec: ScenarioFile, world: World) -> World:
    """Radars, radar cross-sections, tracker settings and the fire-control requirement of a tracked run."""
    radars = _tracking_radars(b, spec)
    rcs: dict[str, dict[str, float]] = {}
    for kind in sorted({info.kind for info in world.objects} | {"booster"}):
        if b.catalogue.has("signature", kind):
            p = b.params(b.catalogue.entry("signature", kind), {}, (), f"signature {kind}") or {}
            rcs[kind] = {
                band: 10.0 ** (p[f"rcs_{band.lower()}_dbsm"] / 10.0)
                for band in BANDS
                if f"rcs_{band.lower()}_dbsm" in p
            }
    t = (
        b.params(b.catalogue.entry("tracking", "default"), spec.tracking.override, ("tracking",), "tracking")
        or {}
    )
    if not t:
        return world
    tracker = TrackerConfig(
        q_m2_s3=t["q_m2_s3"],
        ballistic=True,
        gate_distance=t["gate_distance"],
        confirm_m=int(t["confirm_m"]),
        confirm_n=int(t["confirm_n"]),
        delete_misses=int(t["delete_misses"]),
        init_velocity_sigma_m_s=t["init_velocity_sigma_km_s"],
        capacity=int(t["capacity"]),
        q_manoeuvre_m2_s3=t["q_manoeuvre_m2_s3"],
        manoeuvre_below_alt_m=t["manoeuvre_below_alt_km"],
    )
    requirement = [t["fire_control_sigma_km"]]
    for battery in world.ground_batteries:
        entry = b.catalogue.entry("interceptor", battery.interceptor.name)
        if "fire_control_sigma_km" in entry.params:
            requirement.append(to_si("fire_control_sigma_km", entry.value("fire_control_sigma_km")))
    if not (radars or world.space_sensors):
        b.problem(
            ("scenario", "sensing"),
            'sensing = "tracked" needs radars ([[sensor]]) or sensor [[constellation]]s',
        )
    return replace(
        world, tracking_radars=radars, rcs_m2=rcs, tracker=tracker, fire_control_sigma_m=min(requirement)
    )


def build_world(
    spec: ScenarioFile, catalogue: Catalogue, base_dir: str | PurePath = "."
) -> tuple[World, list[dict], list[tuple[Path, str]], list[str]]:
    """Build the World; returns (world, provenance rows, problems, warnings). Unusable if problems.

    ``base_dir`` is where files named by the scenario (a TLE catalogue) are looked up.
    """
    b = Builder(catalogue)
    s = spec.scenario
    grid = TimeGrid(s.epoch_utc, s.step_s, s.duration_s)
    threats = _threats(b, spec)
    space_sensors, sbi_layers, sbi_batteries = _constellations(b, spec, grid, PurePath(base_dir))
    world = World(
        s.name,
        grid,
        s.sensing,
        threats,
        _radars(b, spec),
        _batteries(b, spec) + sbi_batteries,
        _doctrine(b, spec),
        _assets(b, spec),
        space_sensors=space_sensors,
        sbi_layers=sbi_layers,
        random_epoch=s.space_epoch == "random",
    )
    if s.sensing == "tracked":
        world = _tracked_sensing(b, spec, world)
    if space_sensors:  # the infrared signature class of every kind of object in the raid
        brightness = {}
        for kind in sorted({info.kind for info in world.objects}):
            if catalogue.has("signature", kind):
                p = b.params(catalogue.entry("signature", kind), {}, (), f"signature {kind}") or {}
                brightness[kind] = p.get("ir_relative", 1.0)
        world = replace(world, ir_brightness=brightness)
    if s.sensing == "cued" and not (world.radars or world.space_sensors) and world.batteries:
        b.problem(
            ("scenario", "sensing"),
            'sensing = "cued" needs at least one [[sensor]] or a sensor [[constellation]]; or use "ideal"',
        )
    for obj in world.objects:
        end = obj.nominal_impact_t_s
        if end * 1.05 + 60.0 > s.duration_s:
            b.problem(
                ("scenario", "duration_s"),
                f"{s.duration_s:.0f} s ends before threat {obj.name!r} lands "
                f"(launch {obj.launch_t_s:.0f} s + flight {end - obj.launch_t_s:.0f} s): "
                f"use at least {math.ceil(end * 1.05 + 60.0)} s",
            )
            break
    if not b.problems:
        _check_nominal_flights(b, spec, world)
    return world, b.provenance, b.problems, b.warnings


def _check_nominal_flights(b: Builder, spec: ScenarioFile, world: World) -> None:
    """Fly the raid once without dispersions: a failed flight is a problem; an interceptor site that no
    object can reach is a warning."""
    truth = fly_truth(world, 1)
    failed = [
        info.name
        for info, status in zip(world.objects, truth.status[0], strict=True)
        if status == STATUS_DIVERGED
    ]
    if failed:
        b.problem(
            ("threat",),
            f"the nominal flight of {', '.join(failed[:3])} fails (the integrator's step size collapsed): "
            "change its aim point or loft, and report the scenario as a bug",
        )
        return
    where: dict[str, int] = {}
    for i, site in enumerate(spec.interceptor_site):
        where[site.name or site.deployment or f"{site.interceptor}@{site.site or 'site'}"] = i + 1
    for battery in world.ground_batteries:
        if not np.isfinite(latest_launch_t_s(battery, truth.r_ecef, truth.alt_m, truth.t_s)).any():
            b.warnings.append(
                f"interceptor_site#{where.get(battery.name, '?')} ({battery.name}): no threat of the raid "
                f"comes within this {battery.interceptor.name}'s reach (range and altitude window): "
                "it will never fire"
            )
