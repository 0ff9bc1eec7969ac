"""One kill chain (engine/sensing.py): the battle manager acts on tracks, not on the truth.

- Decoys flown within the tracker's gate of the warhead draw shots when the defence cannot tell them
  apart, and none when every radar that tracks them discriminates perfectly: a track is scored on the
  object nearest it, and the tracker never learns which object a detection came from.
- With every sensor perfect (detection probability 1, no noise to speak of, the whole sky, every step,
  no false alarms) the full chain gives the probability of no leak of ideal sensing within the Monte
  Carlo interval, on a scenario where the fielded sensors give a very different answer.
- The sensing fidelities are one list: the scenario schema offers exactly the engine's fidelities.
"""

from __future__ import annotations

import typing
from pathlib import Path

import numpy as np
import pytest

from domesim.build.schema import ScenarioSection
from domesim.engine.sensing import FIDELITIES
from domesim.montecarlo.runner import run_trials
from domesim.results.metrics import binomial_ci
from domesim.scenario.loader import load_scenario

# One ICBM with two light decoys (each released with the RV and scattered about its path by 1 m/s,
# catalogue bus.decoy_spread_m_s: within a kilometre or two of the RV in midcourse, inside the gate of the
# UHF radars' tracks, whose cross-range error is kilometres) against the Alaskan GBIs, tracked by the
# early-warning radars and Cobra Dane. {p} is every radar's discrimination probability.
DECOYS = """
[scenario]
name = "decoys"
duration_s = 3000.0
sensing = "full"

[[threat]]
name = "to Seattle"
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"
payload = {{decoys = 2}}

[[sensor]]
deployment = "uewr_clear"
override = {{p_discriminate_midcourse = {p}}}

[[sensor]]
deployment = "uewr_beale"
override = {{p_discriminate_midcourse = {p}}}

[[sensor]]
deployment = "cobra_dane_shemya"
override = {{p_discriminate_midcourse = {p}}}

[[interceptor_site]]
deployment = "gbi_fort_greely"

[doctrine]
discrimination = "{discrimination}"

[[asset]]
id = "seattle"
"""

TRIALS, SEED = 24, 5


def _decoy_shots(tmp_path: Path, discrimination: str, p: float) -> tuple[int, int]:
    """(salvos at the decoys, salvos at the warhead) over the trials."""
    path = tmp_path / f"decoys-{discrimination}-{p}.toml"
    path.write_text(DECOYS.format(discrimination=discrimination, p=p), encoding="utf-8")
    world = load_scenario(path, TRIALS, SEED).world
    log = run_trials(world, TRIALS, SEED)
    kinds = np.array([info.kind for info in world.objects])
    assert sorted(kinds[kinds != "bus"]) == ["light_decoy", "light_decoy", "rv"]
    at = kinds[log["eng_object"]]
    return int((at == "light_decoy").sum()), int((at == "rv").sum())


@pytest.mark.slow
def test_decoys_in_the_gate_draw_shots_unless_the_radars_discriminate(tmp_path):
    at_decoys, at_warhead = _decoy_shots(tmp_path, "none", 0.0)
    assert at_decoys > 0 and at_warhead > 0
    at_decoys, at_warhead = _decoy_shots(tmp_path, "sensors", 1.0)
    assert at_decoys == 0 and at_warhead > 0


# Every radar made perfect: it sees the whole sky to 100,000 km from its site, through the Earth (no
# horizon, faces all round), every grid step, with a detection probability of 1 to within 1e-6 (a
# reference target 60 dB below the objects), a metre of noise (none at all would leave the tracker's
# filter singular) and no false alarms.
PERFECT_RADAR = (
    "override = {faces_az_deg = [0.0, 90.0, 180.0, 270.0], face_half_width_deg = 46.0, "
    "min_elevation_deg = -90.0, max_elevation_deg = 90.0, max_range_km = 100000.0, "
    "range_sigma_m = 1.0, angle_sigma_mrad = 0.001, false_alarms_per_scan = 0.0, revisit_s = 2.0, "
    "pfa = 1e-9, ref_rcs_dbsm = -60.0}"
)


@pytest.mark.slow
def test_perfect_sensors_give_the_ideal_answer(tmp_path):
    """The corridor of test_leak_causes that no radar tracks (a warhead to Honolulu, one early-warning
    radar on Cape Cod, GBIs that commit on a 1 km track): on the full chain the GBIs never fire, and
    with ideal sensing they do. With that one radar perfect, the full chain's probability of no leak and
    the ideal one lie within each other's 95% interval (200 trials each)."""
    gap = (Path(__file__).parent / "gap.toml").read_text(encoding="utf-8")
    trials = 200
    results = {}
    for name, text, sensing in (
        ("as fielded", gap, "full"),
        ("perfect", gap.replace('"uewr_cape_cod"', '"uewr_cape_cod"\n' + PERFECT_RADAR), "full"),
        ("ideal", gap, "ideal"),
    ):  # fmt: skip
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        world = load_scenario(path, trials, SEED, sensing).world
        log = run_trials(world, trials, SEED)
        lethal = np.array([info.lethal for info in world.objects])
        no_leak = int((((~log["killed"]) & lethal).sum(axis=1) == 0).sum())
        results[name] = (no_leak / trials, binomial_ci(no_leak, trials))
    (p_full, ci_full), (p_ideal, ci_ideal) = results["perfect"], results["ideal"]
    assert results["as fielded"][0] < ci_ideal[0], results  # the test scenario tells the two apart
    assert ci_full[0] <= p_ideal <= ci_full[1] and ci_ideal[0] <= p_full <= ci_ideal[1], results


def test_the_schema_offers_exactly_the_engine_fidelities():
    offered = typing.get_args(ScenarioSection.model_fields["sensing"].annotation)
    assert set(offered) == set(FIDELITIES)
    assert ScenarioSection.model_fields["sensing"].default == "full"
