"""Every example gives the same summary as the code before the structure change (commit ed2226c), at the
same seed: the registries, records and package moves changed how domesim is organised, not what it
computes.

The recorded summaries in ``recorded/`` were written by ``domesim run EXAMPLE --trials 24 --seed 11``
(and ``--sensing tracked|ideal`` for the ``-tracked``/``-ideal`` files) at that commit, less the fields
that identify the build rather than the result: ``wall_s``, ``git_hash``, ``version`` and
``scenario_hash`` (the hash covers the validated scenario, whose threat blocks now carry only their
family's keys: a deliberate change, see the CHANGELOG). A deliberate change of results re-records them
with ``python tests/regression/record.py`` and says why in the CHANGELOG.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domesim.montecarlo.runner import run_trials
from domesim.results.summary import build_summary, build_tables
from domesim.scenario.loader import load_scenario

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
EXAMPLES = HERE.parents[1] / "examples"
TRIALS, SEED = 24, 11
NOT_RESULTS = {"wall_s", "git_hash", "version", "scenario_hash"}
# summary keys added since the recording (a key added later joins this set with its CHANGELOG entry)
ADDED = {"leak_causes", "sensing_note", "chunk_trials"}
ADDED_PER_BATTERY = {"p_destroyed"}  # inventory entries: the chance the site was destroyed (issue 18)


def case(name: str) -> tuple[Path, str | None]:
    """(example file, sensing override) of a recorded case: ``nk-10-screening`` -> nk-10.toml, screening."""
    for sensing in ("screening", "ideal"):
        if name.endswith(f"-{sensing}"):
            return EXAMPLES / f"{name.removesuffix(f'-{sensing}')}.toml", sensing
    return EXAMPLES / f"{name}.toml", None


def summary_of(name: str) -> dict:
    path, sensing = case(name)
    loaded = load_scenario(path, TRIALS, SEED, sensing)
    tables = build_tables(
        loaded.world, run_trials(loaded.world, TRIALS, SEED, loaded.montecarlo.chunk_trials)
    )
    summary = build_summary(
        loaded.world,
        tables,
        trials=TRIALS,
        seed=SEED,
        chunk_trials=loaded.montecarlo.chunk_trials,
        version="",
        git_hash="",
        scenario_hash="",
        description=loaded.spec.scenario.description,
        wall_s=0.0,
    )
    # through JSON, as summary.json holds it (tuples become lists)
    summary = json.loads(json.dumps(summary))
    for entry in summary["inventory"].values():
        for key in ADDED_PER_BATTERY:
            entry.pop(key, None)
    return {k: v for k, v in summary.items() if k not in NOT_RESULTS}


@pytest.mark.parametrize("name", sorted(p.stem for p in (HERE / "recorded").glob("*.json")))
def test_example_summary_unchanged(name):
    recorded = json.loads((HERE / "recorded" / f"{name}.json").read_text())
    now = summary_of(name)
    assert set(now) - set(recorded) <= ADDED
    # every leaker has exactly one cause: they add up to the expected leakers
    assert abs(sum(now["leak_causes"].values()) - now["expected_leakers"]) < 1e-9
    now = {k: v for k, v in now.items() if k in recorded}
    changed = {
        k: (recorded.get(k), now.get(k))
        for k in recorded.keys() | now.keys()
        if recorded.get(k) != now.get(k)
    }
    assert not changed, f"{name}: results differ from the recorded run: {changed}"
