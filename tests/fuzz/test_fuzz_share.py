"""The share of the fuzz campaign that `make test` runs: a few hundred generated mutants through
`domesim validate` and a handful through `domesim run --trials 2`, the same ones every time (fixed
hypothesis seed), checked as `make fuzz` checks its 10,500 (tests/fuzz/campaign.py); and the
watchdog's own checks: a hang and a file read outside the input's folder are caught and counted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.fuzz: also run as `python -m`

from tests.fuzz.campaign import Campaign, run_campaign  # noqa: E402

# Worker processes, a few hundred scenarios read and a few simulated: left out of `make check`.
pytestmark = pytest.mark.slow

SHARE_VALIDATE = 300
SHARE_RUN = 6
SEED = 17


def _recipe(ops: list, command: str = "validate") -> dict:
    return {
        "kind": "scenario",
        "base": "nk-1.toml",
        "ops": ops,
        "text_ops": [],
        "cli": [],
        "command": command,
    }


def test_generated_inputs_give_no_traceback_hang_escape_or_excess_memory(tmp_path: Path) -> None:
    summary = run_campaign(SHARE_VALIDATE, SHARE_RUN, SEED, tmp_path / "fuzz", workers=2)
    assert summary["seeds_failed"] == []
    assert summary["inputs"] == SHARE_VALIDATE + SHARE_RUN
    found = {k: summary[k] for k in ("tracebacks", "hangs", "escapes", "memory")}
    assert found == dict.fromkeys(found, 0), summary["classes"]


def test_the_watchdog_counts_an_input_over_the_time_limit_as_a_hang(tmp_path: Path) -> None:
    campaign = Campaign(tmp_path, workers=1, limit_s=0.01)  # no scenario validates in 10 ms
    campaign.run([{"id": 0, "recipe": _recipe([])}])
    assert [f["kind"] for f in campaign.failures] == ["hang"]
    assert (tmp_path / "failures" / "hang-0" / "scenario.toml").is_file()  # the input, kept


def test_a_file_read_outside_the_input_folder_is_an_escape(tmp_path: Path) -> None:
    campaign = Campaign(tmp_path, workers=1)
    # domesim refuses a file outside the scenario's folder unless allowed: allowed here (--allow-path /),
    # the read through the link to /etc/passwd must be seen by the watchdog
    reading = {**_recipe([["file", "link-out"]], command="run"), "cli": [["allow-path", "/"]]}
    campaign.run([{"id": 0, "recipe": reading}, {"id": 1, "recipe": _recipe([])}])
    assert [(f["kind"], f["id"]) for f in campaign.failures] == [("escape", 0)]
    assert "/etc/passwd" in campaign.failures[0]["where"]
