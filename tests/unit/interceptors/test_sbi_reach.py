"""The dense-constellation reach of an SBI shell (interceptors.sbi.shell_reach) and per-missile demand in
the availability kernel, on hand-built geometry whose answer is known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from domesim.core.constants import R_EARTH_EQ_M
from domesim.interceptors.sbi import SbiKinematics, availability, shell_reach

SHELL_M = R_EARTH_EQ_M + 400e3
KIN = SbiKinematics(accel_m_s2=100.0, flyout_dv_m_s=4000.0, commit_delay_s=0.0, min_intercept_alt_m=0.0)


def _point(lat_deg: float, alt_m: float) -> np.ndarray:
    r = R_EARTH_EQ_M + alt_m  # on a sphere of the equatorial radius: latitude is geocentric
    lat = math.radians(lat_deg)
    return np.array([[[r * math.cos(lat), 0.0, r * math.sin(lat)]]])


def test_inside_the_band_the_gap_is_the_height_below_the_shell() -> None:
    reach = shell_reach(_point(30.0, 250e3), np.ones((1, 1), bool), np.array([60.0]), np.array([0.0]),
                        KIN, SHELL_M, math.radians(50.0))  # fmt: skip
    flyout = 0.5 * 100.0 * 40.0**2 + 4000.0 * 20.0  # 40 s burn to 4 km/s, then 20 s coasting
    assert reach.gap_m[0] == pytest.approx(150e3)
    assert reach.flyout_m[0] == pytest.approx(flyout)
    assert reach.margin_m[0] == pytest.approx(flyout - 150e3) and reach.reachable[0]


def test_outside_the_band_the_gap_is_to_the_band_edge() -> None:
    """A missile at 60 N under a 50 deg shell: the nearest satellite is at 50 N, 10 deg of arc away."""
    reach = shell_reach(_point(60.0, 400e3), np.ones((1, 1), bool), np.array([60.0]), np.array([0.0]),
                        KIN, SHELL_M, math.radians(50.0))  # fmt: skip
    chord = 2.0 * SHELL_M * math.sin(math.radians(10.0) / 2.0)
    assert reach.gap_m[0] == pytest.approx(chord) and reach.nearest_m[0] == pytest.approx(chord)
    assert reach.flyout_end_m[0] == pytest.approx(0.5 * 100.0 * 40.0**2 + 4000.0 * 20.0)
    assert not reach.reachable[0]  # 1,170 km of chord against 160 km of fly-out
    retro = shell_reach(_point(60.0, 400e3), np.ones((1, 1), bool), np.array([60.0]), np.array([0.0]),
                        KIN, SHELL_M, math.radians(130.0))  # fmt: skip
    assert retro.gap_m[0] == pytest.approx(chord)  # a retrograde 130 deg shell covers the same band


def test_no_step_after_commit_is_out_of_reach_with_its_window() -> None:
    r = np.concatenate([_point(30.0, 250e3)] * 3, axis=1)  # three steps
    t = np.array([100.0, 110.0, 120.0])
    reach = shell_reach(r, np.array([[False, True, True]]), t, np.array([130.0]), KIN, SHELL_M, 1.0)
    assert not reach.reachable[0] and reach.flyout_m[0] == 0.0 and np.isnan(reach.best_t_s[0])
    assert reach.flyout_end_m[0] == 0.0 and np.isnan(reach.nearest_m[0])
    assert (reach.first_t_s[0], reach.last_t_s[0]) == (110.0, 120.0)


def test_per_missile_demand_is_identical_trajectories_counted_once() -> None:
    """One trajectory wanting 3 SBIs is covered exactly when three identical trajectories wanting one
    each are: every SBI that reaches one reaches all."""
    rng = np.random.default_rng(3)
    n = 6000  # about 3.4 in reach on average: 320 km of fly-out after 100 s, 150 km below the shell
    el = np.zeros((n, 6))
    el[:, 0] = SHELL_M
    el[:, 2] = math.radians(50.0)
    el[:, 3] = rng.uniform(0.0, 2.0 * math.pi, n)
    el[:, 5] = rng.uniform(0.0, 2.0 * math.pi, n)
    offsets = rng.uniform(0, 86164.0, 200)
    r, t = _point(30.0, 250e3), np.array([100.0])
    in_reach, one = availability(el, r, np.ones((1, 1), bool), t, np.zeros(1), 0.0, offsets, KIN, 3)
    three = np.repeat(r, 3, axis=0)
    _, each = availability(el, three, np.ones((3, 1), bool), t, np.zeros(3), 0.0, offsets, KIN, 1)
    assert np.array_equal(one[:, 0] >= 3, (each >= 1).all(axis=1))
    assert np.array_equal(one[:, 0], np.minimum(in_reach[:, 0], 3))
    assert 0 < (one[:, 0] >= 3).sum() < len(one)  # both outcomes occur
