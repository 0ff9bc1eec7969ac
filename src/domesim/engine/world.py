"""The World: everything a simulation needs, built once from a scenario and shared by all trials."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from domesim.core.rng import stream
from domesim.core.timegrid import TimeGrid
from domesim.interceptors.flyout import Battery
from domesim.interceptors.sbi import SbiLayer
from domesim.sensors.radar import Radar
from domesim.sensors.space_ir import SpaceSensorLayer
from domesim.threats.ballistic import ObjectInfo
from domesim.threats.batch import ThreatBatch, concatenate
from domesim.tracking.tracker import TrackerConfig


@dataclass(frozen=True, kw_only=True)
class ThreatGroup:
    """The threats of one registered family (``build/threats/``) and how the engine flies them."""

    family: str
    threats: tuple[Any, ...]  # each has ``objects()`` -> list[ObjectInfo] and a ``launch_t_s``
    fly: Callable[..., ThreatBatch]  # (threats, grid, rng or None, trials, rtol, atol) -> truth
    stream: str  # the named random stream of the family's dispersions


@dataclass(frozen=True, kw_only=True)
class AsatAttack:
    """Direct-ascent anti-satellite interceptors fired at the space-based interceptor layers (SI units).

    Each interceptor is fired at one satellite it can reach at the strike (orbit no higher than
    ``max_alt_m``, sub-satellite point within ``reach_m`` of the launch site); the attacker picks the
    satellites that will be nearest the wave's launch area when its first missile lifts off (the ones that
    would engage it), and each is killed with probability ``pk`` (``threats.asat``).
    """

    name: str
    layers: tuple[str, ...]  # the SBI layers attacked (names of World.sbi_layers)
    count: int  # interceptors fired, one per target
    pk: float  # probability that one interceptor kills its target
    max_alt_m: float  # the highest orbit it reaches
    reach_m: float  # ground distance from the launch site to a satellite it can reach at the strike
    lat_rad: float  # launch site
    lon_rad: float
    strike_s: float  # strike time on the wave's clock (negative: before its first launch time of 0)
    aim_lat_rad: float  # where the attacker wants the boost layer thinned: the wave's launch area
    aim_lon_rad: float
    aim_t_s: float  # when: the wave's first launch


@dataclass(frozen=True, kw_only=True)
class Wave:
    """One raid of a campaign: its threats (launch times on its own clock) and the attacks on the space
    layer that go with it; ``start_s`` after the scenario epoch."""

    name: str
    start_s: float
    threat_groups: tuple[ThreatGroup, ...]
    asat: tuple[AsatAttack, ...] = ()

    @property
    def n_objects(self) -> int:
        """Simulated objects of its raid (its share of the campaign's object axis)."""
        return sum(len(threat.objects()) for group in self.threat_groups for threat in group.threats)


@dataclass(frozen=True, kw_only=True)
class Logistics:
    """What restocks the defence between the waves of a campaign."""

    reload_s: tuple[float, ...]  # per ground battery: time to reload its whole magazine (inf: never)
    replenish_per_s: tuple[float, ...]  # per SBI layer: satellites replaced per second (launch cadence)


@dataclass(frozen=True)
class Doctrine:
    """Battle-management rules (SI units)."""

    cue_delay_s: float  # first detection -> decision to commit
    kill_assessment_s: float  # intercept -> knowing whether it killed
    salvo_size: int  # interceptors fired together at one object
    max_engagements: int  # salvos per object (shoot-look-shoot) when time allows
    engage_lethal_only: bool = False  # perfect discrimination: decoys, debris and buses are ignored
    engagements_per_layer: int = 0  # salvos one layer may fire at one object (0: no limit)
    reserve_frac: dict[str, float] = field(default_factory=dict)  # layer -> inventory kept for priority 1
    threat_radius_m: float = 50e3  # an impact this close to an asset threatens it
    site_kill_radius_m: float = 0.0  # a warhead landing this close to a battery destroys it (0: never)
    discriminate_by_sensors: bool = False  # full chain: decoys recognised by the radars that tracked them
    assignment: str = "earliest"  # "earliest" per object, or "value": maximum marginal return (c2.doctrine)


@dataclass(frozen=True)
class Asset:
    """A defended point (city or site)."""

    name: str
    lat_rad: float
    lon_rad: float
    country: str = ""
    value: float = 1.0  # population, or the scenario's value
    priority: int = 2  # 1 (highest) to 3; reserves are spent only on priority-1 threats


@dataclass(frozen=True, kw_only=True)
class World:
    """Built scenario: time grid, threat objects with their launch solutions, sensors, batteries."""

    name: str
    grid: TimeGrid
    sensing: str  # a fidelity of engine.sensing.FIDELITIES: "full", "screening" or "ideal"
    threat_groups: tuple[ThreatGroup, ...]  # one per family with threats, in the registry's order
    radars: list[Radar]
    batteries: list[Battery]
    doctrine: Doctrine
    assets: list[Asset] = field(default_factory=list)
    space_sensors: list[SpaceSensorLayer] = field(default_factory=list)
    sbi_layers: list[SbiLayer] = field(default_factory=list)  # their batteries close world.batteries
    random_epoch: bool = True  # each trial meets the constellations at a random time of day
    ir_brightness: dict[str, float] = field(default_factory=dict)  # signature class -> relative to an RV
    rcs_m2: dict[str, dict[str, float]] = field(default_factory=dict)  # signature class -> band -> RCS
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    fire_control_sigma_m: float = 1000.0  # the tracker's default requirement, for classes without their own
    rtol: float = 1e-8  # trajectory integration tolerances (SciPy RK45 semantics, SI units)
    atol: float = 1e-3
    # a campaign (engine.campaign): its waves in time order, whose threats make up threat_groups wave by
    # wave; empty for a single raid
    waves: tuple[Wave, ...] = ()
    logistics: Logistics | None = None

    @property
    def wave_of_object(self) -> np.ndarray:
        """(N,) the wave of every object (all 0 for a single raid)."""
        if not self.waves:
            return np.zeros(len(self.objects), dtype=np.int64)
        return np.repeat(np.arange(len(self.waves)), [wave.n_objects for wave in self.waves])

    @property
    def ground_batteries(self) -> list[Battery]:
        """Batteries at a site on the Earth (all but the space-based interceptor layers)."""
        return self.batteries[: len(self.batteries) - len(self.sbi_layers)]

    @property
    def threats(self) -> list[Any]:
        """Every launched threat (missile, glide vehicle, cruise missile), family by family."""
        return [threat for group in self.threat_groups for threat in group.threats]

    @property
    def objects(self) -> list[ObjectInfo]:
        """Every simulated object, in the order of the engine's object axis (family by family)."""
        return [info for threat in self.threats for info in threat.objects()]

    @property
    def layers(self) -> list[str]:
        return sorted({b.interceptor.layer for b in self.batteries})

    @property
    def interceptor_types(self) -> list[str]:
        return sorted({b.interceptor.name for b in self.batteries})


def wave_seed(seed: int, wave: int) -> int:
    """The root seed of wave ``wave`` of a campaign run seeded ``seed`` (wave 0: the run's own seed).

    >>> wave_seed(7, 0)
    7
    """
    if wave == 0:
        return seed
    return int(np.random.SeedSequence([seed, wave]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def fly_truth(world: World, n_trials: int, seed: int | None = None, chunk: int = 0) -> ThreatBatch:
    """Truth of every object of the raid on the grid, for ``n_trials`` trials of chunk ``chunk``.

    Each family draws its dispersions from its own named stream, so adding a cruise missile to a raid
    does not change the ballistic draws; ``seed=None`` flies without dispersions. The object axis
    follows :attr:`World.objects`. A campaign's waves fly each with its own seed (:func:`wave_seed`), on
    its own clock, as the engine flies them.
    """
    if world.waves:
        return concatenate(
            [
                fly_truth(
                    replace(world, threat_groups=wave.threat_groups, waves=()),
                    n_trials,
                    None if seed is None else wave_seed(seed, w),
                    chunk,
                )
                for w, wave in enumerate(world.waves)
            ]
        )
    batches = []
    for group in world.threat_groups:
        rng = stream(seed, chunk, group.stream) if seed is not None else None
        batches.append(group.fly(list(group.threats), world.grid, rng, n_trials, world.rtol, world.atol))
    return concatenate(batches)
