"""Bad input gives one clear message and exit status 2, never a traceback (design.md section 3, Errors).

Every case starts from the text of ``examples/nk-1.toml`` and changes one thing. For each, the message
must name the file, the key path (``threat#1.aim_asset``) and, where it applies, the line; this is checked
three ways: in-process on :class:`~domesim.errors.ScenarioError` (what the loader knows), on the stderr of
``domesim validate`` run as a real subprocess, and on ``domesim run`` (in-process through typer's
``CliRunner``, plus a few real subprocesses).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domesim.cli import app
from domesim.errors import ScenarioError
from domesim.scenario.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.toml"))
BASE = (REPO / "examples" / "nk-1.toml").read_text(encoding="utf-8")


def _replace(old: str, new: str):
    def edit(text: str) -> str:
        assert text.count(old) == 1, f"{old!r} must occur once in nk-1.toml"
        return text.replace(old, new)

    return edit


@dataclass(frozen=True)
class Case:
    """One faulty scenario: how to make it, and what its message must contain."""

    id: str
    edit: object  # text -> text
    key: str | None  # key path the message must name (None: the fault has no key)
    fragments: tuple[str, ...]  # texts the message must contain (what is wrong / what to do)
    line_markers: tuple[str, ...] = field(default=())  # lines (found by their text) the message may name

    def text(self) -> str:
        return self.edit(BASE)  # type: ignore[operator]

    def lines(self, text: str) -> set[int]:
        """1-based line numbers of the markers in ``text`` (a marker ``"[[sensor]]#3"`` = 3rd occurrence)."""
        found = set()
        rows = text.splitlines()
        for marker in self.line_markers:
            needle, _, nth = marker.partition("#")
            hits = [i + 1 for i, row in enumerate(rows) if row.strip() == needle or needle in row]
            assert hits, f"marker {marker!r} not in the scenario text"
            found.add(hits[int(nth) - 1] if nth else hits[0])
        return found


CASES = [
    Case(
        "unreachable-loft",  # the solver cannot fly this shape: an error naming what it can fly
        _replace('aim_asset = "seattle"', 'aim_asset = "seattle"\nloft_deg = -30.0'),
        "threat#1.loft_deg",
        ("cannot fly loft_deg = -30", "minimum-energy angle"),
        ("loft_deg = -30.0",),
    ),
    Case(
        "unreachable-apogee",  # a lofted shot higher than the class can fly to this range
        _replace('aim_asset = "seattle"', 'aim_asset = "seattle"\napogee_km = 30000.0'),
        "threat#1.apogee_km",
        ("cannot fly apogee_km = 30000", "can fly apogee_km from"),
        ("apogee_km = 30000.0",),
    ),
    Case(
        "two-shapes",  # the shape is set once
        _replace('aim_asset = "seattle"', 'aim_asset = "seattle"\nloft_deg = 5.0\napogee_km = 2000.0'),
        "threat#1",
        ("give at most one of loft_deg, burnout_angle_deg, apogee_km, flight_time_min",),
        ("[[threat]]",),
    ),
    Case(
        "malformed-toml",
        _replace("step_s = 2.0", "step_s = = 2.0"),
        None,
        ("malformed TOML",),
        ("step_s = = 2.0",),
    ),
    Case(
        "unknown-key",
        _replace("step_s = 2.0", "step = 2.0"),
        "scenario.step",
        ("'step'", "step_s"),
        ("step = 2.0",),
    ),
    Case(
        "wrong-type",
        _replace("trials = 2000", 'trials = "many"'),
        "montecarlo.trials",
        ("many", "integer"),
        ('trials = "many"',),
    ),
    Case(
        "missing-units",
        _replace("duration_s = 2700.0", "duration = 2700"),
        "scenario.duration",
        ("'duration'", "duration_s"),
        ("duration = 2700",),
    ),
    Case(
        "negative-value",
        _replace('aim_asset = "seattle"', 'aim_asset = "seattle"\nlaunch_time_s = -5'),
        "threat#1.launch_time_s",
        ("-5",),
        ("launch_time_s = -5",),
    ),
    Case(
        "nan",
        _replace("step_s = 2.0", "step_s = nan"),
        "scenario.step_s",
        ("nan", "finite"),
        ("step_s = nan",),
    ),
    Case(
        "unknown-class",
        _replace('class = "icbm_solid"', 'class = "icbm_sold"'),
        "threat#1.class",
        ("icbm_sold", "icbm_solid"),
        ('class = "icbm_sold"',),
    ),
    Case(
        "unknown-launch-region",
        _replace('launch_region = "north_korea"', 'launch_region = "atlantis"'),
        "threat#1.launch_region",
        ("atlantis", "north_korea"),
        ('launch_region = "atlantis"',),
    ),
    Case(
        "unknown-aim-asset",
        _replace('aim_asset = "seattle"', 'aim_asset = "seatle"'),
        "threat#1.aim_asset",
        ("seatle", "seattle"),
        ('aim_asset = "seatle"',),
    ),
    Case(
        "unknown-deployment",
        _replace('deployment = "gbi_vandenberg"', 'deployment = "gbi_moon"'),
        "interceptor_site#2.deployment",
        ("gbi_moon", "gbi_vandenberg"),
        ('deployment = "gbi_moon"',),
    ),
    Case(
        "unknown-override-key",
        _replace('deployment = "gbi_vandenberg"', 'deployment = "gbi_vandenberg"\noverride = {spk = 0.5}'),
        "interceptor_site#2.override.spk",
        ("spk", "sspk"),
        ("override = {spk = 0.5}",),
    ),
    Case(
        "negative-override",
        _replace('deployment = "gbi_vandenberg"', 'deployment = "gbi_vandenberg"\noverride = {sspk = -0.1}'),
        "interceptor_site#2.override.sspk",
        ("-0.1",),
        ("override = {sspk = -0.1}",),
    ),
    Case(
        "unknown-catalogue-value",
        _replace('deployment = "uewr_beale"', 'deployment = "lrdr_clear"'),
        "sensor#3",
        ("max_range_km", "lrdr"),
        ("[[sensor]]#3", 'deployment = "lrdr_clear"'),
    ),
    Case(
        "unreachable-aim-point",
        _replace('aim_asset = "seattle"', "aim_lat_deg = -40.0\naim_lon_deg = -60.0"),
        "threat#1.aim_lat_deg",
        ("beyond", "reach", "km"),
        ("aim_lat_deg = -40.0",),
    ),
    Case(
        "duration-too-short",
        _replace("duration_s = 2700.0", "duration_s = 600.0"),
        "scenario.duration_s",
        ("600", "at least"),
        ("duration_s = 600.0",),
    ),
    Case(
        "constellation-inclination",
        lambda text: (
            text
            + '\n[[constellation]]\nsensor = "leo_wide_field"\n'
            + "walker = {alt_km = 1000.0, inc_deg = 190.0, planes = 4, per_plane = 7}\n"
        ),
        "constellation#1.walker.inc_deg",
        ("190", "180"),
        ("walker = {alt_km = 1000.0",),
    ),
    Case(
        "constellation-altitude",
        lambda text: (
            text
            + '\n[[constellation]]\ninterceptor = "sbi"\n'
            + "walker = {alt_km = 50.0, inc_deg = 50.0, planes = 4, per_plane = 7}\n"
        ),
        "constellation#1.walker.alt_km",
        ("50", "100"),
        ("walker = {alt_km = 50.0",),
    ),
    Case(
        "constellation-radar-payload",
        lambda text: (
            text
            + '\n[[constellation]]\nsensor = "uewr"\n'
            + "walker = {alt_km = 1000.0, inc_deg = 50.0, planes = 4, per_plane = 7}\n"
        ),
        "constellation#1.sensor",
        ("uewr", "space-based sensor"),
        ('sensor = "uewr"',),
    ),
    Case(
        "radar-face-azimuth",
        lambda text: text.replace(
            'deployment = "uewr_clear"',
            'deployment = "uewr_clear"\noverride = {faces_az_deg = [400.0, 60.0]}',
        ),
        "sensor#2.override.faces_az_deg",
        ("0 and 360",),
        ("override = {faces_az_deg",),
    ),
    Case(
        "radar-negative-power",
        lambda text: text.replace(
            'deployment = "uewr_clear"',
            'deployment = "uewr_clear"\n'
            "override = {power_aperture_w_m2 = -5.0, dwell_s = 0.01, noise_temp_k = 500.0, loss_db = 10.0}",
        ),
        "sensor#2.override.power_aperture_w_m2",
        ("-5", "W m^2"),
        ("override = {power_aperture_w_m2",),
    ),
    Case(
        "radar-unknown-band",
        lambda text: text.replace(
            'deployment = "uewr_clear"', 'deployment = "uewr_clear"\nband = "Q"'
        ),
        "sensor#2.band",
        ("'Q'", "UHF"),
        ('band = "Q"',),
    ),
]
KEYED = [c for c in CASES if c.key is not None]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "domesim.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / f"{case.id}.toml"
    path.write_text(case.text(), encoding="utf-8")
    return path


def _assert_clear_message(stderr: str, stdout: str, path: Path, case: Case) -> None:
    assert "Traceback" not in stderr and "Traceback" not in stdout
    assert stderr.strip(), "no message on stderr"
    assert str(path) in stderr, f"message does not name the file:\n{stderr}"
    for fragment in case.fragments:
        assert fragment in stderr, f"message lacks {fragment!r}:\n{stderr}"
    lines = case.lines(case.text())
    assert any(f"{path}:{line}" in stderr for line in lines), f"message lacks line {lines}:\n{stderr}"


# --------------------------------------------------------------------------------------- loader level


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_loader_problem_names_file_key_and_line(tmp_path: Path, case: Case) -> None:
    """The ScenarioError carries one Problem per fault with file, key path, line and a message."""
    path = _write(tmp_path, case)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = info.value.problems
    assert problems and all(p.message for p in problems)
    assert all(p.file == str(path) for p in problems)
    lines = case.lines(case.text())
    matching = [p for p in problems if p.key == (case.key or "")]
    assert matching, f"no problem with key {case.key!r}: {[str(p) for p in problems]}"
    assert any(p.line in lines for p in matching), [str(p) for p in matching]
    text = " ".join(str(p) for p in matching)
    for fragment in case.fragments:
        assert fragment in text


def test_loader_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nowhere.toml")
    assert "not found" in str(info.value) and "nowhere.toml" in str(info.value)


# ------------------------------------------------------------------------------------ domesim validate


Validated = dict[str, tuple[Path, subprocess.CompletedProcess[str]]]


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory, side_by_side) -> Validated:
    """``domesim validate`` on every case and every example, each a real process, started side by side
    (seconds of start-up each): case id or example name -> (scenario path, completed process)."""
    folder = tmp_path_factory.mktemp("validate")
    runs = [(case.id, _write(folder, case), ()) for case in CASES]
    runs += [(example.name, example, ("--json",)) for example in EXAMPLES]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOMESIM_DATA_DIR", str(tmp_path_factory.mktemp("validate-data")))
        results = side_by_side(lambda run: _cli("validate", str(run[1]), *run[2]), runs)
    return {key: (path, result) for (key, path, _), result in zip(runs, results, strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_bad_input_exit_2(validated: Validated, case: Case) -> None:
    path, result = validated[case.id]
    assert result.returncode == 2, result.stderr
    _assert_clear_message(result.stderr, result.stdout, path, case)
    assert result.stdout == ""


@pytest.mark.parametrize("case", KEYED, ids=[c.id for c in KEYED])
def test_validate_message_names_key(tmp_path: Path, case: Case) -> None:
    path = _write(tmp_path, case)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert case.key in result.stderr, f"message does not name {case.key!r}:\n{result.stderr}"


@pytest.mark.slow
def test_validate_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    result = _cli("validate", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr and "not found" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_validate_examples_pass(validated: Validated, example: Path) -> None:
    _, result = validated[example.name]
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["valid"] is True and info["scenario"] == example.stem
    assert info["threat_objects"] >= 1


@pytest.mark.slow
def test_validate_epoch_out_of_range_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "epoch.toml"
    path.write_text(BASE.replace("2026-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00"), encoding="utf-8")
    result = _cli("validate", str(path))
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert "epoch_utc" in result.stderr


# ----------------------------------------------------------------------------------------- domesim run


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_run_bad_input_exit_2_in_process(tmp_path: Path, case: Case) -> None:
    """In-process (CliRunner): exit 2 via SystemExit, nothing written, no catalogue row."""
    path = _write(tmp_path, case)
    out = tmp_path / "out"
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--data-dir", str(data)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    _assert_clear_message(result.stderr, result.stdout, path, case)
    assert not out.exists() and not data.exists()


SUBPROCESS_RUN_CASES = [c for c in CASES if c.id in {"malformed-toml", "unreachable-aim-point"}]


@pytest.mark.slow
@pytest.mark.parametrize("case", SUBPROCESS_RUN_CASES, ids=[c.id for c in SUBPROCESS_RUN_CASES])
def test_run_bad_input_exit_2_subprocess(tmp_path: Path, case: Case) -> None:
    path = _write(tmp_path, case)
    out = tmp_path / "out"
    result = _cli("run", str(path), "--out", str(out), "--trials", "10", "--json")
    assert result.returncode == 2, result.stderr
    _assert_clear_message(result.stderr, result.stdout, path, case)
    assert result.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize("case", KEYED, ids=[c.id for c in KEYED])
def test_run_message_names_key(tmp_path: Path, case: Case) -> None:
    path = _write(tmp_path, case)
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert case.key in result.stderr, f"message does not name {case.key!r}:\n{result.stderr}"


@pytest.mark.slow
def test_run_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    result = _cli("run", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr and "not found" in result.stderr


# -------------------------------------------------------------------------------------- domesim calc


@pytest.mark.slow
def test_calc_salvo_pk_above_one_exit_2() -> None:
    result = _cli("calc", "salvo", "--pk", "1.5", "--shots", "2")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "pk" in result.stderr and "1.5" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["calc", "salvo", "--pk", "0.5", "--shots", "0"],
        ["calc", "salvo", "--pk", "0.5", "--shots", "2", "--reliability", "2"],
        ["calc", "sls", "--pk", "-0.1", "--first", "1", "--second", "1"],
        ["calc", "shots-needed", "--pk", "0.5", "--warheads", "1", "--p-zero-leak", "1.0"],
        ["calc", "met", "--range-km", "-100"],
        ["calc", "absentee", "--reach-km", "0"],
    ],
    ids=[
        "salvo-no-shots",
        "salvo-reliability-2",
        "sls-negative-pk",
        "shots-needed-certainty",
        "met-negative",
        "absentee-zero-reach",
    ],
)
def test_calc_bad_parameter_exit_2_in_process(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stderr.strip() and result.stdout == ""


@pytest.mark.slow
def test_calc_salvo_good_parameters_exit_0() -> None:
    result = _cli("calc", "salvo", "--pk", "0.5", "--shots", "2", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["p_kill"] == 0.75
