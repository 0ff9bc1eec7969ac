"""Validation of the lifecycle cost model and fielding schedule (``src/domesim/cost/``).

Against published estimates: CBO's 5 May 2025 letter on space-based interceptors (S44) and CBO's 12 May
2026 national-missile-defence estimate (S45), reproduced by *method* from their published inputs; where an
input is not public (SBI mass, development cost) the test uses the documented range of the catalogue
(``src/domesim/data/costs.toml``) and checks that CBO's figure lies inside the model's range over it, or
back-solves the unknown and checks it is physically plausible. Against closed forms: linearity, the
unit-theory learning curve and its closed-form lot sum, design.md's replenishment formula, and schedules
computed by hand. Each test names its source and its tolerance.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from domesim.build.catalogue import load_catalogue
from domesim.cost.deflator import DeflatorTable, annual_rate, to_constant_dollars
from domesim.cost.lifecycle import (
    ElementSpec,
    launch_price_change_usd,
    learning_exponent,
    lifecycle_cost,
    lot_cost_usd,
    power_sum,
    replenishment_acquisition_usd,
    roll_up,
    unit_cost_usd,
    usd_per_lb_to_usd_per_kg,
)
from domesim.cost.schedule import FieldingPlan, field_units, is_reachable, reach_year
from domesim.errors import ParameterError
from domesim.scenario.costing import deflator_table, launch_prices, scenario_cost

CATALOGUE = load_catalogue()
TABLE = deflator_table(CATALOGUE)
GOLDEN_DOME = Path(__file__).resolve().parents[2] / "examples" / "golden-dome.toml"


def _range(section: str, entry: str, key: str) -> tuple[float, float]:
    param = CATALOGUE.entry(section, entry).params[key]
    return float(param.low), float(param.high)


# ------------------------------------------------------------------------------------ CBO 12 May 2026 (S45)
# Published (S45, via the osintsights summary quoting CBO): 7,800 SBIs on orbit; $22 M average cost per
# SBI satellite; five-year service life; $500/kg launch; acquisition $723 B; operation and maintenance about
# $1 B a year ($20 B over 20 years); SBI layer $743 B; 20 years; 2026 dollars.
CBO26_N = 7800
CBO26_UNIT_USD = 22e6
CBO26_LIFE_YEARS = 5.0
CBO26_LAUNCH_USD_PER_KG = 500.0
CBO26_OPS_USD_PER_YEAR = 1e9
CBO26_ACQUISITION_USD = 723e9
CBO26_TOTAL_USD = 743e9
HORIZON = 20


def _cbo26_sbi(mass_kg: float, development_usd: float) -> ElementSpec:
    return ElementSpec(
        "sbi",
        "boost",
        CBO26_N,
        CBO26_UNIT_USD,
        2026,
        service_life_years=CBO26_LIFE_YEARS,
        mass_kg=mass_kg,
        launch_usd_per_kg=CBO26_LAUNCH_USD_PER_KG,
        development_usd=development_usd,
        ops_usd_per_unit_year=CBO26_OPS_USD_PER_YEAR / CBO26_N,
    )


def _unknown_ranges_2026() -> tuple[tuple[float, float], tuple[float, float]]:
    """SBI mass (kg) and development (2026 $) ranges of the catalogue (tag unknown; S49, S45, S43, S03)."""
    mass = _range("cost", "sbi", "mass_kg")
    raw = CATALOGUE.data["cost"]["sbi"]["development_musd"]
    factor = TABLE.factor(int(raw["dollar_year"]), 2026)
    development = (raw["low"] * 1e6 * factor, raw["high"] * 1e6 * factor)
    return mass, development


def test_cbo_2026_sbi_layer_inside_model_range_over_unknown_mass_and_development():
    """S45: CBO's $723 B acquisition and $743 B SBI layer lie inside the model's range over the unknowns.

    Unknowns, from the catalogue: SBI mass 45 kg (Brilliant Pebbles, S49) to 2,350 kg (parameter
    catalogue 3.2); development $5.6 B (S43) to $20.7 B (an NGI-sized programme, S03), 2025 dollars.
    Tolerance: containment (CBO's figure between the model's lowest and highest corner, no margin), and
    the replacement count exactly N T / L = 31,200.
    """
    (m_lo, m_hi), (d_lo, d_hi) = _unknown_ranges_2026()
    acquisition, total = [], []
    for m, d in itertools.product((m_lo, m_hi), (d_lo, d_hi)):
        cost = lifecycle_cost(_cbo26_sbi(m, d), 2026, HORIZON)
        assert cost.units_bought == CBO26_N * HORIZON / CBO26_LIFE_YEARS == 31_200
        acquisition.append(cost.development_usd + cost.acquisition_usd + cost.launch_usd)
        total.append(cost.total_usd)
        assert cost.ops_usd == pytest.approx(20e9, rel=1e-12)  # CBO: $20 B over 20 years
    assert min(acquisition) <= CBO26_ACQUISITION_USD <= max(acquisition)
    assert min(total) <= CBO26_TOTAL_USD <= max(total)


def test_cbo_2026_back_solved_sbi_mass_is_physically_plausible():
    """S45: the SBI mass that makes the model give CBO's $723 B, for development anywhere in its range.

    Plausibility: the implied mass must exceed the GBI kill vehicle alone (EKV about 69 kg, S08), stay
    within the parameter catalogue's upper bound (2.35 t), and its interval over the development range must
    contain APS 2003's average SBI mass (about 1.25 t: 2,000 t on orbit for 1,600 SBIs; D from V2, S49).
    Tolerance: root of the model found to 1e-9 kg.
    """
    _, (d_lo, d_hi) = _unknown_ranges_2026()

    def implied_mass(development_usd: float) -> float:
        def gap(m: float) -> float:
            c = lifecycle_cost(_cbo26_sbi(m, development_usd), 2026, HORIZON)
            return c.development_usd + c.acquisition_usd + c.launch_usd - CBO26_ACQUISITION_USD

        return brentq(gap, 0.0, 10_000.0, xtol=1e-9)

    heaviest, lightest = implied_mass(d_lo), implied_mass(d_hi)
    assert 69.0 < lightest < heaviest <= 2350.0
    assert lightest <= 1250.0 <= heaviest
    # with no development cost the bound of the parameter catalogue (section 3.2) comes back
    assert implied_mass(0.0) == pytest.approx(2346.2, abs=0.1)


def test_replenishment_matches_design_formula_for_the_cbo_2026_layer():
    """design.md section 4: N (T/L)(C + m c) equals the schedule-based model when T/L is whole and rates
    are unlimited. Tolerance: 1e-12 relative."""
    for mass in (45.0, 1250.0, 2350.0):
        cost = lifecycle_cost(_cbo26_sbi(mass, 0.0), 2026, HORIZON)
        formula = replenishment_acquisition_usd(
            CBO26_N, HORIZON, CBO26_LIFE_YEARS, CBO26_UNIT_USD, mass, CBO26_LAUNCH_USD_PER_KG
        )
        assert cost.acquisition_usd + cost.launch_usd == pytest.approx(formula, rel=1e-12)


# ------------------------------------------------------------------------------------- CBO 5 May 2025 (S44)
# Published (S44 letter text, first page; S75 summary): 20-year costs of SBI constellations, 2025 dollars,
# before and after lower launch costs: 1,300 SBIs $264 B -> $161 B; 2,000 SBIs $831 B -> $542 B; launch
# $9,800-$10,600 per pound in the earlier studies, about $1,200 per pound now (catalogue
# [launch_price.cbo_2025_earlier] and [launch_price.cbo_2025_current], in $/kg). The letter changes the
# launch price only. Not retrievable: the SBI masses and lives of the two designs.
CBO25_CASES = {1300: (264e9, 161e9), 2000: (831e9, 542e9)}
PRICES = launch_prices(CATALOGUE)
EARLIER_USD_PER_KG = PRICES["cbo_2025_earlier"][0]
CURRENT_USD_PER_KG = PRICES["cbo_2025_current"][0]
APS_2003_SBI_KG = 1250.0  # D from V2, S49


def _sbi(n: int, mass_kg: float, usd_per_kg: float, life_years: float = 5.0) -> ElementSpec:
    """A constellation of n SBIs kept 20 years: unit cost, development and O&S so that only launch moves."""
    return ElementSpec(
        "sbi",
        "boost",
        n,
        22e6,
        2025,
        development_usd=10e9,
        service_life_years=life_years,
        mass_kg=mass_kg,
        launch_usd_per_kg=usd_per_kg,
        ops_usd_per_unit_year=0.128e6,
    )


def _launch_usd(n: int, mass_kg: float, life_years: float, usd_per_kg: float) -> float:
    """Launch bill of a constellation of n kept 20 years, from the lifecycle model (launch term only)."""
    return lifecycle_cost(_sbi(n, mass_kg, usd_per_kg, life_years), 2025, HORIZON).launch_usd


def test_cbo_2025_launch_prices_are_the_letters_per_pound_figures():
    """S75: $9,800-$10,600 per pound before, about $1,200 per pound now, in $/kg (1 lb = 0.45359237 kg).
    Tolerance: the catalogue's rounding to $0.1/kg."""
    low, high = _range("launch_price", "cbo_2025_earlier", "usd_per_kg")
    assert (low, high) == pytest.approx(
        (usd_per_lb_to_usd_per_kg(9800), usd_per_lb_to_usd_per_kg(10600)), abs=0.1
    )
    assert EARLIER_USD_PER_KG == pytest.approx(0.5 * (low + high), abs=0.1)
    assert CURRENT_USD_PER_KG == pytest.approx(usd_per_lb_to_usd_per_kg(1200), abs=0.1)
    for before, after in CBO25_CASES.values():  # "30 percent to 40 percent" (S44): 39.0 % and 34.8 %
        assert 0.30 <= (before - after) / before <= 0.40


@pytest.mark.parametrize("n", sorted(CBO25_CASES))
@pytest.mark.parametrize("mass_kg", [45.0, 647.5, APS_2003_SBI_KG, 1821.0])
@pytest.mark.parametrize("life_years", [4.0, 5.0])
def test_launch_price_change_alone_moves_the_sbi_cost_by_the_cbo_method(n, mass_kg, life_years):
    """Acceptance (issue 14): changing only the launch price, from the earlier studies' to the 2025 figure
    (S44, S75), moves the 20-year cost of an SBI constellation by what CBO's method gives for the same
    masses, units launched x mass x (old price - new price); procurement, development and O&S do not move.
    Tolerance: 1e-12 relative."""
    before = lifecycle_cost(_sbi(n, mass_kg, EARLIER_USD_PER_KG, life_years), 2025, HORIZON)
    after = lifecycle_cost(_sbi(n, mass_kg, CURRENT_USD_PER_KG, life_years), 2025, HORIZON)
    assert before.units_bought == after.units_bought == n * round(HORIZON / life_years)
    expected = launch_price_change_usd(before.units_bought, mass_kg, EARLIER_USD_PER_KG, CURRENT_USD_PER_KG)
    assert before.total_usd - after.total_usd == pytest.approx(expected, rel=1e-12)
    for part in ("procurement_usd", "development_usd", "ops_usd"):
        assert getattr(before, part) == getattr(after, part)


@pytest.mark.parametrize("pair", [("cbo_2025_earlier", "cbo_2025_current"), ("cbo_2025_current", "cbo_2026")])
def test_golden_dome_sbi_layer_moves_by_the_cbo_method_when_only_the_launch_price_changes(pair):
    """Acceptance (issue 14), on the example: ``domesim cost --launch-price`` with the earlier, the 2025 and
    the 2026 price per kg (S44, S75, S45). The SBI layer moves by units launched x central mass x the
    change in 2025 dollars, at every corner of its unknowns too; no surface element moves.
    Tolerance: 1e-9 relative."""
    old, new = (scenario_cost(GOLDEN_DOME, launch_price=p) for p in pair)
    sbi_old, sbi_new = (next(e for e in c.estimates if e.cost.name == "sbi") for c in (old, new))
    mass = sbi_old.cost.spec.mass_kg
    assert mass == pytest.approx(0.5 * sum(_range("cost", "sbi", "mass_kg")))
    expected = launch_price_change_usd(
        sbi_old.cost.units_bought, mass, old.launch_usd_per_kg, new.launch_usd_per_kg
    )
    assert sbi_old.cost.total_usd - sbi_new.cost.total_usd == pytest.approx(expected, rel=1e-9)
    assert (sbi_old.cost.schedule.launches == sbi_new.cost.schedule.launches).all()  # price, not cadence
    low, high = _range("cost", "sbi", "mass_kg")
    dc = old.launch_usd_per_kg - new.launch_usd_per_kg
    # every corner moves by its own mass: low and high totals move by the low and high mass
    assert sbi_old.low_usd - sbi_new.low_usd == pytest.approx(sbi_old.cost.units_bought * low * dc, rel=1e-9)
    assert sbi_old.high_usd - sbi_new.high_usd == pytest.approx(
        sbi_old.cost.units_bought * high * dc, rel=1e-9
    )
    surface = [e.cost.name for e in old.estimates if e.holding.kind in ("interceptor", "radar")]
    for name in surface:
        a = next(e for e in old.estimates if e.cost.name == name).cost.total_usd
        b = next(e for e in new.estimates if e.cost.name == name).cost.total_usd
        assert a == b, name


@pytest.mark.parametrize("n", sorted(CBO25_CASES))
def test_cbo_2025_implied_launch_mass_is_of_the_order_of_aps_2003(n):
    """S44, S75: the launch mass per SBI (5-year life, S45) that CBO's before and after figures imply,
    over the earlier price range, is of the order of APS 2003's average SBI (1.25 t, S49): within a factor
    2; the 2,000-SBI design is the heavier. Tolerance: exact arithmetic of the linear launch model."""
    before, after = CBO25_CASES[n]
    low, high = _range("launch_price", "cbo_2025_earlier", "usd_per_kg")
    implied = []
    for c_before in (low, high):
        per_kg = _launch_usd(n, 1.0, 5.0, c_before) - _launch_usd(n, 1.0, 5.0, CURRENT_USD_PER_KG)
        implied.append((before - after) / per_kg)  # the launch bill is linear in the mass
    assert all(0.5 * APS_2003_SBI_KG <= m <= 2.0 * APS_2003_SBI_KG for m in implied), implied
    if n == 2000:
        assert min(implied) > APS_2003_SBI_KG


def test_cbo_2025_implied_earlier_prices_bracket_the_letters():
    """S44, S75, S48: with APS 2003's 1.25-t SBI (S49) replaced every 5 years (S45), the earlier launch
    price that makes the model's saving equal CBO's, from today's $1,200 per pound: below the letter's
    $9,800/lb for the 1,300-SBI alternative, above its $10,600/lb for the 2,000-SBI one, and both between
    Falcon 9's advertised $2,720/kg and the Shuttle's $54,500/kg (S48). Tolerance: root to $1e-6/kg."""
    implied = {}
    for n, (before, after) in CBO25_CASES.items():

        def gap(c_before: float, n: int = n, saving: float = before - after) -> float:
            return (
                _launch_usd(n, APS_2003_SBI_KG, 5.0, c_before)
                - _launch_usd(n, APS_2003_SBI_KG, 5.0, CURRENT_USD_PER_KG)
                - saving
            )

        implied[n] = brentq(gap, CURRENT_USD_PER_KG, 1e6, xtol=1e-6)
        assert PRICES["falcon9_2018"][0] < implied[n] < PRICES["shuttle"][0]
        assert 0.0 < _launch_usd(n, APS_2003_SBI_KG, 5.0, implied[n]) < before
    low, high = _range("launch_price", "cbo_2025_earlier", "usd_per_kg")
    assert implied[1300] < low and implied[2000] > high


# ------------------------------------------------------------------------------------------- closed forms
def test_doubling_units_doubles_recurring_cost_without_learning():
    """Linearity: with learning rate 1.0, twice the units cost twice the procurement, launch and per-unit
    O&S; development and one-off equipment do not change. Tolerance: 1e-12 relative."""
    base = dict(
        layer="test",
        unit_cost_usd=12.5e6,
        start_year=2026,
        learning_rate=1.0,
        development_usd=3e9,
        fixed_usd=1e9,
        service_life_years=7.0,
        mass_kg=300.0,
        launch_usd_per_kg=1500.0,
        ops_usd_per_unit_year=0.2e6,
    )
    one = lifecycle_cost(ElementSpec("x", units=500, **base), 2026, 20)
    two = lifecycle_cost(ElementSpec("x", units=1000, **base), 2026, 20)
    for part in ("procurement_usd", "launch_usd", "ops_usd"):
        assert getattr(two, part) == pytest.approx(2.0 * getattr(one, part), rel=1e-12)
    assert two.units_bought == 2 * one.units_bought
    assert (two.development_usd, two.fixed_usd) == (one.development_usd, one.fixed_usd)


@pytest.mark.parametrize("learning_rate", [1.0, 0.95, 0.9, 0.85, 0.8, 0.7])
@pytest.mark.parametrize("first_k, n", [(1, 1), (1, 17), (1, 5000), (45, 1), (45, 300), (1001, 31_200)])
def test_lot_cost_closed_form_equals_direct_sum(learning_rate, first_k, n):
    """Unit theory (S71): the closed-form lot cost equals T1 sum k^b added term by term.
    Tolerance: 1e-12 relative (Euler-Maclaurin remainder after the 5th derivative)."""
    b = learning_exponent(learning_rate)
    direct = 7.0e6 * np.sum(np.arange(first_k, first_k + n, dtype=np.float64) ** b)
    assert lot_cost_usd(7.0e6, first_k, n, learning_rate) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("learning_rate", [0.95, 0.9, 0.85, 0.8])
def test_unit_cost_at_double_quantity_is_learning_rate_times(learning_rate):
    """Unit theory: C(2N) = LR C(N) for every N. Tolerance: 1e-12 relative."""
    n = np.array([1, 2, 7, 100, 1234, 50_000])
    ratio = unit_cost_usd(22e6, 2 * n, learning_rate) / unit_cost_usd(22e6, n, learning_rate)
    assert np.allclose(ratio, learning_rate, rtol=1e-12, atol=0.0)


def test_learning_continues_across_replenishment_lots():
    """Replacement buys continue the learning curve: the horizon's procurement is the lot of units
    prior+1 .. prior+bought, however the buys are spread over years. Tolerance: 1e-12 relative."""
    spec = ElementSpec(
        "sbi", "boost", 7800, 30e6, 2026, learning_rate=0.9, prior_units=100, service_life_years=5
    )
    cost = lifecycle_cost(spec, 2026, 20)
    k = np.arange(101, 101 + cost.units_bought, dtype=np.float64)
    assert cost.procurement_usd == pytest.approx(30e6 * np.sum(k ** math.log2(0.9)), rel=1e-12)
    assert power_sum(101, cost.units_bought, math.log2(0.9)) == pytest.approx(
        np.sum(k ** math.log2(0.9)), rel=1e-12
    )


def test_deflator_round_trip_and_published_values():
    """S69 (BEA GDP implicit price deflator, 2017 = 100): 2017 is the base, 2025 is 128.986, conversions
    invert each other. Tolerance: 1e-12 relative."""
    assert TABLE.value(2017) == 100.0
    assert to_constant_dollars(1.0, 2017, 2025, TABLE) == pytest.approx(1.28986, rel=1e-12)
    assert TABLE.factor(2011, 2026) * TABLE.factor(2026, 2011) == pytest.approx(1.0, rel=1e-12)
    assert TABLE.is_projected(2026) and not TABLE.is_projected(2025)
    assert annual_rate(TABLE, 2024, 2026) == pytest.approx(128.986 / 125.428 - 1.0, rel=1e-4)


# --------------------------------------------------------------------------------------------- schedule
def test_schedule_launch_limited_constellation_by_hand():
    """7,800 units, 20 launches of 100 a year (2,000/yr), life 5, from 2026 (hand-computed):
    in service 2,000 / 4,000 / 6,000 / 7,800 at the ends of 2026-2029; the 2026 cohort retires at the start
    of 2031 and is replaced that year. Tolerance: exact."""
    plan = FieldingPlan(7800, 2026, 5.0, launches_per_year=20, units_per_launch=100, name="sbi")
    s = field_units(plan, 2026, 12)
    assert s.in_service.tolist() == [2000, 4000, 6000, 7800, 7800, 7800, 7800, 7800, 7800, 7800, 7800, 7800]
    assert s.fielded.tolist() == [2000, 2000, 2000, 1800, 0, 2000, 2000, 2000, 1800, 0, 2000, 2000]
    assert s.retired.tolist() == [0, 0, 0, 0, 0, 2000, 2000, 2000, 1800, 0, 2000, 2000]
    assert s.launches.tolist() == [20, 20, 20, 18, 0, 20, 20, 20, 18, 0, 20, 20]
    assert reach_year(plan) == 2029
    assert is_reachable(plan, 2028) == (False, 2029)  # "operational in three years" from 2026: no
    assert is_reachable(plan, 2029) == (True, 2029)


def test_schedule_target_above_sustainable_fleet_is_never_reached():
    """1,000 units a year with a 5-year life sustain at most 5,000 in service (hand-computed): a target of
    7,800 is never reached and the fleet plateaus at 5,000. Tolerance: exact."""
    plan = FieldingPlan(7800, 2026, 5.0, launches_per_year=10, units_per_launch=100)
    s = field_units(plan, 2026, 10)
    assert s.in_service.tolist() == [1000, 2000, 3000, 4000, 5000, 5000, 5000, 5000, 5000, 5000]
    assert reach_year(plan) is None
    assert is_reachable(plan, 2100) == (False, None)
    assert reach_year(plan, 5000) == 2030


def test_schedule_fractional_rate_late_start_and_existing_units():
    """Hand-computed: 1.5 units a year gives 1, then 2, then 1...; fielding starts in 2028 although the
    horizon opens in 2026; 2 existing units count from the start and retire after their 3-year life.
    Tolerance: exact."""
    plan = FieldingPlan(5, 2028, 3.0, production_per_year=1.5, existing_units=2)
    s = field_units(plan, 2026, 6)
    # 2026-27: the 2 existing; 2028: +1 (3); 2029: existing retire (1), +2 (3); 2030: +1 (4);
    # 2031: the 2028 unit retires (3), +2 (5)
    assert s.retired.tolist() == [0, 0, 0, 2, 0, 1]
    assert s.fielded.tolist() == [0, 0, 1, 2, 1, 2]
    assert s.in_service.tolist() == [2, 2, 3, 3, 4, 5]
    assert s.units_bought == 6


def test_schedule_units_bought_and_cost_follow_the_schedule():
    """A production-limited element: units bought equal the schedule's fielding (initial fleet plus
    replacements), and procurement is that count times the unit cost (learning rate 1). Tolerance: exact."""
    spec = ElementSpec("thaad", "upper_tier", 96, 12.5e6, 2026, service_life_years=8, production_per_year=40)
    cost = lifecycle_cost(spec, 2026, 20)
    s = cost.schedule
    assert s.fielded[:4].tolist() == [40, 40, 16, 0]
    assert cost.units_bought == int(s.fielded.sum())
    assert cost.procurement_usd == pytest.approx(12.5e6 * cost.units_bought, rel=1e-12)


def test_roll_up_adds_elements_layers_and_countries():
    """The breakdown's total is the sum of its elements, of its layers and of its countries' shares.
    Tolerance: 1e-12 relative."""
    specs = [
        ElementSpec("a", "boost", 10, 1e6, 2026, service_life_years=5, ops_usd_per_unit_year=1e5),
        ElementSpec("b", "space_sensors", 4, 5e8, 2026, canada_fraction=0.25, development_usd=1e9),
        ElementSpec("c", "boost", 3, 2e6, 2027, launch_price_usd=6e7, units_per_launch=2),
    ]
    b = roll_up(specs, 2025, 2026, 20)
    assert b.total_usd == pytest.approx(sum(e.total_usd for e in b.elements), rel=1e-12)
    assert b.total_usd == pytest.approx(sum(r["total_usd"] for r in b.by_layer().values()), rel=1e-12)
    assert b.total_usd == pytest.approx(sum(b.by_country().values()), rel=1e-12)
    assert b.total_usd == pytest.approx(b.by_year_usd().sum(), rel=1e-12)
    assert b.elements[2].launch_usd == 2 * 6e7  # 3 units, 2 per launch: 2 launches


# -------------------------------------------------------------------------------------------- bad input
def test_negative_cost_is_a_parameter_error_naming_the_key():
    with pytest.raises(ParameterError, match="unit_cost_usd"):
        ElementSpec("sbi", "boost", 10, -1.0, 2026)
    with pytest.raises(ParameterError, match="ops_usd_per_unit_year"):
        ElementSpec("sbi", "boost", 10, 1.0, 2026, ops_usd_per_unit_year=-5.0)


def test_dollar_year_outside_the_deflator_table_is_a_parameter_error_naming_the_key():
    with pytest.raises(ParameterError, match="dollar_year"):
        to_constant_dollars(1e6, 1950, 2025, TABLE)
    with pytest.raises(ParameterError, match="dollar_year.*outside the deflator table"):
        TABLE.factor(2025, 2100)
    with pytest.raises(ParameterError, match="dollar_year"):
        scenario_cost(Path(__file__).resolve().parents[2] / "examples" / "nk-10.toml", dollar_year=1980)


def test_zero_service_life_is_a_parameter_error_naming_the_key():
    with pytest.raises(ParameterError, match="service_life_years"):
        ElementSpec("sbi", "boost", 10, 1.0, 2026, service_life_years=0.0)
    with pytest.raises(ParameterError, match="service_life_years"):
        FieldingPlan(10, 2026, 0.0)


def test_other_bad_inputs_name_their_key():
    with pytest.raises(ParameterError, match="learning_rate"):
        ElementSpec("sbi", "boost", 10, 1.0, 2026, learning_rate=1.2)
    with pytest.raises(ParameterError, match="units_per_launch"):
        FieldingPlan(10, 2026, 5.0, units_per_launch=0)
    with pytest.raises(ParameterError, match="index"):
        DeflatorTable("bad", 2000, np.array([100.0, -1.0]))
    with pytest.raises(ParameterError, match="not both"):
        ElementSpec("x", "boost", 1, 1.0, 2026, mass_kg=10.0, launch_usd_per_kg=100.0, launch_price_usd=5e7)


# ------------------------------------------------------------------------------------------- catalogue
def test_cost_catalogue_is_sourced_and_convertible():
    """costs.toml: every parameter has a tag; every default (a value or a range) names sources of
    sources.toml; every money figure has a dollar year inside the deflator table; an unknown parameter
    has no point value (only a range, or nothing); interceptor unit costs are not repeated from
    systems.toml/space.toml, only dated."""
    sources = set(CATALOGUE.ids("source"))
    for price_id in CATALOGUE.ids("launch_price"):  # named launch prices: sourced, dated, positive
        raw = CATALOGUE.data["launch_price"][price_id]["usd_per_kg"]
        assert raw["value"] > 0 and set(raw["source"]) <= sources, price_id
        assert TABLE.has(int(raw["dollar_year"])), price_id
    assert CATALOGUE.entry("cost_defaults", "default").fields["launch_price"] in CATALOGUE.ids("launch_price")
    for entry_id in CATALOGUE.ids("cost"):
        for key, raw in CATALOGUE.data["cost"][entry_id].items():
            if not isinstance(raw, dict):
                continue
            assert raw.get("tag"), (entry_id, key)
            if raw.get("value") is not None or raw.get("low") is not None:
                assert raw.get("source") and set(raw["source"]) <= sources, (entry_id, key)
            if raw["tag"] == "unknown":
                assert raw.get("value") is None, (entry_id, key)
            money = "_musd" in key or key.endswith("_usd_per_kg")
            if money and (raw.get("value") is not None or raw.get("low") is not None):
                assert TABLE.has(int(raw["dollar_year"])), (entry_id, key)
        if (
            CATALOGUE.has("interceptor", entry_id)
            and "unit_cost_musd" in CATALOGUE.entry("interceptor", entry_id).params
        ):
            assert "unit_cost_musd" not in CATALOGUE.data["cost"][entry_id], entry_id
            assert TABLE.has(int(CATALOGUE.entry("cost", entry_id).value("unit_cost_dollar_year")))
