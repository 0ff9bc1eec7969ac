"""The CZML document of one trial of a run, for a 3-D globe (CesiumJS), written with ``czml3``.

What it holds (packet ids in brackets):

- ``document``: the run's name and the clock: from the first event of the trial (a launch or a fly-out) to
  the last (an impact, an intercept), a minute either side within the scenario's time grid; the
  description states the trial, the frame and the decimation of the constellations.
- ``scene``: the same facts as custom ``properties`` for the viewer (trial, chunk, seed, frame, epoch,
  the constellations' epoch offset of this trial, satellites in the run and drawn, the cap).
- ``object/<n>``: every simulated object of the raid as flown in this trial (truth re-flown, below),
  from launch (released objects: from release) to impact or kill, with a trail; coloured by kind:
  warheads red, buses grey, decoys and other penetration aids yellow. An object destroyed with its
  missile before it was released has a packet with no position. Samples are the truth on the grid, every
  step up to :data:`OBJECT_SAMPLES_MAX` per object (fewer in a raid of thousands:
  :func:`samples_per_object`), and the impact point.
- ``nominal/<n>``: the nominal raid (no dispersions, no defence): the same objects, paths only, faint,
  in the same document under the parent ``nominal``.
- ``flyout/<i>``: each engagement (salvo) of the trial, row ``i`` of the ``engagements`` table: the straight
  line from the site (an SBI salvo: from each satellite that fired, where it was at launch) to the
  target's position at the intercept, shown from launch to intercept. It is the line of the fly-out, not
  the interceptor's trajectory.
- ``event/<i>``: the intercept of engagement ``i``, a point and a "kill" or "miss" label at the target's
  position at the intercept time, shown from then on.
- ``leaker/<n>``: the impact point of each leaker of the trial (``leakers`` table) with its cause.
- ``site/<b>``: each ground or sea battery, labelled with its interceptor and inventory.
- ``radar/<m>`` and ``radar/<m>/face/<f>``: each radar site, and one fan per face: the face's azimuth
  sector at the lower elevation limit, out to the range of a Pd of 1/2 per look against the class's
  reference cross-section (the radar equation has no hard edge), with the inner arc of the skip zone where
  one is modelled; the elevation limits and a coverage ceiling are in its description.
- ``constellation/<layer>/plane/<p>``: the orbit of every plane of every constellation, drawn as one ring
  per plane, never per satellite; the ring is the plane's orbit in the Earth-fixed frame as it stands at
  the middle of each :data:`RING_EVERY_S` interval (the Earth turns 1.25 deg in 300 s, so a ring is off
  by at most about 0.6 deg of longitude between snapshots).
- ``satellite/<layer>/<s>``: moving points for a decimated subset: every k-th satellite of each layer,
  k chosen so that at most :data:`SATELLITE_POINTS_MAX` points are drawn in all, plus every SBI that
  fired in this trial (always drawn, highlighted and labelled).

Frames and time. domesim's truth is Earth-fixed (ECEF, WGS84, polar motion neglected: Cesium's
``FIXED``), and times are seconds since the scenario epoch (``[scenario] epoch_utc``), so every position
is written as ``FIXED`` cartesian samples on that epoch. Satellites are propagated in domesim's inertial
frame and turned into ECEF with domesim's own rotation, exactly as the engine places them for this trial
(the constellations met this trial ``offset`` seconds after the epoch: ``random_epoch``); nothing is
written as ``INERTIAL``, since Cesium reads that as ICRF, which differs from domesim's CIRS-like frame
by precession and nutation (:mod:`domesim.core.frames`).

Re-flying a trial. The truth of a chunk depends only on (world, chunk, trials in the chunk, seed), so
trial N is row ``N % chunk_trials`` of chunk ``N // chunk_trials``, flown again with
:func:`domesim.engine.world.fly_truth`. Engagements are not simulated again: they come from the run's
tables. Which satellites of an SBI layer fired is not stored; it is computed again with the engine's own
rule (:func:`engaged_satellites`) from the stored commit time of each salvo, and checked against the
stored intercept time and shots: a salvo whose satellites do not check out is drawn without a fly-out
line (its ``event`` still is).

Which trial. :func:`default_trial` picks the first trial with a leaker, else trial 0: a run is watched to
see how something gets through, and where nothing does, trial 0 is as typical as any.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from czml3 import Document, Packet
from czml3.enums import ArcTypes, ClockRanges, ClockSteps, InterpolationAlgorithms
from czml3.properties import (
    Clock,
    Color,
    Label,
    Point,
    Polyline,
    PolylineMaterial,
    Position,
    PositionList,
    SolidColorMaterial,
)
from czml3.properties import (
    Path as PathGraphics,
)
from czml3.types import Cartesian2Value, IntervalValue, TimeInterval, TimeIntervalCollection

from domesim.core import ballistic as kernel
from domesim.core import frames, kepler
from domesim.core.constants import OMEGA_EARTH_RAD_S
from domesim.core.rng import stream
from domesim.core.timegrid import parse_epoch_utc
from domesim.engine.world import World, fly_truth
from domesim.errors import ParameterError
from domesim.interceptors.sbi import SbiLayer, Window, earliest_steps, tracks_inertial
from domesim.limits import DEFAULT_POLICY, InputPolicy
from domesim.montecarlo.runner import chunk_plan
from domesim.results.store import read_table
from domesim.scenario.loader import load_scenario
from domesim.threats.batch import ThreatBatch

SATELLITE_POINTS_MAX = 300  # moving satellite points drawn, in all (engaged SBIs come on top)
SATELLITE_SAMPLE_S = 60.0  # spacing of a satellite's samples (Lagrange degree 5: far below 1 m)
RING_EVERY_S = 300.0  # a plane's ring is redrawn this often (module docstring)
RING_POINTS = 48  # points of one ring
OBJECT_SAMPLES_MAX = 1000  # samples of one flown object at most (every grid step while fewer)
OBJECT_SAMPLES_TOTAL = 150_000  # samples of every track, flown and nominal (about 45 bytes each)
OBJECT_SAMPLES_MIN = 20
CLOCK_MARGIN_S = 60.0
CLOCK_MULTIPLIER = 10.0
SIDEREAL_DAY_S = 86164.0905  # the engine's range of constellation epoch offsets (engine.simulate)
FRAME = "FIXED"

RGBA = {
    "warhead": [230, 40, 40, 255],
    "bus": [160, 160, 160, 255],
    "decoy": [240, 200, 40, 255],
    "nominal": [255, 255, 255, 90],
    "flyout": [80, 200, 255, 255],
    "kill": [60, 220, 60, 255],
    "miss": [255, 140, 0, 255],
    "leaker": [255, 0, 200, 255],
    "site": [80, 200, 255, 255],
    "radar": [120, 255, 200, 255],
    "fan": [120, 255, 200, 140],
    "sbi": [255, 160, 60, 255],
    "sensor_sat": [120, 170, 255, 255],
    "ring_sbi": [255, 160, 60, 60],
    "ring_sensor": [120, 170, 255, 60],
    "engaged_sbi": [255, 40, 40, 255],
}


def kind_colour(kind: str, lethal: bool) -> str:
    """The colour class of an object: ``warhead`` (lethal), ``bus`` or ``decoy`` (any other)."""
    return "warhead" if lethal else "bus" if kind == "bus" else "decoy"


@dataclass(frozen=True, kw_only=True)
class TrialTruth:
    """One trial re-flown: its truth (a one-trial :class:`ThreatBatch`), where it lies in the run and
    the constellations' epoch offset the engine drew for it."""

    trial: int
    chunk: int
    row: int
    truth: ThreatBatch
    offset_s: float


def default_trial(tables: dict[str, dict[str, np.ndarray]]) -> int:
    """The first trial with a leaker, else 0 (module docstring)."""
    leakers = tables["trials"]["leakers"]
    hit = np.flatnonzero(leakers > 0)
    return int(hit[0]) if hit.size else 0


def refly_trial(world: World, trial: int, *, trials: int, seed: int, chunk_trials: int) -> TrialTruth:
    """Truth of trial ``trial`` of a run of ``trials`` trials in chunks of ``chunk_trials`` (the run's
    ``summary.json``): its chunk flown again, the trial's row taken."""
    if not 0 <= trial < trials:
        raise ParameterError(f"trial {trial} is out of range: the run has trials 0 to {trials - 1}")
    if chunk_trials < 1:
        raise ParameterError(f"chunk_trials must be >= 1 (got {chunk_trials})")
    chunk, row = divmod(trial, chunk_trials)
    n = {c: size for c, _, size in chunk_plan(trials, chunk_trials)}[chunk]
    full = fly_truth(world, n, seed, chunk)
    truth = ThreatBatch(
        t_s=full.t_s,
        **{
            name: getattr(full, name)[row : row + 1]
            for name in (
                "r_ecef",
                "v_ecef",
                "alt_m",
                "phase",
                "impact_t_s",
                "impact_lat_rad",
                "impact_lon_rad",
                "status",
            )  # fmt: skip
        },
    )
    offset = (
        float(stream(seed, chunk, "space.epoch").uniform(0.0, SIDEREAL_DAY_S, n)[row])
        if world.random_epoch
        else 0.0
    )
    return TrialTruth(trial=trial, chunk=chunk, row=row, truth=truth, offset_s=offset)


# ----------------------------------------------------------------------------------------------- helpers
class _Clock:
    """Times as ISO strings on the scenario epoch."""

    def __init__(self, epoch_utc: str):
        self.epoch = parse_epoch_utc(epoch_utc)
        self.epoch_iso = self.iso(0.0)

    def iso(self, t_s: float) -> str:
        moment = self.epoch + timedelta(seconds=float(t_s))
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def interval(self, start_s: float, end_s: float) -> TimeInterval:
        return TimeInterval(start=self.iso(start_s), end=self.iso(end_s))


def _colour(name: str) -> Color:
    return Color(rgba=RGBA[name])


def _line(name: str) -> PolylineMaterial:
    return PolylineMaterial(solidColor=SolidColorMaterial(color=_colour(name)))


def _samples(t_s: np.ndarray, r: np.ndarray) -> list[float]:
    """``[t, x, y, z, ...]`` with positions rounded to 0.1 m."""
    flat = np.column_stack([np.round(t_s, 3), np.round(r, 1)])
    return flat.ravel().tolist()


def _sampled_position(clock: _Clock, t_s: np.ndarray, r_ecef: np.ndarray, degree: int = 5) -> Position:
    return Position(
        referenceFrame=FRAME,
        epoch=clock.epoch_iso,
        cartesian=_samples(t_s, r_ecef),
        interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
        interpolationDegree=max(1, min(degree, len(t_s) - 1)),
    )


def _fixed(r_ecef: np.ndarray) -> Position:
    return Position(referenceFrame=FRAME, cartesian=np.round(np.asarray(r_ecef, float), 1).tolist())


def _polyline(points: np.ndarray, colour: str, width: float = 1.5, arc: ArcTypes = ArcTypes.NONE) -> Polyline:
    return Polyline(
        positions=PositionList(cartesian=np.round(np.asarray(points, float), 1).ravel().tolist()),
        arcType=arc,
        width=width,
        material=_line(colour),
    )


def _object_span(truth: ThreatBatch, n: int) -> tuple[float, float] | None:
    """First and last finite truth time of object ``n`` (row 0), or None if it never flew."""
    ok = np.isfinite(truth.r_ecef[0, n, :, 0])
    if not ok.any():
        return None
    idx = np.flatnonzero(ok)
    return float(truth.t_s[idx[0]]), float(truth.t_s[idx[-1]])


def samples_per_object(n_objects: int) -> int:
    """Samples of one object's track: :data:`OBJECT_SAMPLES_MAX`, fewer in a raid so large that its
    tracks, flown and nominal, would pass :data:`OBJECT_SAMPLES_TOTAL` (about 7 MB), never below
    :data:`OBJECT_SAMPLES_MIN`: a raid of 5,000 objects writes about 9 MB of tracks.

    >>> samples_per_object(40), samples_per_object(1000), samples_per_object(5000)
    (1000, 75, 20)
    """
    return max(OBJECT_SAMPLES_MIN, min(OBJECT_SAMPLES_MAX, OBJECT_SAMPLES_TOTAL // max(2 * n_objects, 1)))


def _track(truth: ThreatBatch, n: int, end_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Times and ECEF positions of object ``n`` (row 0) up to ``end_s``, every grid step up to
    :func:`samples_per_object` samples (the first and last always kept), and its impact point when it
    lands by then."""
    t_s = truth.t_s
    ok = np.isfinite(truth.r_ecef[0, n, :, 0]) & (t_s <= end_s + 1e-9)
    idx = np.flatnonzero(ok)
    stride = max(1, math.ceil(idx.size / samples_per_object(truth.r_ecef.shape[1])))
    keep = idx[::stride]
    if keep.size and keep[-1] != idx[-1]:
        keep = np.append(keep, idx[-1])
    times, points = t_s[keep], truth.r_ecef[0, n, keep]
    impact = float(truth.impact_t_s[0, n])
    if math.isfinite(impact) and impact <= end_s + 1e-9 and (not times.size or impact > times[-1] + 1e-6):
        ground = frames.geodetic_to_ecef(truth.impact_lat_rad[0, n], truth.impact_lon_rad[0, n], 0.0)
        times, points = np.append(times, impact), np.vstack([points, ground[None]])
    return times, points


def _position_at(truth: ThreatBatch, n: int, t_s: float) -> np.ndarray:
    """Truth position of object ``n`` (row 0) at grid time ``t_s`` (the nearest step)."""
    k = int(np.argmin(np.abs(truth.t_s - t_s)))
    return truth.r_ecef[0, n, k]


def satellite_ecef(elements: np.ndarray, t_s: np.ndarray, theta0_rad: float, offset_s: float) -> np.ndarray:
    """ECEF positions (S, T, 3) of satellites at scenario times ``t_s``, as the engine places them in a
    trial whose constellations are ``offset_s`` later: propagated to ``t + offset`` in domesim's inertial
    frame, rotated by the Earth Rotation Angle at ``t + offset``."""
    if not len(elements):
        return np.zeros((0, len(t_s), 3))
    t = np.asarray(t_s, dtype=np.float64) + offset_s
    r_eci, _ = kepler.propagate(elements, t)
    theta = theta0_rad + OMEGA_EARTH_RAD_S * t  # (T,)
    c, s = np.cos(theta), np.sin(theta)
    x, y = r_eci[..., 0], r_eci[..., 1]
    return np.stack([c * x + s * y, -s * x + c * y, r_eci[..., 2]], axis=-1)


def planes(elements: np.ndarray) -> list[np.ndarray]:
    """Indices of the satellites of each orbital plane (same semi-major axis, eccentricity, inclination,
    node and, for an eccentric orbit, argument of perigee), in order of first appearance."""
    if not len(elements):
        return []
    key = np.column_stack([np.round(elements[:, 0]), np.round(elements[:, 1:5], 6)])
    key[:, 3:5] %= np.round(2.0 * np.pi, 6)  # a node of 2 pi is a node of 0
    key[key[:, 1] == 0.0, 4] = 0.0  # a circular orbit's perigee means nothing
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    return [np.flatnonzero(inverse.ravel() == g) for g in order]


# ------------------------------------------------------------------------------------------ engaged SBIs
def engaged_satellites(
    world: World, layer_index: int, truth: ThreatBatch, eng: dict[str, np.ndarray], offset_s: float
) -> dict[int, list[int]]:
    """The satellites of SBI layer ``layer_index`` that fired each salvo of this trial: engagement row ->
    satellite indices, for the rows whose recomputed intercept time and shots match the stored ones.

    The engine does not store which satellite fired; this replays its rule (``interceptors.sbi``: missiles
    in order of commit time, each taking the satellites that still hold an interceptor with the earliest
    intercept) from the stored commit (launch) time of each salvo. Missiles that committed at the same
    instant are taken in object order (the engine's order among them is not recorded).
    """
    layer: SbiLayer = world.sbi_layers[layer_index]
    kin = layer.kinematics
    objects = eng["object"]
    boosting = (truth.phase[0] == kernel.PHASE_BOOST).any(axis=1)
    boost_objects = np.flatnonzero(boosting)
    if not len(objects) or not boost_objects.size:
        return {}
    t_s = truth.t_s
    alt = np.nan_to_num(truth.alt_m[0, boost_objects], nan=-1.0)
    usable = (truth.phase[0, boost_objects] == kernel.PHASE_BOOST) & (alt >= kin.min_intercept_alt_m)
    k_any = np.flatnonzero(usable.any(axis=0))
    if not k_any.size:
        return {}
    k_lo, k_hi = int(k_any[0]), int(k_any[-1])
    tw = t_s[k_lo : k_hi + 1]
    t_commit = np.full(boost_objects.size, np.inf)
    row_of = {}
    for i, (obj, launch) in enumerate(zip(objects, eng["launch_t_s"], strict=True)):
        b = int(np.searchsorted(boost_objects, obj))
        if b < boost_objects.size and boost_objects[b] == obj:
            t_commit[b] = float(launch)
            row_of[b] = i
    ok = usable[:, k_lo : k_hi + 1] & (tw[None, :] > t_commit[:, None])
    pos = np.ascontiguousarray(truth.r_ecef[0, boost_objects, k_lo : k_hi + 1])
    track = np.empty_like(pos)
    centre = np.empty((boost_objects.size, 3))
    radius = np.empty(boost_objects.size)
    theta0 = float(frames.earth_rotation_angle(0.0, world.grid.epoch_jd))
    tracks_inertial(pos, ok, tw, theta0, offset_s, track, centre, radius)
    window = Window(track, centre, radius, ok, np.ascontiguousarray(tw))
    elements = np.ascontiguousarray(layer.elements, dtype=np.float64)
    rates = kepler.element_rates(elements)
    kin_rec = kin.record()
    finite = np.where(np.isfinite(t_commit), t_commit, np.inf)
    steps = np.full((len(elements), boost_objects.size), -1, dtype=np.int64)
    for s in range(len(elements)):
        earliest_steps(elements[s], rates[s], window, finite, offset_s, kin_rec, steps[s])
    left = np.full(len(elements), layer.per_satellite, dtype=np.int64)
    out: dict[int, list[int]] = {}
    for b in sorted(row_of, key=lambda b: (t_commit[b], b)):
        i = row_of[b]
        chosen: list[int] = []
        latest = -1
        for _ in range(int(eng["shots"][i])):
            cand = np.flatnonzero((left > 0) & (steps[:, b] >= 0))
            if not cand.size:
                break
            best = int(cand[np.argmin(steps[cand, b])])
            left[best] -= 1
            chosen.append(best)
            latest = max(latest, int(steps[best, b]))
        if len(chosen) == int(eng["shots"][i]) and abs(t_s[k_lo + latest] - eng["intercept_t_s"][i]) < 1e-6:
            out[i] = chosen
    return out


# ---------------------------------------------------------------------------------------------- the scene
def scene_document(
    world: World,
    summary: dict[str, Any],
    tables: dict[str, dict[str, np.ndarray]],
    trial: int,
    *,
    retraced: TrialTruth | None = None,
) -> Document:
    """The CZML document of trial ``trial`` of a run (module docstring): ``world`` as the run built it,
    ``summary`` its ``summary.json`` (trials, seed, chunk_trials), ``tables`` its tables."""
    trials, seed = int(summary["trials"]), int(summary["seed"])
    chunk_trials = int(summary["chunk_trials"])
    got = retraced or refly_trial(world, trial, trials=trials, seed=seed, chunk_trials=chunk_trials)
    truth = got.truth
    clock = _Clock(world.grid.epoch_utc)
    infos = world.objects
    eng_all = tables["engagements"]
    mine = np.flatnonzero(eng_all["trial"] == trial)
    eng = {key: np.asarray(col)[mine] for key, col in eng_all.items()}
    battery_of = {b.name: i for i, b in enumerate(world.batteries)}
    n_ground = len(world.ground_batteries)

    # when each object stops: kill (ground kill: the object; SBI kill: the whole missile) or impact
    kill_t = np.full(len(infos), np.inf)
    owners = [info.threat for info in infos]
    for i in np.flatnonzero(eng["killed"]):
        n, t, b = int(eng["object"][i]), float(eng["intercept_t_s"][i]), battery_of[str(eng["site"][i])]
        family = [m for m in range(len(infos)) if owners[m] is owners[n]] if b >= n_ground else [n]
        for m in family:
            kill_t[m] = min(kill_t[m], t)

    events = [float(x) for x in eng["launch_t_s"]] + [float(x) for x in eng["intercept_t_s"]]
    packets: list[Packet] = []
    spans = []
    for n in range(len(infos)):
        span = _object_span(truth, n)
        spans.append(span)
        if span is None:
            continue
        impact = float(truth.impact_t_s[0, n])
        end = min(kill_t[n], impact if math.isfinite(impact) else span[1])
        if end >= span[0]:  # else destroyed with its missile before its release: never seen
            events += [span[0], end]

    t_grid = world.grid.t_s
    t0 = max(float(t_grid[0]), min(events) - CLOCK_MARGIN_S) if events else float(t_grid[0])
    t1 = min(float(t_grid[-1]), max(events) + CLOCK_MARGIN_S) if events else float(t_grid[-1])
    t1 = max(t1, max(events, default=t1))

    sat_packets, sat_info = _constellations(world, truth, eng, got.offset_s, clock, t0, t1, battery_of)
    description = (
        f"{world.name}: trial {trial} of {trials} (seed {seed}, chunk {got.chunk} row {got.row}). "
        f"Positions Earth-fixed ({FRAME}) on the scenario epoch {world.grid.epoch_utc}. "
        + (
            f"Constellations: {sat_info['satellites_total']} satellites in {sat_info['planes']} planes, "
            f"drawn as one ring per plane and {sat_info['satellites_drawn']} moving points (one in every "
            f"{sat_info['every']} satellites of each layer, at most {SATELLITE_POINTS_MAX}), plus the "
            f"{sat_info['engaged_drawn']} SBIs that fired in this trial (highlighted)."
            if sat_info["satellites_total"]
            else "No constellations."
        )
    )
    document = Packet(
        id="document",
        name=str(summary.get("scenario", world.name)),
        version="1.0",
        description=description,
        clock=Clock(
            interval=clock.interval(t0, t1),
            currentTime=clock.iso(t0),
            multiplier=CLOCK_MULTIPLIER,
            range=ClockRanges.LOOP_STOP,
            step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER,
        ),
    )
    scene = Packet(
        id="scene",
        name="scene",
        properties={
            "run": str(summary.get("scenario", world.name)),
            "trial": trial,
            "trials": trials,
            "seed": seed,
            "chunk": got.chunk,
            "row": got.row,
            "chunk_trials": chunk_trials,
            "scenario_hash": summary.get("scenario_hash"),
            "frame": FRAME,
            "epoch_utc": world.grid.epoch_utc,
            "constellation_offset_s": round(got.offset_s, 3),
            **sat_info,
            "satellite_points_max": SATELLITE_POINTS_MAX,
            "ring_every_s": RING_EVERY_S,
            "nominal": "packets nominal/<n> under the parent 'nominal'",
        },
    )
    packets = [document, scene]

    # the flown objects
    for n, info in enumerate(infos):
        colour = kind_colour(info.kind, info.lethal)
        props = {"kind": info.kind, "lethal": bool(info.lethal), "threat_class": info.threat_class}
        span = spans[n]
        if span is None or kill_t[n] < span[0]:
            t_end = float(kill_t[n]) if math.isfinite(kill_t[n]) else t0
            packets.append(
                Packet(
                    id=f"object/{n}",
                    name=info.name,
                    description=f"{info.name} ({info.kind}): destroyed with its missile before release"
                    if math.isfinite(kill_t[n])
                    else f"{info.name} ({info.kind}): not flown within the time grid",
                    availability=clock.interval(t_end, t_end),
                    properties={**props, "flown": False},
                )
            )
            continue
        impact = float(truth.impact_t_s[0, n])
        end = min(kill_t[n], impact if math.isfinite(impact) else span[1])
        times, points = _track(truth, n, end)
        fate = (
            "killed"
            if math.isfinite(kill_t[n]) and kill_t[n] <= end
            else ("impact" if math.isfinite(impact) and impact <= end else "flying at the end of the grid")
        )
        packets.append(
            Packet(
                id=f"object/{n}",
                name=info.name,
                description=f"{info.name} ({info.kind}, {info.threat_class}): {fate}",
                availability=clock.interval(span[0], end),
                position=_sampled_position(clock, times, points),
                point=Point(pixelSize=7 if info.lethal else 5, color=_colour(colour)),
                path=PathGraphics(width=2, leadTime=0, trailTime=3600, resolution=10, material=_line(colour)),
                properties={**props, "flown": True, "start_t_s": span[0], "end_t_s": end, "fate": fate},
            )
        )

    packets += _nominal(world, clock)
    packets += _engagements(world, truth, eng, mine, clock, t1, battery_of, sat_packets["origins"])
    packets += _leakers(tables, trial, truth, clock, t1, infos)
    packets += _sites(world)
    packets += _radars(world)
    packets += sat_packets["packets"]
    return Document(packets=packets)


def _nominal(world: World, clock: _Clock) -> list[Packet]:
    """The nominal raid: no dispersions, no defence."""
    nominal = fly_truth(world, 1)
    out = [Packet(id="nominal", name="nominal raid (no dispersions, no defence)")]
    for n, info in enumerate(world.objects):
        span = _object_span(nominal, n)
        if span is None:
            continue
        impact = float(nominal.impact_t_s[0, n])
        end = impact if math.isfinite(impact) else span[1]
        times, points = _track(nominal, n, end)
        out.append(
            Packet(
                id=f"nominal/{n}",
                parent="nominal",
                name=f"{info.name} (nominal)",
                availability=clock.interval(span[0], end),
                position=_sampled_position(clock, times, points),
                path=PathGraphics(
                    width=1, leadTime=0, trailTime=3600, resolution=10, material=_line("nominal")
                ),
            )
        )
    return out


def _engagements(world, truth, eng, rows, clock, t_stop, battery_of, origins) -> list[Packet]:
    """Fly-out lines and kill/miss events of the trial's engagements."""
    out = []
    n_ground = len(world.ground_batteries)
    names = [info.name for info in world.objects]
    for i in range(len(rows)):
        row = int(rows[i])
        site, n = str(eng["site"][i]), int(eng["object"][i])
        launch, intercept = float(eng["launch_t_s"][i]), float(eng["intercept_t_s"][i])
        b = battery_of[site]
        target = _position_at(truth, n, intercept)
        killed = bool(eng["killed"][i])
        props = {
            "site": site,
            "interceptor": str(eng["interceptor"][i]),
            "layer": str(eng["layer"][i]),
            "object": n,
            "launch_t_s": launch,
            "intercept_t_s": intercept,
            "shots": int(eng["shots"][i]),
            "killed": killed,
            "engagement_row": row,
        }
        if b < n_ground:
            starts = [world.batteries[b].r_ecef]
        else:
            starts = origins.get(i, [])
            props["satellites"] = [int(s) for s, _ in starts]
            starts = [r for _, r in starts]
        if starts:  # one line strip per salvo: each origin to the target (origin 1, target, origin 2, ...)
            strip = [q for start in starts for q in (start, target)]  # s1, T, s2, T...: every s-T segment
            out.append(
                Packet(
                    id=f"flyout/{row}",
                    name=f"{site} -> {names[n]}",
                    availability=clock.interval(launch, intercept),
                    polyline=_polyline(np.array(strip), "flyout", 2.0),
                    properties=props,
                )
            )
        out.append(
            Packet(
                id=f"event/{row}",
                name=f"{'kill' if killed else 'miss'}: {site} -> {names[n]}",
                availability=clock.interval(intercept, max(intercept, t_stop)),
                position=_fixed(target),
                point=Point(pixelSize=9, color=_colour("kill" if killed else "miss")),
                label=Label(
                    text="kill" if killed else "miss",
                    font="11pt sans-serif",
                    fillColor=_colour("kill" if killed else "miss"),
                    pixelOffset=Cartesian2Value(values=[8, -8]),
                ),
                properties=props,
            )
        )
    return out


def _leakers(tables, trial, truth, clock, t_stop, infos) -> list[Packet]:
    """The impact points of the trial's leakers."""
    leak = tables.get("leakers")
    if not leak or not len(leak["trial"]):
        return []
    out = []
    for i in np.flatnonzero(leak["trial"] == trial):
        n = int(leak["object"][i])
        lat, lon = float(truth.impact_lat_rad[0, n]), float(truth.impact_lon_rad[0, n])
        impact = float(truth.impact_t_s[0, n])
        cause = str(leak["cause"][i]).replace("_", " ")
        packet: dict[str, Any] = {
            "id": f"leaker/{n}",
            "name": f"leaker: {infos[n].name}",
            "description": f"{infos[n].name} leaked ({cause})",
            "properties": {"object": n, "cause": str(leak["cause"][i]), "impact_t_s": impact},
        }
        if math.isfinite(lat) and math.isfinite(impact):
            packet.update(
                availability=clock.interval(impact, max(impact, t_stop)),
                position=_fixed(frames.geodetic_to_ecef(lat, lon, 0.0)),
                point=Point(pixelSize=12, color=_colour("leaker"), outlineWidth=2),
                label=Label(
                    text=f"leaker: {infos[n].name}",
                    font="11pt sans-serif",
                    fillColor=_colour("leaker"),
                    pixelOffset=Cartesian2Value(values=[10, 10]),
                ),
            )
        out.append(Packet(**packet))
    return out


def _sites(world: World) -> list[Packet]:
    """Ground and sea batteries with their inventories."""
    out = []
    for b, battery in enumerate(world.ground_batteries):
        text = f"{battery.name}: {battery.inventory} x {battery.interceptor.name}"
        out.append(
            Packet(
                id=f"site/{b}",
                name=battery.name,
                description=f"{text} ({battery.interceptor.layer} layer)",
                position=_fixed(battery.r_ecef),
                point=Point(pixelSize=8, color=_colour("site")),
                label=Label(
                    text=text,
                    font="10pt sans-serif",
                    fillColor=_colour("site"),
                    pixelOffset=Cartesian2Value(values=[10, 0]),
                ),
                properties={
                    "interceptor": battery.interceptor.name,
                    "layer": battery.interceptor.layer,
                    "inventory": int(battery.inventory),
                },
            )
        )
    return out


def fan_points(radar, az_rad: float, half_rad: float, range_m: float, inner_m: float = 0.0) -> np.ndarray:
    """ECEF outline of one face's fan across the face's azimuth sector, from the site (or the skip zone's
    inner arc) out to ``range_m`` and back.

    A radar with a coverage ceiling (an over-the-horizon radar: it sees below its reflecting layer, beyond
    the horizon) gets its ground footprint: the points at those ground distances on the surface. Any other
    gets the line-of-sight fan along its lower elevation limit (the lower edge of its coverage in 3-D).
    """
    az = az_rad + np.linspace(-half_rad, half_rad, 25)
    if math.isfinite(radar.cls.max_altitude_m):
        radius = 6371008.8  # mean Earth radius: the ground distances of a footprint
        lat0, lon0 = radar.lat_rad, radar.lon_rad

        def ground(d_m: float, azimuths: np.ndarray) -> np.ndarray:
            delta = d_m / radius
            lat = np.arcsin(np.sin(lat0) * np.cos(delta) + np.cos(lat0) * np.sin(delta) * np.cos(azimuths))
            lon = lon0 + np.arctan2(
                np.sin(azimuths) * np.sin(delta) * np.cos(lat0), np.cos(delta) - np.sin(lat0) * np.sin(lat)
            )
            return frames.geodetic_to_ecef(lat, lon, np.zeros_like(lat))

        outer = ground(range_m, az)
        inner = ground(inner_m, az[::-1]) if inner_m > 0 else radar.r_ecef[None]
        return np.vstack([inner, outer, inner[:1]])
    el = radar.cls.min_elevation_rad
    east, north, up = frames.enu_matrix(radar.lat_rad, radar.lon_rad)
    unit = (np.cos(el) * np.sin(az))[:, None] * east + (np.cos(el) * np.cos(az))[:, None] * north
    unit = unit + np.sin(el) * up
    site = radar.r_ecef
    outer = site + range_m * unit
    inner = site + inner_m * unit[::-1] if inner_m > 0 else site[None]
    return np.vstack([inner, outer, inner[:1]])


def _radars(world: World) -> list[Packet]:
    """Radar sites and a coverage fan per face."""
    out = []
    for m, radar in enumerate(world.radars):
        c = radar.cls
        lo, hi = math.degrees(c.min_elevation_rad), math.degrees(c.max_elevation_rad)
        faces = ", ".join(f"{math.degrees(a) % 360:.0f}" for a in c.faces_az_rad)
        limits = (
            f"elevation {lo:.1f} to {hi:.1f} deg, faces at {faces} deg "
            f"(+/- {math.degrees(c.face_half_width_rad):.0f} deg), "
            f"Pd 1/2 per look at {c.ref_range_m / 1e3:,.0f} km against {c.ref_rcs_m2:g} m^2 (the fan's "
            f"reach; instrumented to twice that)"
            + (f", skip zone to {c.min_range_m / 1e3:,.0f} km" if c.min_range_m > 0 else "")
            + (f", ceiling {c.max_altitude_m / 1e3:,.0f} km" if math.isfinite(c.max_altitude_m) else "")
        )
        out.append(
            Packet(
                id=f"radar/{m}",
                name=radar.name,
                description=f"{radar.name} ({c.name}, {c.band} band): {limits}",
                position=_fixed(radar.r_ecef),
                point=Point(pixelSize=7, color=_colour("radar")),
                label=Label(
                    text=radar.name,
                    font="10pt sans-serif",
                    fillColor=_colour("radar"),
                    pixelOffset=Cartesian2Value(values=[10, 0]),
                ),
                properties={"band": c.band, "class": c.name, "ref_range_km": c.ref_range_m / 1e3},
            )
        )
        half = min(c.face_half_width_rad, math.pi)
        for f, az in enumerate(c.faces_az_rad):
            out.append(
                Packet(
                    id=f"radar/{m}/face/{f}",
                    parent=f"radar/{m}",
                    name=f"{radar.name} face {f + 1}",
                    description=limits,
                    polyline=_polyline(
                        fan_points(radar, az, half, c.ref_range_m, c.min_range_m),
                        "fan",
                        1.0,
                        ArcTypes.GEODESIC if math.isfinite(c.max_altitude_m) else ArcTypes.NONE,
                    ),
                )
            )
    return out


def _constellations(world, truth, eng, offset_s, clock, t0, t1, battery_of) -> tuple[dict, dict]:
    """Rings per plane and decimated moving satellites; the origins of the SBI fly-outs."""
    layers = [(lay.name, lay.elements, "sensor") for lay in world.space_sensors]
    layers += [(lay.name, lay.elements, "sbi") for lay in world.sbi_layers]
    total = sum(len(el) for _, el, _ in layers)
    every = max(1, math.ceil(total / SATELLITE_POINTS_MAX))
    theta0 = float(frames.earth_rotation_angle(0.0, world.grid.epoch_jd))
    n_ground = len(world.ground_batteries)
    # which satellites fired (SBI engagements of this trial), and where each was at its launch
    origins: dict[int, list[tuple[int, np.ndarray]]] = {}
    engaged: dict[str, set[int]] = {}
    sbi_salvos = 0
    for li, layer in enumerate(world.sbi_layers):
        rows = np.flatnonzero(
            np.array([battery_of[str(s)] == n_ground + li for s in eng["site"]], dtype=bool)
        )
        sbi_salvos += rows.size
        if not rows.size:
            continue
        sub = {key: col[rows] for key, col in eng.items()}
        found = engaged_satellites(world, li, truth, sub, offset_s)
        for j, sats in found.items():
            i = int(rows[j])
            launch = float(eng["launch_t_s"][i])
            r = satellite_ecef(layer.elements[sats], np.array([launch]), theta0, offset_s)[:, 0]
            origins[i] = [(s, r[q]) for q, s in enumerate(sats)]
            engaged.setdefault(layer.name, set()).update(sats)
    packets: list[Packet] = []
    # uniform samples (the propagator's fast path), the clock's ends included
    t_samples = np.linspace(t0, t1, max(2, math.ceil((t1 - t0) / SATELLITE_SAMPLE_S) + 1))
    drawn, engaged_drawn = 0, 0
    ring_t = np.arange(t0, t1, RING_EVERY_S)
    if not ring_t.size:
        ring_t = np.array([t0])
    # every plane's ring and every drawn satellite, each propagated in one call (a call has a fixed cost)
    ring_of, ring_el, sat_of, sat_el = [], [], [], []
    for name, elements, role in layers:
        for p, members in enumerate(planes(elements)):
            el = np.repeat(elements[members[:1]], RING_POINTS, axis=0)
            el[:, 5] = (el[0, 5] + np.linspace(0.0, 2 * np.pi, RING_POINTS, endpoint=False)) % (2 * np.pi)
            ring_of.append((name, role, p, len(members)))
            ring_el.append(el)
        fired = engaged.get(name, set())
        for s in sorted(set(range(0, len(elements), every)) | fired):
            sat_of.append((name, role, s, s in fired))
            sat_el.append(elements[s])
    mid = ring_t + RING_EVERY_S / 2  # uniform (the last interval may be shorter)
    rings = satellite_ecef(np.concatenate(ring_el), mid, theta0, offset_s) if ring_el else None
    for g, (name, role, p, size) in enumerate(ring_of):
        assert rings is not None
        ring = rings[g * RING_POINTS : (g + 1) * RING_POINTS]  # (RING_POINTS, K, 3)
        values = []
        for k, start in enumerate(ring_t):
            end = min(start + RING_EVERY_S, t1) if k + 1 < len(ring_t) else t1
            pts = np.vstack([ring[:, k], ring[:1, k]])
            values.append(
                IntervalValue(
                    start=clock.iso(start),
                    end=clock.iso(end),
                    value=PositionList(cartesian=np.round(pts, 0).ravel().tolist()),
                )
            )
        packets.append(
            Packet(
                id=f"constellation/{name}/plane/{p}",
                name=f"{name} plane {p + 1} ({size} satellites)",
                polyline=Polyline(
                    positions=TimeIntervalCollection(values=values),
                    arcType=ArcTypes.NONE,
                    width=1.0,
                    material=_line("ring_sbi" if role == "sbi" else "ring_sensor"),
                ),
                properties={"layer": name, "role": role, "satellites": size},
            )
        )
    r = satellite_ecef(np.array(sat_el).reshape(-1, 6), t_samples, theta0, offset_s)
    for q, (name, role, s, hot) in enumerate(sat_of):
        drawn += not hot
        engaged_drawn += hot
        colour = "engaged_sbi" if hot else ("sbi" if role == "sbi" else "sensor_sat")
        packets.append(
            Packet(
                id=f"satellite/{name}/{s}",
                name=f"{name} #{s}" + (" (fired in this trial)" if hot else ""),
                availability=clock.interval(t0, t1),
                position=_sampled_position(clock, t_samples, r[q]),
                point=Point(pixelSize=8 if hot else 3, color=_colour(colour)),
                label=Label(
                    text=f"{name} #{s}",
                    font="10pt sans-serif",
                    fillColor=_colour(colour),
                    pixelOffset=Cartesian2Value(values=[8, 0]),
                )
                if hot
                else None,
                properties={"layer": name, "role": role, "index": s, "engaged": hot},
            )
        )
    info = {
        "satellites_total": total,
        "planes": len(ring_of),
        "satellites_drawn": drawn,
        "every": every,
        "engaged_drawn": engaged_drawn,
        "engaged_sbis": {k: sorted(int(s) for s in v) for k, v in engaged.items()},
        "sbi_salvos": sbi_salvos,
        "sbi_salvos_identified": len(origins),
    }
    return {"packets": packets, "origins": origins}, info


def load_run_scene(
    run_dir: str | Path, trial: int | None = None, *, policy: InputPolicy = DEFAULT_POLICY
) -> tuple[World, dict[str, Any], dict[str, dict[str, np.ndarray]], int]:
    """A stored run folder's world (its ``scenario.toml`` built again with the summary's trials, seed and
    sensing), summary, tables and the trial to draw (``trial``, else :func:`default_trial`).

    Raises :class:`ParameterError` for a folder that is not a run folder, a trial out of range, or a
    scenario that no longer builds the run's world (another catalogue or domesim version: the scenario
    hash differs, so the re-flown trajectories would not be the run's).
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        raise ParameterError(f"{folder}: no such folder; give a run folder (what `domesim run --out` wrote)")
    needed = ["summary.json", "scenario.toml", "trials.parquet", "engagements.parquet", "objects.parquet"]
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise ParameterError(
            f"{folder}: not a run folder (no {', '.join(missing)}); give what `domesim run --out` wrote"
        )
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        trials, seed = int(summary["trials"]), int(summary["seed"])
        chunk_trials = int(summary["chunk_trials"])
        sensing = str(summary["sensing"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ParameterError(
            f"{folder / 'summary.json'}: not a run summary ({type(exc).__name__}: {str(exc)[:80]}); "
            "it needs trials, seed, chunk_trials and sensing"
        ) from None
    if trial is not None and not 0 <= trial < trials:
        raise ParameterError(f"--trial {trial} is out of range: the run has trials 0 to {trials - 1}")
    if chunk_trials < 1 or trials < 1:
        raise ParameterError(f"{folder / 'summary.json'}: trials and chunk_trials must be >= 1")
    loaded = load_scenario(folder / "scenario.toml", trials, seed, sensing, policy=policy)
    if summary.get("scenario_hash") != loaded.scenario_hash:
        raise ParameterError(
            f"{folder / 'scenario.toml'} no longer builds the run's world (its scenario hash differs: "
            "another catalogue or domesim version), so the trial cannot be flown again as it was; "
            "run it again"
        )
    tables = {
        path.stem: read_table(path)
        for path in sorted(folder.glob("*.parquet"))
        if not path.name.startswith(".")
    }
    chosen = default_trial(tables) if trial is None else trial
    return loaded.world, summary, tables, chosen


def write_scene(
    path: str | Path,
    world: World,
    summary: dict[str, Any],
    tables: dict[str, dict[str, np.ndarray]],
    trial: int | None = None,
) -> Path:
    """Write the CZML of trial ``trial`` (default: :func:`default_trial`) to ``path``; returns it."""
    trial = default_trial(tables) if trial is None else trial
    document = scene_document(world, summary, tables, trial)
    out = Path(path)
    document.save(out, indent=None)
    return out
