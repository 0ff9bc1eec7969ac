"""The space layer from the command line: `domesim size sbi`, `domesim coverage`, TLE catalogues in a
scenario, and clear errors (exit status 2, no traceback) for bad orbits and bad TLE lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domesim.cli import app

# Sizing searches, coverage maps, a run and subprocesses: left out of `make check`.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()

# ISS, from the python-sgp4 README (public example); the checksum of each line is its last digit.
ISS = """ISS (ZARYA)
1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991
2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482
"""

SCENARIO = """
[scenario]
name = "space-cli"
epoch_utc = "2019-12-10T00:00:00Z"
duration_s = 3000.0

[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"

[[asset]]
id = "seattle"

[[constellation]]
name = "iss-as-a-sensor"
sensor = "leo_wide_field"
tle_file = "sats.tle"

[[constellation]]
constellation = "tracking_t1"
"""


def _scenario(tmp_path: Path, tle: str = ISS) -> Path:
    (tmp_path / "sats.tle").write_text(tle, encoding="utf-8")
    path = tmp_path / "space.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_size_sbi_json_has_the_documented_keys() -> None:
    result = runner.invoke(app, ["size", "sbi", "--json", "--epochs", "40", "--p", "0.7", "--salvo", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "constellation_size", "planes", "per_plane", "p_achieved", "absentee_size", "random_phasing_size",
        "fraction_in_reach", "effective_reach_km", "first_order_reach_km", "missiles", "salvo_from",
        "delay_s", "delay_from", "detect_after_launch_s", "commit_after_launch_s", "burnout_after_launch_s",
        "evaluations", "epochs",
    }  # fmt: skip
    assert data["constellation_size"] == data["planes"] * data["per_plane"]
    assert data["p_achieved"] >= 0.7
    assert (data["missiles"], data["salvo_from"], data["delay_from"]) == (2, "one-site", "detection")


def test_size_sbi_flags_change_the_answer() -> None:
    """A faster interceptor, a longer boost or a shorter delay needs fewer satellites (same epochs, seed)."""
    args = ["size", "sbi", "--json", "--epochs", "40", "--p", "0.7"]
    base = json.loads(runner.invoke(app, args).stdout)
    for extra in (["--sbi-dv-km-s", "6", "--sbi-accel-g", "20"], ["--burn-s", "240", "--delay-s", "30"]):
        easier = json.loads(runner.invoke(app, [*args, *extra]).stdout)
        assert easier["constellation_size"] < base["constellation_size"], extra
        assert easier["absentee_size"] < base["absentee_size"], extra


def test_size_sbi_bad_orbit_is_a_clear_error() -> None:
    for flag, value, words in (("--inc-deg", "190", "inc_deg"), ("--alt-km", "50", "alt_km")):
        result = subprocess.run(
            [sys.executable, "-m", "domesim.cli", "size", "sbi", flag, value],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        assert result.returncode == 2, result.stderr
        assert words in result.stderr and "Traceback" not in result.stderr


def test_coverage_command_writes_maps_and_fractions(tmp_path: Path) -> None:
    path = _scenario(tmp_path)
    out = tmp_path / "plots"
    result = runner.invoke(
        app, ["coverage", str(path), "--hours", "2", "--grid-deg", "15", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["layers"]) == {"iss-as-a-sensor", "tracking_t1", "all layers"}
    tracking = data["layers"]["tracking_t1"]
    assert 0.0 < tracking["global_at_least_2"] <= tracking["global_at_least_1"] <= 1.0
    assert data["layers"]["all layers"]["global_at_least_1"] >= tracking["global_at_least_1"]
    assert "seattle" in tracking["places"]
    # a map that varies is not called uniform; one that is says so (the value every place has)
    assert tracking["uniform_at_least_2"] is None or tracking["global_at_least_2"] in (0.0, 1.0)
    for name, layer in data["layers"].items():
        for k in (1, 2):
            flat = layer[f"uniform_at_least_{k}"]
            assert flat is None or abs(flat - layer[f"global_at_least_{k}"]) < 1e-3, name
    for png in data["plots"]:
        assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_with_a_tle_constellation(tmp_path: Path) -> None:
    path = _scenario(tmp_path)
    result = runner.invoke(app, ["run", str(path), "--trials", "4", "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output


def test_malformed_tle_in_a_scenario_names_file_and_line(tmp_path: Path) -> None:
    bad = ISS.replace("0  9991", "0  9990")  # wrong checksum on line 2 of the file
    path = _scenario(tmp_path, bad)
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "constellation#1.tle_file" in result.stderr
    assert "sats.tle:2" in result.stderr and "checksum" in result.stderr
    assert "Traceback" not in result.stderr
