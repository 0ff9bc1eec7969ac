"""`domesim size sbi` you can read: an out-of-reach case answered at once (exit status 2, the reach the SBI
has in the message, no search), the commit delay's origin (`--delay-from`), the salvo's set-up
(`--salvo-from`), and stdout that stays one JSON object while the progress bar draws on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domesim.cli import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()
QUICK = ["size", "sbi", "--json", "--epochs", "10", "--p", "0.7"]  # a coarse but real search


def _size(*extra: str) -> dict:
    result = runner.invoke(app, [*QUICK, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_out_of_reach_is_answered_without_a_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Committing 120 s after detection leaves the catalogue SBI no time to close on the missile: the
    answer names the shell, the commit time, the missile's window and how far short the SBI falls, and
    neither the estimate nor a single Walker constellation is evaluated."""
    from domesim.studies import sizing

    def never(*args, **kwargs):
        raise AssertionError("an out-of-reach case must not be searched")

    monkeypatch.setattr(sizing, "coverage_probability", never)
    monkeypatch.setattr(sizing, "random_phasing_fraction", never)
    result = runner.invoke(app, ["size", "sbi", "--delay-s", "120"])
    assert result.exit_code == 2, result.output
    message = result.stderr
    assert message.startswith("error no SBI on a 400 km, 50 deg shell can reach icbm_solid")
    for words in ("120 s after detection", "after launch", "km short", "--delay-s", "--sbi-accel-g"):
        assert words in message, (words, message)
    assert "Traceback" not in result.output


def test_out_of_reach_with_the_delay_from_launch_names_its_origin() -> None:
    result = runner.invoke(app, ["size", "sbi", "--delay-s", "170", "--delay-from", "launch"])
    assert result.exit_code == 2, result.output
    assert "170 s after launch (the delay counted from launch)" in result.stderr
    assert "no time is left to fly out" in result.stderr


@pytest.mark.slow
def test_out_of_reach_exits_2_from_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", "size", "sbi", "--delay-s", "120", "--json"],
        capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert "km short" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_delay_from_says_where_the_delay_counts_from() -> None:
    """The same 60 s counted from launch commits earlier than counted from detection (the plume clears
    12 km about half a minute after launch), so fewer SBIs are needed; the JSON says which."""
    detection = _size("--delay-s", "60")
    launch = _size("--delay-s", "60", "--delay-from", "launch")
    assert detection["delay_from"] == "detection" and launch["delay_from"] == "launch"
    assert launch["commit_after_launch_s"] == 60.0
    assert detection["commit_after_launch_s"] == detection["detect_after_launch_s"] + 60.0
    assert detection["detect_after_launch_s"] > 0
    assert launch["absentee_size"] < detection["absentee_size"]
    assert launch["constellation_size"] < detection["constellation_size"]


@pytest.mark.slow
def test_salvo_from_one_site_needs_more_than_spread() -> None:
    """Three missiles from one site share the SBIs overhead (3 in reach at once); from spread sites each
    draws on its own: the one-site salvo needs the larger constellation, and its absentee ratio is three
    times one missile's."""
    one = _size()
    site = _size("--salvo", "3")
    spread = _size("--salvo", "3", "--salvo-from", "spread")
    assert (site["salvo_from"], spread["salvo_from"]) == ("one-site", "spread")
    assert site["missiles"] == spread["missiles"] == 3
    assert site["constellation_size"] > spread["constellation_size"] > one["constellation_size"]
    assert site["absentee_size"] == pytest.approx(3 * one["absentee_size"], abs=3)


@pytest.mark.slow
def test_stdout_stays_one_json_object_while_the_progress_bar_draws() -> None:
    """A terminal is faked (rich's TTY_COMPATIBLE / TTY_INTERACTIVE) so that the bar really draws, on
    stderr; stdout is exactly one JSON object."""
    env = {**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "120"}
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", *QUICK],
        capture_output=True, text=True, check=False, cwd=REPO, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["constellation_size"] == data["planes"] * data["per_plane"]
    assert "Walker search" in result.stderr


@pytest.mark.slow
def test_human_output_states_the_setting() -> None:
    args = ["size", "sbi", "--epochs", "10", "--p", "0.7", "--salvo", "2", "--salvo-from", "spread"]
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", *args],
        capture_output=True, text=True, check=False, cwd=REPO, env={**os.environ, "COLUMNS": "240"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for words in (
        "(spread)", "absentee ratio", "random phasing", "as if from one site", "60 s after detection",
        "burnout", "draw on different SBIs",
    ):  # fmt: skip
        assert words in result.stdout, words
