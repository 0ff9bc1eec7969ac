"""Files a scenario or sweep names must lie under its own folder (symlinks resolved) unless
``--allow-path`` allows another; output folders made from a scenario's name stay inside ``out/``; user
text is printed as written, never read as console markup or emoji codes (docs/design.md, Input policy).

``domesim cost`` reads the file, its architecture and its TLE files without building the physics, so most
cases use it: each runs in well under a second in-process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from domesim.cli import app
from domesim.limits import SLUG_CHARS, slug

REPO = Path(__file__).resolve().parents[2]
NK1 = (REPO / "examples" / "nk-1.toml").read_text(encoding="utf-8")

DATA = REPO / "tests" / "data"
ISS = (DATA / "iss.tle").read_text(encoding="utf-8")  # from the python-sgp4 README (public example)
SPACE = (DATA / "space-tle.toml").read_text(encoding="utf-8")
SPACE = SPACE.replace('tle_file = "sats.tle"', 'tle_file = "{tle}"')

runner = CliRunner()


def _space(folder: Path, tle: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "space.toml"
    path.write_text(SPACE.replace("{tle}", tle), encoding="utf-8")
    return path


def _refused(result, key: str = "constellation#1.tle_file") -> str:
    """The stderr of a command refused for a file outside the scenario's folder."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert key in result.stderr and "--allow-path" in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A TLE file outside the scenario's folder (tmp/elsewhere/sats.tle); the scenario is in tmp/scn."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "sats.tle").write_text(ISS, encoding="utf-8")
    return folder / "sats.tle"


def test_dotdot_path_is_refused(tmp_path: Path, outside: Path) -> None:
    scenario = _space(tmp_path / "scn", "../elsewhere/sats.tle")
    stderr = _refused(runner.invoke(app, ["cost", str(scenario)]))
    assert str(scenario) in stderr and "../elsewhere/sats.tle" in stderr


def test_etc_passwd_is_refused_and_not_quoted(tmp_path: Path) -> None:
    scenario = _space(tmp_path / "scn", "../../../../../../../../etc/passwd")
    stderr = _refused(runner.invoke(app, ["cost", str(scenario)]))
    assert "root:" not in stderr  # the file is never opened, let alone quoted


def test_absolute_path_is_refused(tmp_path: Path, outside: Path) -> None:
    scenario = _space(tmp_path / "scn", str(outside))
    _refused(runner.invoke(app, ["cost", str(scenario)]))


def test_symlink_pointing_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    scenario = _space(tmp_path / "scn", "link.tle")
    (tmp_path / "scn" / "link.tle").symlink_to(outside)
    stderr = _refused(runner.invoke(app, ["cost", str(scenario)]))
    assert str(outside) in stderr  # the message says where the link leads


def test_file_inside_the_folder_is_read(tmp_path: Path) -> None:
    scenario = _space(tmp_path / "scn", "sub/sats.tle")
    (tmp_path / "scn" / "sub").mkdir()
    (tmp_path / "scn" / "sub" / "sats.tle").write_text(ISS, encoding="utf-8")
    result = runner.invoke(app, ["cost", str(scenario), "--json"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_allow_path_lets_an_outside_file_in(tmp_path: Path, outside: Path, how: str) -> None:
    tle = {"dotdot": "../elsewhere/sats.tle", "absolute": str(outside), "symlink": "link.tle"}[how]
    scenario = _space(tmp_path / "scn", tle)
    if how == "symlink":
        (tmp_path / "scn" / "link.tle").symlink_to(outside)
    refused = runner.invoke(app, ["cost", str(scenario), "--json"])
    assert refused.exit_code == 2
    allowed = runner.invoke(app, ["cost", str(scenario), "--json", "--allow-path", str(outside.parent)])
    assert allowed.exit_code == 0, allowed.output


def test_allow_path_of_another_folder_does_not_help(tmp_path: Path, outside: Path) -> None:
    scenario = _space(tmp_path / "scn", str(outside))
    other = tmp_path / "other"
    other.mkdir()
    _refused(runner.invoke(app, ["cost", str(scenario), "--allow-path", str(other)]))


def test_api_allow_paths_keyword(tmp_path: Path, outside: Path) -> None:
    """The Python API takes the same allowance (``allow_paths=``); checked on the loader it passes it to."""
    import inspect

    from domesim import api
    from domesim.errors import ScenarioError
    from domesim.limits import InputPolicy
    from domesim.scenario.costing import scenario_cost
    from domesim.scenario.loader import load_spec

    assert "allow_paths" in inspect.signature(api.run).parameters
    scenario = _space(tmp_path / "scn", str(outside))
    with pytest.raises(ScenarioError, match="allow-path"):
        scenario_cost(load_spec(scenario))
    policy = InputPolicy.of(allow_paths=[outside.parent])
    assert scenario_cost(load_spec(scenario, policy=policy)).estimates


# ------------------------------------------------------------------------------------------------ sweeps

SWEEP = """
[sweep]
name = "confined-sweep"
scenario = "{scenario}"
trials = 10

[[parameter]]
key = "doctrine.salvo_size"
values = [1, 2]
"""


def _sweep(folder: Path, scenario: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sweep.toml"
    path.write_text(SWEEP.replace("{scenario}", scenario), encoding="utf-8")
    return path


def test_sweep_base_scenario_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "nk-1.toml").write_text(NK1, encoding="utf-8")
    sweep = _sweep(tmp_path / "sweeps", "../elsewhere/nk-1.toml")
    data = tmp_path / "data"
    result = runner.invoke(app, ["sweep", str(sweep), "--data-dir", str(data), "--out", str(tmp_path / "o")])
    stderr = _refused(result, "sweep.scenario")
    assert str(sweep) in stderr

    from domesim.limits import InputPolicy
    from domesim.studies.sweep import load_sweep

    allowed = load_sweep(sweep, InputPolicy.of(allow_paths=[tmp_path / "elsewhere"]))
    assert len(allowed.points) == 2


def test_sweep_base_scenario_as_absolute_path_is_refused(tmp_path: Path) -> None:
    sweep = _sweep(tmp_path / "sweeps", "/etc/passwd")
    result = runner.invoke(app, ["sweep", str(sweep), "--data-dir", str(tmp_path / "d")])
    stderr = _refused(result, "sweep.scenario")
    assert "root:" not in stderr


# ------------------------------------------------------------------------------------- output folders


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x", "x"),
        ("/tmp/abs", "tmp-abs"),
        ("..", "scenario"),
        (".hidden", "hidden"),
        ("NK 1 [bold red]:x:", "nk-1-bold-red-x"),
        ("a" * 500, "a" * SLUG_CHARS),
    ],
)
def test_slug_is_a_plain_folder_name(name: str, expected: str) -> None:
    assert slug(name) == expected


@pytest.mark.parametrize("name", ["../../x", "/abs/olute"])
def test_name_derived_output_stays_in_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """``run`` without --out writes to out/<slug of the name>; the folder is made before anything is
    simulated, so a --data-dir that is a file stops the run right after it (and proves the order)."""
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    scenario = work / "s.toml"
    scenario.write_text(NK1.replace('name = "nk-1"', f'name = "{name}"'), encoding="utf-8")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["run", str(scenario), "--data-dir", str(blocker), "--trials", "1"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr and "--data-dir" in result.stderr
    assert (work / "out" / slug(name)).is_dir()
    assert sorted(p.name for p in (work / "out").iterdir()) == [slug(name)]
    assert not (tmp_path / "a" / "x").exists() and not Path("/abs/olute").exists()


# ----------------------------------------------------------------------------------- markup and emoji


def test_markup_and_emoji_in_a_name_are_printed_literally(tmp_path: Path) -> None:
    scenario = tmp_path / "markup.toml"
    scenario.write_text(NK1.replace('name = "nk-1"', 'name = "[bold red]x:x:"'), encoding="utf-8")
    result = runner.invoke(app, ["cost", str(scenario)], color=True)
    assert result.exit_code == 0, result.output
    assert "[bold red]x:x:" in result.stdout
    assert "\N{CROSS MARK}" not in result.stdout


def test_markup_in_an_error_message_is_printed_literally(tmp_path: Path) -> None:
    scenario = tmp_path / "markup.toml"
    text = NK1.replace('deployment = "uewr_clear"', 'deployment = "[red]no:x:"')
    scenario.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["cost", str(scenario)], color=True)
    assert result.exit_code == 2, result.output
    assert "[red]no:x:" in result.stderr and "\N{CROSS MARK}" not in result.stderr


def test_shipped_sweep_needs_its_scenario_folder_allowed() -> None:
    """examples/sweeps/nk-10-frontier.toml names ../nk-10-space.toml: allowed with --allow-path examples."""
    from domesim.errors import ScenarioError
    from domesim.limits import InputPolicy
    from domesim.studies.sweep import load_sweep

    sweep = REPO / "examples" / "sweeps" / "nk-10-frontier.toml"
    assert "--allow-path examples" in sweep.read_text(encoding="utf-8")
    with pytest.raises(ScenarioError, match="allow-path"):
        load_sweep(sweep)
    loaded = load_sweep(sweep, InputPolicy.of(allow_paths=[REPO / "examples"]))
    assert loaded.scenario_path == (REPO / "examples" / "nk-10-space.toml").resolve()
