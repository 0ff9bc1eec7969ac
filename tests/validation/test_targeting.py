"""Acceptance: with dispersions off, the re-entry vehicle lands within 1 km of the aim point for ranges
1,000-12,000 km on the rotating Earth.

The launch solution of :func:`domesim.threats.ballistic.solve_launch` is flown independently by
:func:`domesim.threats.ballistic.fly_threats` (no dispersions: ``rng=None``, one trial) from a scenario
epoch, with the catalogue's ``icbm_solid`` built as ``build/world.py`` builds it. Launch point: the
reference point of the catalogue's North Korea region, 40.45 N 127.35 E. Aim points: spherical
great-circle destinations at the given initial azimuth and distance.

Authority and tolerance: the miss is the geodesic distance on the WGS84 ellipsoid (pymap3d's Vincenty
inverse, ``pymap3d.vincenty.vdist``, accurate to well under a metre) between the flown impact point and
the aim point; it must be below 1 km (the acceptance criterion).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from pymap3d.vincenty import vdist

from domesim.build.catalogue import load_catalogue
from domesim.build.threats.ballistic import catalogue_missile
from domesim.core.timegrid import TimeGrid
from domesim.errors import TargetingError
from domesim.threats.ballistic import (
    SHAPES,
    BallisticMissile,
    LaunchSolution,
    ThreatObject,
    fly_threats,
    solve_launch,
)

LAUNCH_LAT_DEG, LAUNCH_LON_DEG = 40.45, 127.35
MISS_TOLERANCE_M = 1000.0
R_MEAN_M = 6371008.8  # IUGG mean radius: only places the aim points
EPOCH = "2026-07-01T06:00:00Z"  # any epoch: the solution must not depend on it


def _catalogue_missile(class_id: str = "icbm_solid") -> BallisticMissile:
    """The BallisticMissile of a catalogue class, SI, with its catalogue values."""
    return catalogue_missile(load_catalogue().entry("threat", class_id))


MISSILE = _catalogue_missile()


def _destination(azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    """(lat, lon) in radians at ``distance_m`` along the great circle leaving the launch point."""
    lat1, lon1, az = (math.radians(x) for x in (LAUNCH_LAT_DEG, LAUNCH_LON_DEG, azimuth_deg))
    s = distance_m / R_MEAN_M
    lat2 = math.asin(math.sin(lat1) * math.cos(s) + math.cos(lat1) * math.sin(s) * math.cos(az))
    lon2 = lon1 + math.atan2(
        math.sin(az) * math.sin(s) * math.cos(lat1), math.cos(s) - math.sin(lat1) * math.sin(lat2)
    )
    return lat2, (lon2 + math.pi) % (2.0 * math.pi) - math.pi


def _fly(aim: tuple[float, float], solution: LaunchSolution, missile: BallisticMissile = MISSILE):
    obj = ThreatObject(
        name="rv",
        missile=missile,
        launch_lat_rad=math.radians(LAUNCH_LAT_DEG),
        launch_lon_rad=math.radians(LAUNCH_LON_DEG),
        aim_lat_rad=aim[0],
        aim_lon_rad=aim[1],
        launch_t_s=0.0,
        solution=solution,
    )
    grid = TimeGrid(EPOCH, 2.0, math.ceil(solution.flight_time_s * 1.1 + 120.0))
    return fly_threats([obj], grid, None, 1)


def _miss_m(batch, aim: tuple[float, float]) -> float:
    lat, lon = batch.impact_lat_rad[0, 0], batch.impact_lon_rad[0, 0]
    assert np.isfinite(lat) and np.isfinite(lon), "no impact within the grid"
    distance = vdist(math.degrees(lat), math.degrees(lon), math.degrees(aim[0]), math.degrees(aim[1]))[0]
    return float(np.asarray(distance))


def _solve(
    aim: tuple[float, float], loft_deg: float = 0.0, missile: BallisticMissile = MISSILE, shape=None
) -> LaunchSolution:
    return solve_launch(
        missile,
        math.radians(LAUNCH_LAT_DEG),
        math.radians(LAUNCH_LON_DEG),
        aim[0],
        aim[1],
        shape or SHAPES["loft_deg"](loft_deg),
    )


DIRECTIONS = {  # initial azimuth, deg clockwise from north
    "north-over-the-pole": 0.0,
    "north-east-over-the-arctic": 30.0,
    "east": 90.0,
    "south-east": 135.0,
    "south": 180.0,
    "west": 270.0,
}
RANGES_KM = (1000, 3000, 5500, 8000, 10000, 12000)
# The class is calibrated to 13,000 km due north (catalogue); flying west, against the Earth's rotation,
# it reaches about 11,600 km, so the westward 12,000 km shot is left out.
CASES = [
    pytest.param(az, km, id=f"{name}-{km}km")
    for name, az in DIRECTIONS.items()
    for km in RANGES_KM
    if not (name == "west" and km > 11000)
]


@pytest.mark.parametrize(("azimuth_deg", "range_km"), CASES)
def test_minimum_energy_shot_lands_within_1_km(azimuth_deg: float, range_km: int) -> None:
    aim = _destination(azimuth_deg, range_km * 1e3)
    solution = _solve(aim)
    assert solution.range_m == pytest.approx(range_km * 1e3, rel=1e-6)
    batch = _fly(aim, solution)
    miss = _miss_m(batch, aim)
    assert miss < MISS_TOLERANCE_M, f"miss {miss:.0f} m at {range_km} km, azimuth {azimuth_deg} deg"
    # the flight is the one the solution describes, whatever the epoch
    assert batch.impact_t_s[0, 0] == pytest.approx(solution.flight_time_s, abs=1.0)


@pytest.mark.parametrize(
    ("azimuth_deg", "range_km"),
    [(90.0, 3000), (90.0, 8000), (30.0, 5500), (270.0, 10000), (180.0, 1000)],
    ids=["east-3000km", "east-8000km", "north-east-5500km", "west-10000km", "south-1000km"],
)
def test_lofted_and_depressed_shots_hit_with_higher_and_lower_apogee(
    azimuth_deg: float, range_km: int
) -> None:
    aim = _destination(azimuth_deg, range_km * 1e3)
    apogee_km = {}
    for loft_deg in (0.0, 10.0, -5.0):
        batch = _fly(aim, _solve(aim, loft_deg))
        miss = _miss_m(batch, aim)
        assert miss < MISS_TOLERANCE_M, f"loft {loft_deg:+} deg: miss {miss:.0f} m"
        apogee_km[loft_deg] = float(np.nanmax(batch.alt_m)) / 1e3
    assert apogee_km[10.0] > apogee_km[0.0] + 10.0, apogee_km
    assert apogee_km[-5.0] < apogee_km[0.0] - 10.0, apogee_km


def test_aim_point_beyond_reach_raises_targeting_error_naming_the_range() -> None:
    aim = _destination(270.0, 16000e3)  # westward, against the Earth's rotation: beyond the reach
    with pytest.raises(TargetingError) as info:
        _solve(aim)
    message = str(info.value)
    assert "icbm_solid" in message and "reach" in message
    numbers_km = [float(x.replace(",", "")) for x in re.findall(r"(\d[\d,]*(?:\.\d+)?) km", message)]
    assert any(abs(x - 16000.0) <= 1.0 for x in numbers_km), message


# Shapes from depressed to near-vertical, each asked for by its scenario key, for the catalogue ICBMs. The
# North Korean tests of 2017-2023 flew about 1,000 km with apogees of 2,800-6,000 km; the catalogue classes
# reach 4,500 km (liquid) to 6,000 km (solid) at that range (book, "Lofted
# tests"); a depressed shot flies far below the minimum-energy apogee. Tolerance: the flown flight
# (fly_threats, independent of the solver's survey) lands within 1 km and has the asked-for apogee within
# 10 km (the solver's 5 km shape tolerance plus the 2 s output grid's sampling of the apogee), the
# asked-for flight time within 3 s (the output grid's spacing plus the impact bisection).
SHAPE_CASES = [
    ("icbm_solid", 90.0, 1000, "apogee_km", 4500.0),
    ("icbm_solid", 90.0, 1000, "apogee_km", 6000.0),
    ("icbm_liquid", 90.0, 1000, "apogee_km", 4500.0),
    ("icbm_solid", 90.0, 1000, "flight_time_min", 60.0),
    ("icbm_liquid", 30.0, 8000, "loft_deg", -20.0),
    ("icbm_solid", 30.0, 8000, "loft_deg", 20.0),
    ("icbm_solid", 90.0, 1000, "burnout_angle_deg", 70.0),
]


@pytest.mark.parametrize(("class_id", "azimuth_deg", "range_km", "key", "value"), SHAPE_CASES)
def test_every_shape_from_depressed_to_near_vertical_is_flown_as_asked(
    class_id: str, azimuth_deg: float, range_km: int, key: str, value: float
) -> None:
    missile = _catalogue_missile(class_id)
    aim = _destination(azimuth_deg, range_km * 1e3)
    shape = SHAPES[key](value)
    solution = _solve(aim, missile=missile, shape=shape)
    assert abs(solution.shape_error) <= shape.tolerance, (solution.shape_error, solution.shape_reach)
    batch = _fly(aim, solution, missile)
    assert _miss_m(batch, aim) < MISS_TOLERANCE_M
    if key == "apogee_km":
        assert float(np.nanmax(batch.alt_m)) / 1e3 == pytest.approx(value, abs=10.0)
    if key == "flight_time_min":
        assert batch.impact_t_s[0, 0] == pytest.approx(value * 60.0, abs=3.0)


def test_depressed_shot_flies_far_below_the_minimum_energy_apogee() -> None:
    aim = _destination(30.0, 8000e3)
    depressed, minimum = _solve(aim, -20.0), _solve(aim)
    assert depressed.apogee_m < 0.5 * minimum.apogee_m, (depressed.apogee_m, minimum.apogee_m)


def test_a_shape_the_class_cannot_fly_is_reported_with_what_it_can_fly() -> None:
    """Beyond the reach the solver does not fly another shape silently: it reports the error and the
    reachable values (the builder turns that into a scenario error, tests/cli/test_bad_input.py)."""
    aim = _destination(90.0, 1000e3)
    shape = SHAPES["apogee_km"](20000.0)
    solution = _solve(aim, shape=shape)
    lo, hi = solution.shape_reach
    assert abs(solution.shape_error) > shape.tolerance
    assert 0.0 < lo < 4500.0 < hi < 20000.0, solution.shape_reach


def test_the_scenario_shape_keys_are_the_physics_shapes() -> None:
    from domesim.build.threats.ballistic import SHAPE_KEYS

    assert tuple(SHAPES) == SHAPE_KEYS
