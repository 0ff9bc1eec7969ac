"""Validated scenario + catalogue -> World (SI specs, launch solutions) and the provenance of every value.

The builder iterates the registries of component kinds: threat families (``build/threats/``), sensor
families (:mod:`~domesim.build.sensors`), interceptor classes (:mod:`~domesim.build.interceptors`) and
constellation payloads (:mod:`~domesim.build.constellations`); what is left here is what belongs to the
whole scenario: the doctrine, the defended assets, the sensing fidelity's settings and the checks that
need the built raid. Problems are collected, not raised one at a time, so a user sees every fault of a
file at once.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path as FilePath

import numpy as np

from domesim.build.architecture import Architecture, architecture
from domesim.build.builder import Builder, Path
from domesim.build.campaign import is_campaign, logistics, waves
from domesim.build.catalogue import Catalogue, Entry
from domesim.build.constellations import build_constellations
from domesim.build.interceptors import INTERCEPTOR_CLASSES
from domesim.build.parts import WorldParts
from domesim.build.schema import AssetSpec, ScenarioFile
from domesim.build.sensors import SENSOR_FAMILIES
from domesim.build.threats import ThreatContext, threat_families
from domesim.core.ballistic import STATUS_DIVERGED
from domesim.core.timegrid import TimeGrid
from domesim.engine.simulate import CHUNK_MEMORY_BYTES, trial_bytes
from domesim.engine.world import Asset, Doctrine, ThreatGroup, World, fly_truth
from domesim.interceptors.flyout import latest_launch_t_s
from domesim.limits import (
    ALLOW_LARGE_HINT,
    DEFAULT_POLICY,
    MAX_THREAT_OBJECTS,
    MAX_TRIAL_MEMORY_FACTOR,
    InputPolicy,
)
from domesim.sensors.radar import BANDS
from domesim.tracking.tracker import TrackerConfig


def threat_groups(b: Builder, spec: ScenarioFile, blocks: list[int] | None = None) -> tuple[ThreatGroup, ...]:
    """The threats of every [[threat]] block (or of ``blocks``), built by its family and grouped in the
    registry's order."""
    families = threat_families()
    built: dict[str, list] = {family.name: [] for family in families}
    for i in range(len(spec.threat)) if blocks is None else blocks:
        block = spec.threat[i]
        path: Path = ("threat", i)
        entry = b.lookup("threat", block.threat_class, path + ("class",))
        if entry is None:
            continue
        family = families.for_family(entry.fields.get("family"))
        if family is None:
            b.problem(
                path + ("class",),
                f"threat {entry.id!r} is of family {entry.fields.get('family')!r}, which no registered "
                f"threat family builds ({', '.join(families.families())})",
            )
            continue
        if not isinstance(block, family.block):  # validated against another family's block
            b.problem(path + ("class",), f"threat {entry.id!r} needs a {family.name} block")
            continue
        ctx = ThreatContext(builder=b, block=block, path=path, entry=entry, scenario=spec)
        built[family.name] += family.build(ctx)
    return tuple(
        ThreatGroup(
            family=family.name, threats=tuple(built[family.name]), fly=family.fly, stream=family.stream
        )
        for family in families
        if built[family.name]
    )


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
        site_kill_radius_m=p.get("site_kill_radius_km", 0.0),
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


def _sensing(b: Builder, spec: ScenarioFile, world: World) -> World:
    """Radar cross-sections (every fidelity but ideal reads them), the tracker settings and the default
    fire-control requirement (the full chain's)."""
    rcs: dict[str, dict[str, float]] = {}
    for kind in sorted({info.seen_as for info in world.objects} | {"booster"}):
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
    # the default requirement, for interceptor classes without their own (each class commits on its own)
    return replace(
        world,
        rcs_m2=rcs,
        tracker=tracker,
        fire_control_sigma_m=t["fire_control_sigma_km"],
    )


def build_parts(b: Builder, spec: ScenarioFile, fielded: Architecture) -> WorldParts:
    """The physics models of the fielded sensors and weapons, each built by its registered kind."""
    parts = WorldParts()
    build_constellations(b, spec, fielded, parts)
    for sensor in fielded.sensor_sites:
        family = SENSOR_FAMILIES.for_family(sensor.family)
        assert family is not None  # the architecture keeps only classes a registered family builds
        entry = b.catalogue.entry("sensor", sensor.class_id)
        with b.reported(sensor.path + ("override",)):
            radar = family.build(b, sensor, entry)
            if radar is not None:
                parts.radars.append(radar)
    for site in fielded.interceptor_sites:
        kind = INTERCEPTOR_CLASSES.for_family(site.family)
        assert kind is not None  # likewise
        with b.reported(site.path + ("override",)):
            kind.build(b, site, b.catalogue.entry("interceptor", site.class_id), parts)
    return parts


def build_world(
    spec: ScenarioFile,
    catalogue: Catalogue,
    base_dir: str | FilePath = ".",
    policy: InputPolicy = DEFAULT_POLICY,
) -> tuple[World, list[dict], list[tuple[Path, str]], list[str]]:
    """Build the World; returns (world, provenance rows, problems, warnings). Unusable if problems.

    ``base_dir`` is where files named by the scenario (a TLE catalogue) are looked up; ``policy`` says
    which other folders they may lie in and whether the world may exceed the bounds of
    :mod:`domesim.limits` (the raid's objects; one trial's memory).
    """
    b = Builder(catalogue)
    s = spec.scenario
    grid = TimeGrid(s.epoch_utc, s.step_s, s.duration_s)
    groups = () if is_campaign(spec) else threat_groups(b, spec)  # a campaign's: wave by wave, below
    fielded = architecture(spec, catalogue, base_dir, b, policy)  # what is fielded where (costing reads it)
    parts = build_parts(b, spec, fielded)
    world = World(
        name=s.name,
        grid=grid,
        sensing=s.sensing,
        threat_groups=groups,
        radars=parts.radars,
        batteries=parts.ground_batteries + parts.sbi_batteries,
        doctrine=_doctrine(b, spec),
        assets=_assets(b, spec),
        space_sensors=parts.space_sensors,
        sbi_layers=parts.sbi_layers,
        random_epoch=s.space_epoch == "random",
    )
    if is_campaign(spec):  # the raids wave by wave: the object axis follows them
        campaign_waves = waves(b, spec, world, lambda blocks: threat_groups(b, spec, blocks))
        world = replace(
            world,
            threat_groups=tuple(g for wave in campaign_waves for g in wave.threat_groups),
            waves=campaign_waves,
            logistics=logistics(b, spec, world, fielded),
        )
    world = _sensing(b, spec, world)
    if parts.space_sensors:  # the infrared brightness of every signature class in the raid
        brightness = {}
        for kind in sorted({info.seen_as for info in world.objects}):
            if catalogue.has("signature", kind):
                p = b.params(catalogue.entry("signature", kind), {}, (), f"signature {kind}") or {}
                brightness[kind] = p.get("ir_relative", 1.0)
        world = replace(world, ir_brightness=brightness)
    if s.sensing != "ideal" and not (world.radars or world.space_sensors) and world.batteries:
        b.problem(
            ("scenario", "sensing"),
            f'sensing = "{s.sensing}" needs at least one [[sensor]] or a sensor [[constellation]]; '
            'or use "ideal"',
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
    _check_size(b, world, policy)
    if not b.problems:
        _check_nominal_flights(b, spec, world)
    return world, b.provenance, b.problems, b.warnings


def _check_size(b: Builder, world: World, policy: InputPolicy) -> None:
    """The bounds of :mod:`domesim.limits` that need the built raid: its objects (what missiles release is
    known only now) and the memory of one trial, which the engine cannot split (checked before the raid
    is flown, so that a world too large for the machine is an error, not an exhausted memory)."""
    what = "the raid's objects (missiles and what they release)"
    if too_many := policy.over(what, len(world.objects), MAX_THREAT_OBJECTS):
        b.problem(("threat",), too_many)
        return
    budget = CHUNK_MEMORY_BYTES * MAX_TRIAL_MEMORY_FACTOR
    if not policy.allow_large and (need := trial_bytes(world)) > budget:
        b.problem(
            ("scenario", "step_s"),
            f"one trial needs about {need / 2**30:,.1f} GiB ({len(world.objects):,} objects x "
            f"{world.grid.steps:,} steps), above the limit of {budget / 2**30:g} GiB: raise step_s, shorten "
            f"duration_s or simulate fewer objects; {ALLOW_LARGE_HINT}",
        )


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
    _check_switches_have_effect(b, spec, world, truth)
    for battery in world.ground_batteries:
        if not np.isfinite(latest_launch_t_s(battery, truth.r_ecef, truth.alt_m, truth.t_s)).any():
            b.warnings.append(
                f"interceptor_site#{where.get(battery.name, '?')} ({battery.name}): no threat of the raid "
                f"comes within this {battery.interceptor.name}'s reach (range and altitude window): "
                "it will never fire"
            )


def _check_switches_have_effect(b: Builder, spec: ScenarioFile, world: World, truth) -> None:
    """Warn about blocks and switches that cannot change this raid's outcome, so that "no effect" is
    told apart from "not wired": sensors under ideal sensing, a radar whose coverage holds no object of
    the nominal raid, Canadian assets that no warhead is aimed at."""
    from domesim.engine.sensing import radars_that_see

    if world.sensing == "ideal" and (world.radars or world.space_sensors):
        b.warnings.append(
            f'sensing = "ideal": the {len(world.radars)} radar(s) and {len(world.space_sensors)} sensor '
            "layer(s) are not used (every object is known from launch); they cannot change the outcome"
        )
    elif world.radars:
        for radar, sees in zip(world.radars, radars_that_see(world, truth), strict=True):
            if not sees:
                b.warnings.append(
                    f"sensor {radar.name}: its coverage never holds an object of the nominal raid at a "
                    "single-look Pd of 1/2 or more: it is unlikely to change the outcome"
                )
    canadian = [a for a in world.assets if a.country == "CA"]
    if canadian and spec.norad.canada_assets:
        aimed_at = {_nearest_asset(world, info) for info in world.objects if info.lethal}
        if not any(a.name in aimed_at for a in canadian):
            b.warnings.append(
                f"[norad] canada_assets: none of the {len(canadian)} Canadian assets is the nearest defended "
                "asset to any warhead's aim point, so they cannot change the outcome of this raid"
            )


def _nearest_asset(world: World, info) -> str:
    """The defended asset nearest to an object's aim point (great circle)."""
    from domesim.core.frames import great_circle_distance_m

    if not world.assets:
        return ""
    lat = np.array([a.lat_rad for a in world.assets])
    lon = np.array([a.lon_rad for a in world.assets])
    distances = great_circle_distance_m(info.aim_lat_rad, info.aim_lon_rad, lat, lon)
    return world.assets[int(np.argmin(distances))].name
