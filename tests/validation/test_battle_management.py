"""Battle management against its references: the layered analytic formula (design.md section 6: independent
layers in series multiply leak probabilities, each salvo kills with r (1 - (1 - p)^n)), monotonicity in
inventory, shot and kill accounting, threat evaluation, the NORAD switches, and bad input."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

from domesim.core.analytic import salvo
from domesim.errors import ScenarioError
from domesim.montecarlo.runner import run_trials
from domesim.results.metrics import binomial_ci
from domesim.results.summary import build_tables
from domesim.scenario.loader import load_scenario

LAYERED = """
[scenario]
name = "layers"
duration_s = 2700.0
sensing = "ideal"

[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"

[[interceptor_site]]
deployment = "gbi_fort_greely"
inventory = {gbi}

[[interceptor_site]]
interceptor = "thaad"
lat_deg = 47.5
lon_deg = -122.2
inventory = {thaad}

[[interceptor_site]]
interceptor = "pac3_mse"
lat_deg = 47.6
lon_deg = -122.3
inventory = {pac3}

[[asset]]
id = "seattle"

[doctrine]
salvo_size = 2
max_engagements = 3
engagements_per_layer = 1
kill_assessment_s = 5.0
"""


def _world(tmp_path: Path, text: str, name: str = "s.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_scenario(path).world


def _p_no_leak(world, trials: int, seed: int = 3) -> tuple[float, tuple[float, float], dict]:
    log = run_trials(world, trials, seed)
    tables = build_tables(world, log)
    no_leak = int((tables["trials"]["leakers"] == 0).sum())
    return no_leak / trials, binomial_ci(no_leak, trials), log


@pytest.mark.slow
def test_independent_layers_match_the_layered_formula(tmp_path: Path) -> None:
    """One warhead, three layers (GBI midcourse, THAAD upper tier, PAC-3 lower tier), one two-shot salvo each,
    ample inventory, ideal sensing: P(no leak) = 1 - prod_l (1 - r_l (1 - (1 - p_l)^2)) within the 95 % CI."""
    world = _world(tmp_path, LAYERED.format(gbi=40, thaad=48, pac3=48))
    p_sim, (lo, hi), log = _p_no_leak(world, 4000)
    leak = 1.0
    for battery in world.ground_batteries:
        cls = battery.interceptor
        leak *= 1.0 - salvo(cls.sspk, 2, cls.reliability).p_kill
    assert lo <= 1.0 - leak <= hi, (p_sim, 1.0 - leak, lo, hi)
    # every layer fired in some trial: the layers really are in series
    assert (log["shots_fired"] > 0).any(axis=0).all()


@pytest.mark.slow
@pytest.mark.parametrize(
    "small,large", [((1, 0, 0), (4, 0, 0)), ((2, 2, 0), (2, 2, 4)), ((0, 2, 2), (8, 2, 2))]
)
def test_p_no_leak_does_not_fall_when_inventory_grows(tmp_path: Path, small, large) -> None:
    """Property: more interceptors at any site never lower P(no leak) (same seeds; 2 binomial sigmas)."""
    p = []
    for gbi, thaad, pac3 in (small, large):
        world = _world(
            tmp_path, LAYERED.format(gbi=gbi, thaad=thaad, pac3=pac3), f"{gbi}-{thaad}-{pac3}.toml"
        )
        p.append(_p_no_leak(world, 1000)[0])
    assert p[1] >= p[0] - 2 * math.sqrt(p[0] * (1 - p[0]) / 1000 + 1e-12)


@pytest.mark.slow
def test_p_no_leak_is_zero_without_interceptors(tmp_path: Path) -> None:
    world = _world(tmp_path, LAYERED.format(gbi=0, thaad=0, pac3=0))
    assert _p_no_leak(world, 200)[0] == 0.0


@pytest.mark.slow
def test_shots_and_kills_balance(tmp_path: Path) -> None:
    """Per trial and battery: shots fired = the shots of its engagements; each killed single-object missile
    has
    exactly one killing engagement; kills by layer add up to the warheads killed."""
    text = Path("examples/nk-10-space.toml").read_text(encoding="utf-8")
    path = tmp_path / "space.toml"
    path.write_text(text, encoding="utf-8")
    world = load_scenario(path).world
    log = run_trials(world, 60, 2)
    tables = build_tables(world, log)
    eng = tables["engagements"]
    n_batteries = len(world.batteries)
    fired = np.zeros((60, n_batteries), dtype=np.int64)
    battery = np.array([[b.name for b in world.batteries].index(s) for s in eng["site"]], dtype=np.int64)
    np.add.at(fired, (eng["trial"], battery), eng["shots"])
    assert np.array_equal(fired, log["shots_fired"])
    kills = np.zeros(log["killed"].shape, dtype=np.int64)
    np.add.at(kills, (eng["trial"][eng["killed"]], eng["object"][eng["killed"]]), 1)
    assert np.array_equal(kills, log["killed"].astype(np.int64))  # one killing engagement per killed object
    layers = [c for c in tables["trials"] if c.startswith("kills_")]
    assert np.array_equal(sum(tables["trials"][c] for c in layers), tables["trials"]["objects_killed"])
    assert (tables["trials"]["shots_fired"] == log["shots_fired"].sum(axis=1)).all()


@pytest.mark.slow
def test_threat_evaluation_assigns_warheads_to_their_cities(tmp_path: Path) -> None:
    world = load_scenario("examples/nk-10.toml").world
    log = run_trials(world, 20, 1)
    names = [a.name for a in world.assets]
    aimed = [names[i] for i in log["threatened_asset"][0]]
    assert (
        aimed
        == ["seattle"] * 2
        + ["san_francisco"] * 2
        + ["los_angeles"] * 2
        + ["anchorage"] * 2
        + ["honolulu"] * 2
    )


@pytest.mark.slow
def test_reserves_hold_interceptors_for_priority_one_threats(tmp_path: Path) -> None:
    """A midcourse reserve of 100 % keeps every GBI for first-priority assets: none is fired at a raid on
    priority-2 cities, and all engagements resume when the city is made priority 1."""
    base = Path("examples/nk-1.toml").read_text(encoding="utf-8")
    reserved = base.replace("[montecarlo]", "[doctrine]\nreserve_frac = {midcourse = 1.0}\n\n[montecarlo]")
    assert reserved != base
    world = _world(tmp_path, reserved, "reserved.toml")
    assert run_trials(world, 50, 1)["shots_fired"].sum() == 0
    priority = reserved.replace('id = "seattle"', 'id = "seattle"\npriority = 1')
    assert priority != reserved
    world = _world(tmp_path, priority, "priority.toml")
    assert run_trials(world, 50, 1)["shots_fired"].sum() > 0


SCARCE = """
[scenario]
name = "scarce"
duration_s = 2700.0
sensing = "ideal"

[[threat]]
name = "at the small town"
class = "icbm_solid"
launch_region = "north_korea"
aim_lat_deg = 46.2
aim_lon_deg = -119.1

[[threat]]
name = "at the city"
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"

[[interceptor_site]]
deployment = "gbi_fort_greely"
inventory = 2

[[asset]]
name = "small town"
lat_deg = 46.2
lon_deg = -119.1
value = 1000.0

[[asset]]
id = "seattle"

[doctrine]
salvo_size = 2
max_engagements = 1
assignment = "{rule}"
"""


@pytest.mark.slow
def test_value_assignment_spends_scarce_interceptors_on_the_most_valuable_asset(tmp_path: Path) -> None:
    """One salvo for two warheads launched together: "earliest" gives it to the first object in the list
    (the small town's), maximum marginal return (c2.wta) to the one threatening Seattle, whose catalogue
    value (its population) is far above the town's 1,000."""
    targets = {}
    for rule in ("earliest", "value"):
        world = _world(tmp_path, SCARCE.format(rule=rule), f"{rule}.toml")
        eng = build_tables(world, run_trials(world, 20, 1))["engagements"]
        assert sorted(eng["trial"].tolist()) == list(range(20))  # one salvo per trial, and only one
        targets[rule] = set(eng["object"].tolist())
    assert targets == {"earliest": {0}, "value": {1}}


def test_norad_switches_drop_canadian_assets_and_sensors(tmp_path: Path) -> None:
    text = """
    [scenario]
    name = "norad"
    duration_s = 3000.0
    [[threat]]
    class = "icbm_solid"
    launch_region = "north_korea"
    aim_asset = "vancouver"
    [[sensor]]
    deployment = "a_othr_clearview"
    [[sensor]]
    deployment = "uewr_clear"
    [[interceptor_site]]
    deployment = "gbi_fort_greely"
    [norad]
    defend_all_cities = true
    """
    world = _world(tmp_path, text, "all.toml")
    countries = {a.country for a in world.assets}
    assert countries == {"US", "CA"} and len(world.radars) == 2
    world = _world(tmp_path, text + "canada_assets = false\ncanada_sensors = false\n", "us.toml")
    assert {a.country for a in world.assets} == {"US"} and len(world.radars) == 1


def test_unreachable_interceptor_site_is_a_warning(tmp_path: Path) -> None:
    text = Path("examples/arctic-cruise.toml").read_text(encoding="utf-8") + (
        '\n[[interceptor_site]]\ndeployment = "gbi_fort_greely"\n'
    )
    path = tmp_path / "cruise.toml"
    path.write_text(text, encoding="utf-8")
    warnings = load_scenario(path).warnings
    assert any("interceptor_site#" in w and "never fire" in w for w in warnings), warnings


@pytest.mark.parametrize(
    "edit,key",
    [
        (lambda t: t.replace('"gbi_fort_greely"', '"gbi_fort_greely"\ninventory = -4'), "inventory"),
        (
            lambda t: t.replace(
                '[[asset]]\nid = "seattle"', '[[asset]]\nname = "x"\nlat_deg = 95.0\nlon_deg = 0.0'
            ),
            "lat_deg",
        ),
        (
            lambda t: t.replace("[montecarlo]", "[doctrine]\nreserve_frac = {midcourse = 1.5}\n[montecarlo]"),
            "reserve_frac",
        ),
    ],
)
def test_bad_battle_input_names_the_key(tmp_path: Path, edit, key) -> None:
    base = Path("examples/nk-1.toml").read_text(encoding="utf-8")
    text = edit(base)
    assert text != base
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert key in str(exc.value)
