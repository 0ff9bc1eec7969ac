"""Every bound of domesim/limits.py trips with exit status 2 and a message naming the key, the limit and
``--allow-large``; ``--allow-large`` lets a modestly larger input through. The crashes of issue 17 are
clear errors before any compute, and messages quote at most a little of a file.

Cases that need no physics use ``domesim cost`` (the file and its architecture only); the others use
``validate``, whose bounds are checked before the raid is flown.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domesim import limits
from domesim.cli import app

REPO = Path(__file__).resolve().parents[2]
NK1 = (REPO / "examples" / "nk-1.toml").read_text(encoding="utf-8")
runner = CliRunner()


def _edit(old: str, new: str, text: str = NK1) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(result, *fragments: str) -> str:
    """stderr of a command that stopped with a clear message holding ``fragments``."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    return result.stderr


def _over(key: str, limit: int) -> tuple[str, ...]:
    """What a message about a bound must hold: the key, the limit and how to lift it."""
    return (f"[{key}]", f"limit of {limit:,}", "--allow-large")


# ------------------------------------------------------------------------- bounds checked from the file

STEPS = _edit("step_s = 2.0", "step_s = 0.02")  # 2700 s / 0.02 s = 135,001 steps
MISSILE_BLOCK = '\n[[threat]]\nclass = "icbm_solid"\nlaunch_region = "north_korea"\naim_asset = "seattle"\n'
MISSILES = NK1 + (MISSILE_BLOCK + "count = 1000\n") * 2  # 2,001 missiles in three blocks
BLOCKS = NK1 + (MISSILE_BLOCK + "count = 1\n") * limits.MAX_THREAT_BLOCKS  # one block more than allowed
SITES = NK1 + '\n[[interceptor_site]]\ndeployment = "gbi_vandenberg"\n' * (limits.MAX_INTERCEPTOR_SITES - 1)
SENSORS = NK1 + '\n[[sensor]]\ndeployment = "uewr_beale"\n' * (limits.MAX_SENSORS - 4)
SATELLITES = NK1 + (
    '\n[[constellation]]\nsensor = "leo_wide_field"\n'
    "walker = { alt_km = 1000.0, inc_deg = 60.0, planes = 202, per_plane = 100 }\n"
)  # 20,200 satellites


@pytest.mark.parametrize(
    ("text", "key", "limit"),
    [
        (STEPS, "scenario.step_s", limits.MAX_STEPS_PER_TRIAL),
        (MISSILES, "threat", limits.MAX_THREAT_MISSILES),
        (BLOCKS, "threat", limits.MAX_THREAT_BLOCKS),
        (SITES, "interceptor_site", limits.MAX_INTERCEPTOR_SITES),
        (SENSORS, "sensor", limits.MAX_SENSORS),
        (SATELLITES, "constellation", limits.MAX_SATELLITES),
    ],
    ids=["steps", "missiles", "threat-blocks", "interceptor-sites", "sensors", "satellites"],
)
def test_bound_from_the_file_trips_and_allow_large_lifts_it(
    tmp_path: Path, text: str, key: str, limit: int
) -> None:
    path = _write(tmp_path, text)
    _refused(runner.invoke(app, ["cost", str(path)]), str(path), *_over(key, limit))
    lifted = runner.invoke(app, ["cost", str(path), "--json", "--allow-large"])
    assert lifted.exit_code == 0, lifted.output


def test_scenario_file_size(tmp_path: Path) -> None:
    padding = ("# " + "x" * 1000 + "\n") * (limits.MAX_SCENARIO_FILE_BYTES // 1000 + 1)
    path = _write(tmp_path, NK1 + padding)
    stderr = _refused(runner.invoke(app, ["cost", str(path)]), "size in bytes", "--allow-large")
    assert f"{limits.MAX_SCENARIO_FILE_BYTES:,}" in stderr
    assert runner.invoke(app, ["cost", str(path), "--json", "--allow-large"]).exit_code == 0


def test_sweep_file_size(tmp_path: Path) -> None:
    sweep = _write(tmp_path, "# x\n" * (limits.MAX_SCENARIO_FILE_BYTES // 4 + 1), "sweep.toml")
    result = runner.invoke(app, ["sweep", str(sweep), "--data-dir", str(tmp_path / "d")])
    _refused(result, str(sweep), "size in bytes", "--allow-large")


def test_scenario_line_length_and_a_1_mb_line_is_quoted_short(tmp_path: Path) -> None:
    path = _write(tmp_path, NK1 + "# " + "y" * 2**20 + "\n")
    stderr = _refused(runner.invoke(app, ["cost", str(path)]), "line", "--allow-large")
    assert f"{limits.MAX_LINE_CHARS:,}" in stderr and len(stderr) < 2000
    assert runner.invoke(app, ["cost", str(path), "--json", "--allow-large"]).exit_code == 0


def test_a_1_mb_value_is_quoted_short(tmp_path: Path) -> None:
    path = _write(tmp_path, _edit('aim_asset = "seattle"', f'aim_asset = "{"z" * 2**20}"'))
    stderr = _refused(runner.invoke(app, ["validate", str(path), "--allow-large"]), "threat#1")
    assert len(stderr) < 2000, len(stderr)


# ------------------------------------------------------------------------------ bounds of the built raid

OBJECTS = _edit(
    'aim_asset = "seattle"\n', 'aim_asset = "seattle"\ncount = 100\n[threat.payload]\ndecoys = 100\n'
)
TRIAL_MEMORY = _edit(
    'aim_asset = "seattle"\n', 'aim_asset = "seattle"\ncount = 2\n[threat.payload]\ndecoys = 100\n'
).replace("duration_s = 2700.0", "duration_s = 86400.0")  # 204 objects x 43,201 steps


def test_threat_objects_counted_after_release(tmp_path: Path) -> None:
    path = _write(tmp_path, OBJECTS)  # 100 missiles, each with an RV, a bus and 100 decoys
    _refused(runner.invoke(app, ["validate", str(path)]), *_over("threat", limits.MAX_THREAT_OBJECTS))


def test_one_trial_must_fit_the_memory_budget(tmp_path: Path) -> None:
    path = _write(tmp_path, TRIAL_MEMORY.replace("step_s = 2.0", "step_s = 1.0"))
    stderr = _refused(runner.invoke(app, ["validate", str(path)]), "[scenario.step_s]", "--allow-large")
    assert "GiB" in stderr and "raise step_s" in stderr and "fewer objects" in stderr


# ---------------------------------------------------------------------------------------------- sweeps

GRID = """
[sweep]
name = "big"
scenario = "s.toml"

{parameters}
"""


def _grid(tmp_path: Path, parameters: int) -> Path:
    _write(tmp_path, NK1)
    block = '[[parameter]]\nkey = "doctrine.salvo_size"\nvalues = [1, 2]\n'
    return _write(tmp_path, GRID.replace("{parameters}", block * parameters), "sweep.toml")


def test_sweep_points_counted_before_the_grid_is_built(tmp_path: Path) -> None:
    sweep = _grid(tmp_path, 20)  # 2**20 points: never made
    started = time.perf_counter()
    result = runner.invoke(app, ["sweep", str(sweep), "--data-dir", str(tmp_path / "d")])
    stderr = _refused(result, "[parameter]", "1,048,576", f"limit of {limits.MAX_SWEEP_POINTS:,}")
    assert "--allow-large" in stderr and time.perf_counter() - started < 10


def test_sweep_samples_bound(tmp_path: Path) -> None:
    _write(tmp_path, NK1)
    text = GRID.replace("{parameters}", '[[parameter]]\nkey = "doctrine.salvo_size"\nlow = 1\nhigh = 2\n')
    sweep = _write(tmp_path, text.replace('scenario = "s.toml"', 'scenario = "s.toml"\nmethod = "sample"\n'
                                          "samples = 6000"), "sweep.toml")  # fmt: skip
    result = runner.invoke(app, ["sweep", str(sweep), "--data-dir", str(tmp_path / "d")])
    _refused(result, *_over("sweep.samples", limits.MAX_SWEEP_POINTS))


def test_allow_large_lets_a_larger_sweep_load(tmp_path: Path) -> None:
    from domesim.limits import InputPolicy
    from domesim.studies.sweep import load_sweep

    sweep = _grid(tmp_path, 13)  # 8,192 points
    assert len(load_sweep(sweep, InputPolicy.of(allow_large=True)).points) == 2**13


# ----------------------------------------------------------------------------------------- TLE files

SPACE = (REPO / "tests" / "data" / "space-tle.toml").read_text(encoding="utf-8")  # tle_file = "sats.tle"


def _with_tle(tmp_path: Path, content: str | None = None) -> Path:
    if content is not None:
        (tmp_path / "sats.tle").write_text(content, encoding="utf-8")
    return _write(tmp_path, SPACE)


def test_tle_file_size(tmp_path: Path) -> None:
    with (tmp_path / "sats.tle").open("wb") as tle:
        tle.truncate(limits.MAX_ELEMENT_FILE_BYTES + 1)  # sparse: nothing is written, nothing read
    path = _with_tle(tmp_path)
    _refused(
        runner.invoke(app, ["cost", str(path)]), "constellation#1.tle_file", "size in bytes", "--allow-large"
    )


@pytest.mark.parametrize("allow_large", [False, True])
def test_tle_line_of_1_mb_gives_a_short_message(tmp_path: Path, allow_large: bool) -> None:
    path = _with_tle(tmp_path, "ISS\n1 " + "9" * 2**20 + "\n2 25544\n")
    result = runner.invoke(app, ["cost", str(path), *(["--allow-large"] if allow_large else [])])
    stderr = _refused(result, "constellation#1.tle_file")
    assert len(stderr) < 2000, len(stderr)


def test_tle_name_line_of_1_mb_is_quoted_short(tmp_path: Path) -> None:
    path = _with_tle(tmp_path, "N" * 2**20 + "\n")
    stderr = _refused(runner.invoke(app, ["cost", str(path), "--allow-large"]), "name line")
    assert len(stderr) < 2000, len(stderr)


def test_tle_file_of_1000_bad_lines_quotes_only_a_few(tmp_path: Path) -> None:
    path = _with_tle(tmp_path, "".join(f"secret-{i}\n2 bad line\n" for i in range(1000)))
    stderr = _refused(runner.invoke(app, ["cost", str(path)]), "more problems")
    quoted = set(re.findall(r"secret-(\d+)\b", stderr))
    assert 0 < len(quoted) <= limits.MAX_FILE_PROBLEMS, sorted(quoted)
    assert len(stderr) < 4000, len(stderr)


# ------------------------------------------------------------------------------ crashes of issue 17


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_toml(tmp_path: Path, depth: int) -> None:
    path = _write(tmp_path, NK1 + "deep = " + "[" * depth + "]" * depth + "\n")
    _refused(runner.invoke(app, ["cost", str(path), "--allow-large"]), str(path), "nest more than")


@pytest.mark.parametrize("step", ["5e-324", "1e-9", "0.0"])
def test_step_s_too_small(tmp_path: Path, step: str) -> None:
    path = _write(tmp_path, _edit("step_s = 2.0", f"step_s = {step}"))
    stderr = _refused(runner.invoke(app, ["cost", str(path), "--allow-large"]), "[scenario.step_s]")
    assert f"{limits.MIN_STEP_S:g}" in stderr


def test_seed_of_2_63_in_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _edit("seed = 1", f"seed = {2**63}"))
    _refused(runner.invoke(app, ["cost", str(path)]), "[montecarlo.seed]", "2**63")
    ok = _write(tmp_path, _edit("seed = 1", f"seed = {2**63 - 1}"), "ok.toml")
    assert runner.invoke(app, ["cost", str(ok), "--json"]).exit_code == 0


@pytest.mark.parametrize("command", ["run", "sensitivity"])
def test_seed_of_2_63_on_the_command_line(tmp_path: Path, command: str) -> None:
    path = _write(tmp_path, NK1)
    result = runner.invoke(app, [command, str(path), "--seed", str(2**63), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--seed" in result.output and not (tmp_path / "o").exists()


def test_sweep_seed_of_2_63(tmp_path: Path) -> None:
    sweep = _grid(tmp_path, 1)
    sweep.write_text(sweep.read_text().replace('scenario = "s.toml"', f'scenario = "s.toml"\nseed = {2**63}'))
    _refused(
        runner.invoke(app, ["sweep", str(sweep), "--data-dir", str(tmp_path / "d")]), "[sweep.seed]", "2**63"
    )


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a test that reaches the simulation: its checks must come first."""

    def simulate(*args, **kwargs):
        raise AssertionError("simulated before the checks that can fail")

    monkeypatch.setattr("domesim.results.run.run_scenario", simulate)
    monkeypatch.setattr("domesim.results.store._LOCK_WAIT_S", 0.2)


def _run(tmp_path: Path, *options: str):
    return runner.invoke(app, ["run", str(_write(tmp_path, NK1)), "--trials", "1", *options])


@pytest.mark.usefixtures("no_simulation")
def test_out_is_an_existing_file(tmp_path: Path) -> None:
    blocker = _write(tmp_path, "not a folder", "blocker")
    _refused(_run(tmp_path, "--out", str(blocker), "--data-dir", str(tmp_path / "d")), "--out", "is a file")


@pytest.mark.usefixtures("no_simulation")
def test_data_dir_is_an_existing_file(tmp_path: Path) -> None:
    blocker = _write(tmp_path, "not a folder", "blocker")
    stderr = _refused(_run(tmp_path, "--out", str(tmp_path / "o"), "--data-dir", str(blocker)), "--data-dir")
    assert "catalogue" in stderr


@pytest.mark.usefixtures("no_simulation")
def test_corrupt_catalogue(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "runs.duckdb").write_bytes(b"this is no database\n" * 100)
    stderr = _refused(_run(tmp_path, "--out", str(tmp_path / "o"), "--data-dir", str(data)), "not a DuckDB")
    assert "other domesim process" not in stderr and "in use" not in stderr


@pytest.mark.usefixtures("no_simulation")
def test_locked_catalogue(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\ncon = duckdb.connect(sys.argv[1])\n"
         "print('held', flush=True)\ntime.sleep(60)", str(data / "runs.duckdb")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = _run(tmp_path, "--out", str(tmp_path / "o"), "--data-dir", str(data))
    finally:
        holder.kill()
        holder.wait()
    stderr = _refused(result, "in use by another process", f"PID {holder.pid}")
    assert "not a DuckDB" not in stderr


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,
        "OBJECT_NAME,NORAD_CAT_ID,EPOCH,MEAN_MOTION\n" + "x" * 200_000 + ",1,2,3\n",
    ],
    ids=["deeply-nested-json", "csv-field-over-the-csv-limit"],
)
def test_omm_file_that_crashed_the_reader(tmp_path: Path, content: str) -> None:
    path = _with_tle(tmp_path, content)
    stderr = _refused(runner.invoke(app, ["cost", str(path), "--allow-large"]), "constellation#1.tle_file")
    assert len(stderr) < 2000, len(stderr)
