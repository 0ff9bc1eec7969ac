"""Property tests for domesim.core.analytic (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from domesim.core.analytic import minimum_energy_trajectory, salvo, shoot_look_shoot, shots_needed

probs = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
shots = st.integers(min_value=1, max_value=60)
warheads = st.integers(min_value=1, max_value=200)


@given(pk=probs, n=shots, r=probs, w=warheads)
def test_salvo_monotone_in_shots(pk: float, n: int, r: float, w: int) -> None:
    """One more shot never lowers the kill or zero-leak probability."""
    a, b = salvo(pk, n, r, w), salvo(pk, n + 1, r, w)
    assert b.p_kill >= a.p_kill
    assert b.p_zero_leak >= a.p_zero_leak
    assert 0.0 <= a.p_zero_leak <= a.p_kill <= r


@given(p1=probs, p2=probs, n=shots, w=warheads)
def test_salvo_monotone_in_pk(p1: float, p2: float, n: int, w: int) -> None:
    """A better single-shot Pk never lowers the salvo kill or zero-leak probability."""
    lo, hi = sorted((p1, p2))
    assert salvo(hi, n, warheads=w).p_kill >= salvo(lo, n, warheads=w).p_kill
    assert salvo(hi, n, warheads=w).p_zero_leak >= salvo(lo, n, warheads=w).p_zero_leak


@given(
    pk=st.floats(min_value=0.01, max_value=1.0), w=warheads, target=st.floats(min_value=0.0, max_value=0.9999)
)
def test_shots_needed_is_minimal_and_sufficient(pk: float, w: int, target: float) -> None:
    """The returned n meets the zero-leak target and n - 1 does not."""
    n = shots_needed(pk, w, target)
    assert n >= 1
    assert salvo(pk, n, warheads=w).p_zero_leak >= target
    assert n == 1 or salvo(pk, n - 1, warheads=w).p_zero_leak < target


@given(pk=probs, n1=shots, n2=st.integers(min_value=0, max_value=60))
def test_shoot_look_shoot_bounds(pk: float, n1: int, n2: int) -> None:
    """SLS kills like an (n1 + n2) salvo but fires between n1 and n1 + n2 shots on average."""
    res = shoot_look_shoot(pk, n1, n2)
    assert math.isclose(res.p_kill, salvo(pk, n1 + n2).p_kill, abs_tol=1e-15)
    assert n1 <= res.expected_shots <= n1 + n2


@given(
    r1=st.floats(min_value=200.0, max_value=19_000.0),
    r2=st.floats(min_value=200.0, max_value=19_000.0),
    alt=st.sampled_from([0.0, 150.0]),
)
def test_met_speed_grows_with_range(r1: float, r2: float, alt: float) -> None:
    """Reaching farther never takes less burnout speed."""
    lo, hi = sorted((r1, r2))
    v_lo = minimum_energy_trajectory(lo, alt).burnout_speed_km_s
    v_hi = minimum_energy_trajectory(hi, alt).burnout_speed_km_s
    assert v_hi >= v_lo - 1e-9
