"""Each interceptor class commits on a track of its own accuracy (catalogue ``fire_control_sigma_km``),
and a site's override of it takes effect. Before, the strictest requirement of any battery (PAC-3's
0.3 km) was demanded of every layer, so adding a terminal battery delayed every midcourse shot."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from domesim.montecarlo.runner import run_trials
from domesim.results.summary import build_tables
from domesim.scenario.loader import load_scenario

pytestmark = pytest.mark.slow

GOLDEN_DOME = Path(__file__).parents[2] / "examples" / "golden-dome.toml"
TRIALS, SEED = 6, 4
TERMINAL = ("thaad_hawaii", "thaad_conus", "pac3_mse_seattle", "pac3_mse_washington_dc", "pac3_mse_new_york",
            "pac3_mse_ottawa")  # fmt: skip


def _first_launches(path: Path) -> dict[tuple[str, int], float]:
    """First launch time of each midcourse battery in each trial, full chain."""
    loaded = load_scenario(path, TRIALS, SEED, "full")
    eng = build_tables(loaded.world, run_trials(loaded.world, TRIALS, SEED))["engagements"]
    first: dict[tuple[str, int], float] = {}
    for site, layer, trial, t in zip(eng["site"], eng["layer"], eng["trial"], eng["launch_t_s"], strict=True):
        if layer == "midcourse":
            key = (str(site), int(trial))
            first[key] = min(first.get(key, np.inf), float(t))
    return first


def _without_terminal(tmp_path: Path) -> Path:
    text = GOLDEN_DOME.read_text()
    for deployment in TERMINAL:
        text, n = re.subn(rf'\[\[interceptor_site\]\]\ndeployment = "{deployment}"\n', "", text)
        assert n == 1, deployment
    path = tmp_path / "golden-dome-no-terminal.toml"
    path.write_text(text)
    return path


def test_terminal_batteries_do_not_delay_the_midcourse_layer(tmp_path):
    with_terminal = _first_launches(GOLDEN_DOME)
    without = _first_launches(_without_terminal(tmp_path))
    assert with_terminal, "no midcourse launch: the test would prove nothing"
    assert with_terminal == without


def test_a_site_override_of_the_requirement_takes_effect(tmp_path):
    text = GOLDEN_DOME.read_text().replace(
        'deployment = "gbi_fort_greely"\n',
        'deployment = "gbi_fort_greely"\noverride = {fire_control_sigma_km = 0.001}\n',
    )
    path = tmp_path / "strict-greely.toml"
    path.write_text(text)
    loaded = load_scenario(path, TRIALS, SEED, "full")
    greely = next(b for b in loaded.world.ground_batteries if b.name == "gbi_fort_greely")
    assert greely.interceptor.fire_control_sigma_m == pytest.approx(1.0)  # 1 m: no track is that good
    strict = _first_launches(path)
    normal = _first_launches(GOLDEN_DOME)
    assert any(site == "gbi_fort_greely" for site, _ in normal)
    assert not any(site == "gbi_fort_greely" for site, _ in strict)
