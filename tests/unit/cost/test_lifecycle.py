"""cost/lifecycle.py: the cost-estimating relationships (unit cost from mass, units per launch, CBO's
launch-price method) and parts that are not costed (reported as None, never 0.0, and out of the totals)."""

from __future__ import annotations

import math

import pytest

from domesim.cost.lifecycle import (
    PARTS,
    ElementSpec,
    launch_price_change_usd,
    lifecycle_cost,
    roll_up,
    spacecraft_unit_cost_usd,
    units_per_launch_for,
    usd_per_lb_to_usd_per_kg,
)
from domesim.errors import ParameterError


def test_unit_cost_from_mass_and_dollars_per_kg():
    assert spacecraft_unit_cost_usd(730.0, 800_000 / 730.0) == pytest.approx(800_000.0)
    assert spacecraft_unit_cost_usd(0.0, 5000.0) == 0.0
    with pytest.raises(ParameterError, match="spacecraft_usd_per_kg"):
        spacecraft_unit_cost_usd(100.0, -1.0)
    with pytest.raises(ParameterError, match="mass_kg"):
        spacecraft_unit_cost_usd(math.nan, 1.0)


def test_units_per_launch_from_payload_and_mass():
    assert units_per_launch_for(647.5, 100_000.0) == 154
    assert units_per_launch_for(1000.0, 100_000.0) == 100  # exact fit, no float loss
    assert units_per_launch_for(22_800.0, 22_800.0) == 1
    with pytest.raises(ParameterError, match="does not fit a launch"):
        units_per_launch_for(30_000.0, 22_800.0)
    with pytest.raises(ParameterError, match="launch_payload_kg"):
        units_per_launch_for(100.0, 0.0)


def test_price_per_pound_to_per_kg_and_the_cbo_method():
    assert usd_per_lb_to_usd_per_kg(1.0) == pytest.approx(2.20462262, rel=1e-9)
    assert launch_price_change_usd(100, 10.0, 3.0, 1.0) == 2000.0
    assert launch_price_change_usd(100, 10.0, 1.0, 3.0) == -2000.0  # dearer launch: a cost, not a saving


def _spec(**kw) -> ElementSpec:
    base = dict(name="thaad", layer="upper_tier", units=48, unit_cost_usd=12.5e6, start_year=2026)
    return ElementSpec(**{**base, **kw})


def test_a_part_not_costed_is_none_and_out_of_the_total():
    cost = lifecycle_cost(_spec(not_costed=("ops_usd",)), 2026, 20)
    data = cost.to_dict()
    assert data["ops_usd"] is None and data["not_costed_parts"] == ["ops_usd"]
    assert data["acquisition_usd"] == pytest.approx(48 * 12.5e6)
    assert cost.total_usd == pytest.approx(sum(v for p in PARTS if (v := data[p]) is not None))
    assert cost.part_usd("ops_usd") is None and cost.part_usd("launch_usd") == 0.0


def test_layer_roll_up_says_what_it_leaves_out():
    """A layer part is None when none of its elements costs it, a lower bound (listed) when some do not."""
    specs = [
        _spec(not_costed=("ops_usd",)),
        _spec(name="pac3", layer="lower_tier", ops_usd_per_unit_year=1e5),
        _spec(name="pac3b", layer="lower_tier", not_costed=("ops_usd",)),
    ]
    layers = roll_up(specs, 2025, 2026, 20).by_layer()
    assert layers["upper_tier"]["ops_usd"] is None and layers["upper_tier"]["not_costed"] == ["ops_usd"]
    assert layers["lower_tier"]["ops_usd"] == pytest.approx(48 * 1e5 * 20)
    assert layers["lower_tier"]["not_costed"] == ["ops_usd"]
    assert layers["upper_tier"]["total_usd"] == pytest.approx(48 * 12.5e6)


def test_unknown_part_name_is_an_error_naming_the_key():
    with pytest.raises(ParameterError, match="thaad.not_costed"):
        _spec(not_costed=("o_and_s",))
