"""Acceptance: the simulated SBI constellation scales with the salvo as the absentee ratio does, in the same
setting, and does not when the launches are spread over a region.

Source: the absentee ratio (APS 2003; design.md section 6), ``N = n k / f`` for ``n`` missiles launched
together from one site, and the published statement that the constellation "grows in proportion to the
number of simultaneous launches" from a small region (IEEE Spectrum 2005 summarising APS 2003, [S40]).

Set-up: the validation book's (``domesim.book.sbi``): the catalogue's solid ICBM from North Korea to
Seattle, the catalogue SBI committing 70 s after launch (APS 2003's "about 100 s" engagement window), a
Walker shell at 400 km and 50 deg, k = 1, p = 0.9 over 100 epochs; the fraction ``f`` measured on the same
trajectories and fly-out (random phasing).

Tolerance: ``TOL_SCALING``. The proportional law holds for the mean count in reach; the simulation asks for
``n k`` with probability p, a margin above the mean that differs between one and ten launches, between
zero (a perfectly regular count: the law, 10x) and that of a randomly phased shell (a Poisson count: 6.2x
at p = 0.9, 38 % below the law). 20 % is half of that distance: it separates a regular pattern from random
phasing, which the test also checks, so the agreement is not automatic. The sizings are shared with the
book's cases (computed once per process).
"""

from __future__ import annotations

import pytest

from domesim.book import sbi

pytestmark = pytest.mark.slow  # three Walker searches, about half a minute

TOL_SCALING = 0.20  # relative, on N(10) / N(1): half the distance from the law (10x) to random phasing's


def test_one_site_salvo_scales_as_the_absentee_ratio() -> None:
    one, ten = sbi.sizing(1), sbi.sizing(10)
    law = ten.estimate.absentee_size / one.estimate.absentee_size
    assert law == pytest.approx(10.0, rel=1e-3)  # the same trajectory, the same fraction: exactly n k / f
    ratio = ten.constellation_size / one.constellation_size
    assert abs(ratio / law - 1.0) <= TOL_SCALING, (one.constellation_size, ten.constellation_size)
    poisson = ten.estimate.random_phasing_size / one.estimate.random_phasing_size
    assert abs(poisson / law - 1.0) > TOL_SCALING  # the tolerance tells random phasing from the law
    for result in (one, ten):
        est = result.estimate
        assert est.lower_bound <= result.constellation_size <= est.random_phasing_size
        assert result.p_achieved >= sbi.NEED.p


def test_spread_salvo_does_not_follow_the_absentee_ratio() -> None:
    """Ten missiles from points spread over North Korea draw on different SBIs: the constellation grows,
    but far more slowly than in proportion, and would fail the tolerance above."""
    one, spread = sbi.sizing(1), sbi.sizing(10, "spread")
    assert spread.salvo.missiles == 10 and spread.salvo.r_ecef.shape[0] == 10
    ratio = spread.constellation_size / one.constellation_size
    assert 1.0 < ratio < (1.0 - TOL_SCALING) * 10.0, ratio
