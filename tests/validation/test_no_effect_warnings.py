"""A block or switch that cannot change the outcome says so (issue 15, "switches that do nothing say
nothing"): the builder warns, so that a user can tell "no effect" from "not wired"."""

from __future__ import annotations

from pathlib import Path

import pytest

from domesim.scenario.loader import load_scenario

pytestmark = pytest.mark.slow  # builds and flies the nominal raid of an example

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_radar_that_holds_no_object_of_the_raid_is_named() -> None:
    """fobs-south approaches from the south: the northern early-warning radars never hold it."""
    warnings = load_scenario(EXAMPLES / "fobs-south.toml").warnings
    named = [w for w in warnings if w.startswith("sensor uewr_clear:")]
    assert named and "unlikely to change the outcome" in named[0], warnings


def test_a_radar_that_holds_the_raid_is_not_named() -> None:
    warnings = load_scenario(EXAMPLES / "nk-10.toml").warnings
    assert not [w for w in warnings if w.startswith("sensor ")], warnings


def test_ideal_sensing_says_the_sensors_are_unused() -> None:
    warnings = load_scenario(EXAMPLES / "nk-10.toml", sensing="ideal").warnings
    assert any('sensing = "ideal"' in w and "not used" in w for w in warnings), warnings


def test_canadian_assets_no_warhead_is_aimed_at_are_named(tmp_path: Path) -> None:
    text = (EXAMPLES / "nk-1.toml").read_text()
    assert "[norad]" not in text
    path = tmp_path / "nk-1-norad.toml"
    path.write_text(text + "\n[norad]\ndefend_all_cities = true\ncanada_assets = true\n")
    warnings = load_scenario(path).warnings
    assert any(w.startswith("[norad] canada_assets") for w in warnings), warnings


def test_sensitivity_lists_inputs_the_fidelity_does_not_read_instead_of_zero_bars(tmp_path: Path) -> None:
    from domesim.studies.sensitivity import run_sensitivity

    text = (EXAMPLES / "nk-1.toml").read_text()
    path = tmp_path / "nk-1-ideal.toml"
    path.write_text(text.replace('duration_s = 2700.0\n', 'duration_s = 2700.0\nsensing = "ideal"\n', 1))
    result = run_sensitivity(path, trials=20, seed=1, only="uewr")
    assert result.unused and not result.results, (result.unused, result.results)
    assert all(item.section == "sensor" and "ideal" in why for item, why in result.unused)
