"""The docstring examples of the compiled kernels, run as tests.

Each of these examples compiles a numba kernel the first time it runs (seconds to half a minute on a
cold cache), which made ``pytest --doctest-modules src`` slow. The docstrings keep the example, marked
``# doctest: +SKIP``; the same calls and the same checks (exact values and shapes) live here, marked
``slow`` where the compilation is heavy so that ``make check`` leaves them to ``make test``.
"""

from __future__ import annotations

import numpy as np
import pytest

from domesim.c2.wta import solve_greedy
from domesim.core import ballistic, glide, kepler, route
from domesim.core.constants import R_EARTH_EQ_M
from domesim.orbits.coverage import visible_counts
from domesim.threats.cruise import CruiseMissile, plan_route
from domesim.tracking.tracker import CONFIRMED, TENTATIVE, Tracker, TrackerConfig


@pytest.mark.slow
def test_tracker_example_one_detection_starts_one_tentative_track() -> None:
    """:class:`domesim.tracking.tracker.Tracker`."""
    trk = Tracker(TrackerConfig(ballistic=False, confirm_m=1, confirm_n=1))
    assigned = trk.step(0.0, np.array([[0.0, 0.0, 0.0]]), np.eye(3)[None] * 100.0)
    assert assigned.tolist() == [0]  # per detection
    assert (int((trk.store.status == CONFIRMED).sum()), int((trk.store.status == TENTATIVE).sum())) == (0, 1)


@pytest.mark.slow
def test_plan_routes_example_straight_route() -> None:
    """:func:`domesim.core.route.plan_routes`."""
    p = np.zeros((1, route.N_ROUTE_PARAMS))
    p[0, [route.RP_V_CRUISE, route.RP_H_CRUISE, route.RP_H_LAUNCH, route.RP_A_MAX]] = 250.0, 50.0, 50.0, 20.0
    table = route.plan_routes([[0.0, 0.0]], [[0.0, 0.01]], [2], p)
    assert (int(table.status[0]), round(float(table.length_m[0]) / 1e3, 3)) == (0, 63.785)


@pytest.mark.slow
def test_plan_route_example_cruise_missile() -> None:
    """:func:`domesim.threats.cruise.plan_route` (the same route as above, through the missile class)."""
    m = CruiseMissile("demo", 245.0, 50.0, 2.0e6, 19.6, 1000.0)
    plan = plan_route(m, (0.0, 0.0), [], (0.0, 0.01))
    assert (round(plan.path_length_m), round(plan.flight_time_s)) == (63785, 260)


@pytest.mark.slow
def test_allocate_and_glide_example() -> None:
    """:func:`domesim.core.glide.allocate_and_glide`."""
    p = ballistic.make_records(
        glide.PARAMS, 1, beta_kg_m2=6000.0, ld_max=2.5, mode0=glide.MODE_FIXED, ld_fixed=2.5
    )
    y0 = np.array([[R_EARTH_EQ_M + 60e3, 0.0, 0.0, 0.0, 5000.0, 0.0]])
    out = glide.allocate_and_glide(y0, p, np.array([0.0, 60.0]), omega=0.0, j2=0.0)
    assert (out.state.shape, int(out.status[0]), int(out.phase[0, 1])) == ((1, 2, 6), 0, 2)


@pytest.mark.slow
def test_allocate_and_fly_example() -> None:
    """:func:`domesim.core.ballistic.allocate_and_fly`."""
    y0 = np.array([[R_EARTH_EQ_M + 200e3, 0, 0, 0, 7000.0, 0]])
    p = ballistic.make_records(ballistic.PARAMS, 1)
    state, phase, impact, burnout, status, t_imp = ballistic.allocate_and_fly(y0, p, np.array([0.0, 60.0]))
    assert (state.shape, int(status[0])) == ((1, 2, 6), 0)


@pytest.mark.slow  # compiles kernels the fast tier does not otherwise need
def test_propagate_example_circular_orbit() -> None:
    """:func:`domesim.core.kepler.propagate`."""
    el = np.array([[7078137.0, 0.0, 0.9, 0.0, 0.0, 0.0]])
    r, v = kepler.propagate(el, np.array([0.0, 60.0]))
    assert (round(float(np.linalg.norm(r[0, 1])), 3), round(float(np.linalg.norm(v[0, 1])), 1)) == (
        7078137.0,
        7505.9,
    )


@pytest.mark.slow  # compiles kernels the fast tier does not otherwise need
def test_visible_counts_example_below_and_antipode() -> None:
    """:func:`domesim.orbits.coverage.visible_counts`."""
    el = np.array([[R_EARTH_EQ_M + 1000e3, 0.0, 0.0, 0.0, 0.0, 0.0]])
    below, antipode = [R_EARTH_EQ_M, 0.0, 0.0], [-R_EARTH_EQ_M, 0.0, 0.0]
    assert visible_counts(el, np.array([below, antipode]), np.zeros(1), 0.0).tolist() == [[1, 0]]


def test_solve_greedy_example_reach_limited() -> None:
    """:func:`domesim.c2.wta.solve_greedy` on the example of :func:`domesim.c2.wta.solve_milp`."""
    a = solve_greedy([10.0, 8.0], [[0.9, 0.8], [0.9, 0.0]], [1, 1])
    assert (a.shots.tolist(), round(a.expected_value, 3)) == ([[1, 1], [0, 0]], 9.8)
