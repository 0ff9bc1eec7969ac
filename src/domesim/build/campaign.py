"""A campaign's parts: the ``[[wave]]`` raids, the ``[[asat]]`` attacks on the space layer, and what restocks
the defence between waves (reloads of the interceptor classes that can be reloaded, the SBI layers'
replenishment rate), built from the scenario and the catalogue. The engine runs it
(:mod:`domesim.engine.campaign`).

A scenario with neither ``[[wave]]`` nor ``[[asat]]`` is one raid, as before; with ``[[asat]]`` alone it is
a campaign of one wave.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from domesim.build.architecture import Architecture
from domesim.build.builder import Builder
from domesim.build.catalogue import Param
from domesim.build.schema import ScenarioFile
from domesim.engine.world import AsatAttack, Logistics, ThreatGroup, Wave, World

SECONDS_PER_YEAR = 365.25 * 86400.0
FIRST_WAVE = "wave 1"  # the name of the one wave of a campaign without [[wave]] blocks


def is_campaign(spec: ScenarioFile) -> bool:
    return bool(spec.wave or spec.asat)


def wave_names(spec: ScenarioFile) -> list[str]:
    """The waves in time order (a campaign without [[wave]] blocks has one, at the epoch); a name given
    twice (a problem, :func:`wave_of_blocks`) counts once, so that nothing is reported twice."""
    names = [w.name for w in sorted(spec.wave, key=lambda w: w.start_h)] or [FIRST_WAVE]
    return list(dict.fromkeys(names))


def wave_of_blocks(b: Builder, spec: ScenarioFile) -> list[int]:
    """The wave of each [[threat]] block (an index into :func:`wave_names`; -1: an unknown wave)."""
    names = wave_names(spec)
    seen: set[str] = set()
    for i, w in enumerate(spec.wave):
        if w.name in seen:
            b.problem(
                ("wave", i, "name"), f"wave {w.name!r} is named twice: each [[wave]] needs its own name"
            )
        seen.add(w.name)
    waves = []
    for i, block in enumerate(spec.threat):
        name = block.wave or names[0]
        if name not in names:
            b.problem(("threat", i, "wave"), _unknown_wave(name, names))
        waves.append(names.index(name) if name in names else -1)
    for k, name in enumerate(names):
        if spec.wave and k not in waves:
            where = next(i for i, w in enumerate(spec.wave) if w.name == name)
            b.problem(("wave", where, "name"), f"wave {name!r} has no [[threat]] block (wave = {name!r})")
    return waves


def _unknown_wave(name: str, names: Sequence[str]) -> str:
    return f"no [[wave]] is named {name!r}; the waves are: {', '.join(map(repr, names))}"


def waves(
    b: Builder,
    spec: ScenarioFile,
    world: World,
    groups_of: Callable[[list[int]], tuple[ThreatGroup, ...]],
) -> tuple[Wave, ...]:
    """The waves, each with its threat groups (``groups_of(block indices)``) and its attacks on satellites."""
    names = wave_names(spec)
    block_wave = wave_of_blocks(b, spec)
    start_h = {w.name: w.start_h for w in spec.wave}
    built = []
    for k, name in enumerate(names):
        blocks = [i for i, w in enumerate(block_wave) if w == k]
        attacks = tuple(
            attack
            for i, a in enumerate(spec.asat)
            if (a.wave or names[0]) == name and (attack := _asat(b, spec, world, i, blocks)) is not None
        )
        built.append(
            Wave(
                name=name,
                start_s=start_h.get(name, 0.0) * 3600.0,
                threat_groups=groups_of(blocks),
                asat=attacks,
            )
        )
    for i, a in enumerate(spec.asat):
        if a.wave is not None and a.wave not in names:
            b.problem(("asat", i, "wave"), _unknown_wave(a.wave, names))
    return tuple(built)


def _asat(b: Builder, spec: ScenarioFile, world: World, i: int, blocks: list[int]) -> AsatAttack | None:
    """One [[asat]] block, aimed at the launch area of the first block of its wave."""
    a, path = spec.asat[i], ("asat", i)
    entry = b.lookup("asat", a.asat, path + ("asat",))
    site = b.place("region", a.launch_region, a.launch_lat_deg, a.launch_lon_deg, path + ("launch_region",))
    layers = [layer.name for layer in world.sbi_layers]
    if not layers:
        b.problem(path, "the scenario has no space-based interceptor [[constellation]] to attack")
        return None
    targets = a.target or layers
    for name in targets:
        if name not in layers:
            b.problem(
                path + ("target",), f"{name!r} is not an SBI constellation; they are: {', '.join(layers)}"
            )
            return None
    p = b.params(entry, a.override, path, f"asat {a.asat}") if entry is not None else None
    if p is None or site is None or not blocks:
        return None
    first = min(blocks, key=lambda j: spec.threat[j].launch_time_s)
    t = spec.threat[first]
    aim = b.place(
        "region", t.launch_region, t.launch_lat_deg, t.launch_lon_deg, ("threat", first, "launch_region")
    )
    if aim is None:
        return None
    return AsatAttack(
        name=a.name or f"asat {i + 1}",
        layers=tuple(targets),
        count=a.count,
        pk=p["pk"],
        max_alt_m=p["max_alt_km"],
        reach_m=p["reach_km"],
        lat_rad=site[0],
        lon_rad=site[1],
        strike_s=-a.strike_before_s,
        aim_lat_rad=aim[0],
        aim_lon_rad=aim[1],
        aim_t_s=t.launch_time_s,
    )


def logistics(b: Builder, spec: ScenarioFile, world: World, fielded: Architecture) -> Logistics:
    """Reload times of the ground batteries and replenishment rates of the SBI layers."""
    overrides = {site.name or site.deployment: site.override for site in spec.interceptor_site}
    reload_s = []
    for battery in world.ground_batteries:
        entry = b.catalogue.entry("interceptor", battery.interceptor.name)
        param = entry.params.get("reload_days")
        days = overrides.get(battery.name, {}).get("reload_days", param.value if param else None)
        reload_s.append(math.inf if days is None else float(days) * 86400.0)
    sbi_class = {c.label: c.class_id for c in fielded.constellations}
    replenish = [
        _replenish_per_s(b, spec, layer.name, sbi_class.get(layer.name)) for layer in world.sbi_layers
    ]
    return Logistics(reload_s=tuple(reload_s), replenish_per_s=tuple(replenish))


def _replenish_per_s(b: Builder, spec: ScenarioFile, layer: str, class_id: str | None) -> float:
    """Satellites of an SBI layer that can be replaced per second: the smaller of its production rate and
    its launch cadence times the satellites one launch carries (payload // mass; a mass known only as a
    public range is taken at its heavy end, the fewer per launch), from the cost catalogue and the
    scenario's [cost.element] overrides. With no rate at all, none are replaced (a warning)."""
    if class_id is None or not b.catalogue.has("cost", class_id):
        b.warnings.append(f"SBI layer {layer}: no cost entry gives its replenishment rate; none are replaced")
        return 0.0
    entry = b.catalogue.entry("cost", class_id)
    given = spec.cost.element.get(class_id)

    def value(key: str, end: str = "value") -> float | None:
        if given is not None and getattr(given, key, None) is not None:
            return float(getattr(given, key))
        param: Param | None = entry.params.get(key)
        if param is None:
            return None
        v = param.value if param.value is not None else getattr(param, end)
        return None if v is None else float(v)

    rates = []
    if (production := value("production_per_year")) is not None:
        rates.append(production)
    launches, payload, mass = value("launches_per_year"), value("launch_payload_kg"), value("mass_kg", "high")
    if launches is not None and payload is not None and mass:
        rates.append(launches * (payload // mass))
    if not rates:
        b.warnings.append(f"SBI layer {layer}: no production or launch rate is known; none are replaced")
        return 0.0
    return min(rates) / SECONDS_PER_YEAR
