"""Campaigns (engine/campaign.py, build/campaign.py): waves against one defence whose stocks carry over,
anti-satellite attacks on the SBI layer, restocking between waves; and the cost-exchange of a run.

Each test compares the engine with itself under one change (a small magazine against a large one, an
attack against none), so that each can fail: a campaign that refilled the magazines, or an ASAT strike that
killed nothing over the launch area, would not pass.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from domesim.engine.campaign import restock
from domesim.engine.simulate import full_readiness
from domesim.errors import ScenarioError
from domesim.results.exchange import replacement_usd
from domesim.results.run import run_scenario
from domesim.scenario.costing import scenario_cost
from domesim.scenario.loader import load_scenario

HEADER = """
[scenario]
name = "campaign-test"
step_s = 4.0
duration_s = 2400.0

[[sensor]]
deployment = "tpy2_shariki"

[[sensor]]
deployment = "uewr_clear"

[[interceptor_site]]
deployment = "gbi_fort_greely"
inventory = {inventory}

[[asset]]
id = "anchorage"

[montecarlo]
trials = 60
seed = 5
"""

WAVE = """
[[wave]]
name = "{name}"
start_h = {start_h}

[[threat]]
name = "salvo {name}"
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "anchorage"
count = 2
wave = "{name}"
"""


def _campaign(tmp_path: Path, inventory: int, waves: int = 3, extra: str = "") -> Path:
    text = HEADER.format(inventory=inventory) + "".join(
        WAVE.format(name=f"w{k + 1}", start_h=24.0 * k) for k in range(waves)
    )
    path = tmp_path / f"campaign-{inventory}-{waves}.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_per_wave_protection_falls_as_a_small_magazine_empties(tmp_path):
    small = run_scenario(load_scenario(_campaign(tmp_path, inventory=6))).summary
    large = run_scenario(load_scenario(_campaign(tmp_path, inventory=40))).summary
    p_small = [w["p_no_leak"]["mean"] for w in small["waves"]]
    p_large = [w["p_no_leak"]["mean"] for w in large["waves"]]
    left_small = [w["interceptors_left"]["gbi"] for w in small["waves"]]
    assert [w["name"] for w in small["waves"]] == ["w1", "w2", "w3"]
    assert left_small[0] > left_small[1] >= left_small[2]  # fired interceptors stay gone (silos)
    assert p_small[0] > p_small[1] >= p_small[2]  # protection falls wave by wave
    assert p_small[2] < p_large[2] - 0.3  # because the magazine empties: 40 GBIs still hold by wave 3
    assert small["p_no_leak"]["mean"] <= min(p_small)  # no leak in the campaign: none in any wave
    # every wave's warheads are counted once, on the campaign's object axis
    assert small["threat_objects"] == sum(w["warheads"] for w in small["waves"]) == 6


def test_a_one_wave_campaign_is_the_plain_raid(tmp_path):
    campaign = _campaign(tmp_path, inventory=6, waves=1)
    plain = tmp_path / "plain.toml"
    text = (
        campaign.read_text()
        .replace('[[wave]]\nname = "w1"\nstart_h = 0.0\n', "")
        .replace('wave = "w1"\n', "")
    )
    assert "wave" not in text
    plain.write_text(text, encoding="utf-8")
    one = run_scenario(load_scenario(campaign), trials=40).tables
    raid = run_scenario(load_scenario(plain), trials=40).tables
    assert "waves" in one and "waves" not in raid
    for name in ("leakers", "shots_fired"):
        np.testing.assert_array_equal(one["trials"][name], raid["trials"][name])
    np.testing.assert_array_equal(one["engagements"]["intercept_t_s"], raid["engagements"]["intercept_t_s"])


def test_restocking_reloads_ships_not_silos_and_replaces_sbis_at_the_production_rate(tmp_path):
    path = tmp_path / "restock.toml"
    path.write_text(
        HEADER.format(inventory=10)
        + WAVE.format(name="w1", start_h=0.0)
        + """
[[interceptor_site]]
deployment = "sm3_iia_gulf_of_alaska"

[[constellation]]
constellation = "sbi_1000"
""",
        encoding="utf-8",
    )
    world = load_scenario(path).world
    logistics = world.logistics
    assert logistics is not None
    names = [b.name for b in world.ground_batteries]
    assert math.isinf(logistics.reload_s[names.index("gbi_fort_greely")])  # silos: never
    assert logistics.reload_s[names.index("sm3_iia_gulf_of_alaska")] == 14 * 86400.0  # in port [S100]
    # SBIs: the catalogue's production rate binds (1,440 a year), over a 15-day gap
    per_s = logistics.replenish_per_s[0]
    assert per_s == pytest.approx(1440.0 / (365.25 * 86400.0))
    spent = full_readiness(world, 2)
    spent.inventory[:] = 0
    spent.sbi_left[0][:, :100] = 0
    after = restock(world, spent, 15 * 86400.0)
    assert after.inventory[:, names.index("gbi_fort_greely")].tolist() == [0, 0]
    assert after.inventory[:, names.index("sm3_iia_gulf_of_alaska")].tolist() == [8, 8]
    replaced = math.floor(per_s * 15 * 86400.0)  # 59
    assert (after.sbi_left[0][:, :100] > 0).sum(axis=1).tolist() == [replaced, replaced]
    razed = spent._replace(lost=spent.lost.copy())
    razed.lost[:, names.index("sm3_iia_gulf_of_alaska")] = True
    gone = restock(world, razed, 15 * 86400.0)  # a ship sunk (a site destroyed) is never reloaded
    assert gone.inventory[:, names.index("sm3_iia_gulf_of_alaska")].tolist() == [0, 0]
    short = restock(world, spent, 86400.0)
    assert short.inventory[:, names.index("sm3_iia_gulf_of_alaska")].tolist() == [0, 0]  # a day: still at sea


ASAT_CAMPAIGN = """
[scenario]
name = "asat-test"
step_s = 4.0
duration_s = 2400.0

[[wave]]
name = "first"

[[wave]]
name = "after the strike"
start_h = 1.0

[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "anchorage"
wave = "first"

[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "anchorage"
wave = "after the strike"

{asat}
[[sensor]]
deployment = "tpy2_shariki"

[[constellation]]
constellation = "sbi_cbo_2026"

[[asset]]
id = "anchorage"

[montecarlo]
trials = 8
seed = 2
"""


def _asat_summary(tmp_path: Path, site: str | None) -> list[dict]:
    asat = "" if site is None else f'[[asat]]\nwave = "after the strike"\n{site}\ncount = 30\n'
    path = tmp_path / "asat.toml"
    path.write_text(ASAT_CAMPAIGN.format(asat=asat), encoding="utf-8")
    return run_scenario(load_scenario(path)).summary["waves"]


def test_an_asat_strike_thins_the_sbis_over_the_launch_area(tmp_path):
    none = _asat_summary(tmp_path, None)
    hit = _asat_summary(tmp_path, 'launch_region = "north_korea"')
    assert none[1]["satellites_killed_by_asat"] == hit[0]["satellites_killed_by_asat"] == 0.0
    assert hit[1]["satellites_killed_by_asat"] > 10  # 30 fired with pk 0.8 at the satellites in reach
    # the same trials meet the same constellation phase: the hole is the attack's
    assert hit[0]["sbi_over_launch_area"] == none[0]["sbi_over_launch_area"]
    assert hit[1]["sbi_over_launch_area"] < 0.5 * none[1]["sbi_over_launch_area"]
    assert none[1]["sbi_over_launch_area"] > 10
    # fired from the far side of the Earth, it kills satellites, but none over the launch area
    far = _asat_summary(tmp_path, "launch_lat_deg = -40.0\nlaunch_lon_deg = -60.0")
    assert far[1]["satellites_killed_by_asat"] > 0
    assert far[1]["sbi_over_launch_area"] == none[1]["sbi_over_launch_area"]


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (('wave = "w1"', 'wave = "w9"'), "threat#1.wave"),
        (("[montecarlo]", '[[asat]]\nlaunch_region = "north_korea"\ncount = 3\n\n[montecarlo]'), "asat#1"),
        (("[[threat]]", '[[wave]]\nname = "w1"\nstart_h = 5.0\n\n[[threat]]'), "wave#2.name"),
    ],
)
def test_campaign_mistakes_name_their_key(tmp_path, edit, key):
    path = _campaign(tmp_path, inventory=6, waves=1)
    path.write_text(path.read_text().replace(*edit, 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert any(p.key.startswith(key) for p in err.value.problems), err.value.problems
    assert len(err.value.problems) == len({(p.key, p.message) for p in err.value.problems})  # each once
    if key == "wave#2.name":  # a name given twice: its threats are there, only the name is wrong
        assert not any("has no [[threat]]" in p.message for p in err.value.problems)


def test_the_cost_exchange_prices_what_was_fired_and_what_the_attack_cost(tmp_path):
    loaded = load_scenario(_campaign(tmp_path, inventory=6, waves=2))
    out = run_scenario(loaded, trials=30)
    exchange = out.summary["cost_exchange"]
    gbi = replacement_usd(loaded.world, scenario_cost(loaded))["gbi"]
    assert gbi is not None and gbi > 50e6
    spent = out.tables["trials"]["shots_gbi"] * gbi
    assert exchange["defender_engagement_usd"]["mean"] == pytest.approx(spent.mean())
    lo, hi = exchange["defender_engagement_usd"]["ci95"]
    assert lo <= spent.mean() <= hi
    attacker = exchange["attacker_usd"]
    assert attacker["low"] < attacker["value"] < attacker["high"]  # KIDA's $20-30 M an ICBM [S96]
    assert attacker["value"] == pytest.approx(4 * 25e6, rel=0.15)  # 2022 -> 2025 dollars
    ratio = exchange["exchange_ratio"]
    assert ratio["value"] == pytest.approx(spent.mean() / attacker["value"])
    assert ratio["interval"][0] <= ratio["value"] <= ratio["interval"][1]


SITE_RAID = """
[scenario]
name = "site-raid"
step_s = 4.0
duration_s = 4400.0
sensing = "ideal"

[[threat]]
name = "at the GBI field"
class = "icbm_solid"
launch_region = "north_korea"
aim_site = "fort_greely"
count = 2
launch_interval_s = 2000.0

[[interceptor_site]]
deployment = "gbi_fort_greely"
override = {{sspk = 0.0}}

[doctrine]
salvo_size = 1
max_engagements = 1
site_kill_radius_km = {radius}

[montecarlo]
trials = 4
seed = 1
"""


@pytest.mark.parametrize("radius", [0.0, 3.0])
def test_a_warhead_that_lands_on_an_interceptor_site_stops_it_engaging(tmp_path, radius):
    path = tmp_path / "site.toml"
    path.write_text(SITE_RAID.format(radius=radius), encoding="utf-8")
    out = run_scenario(load_scenario(path))
    fired = out.tables["trials"]["shots_gbi"]
    destroyed = out.summary["inventory"]["gbi_fort_greely"]["p_destroyed"]
    if radius == 0.0:  # nothing is destroyed: both missiles are engaged (and missed: sspk 0)
        assert fired.tolist() == [2, 2, 2, 2] and destroyed == 0.0
    else:  # the first warhead lands on Fort Greely before the second missile is in reach of its GBIs
        assert fired.tolist() == [1, 1, 1, 1] and destroyed == 1.0


def test_a_campaign_trial_flown_again_is_the_trial_the_engine_flew(tmp_path):
    """The globe's scene re-flies one trial (viz.czml.refly_trial): each wave with its own seed."""
    from domesim.montecarlo.runner import run_trials
    from domesim.viz.czml import refly_trial

    path = _campaign(tmp_path, inventory=6, waves=3)
    text = path.read_text()
    for k in (1, 2, 3):  # dispersed, so that each wave's draws show
        text = text.replace(
            f'wave = "w{k}"\n', f'wave = "w{k}"\ndispersion = {{thrust_sigma_frac = 0.001}}\n'
        )
    path.write_text(text, encoding="utf-8")
    world = load_scenario(path).world
    log = run_trials(world, 12, 5, chunk_trials=5)
    again = refly_trial(world, 7, trials=12, seed=5, chunk_trials=5)
    np.testing.assert_array_equal(again.truth.impact_t_s[0], log["impact_t_s"][7])
    assert len(set(np.round(log["impact_t_s"][7], 3))) == 6  # three waves, each with its own draws


def test_the_report_has_the_waves_and_the_cost_exchange(tmp_path):
    from domesim import api

    results = api.run(_campaign(tmp_path, inventory=6, waves=2), trials=20)
    html = (results.save(tmp_path / "run") / "report.html").read_text(encoding="utf-8")
    exchange = results.summary["cost_exchange"]
    assert 'id="waves"' in html and 'id="cost-exchange"' in html
    assert f"{exchange['exchange_ratio']['value']:,.2f}" in html  # the ratio, as the summary has it
    assert "S96" in html  # the source of the attacker's missile price
    for wave in results.summary["waves"]:
        assert f"<td>{wave['name']}</td>" in html
