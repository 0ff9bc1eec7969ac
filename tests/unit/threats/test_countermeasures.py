"""Countermeasure classes (build/countermeasures.py and the ballistic block's trajectory and timing keys):
each test shows the mechanism through the engine's own physics and sensor models, with and without it.

One solid ICBM from North Korea to Seattle (nk-1-sized), a few trials each.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from domesim.build.catalogue import load_catalogue
from domesim.build.countermeasures import COUNTERMEASURES
from domesim.build.schema import scenario_model
from domesim.core.ballistic import PHASE_BOOST
from domesim.engine.sensing import Chunk, sense
from domesim.engine.world import fly_truth
from domesim.errors import ScenarioError
from domesim.interceptors.sbi import availability, shell_reach
from domesim.montecarlo.runner import run_trials
from domesim.scenario.attack_cost import attack_cost
from domesim.scenario.loader import load_scenario, load_spec
from domesim.scenario.toml_writer import dumps

THREAT = """
[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"
"""
GBIS = """
[[interceptor_site]]
deployment = "gbi_fort_greely"

[[interceptor_site]]
deployment = "gbi_vandenberg"

[[asset]]
id = "seattle"
"""
RADARS = "".join(
    f'\n[[sensor]]\ndeployment = "{d}"\n'
    for d in ("cobra_dane_shemya", "uewr_clear", "uewr_beale", "tpy2_shariki")
)


def _threat(*keys: str, payload: str = "") -> str:
    return THREAT + "".join(f"{k}\n" for k in keys) + (f"\n[threat.payload]\n{payload}\n" if payload else "")


def _load(
    tmp_path,
    body: str,
    sensing: str = "ideal",
    extra: str = "",
    duration_s: float = 2700.0,
    epoch: str = "fixed",
):
    path = tmp_path / "s.toml"
    path.write_text(
        f"""
[scenario]
name = "countermeasures"
duration_s = {duration_s}
step_s = 4.0
sensing = "{sensing}"
space_epoch = "{epoch}"
{body}
{extra}
[montecarlo]
trials = 2
seed = 1
"""
    )
    return load_scenario(path)


def _balloons(n: int) -> str:
    return f'decoys = {n}\ndecoy_class = "balloon"'


def test_fast_burn_leaves_the_sbis_less_reach_at_the_same_delay(tmp_path):
    """The same missile, each stage burning in 0.7 of its time with the same delta-v: it burns out earlier
    and lower, and an SBI layer committing the same delay after launch reaches it less (fewer SBIs in
    reach over a day of constellation epochs, less margin on the shell)."""
    out = {}
    for key in ("", 'countermeasures = ["fast_burn"]'):
        world = _load(tmp_path, _threat(key) + '\n[[constellation]]\nconstellation = "sbi_1000"\n').world
        truth = fly_truth(world, 1, seed=None)
        boost = truth.phase[0, 0] == PHASE_BOOST
        layer = world.sbi_layers[0]
        kin = layer.kinematics
        usable = (boost & (truth.alt_m[0, 0] >= kin.min_intercept_alt_m))[None]
        t_commit = np.array([world.objects[0].launch_t_s + kin.commit_delay_s])
        offsets = np.linspace(0.0, 86400.0, 48, endpoint=False)
        in_reach, _ = availability(
            layer.elements, truth.r_ecef[0], usable, truth.t_s, t_commit, 0.0, offsets, kin
        )
        reach = shell_reach(
            truth.r_ecef[0], usable, truth.t_s, t_commit, kin, layer.elements[0, 0], layer.elements[0, 2]
        )
        last = np.flatnonzero(boost)[-1]
        out[key] = (truth.t_s[last], truth.alt_m[0, 0, last], in_reach.sum(), reach.margin_m[0])
        ranges = world.objects[0].range_m
    (t_plain, alt_plain, n_plain, m_plain), (t_fast, alt_fast, n_fast, m_fast) = out.values()
    assert t_fast < t_plain - 30.0 and alt_fast < alt_plain - 50e3  # shorter, lower boost
    assert n_fast < n_plain and m_fast < m_plain
    assert ranges > 7.5e6  # the same aim point: the range is kept by the launch solution


def test_cooled_shroud_delays_space_sensor_detection(tmp_path):
    """A space tracking layer only: the RV released by the bus (so first seen after boost) is detected
    later, or never, when its shroud is cooled to 77 K (brightness x (77/300)^4)."""
    first = {}
    for key in ("", 'countermeasures = ["cooled_shroud"]'):
        world = _load(
            tmp_path,
            _threat(key, payload="decoys = 0") + '\n[[constellation]]\nconstellation = "tracking_mfov"\n',
            sensing="screening",
        ).world
        assert world.space_sensors and not world.radars
        truth = fly_truth(world, 3, seed=3)
        rv = [n for n, info in enumerate(world.objects) if info.lethal]
        first[key] = sense(world, Chunk(truth, 3, 0, 0.0, np.zeros(3))).detect_t_s[:, rv]
        radar_rcs = dict(world.rcs_m2)
    plain, shrouded = first.values()
    assert np.isfinite(plain).all()
    assert (shrouded > plain).all()
    assert radar_rcs.get("rv") is not None  # the radar signature is untouched (a kind of its own)


def test_balloons_raise_interceptors_per_warhead_without_discrimination(tmp_path):
    shots = {}
    for n in (0, 3):
        world = _load(tmp_path, _threat(payload=_balloons(n)) + GBIS).world
        log = run_trials(world, 3, 1)
        warheads = 3 * sum(info.lethal for info in world.objects)
        shots[n] = log["shots_fired"].sum() / warheads
    assert shots[3] > shots[0] > 0


def test_anti_simulation_defeats_discrimination_by_the_sensors(tmp_path):
    """Full chain with radars and sensor discrimination: balloons accompanying an RV that is itself in a
    balloon are never recognised, so more of them are engaged and more interceptors fired."""
    ready, shots = {}, {}
    for key in ("", 'countermeasures = ["anti_simulation"]'):
        world = _load(
            tmp_path,
            _threat(key, payload=_balloons(3)) + GBIS + RADARS,
            sensing="full",
            extra='[doctrine]\ndiscrimination = "sensors"\n',
        ).world
        decoys = [n for n, info in enumerate(world.objects) if info.kind == "balloon"]
        truth = fly_truth(world, 4, seed=3)
        ready[key] = np.isfinite(
            sense(world, Chunk(truth, 3, 0, 0.0, np.zeros(4))).ready_t_s[:, decoys]
        ).sum()
        shots[key] = run_trials(world, 4, 1)["shots_fired"].sum()
        if key:
            rv = next(info for info in world.objects if info.lethal)
            assert rv.seen_as == "balloon" and rv.kind == "rv"  # its signature, still a warhead
    plain, anti = ready.values()
    assert anti == 4 * 3 > plain  # every decoy stays a candidate with anti-simulation
    assert shots['countermeasures = ["anti_simulation"]'] > shots[""]


def test_depressed_trajectory_shortens_the_midcourse_and_lofted_raises_it(tmp_path):
    """loft_deg below the minimum-energy angle: lower apogee, shorter flight, and less time between the
    radars' first detection and impact; above it: the opposite."""
    got = {}
    for loft in (-10.0, 0.0, 10.0):
        world = _load(
            tmp_path, _threat(f"loft_deg = {loft}") + RADARS, sensing="screening", duration_s=3000.0
        ).world
        info = world.objects[0]
        truth = fly_truth(world, 2, seed=3)
        detect = sense(world, Chunk(truth, 3, 0, 0.0, np.zeros(2))).detect_t_s[:, 0]
        got[loft] = (
            info.apogee_m,
            info.nominal_impact_t_s - info.launch_t_s,
            float(np.min(truth.impact_t_s[:, 0] - detect)),
        )
    (a_dep, f_dep, w_dep), (a_min, f_min, w_min), (a_lof, f_lof, w_lof) = got.values()
    assert a_dep < a_min < a_lof
    assert f_dep < f_min < f_lof
    assert w_dep < w_min - 120.0 < w_lof - 240.0


def test_concentrated_salvo_exceeds_the_local_sbi_density(tmp_path):
    """Three missiles from one site against a thin SBI layer (one interceptor per satellite): launched
    together they share the few SBIs in reach; launched 15 minutes apart each meets its own."""
    per_missile = {}
    for interval in (0.0, 900.0):
        body = _threat("count = 3", f"launch_interval_s = {interval}")
        # each trial meets the constellation at another time of day
        sbis = '\n[[constellation]]\nconstellation = "sbi_1000"\n'
        world = _load(tmp_path, body + sbis, duration_s=4200.0, epoch="random").world
        log = run_trials(world, 64, 1)
        per_missile[interval] = log["eng_shots"].sum() / (64 * 3)
    assert per_missile[0.0] < 0.6 * per_missile[900.0]


def test_bad_countermeasure_id_names_the_key(tmp_path):
    with pytest.raises(ScenarioError, match=r"countermeasures.*fast_burn"):
        _load(tmp_path, _threat('countermeasures = ["fast_brun"]'))


def test_anti_simulation_needs_balloon_decoys(tmp_path):
    for payload in ("", "decoys = 2", _balloons(0)):
        with pytest.raises(ScenarioError, match=r"anti_simulation.*balloon"):
            _load(tmp_path, _threat('countermeasures = ["anti_simulation"]', payload=payload))


def test_catalogue_entries_and_costs(tmp_path):
    """Every [countermeasure.*] entry is built by a registered mechanism and has an attacker cost; the
    block round-trips through the schema."""
    catalogue = load_catalogue()
    ids = catalogue.ids("countermeasure")
    assert set(ids) >= {"fast_burn", "cooled_shroud", "anti_simulation"}
    for entry_id in ids:
        entry = catalogue.entry("countermeasure", entry_id)
        assert COUNTERMEASURES.for_family(entry.fields["family"]) is not None
        assert entry.params["unit_cost_musd"].tag in ("assumed", "R", "D", "V", "V2")
    # priced with the raid, per missile fitted (scenario.attack_cost): two missiles, every countermeasure
    path = tmp_path / "priced.toml"
    listed = ", ".join(f'"{i}"' for i in ids)
    block = _threat("count = 2", f"countermeasures = [{listed}]")
    path.write_text(f'[scenario]\nname = "p"\nduration_s = 2700.0\n{block}')
    spec = load_spec(path).spec  # validated, not built: pricing needs no physics
    items = [i for i in attack_cost(spec, catalogue).items if i["entry"].startswith("countermeasure.")]
    assert len(items) == len(ids) and all(i["count"] == 2 for i in items)
    assert all(0.0 < i["unit_low_usd"] <= i["unit_usd"] <= i["unit_high_usd"] for i in items)


def test_block_round_trips(tmp_path):
    """The key survives the schema and the TOML writer (what the web editor saves)."""
    loaded = _load(tmp_path, _threat('countermeasures = ["cooled_shroud", "fast_burn"]'))
    dumped = loaded.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped["threat"][0]["countermeasures"] == ["cooled_shroud", "fast_burn"]
    assert scenario_model().model_validate(dumped) == loaded.spec
    text = dumps(dumped)
    assert 'countermeasures = ["cooled_shroud", "fast_burn"]' in text
    assert scenario_model().model_validate(tomllib.loads(text)) == loaded.spec
