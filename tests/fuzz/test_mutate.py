"""The fuzzer's own parts: the seeds are valid, the TOML writer writes what it is given, the same seed
draws the same mutants, and every kind of recipe becomes files and a command line."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.fuzz: also run as `python -m`

from tests.fuzz import mutate, seeds, tomlwrite  # noqa: E402


def test_the_toml_writer_round_trips_every_seed() -> None:
    for name, text in {**seeds.scenario_seeds(), **seeds.sweep_seeds()}.items():
        data = tomllib.loads(text)
        assert tomllib.loads(tomlwrite.dumps(data)) == data, name


def test_the_toml_writer_writes_edge_values_and_deep_nesting() -> None:
    data = {"a": {"nan": float("nan"), "inf": float("-inf"), "tiny": 5e-324, "big": 2**70, "s": 'q"\\\x00'}}
    back = tomllib.loads(tomlwrite.dumps(data))["a"]
    assert back["nan"] != back["nan"] and back["inf"] == float("-inf") and back["tiny"] == 5e-324
    assert back["big"] == 2**70 and back["s"] == 'q"\\\x00'
    deep = tomlwrite.dumps({"x": {"v": tomlwrite.Nested("array", 100_000)}})  # no recursion in the writer
    assert deep.count("[") == 100_000 + 1


def test_the_tle_seeds_have_valid_checksums() -> None:
    for _, line1, line2 in seeds.TLE_SETS:
        assert all(len(x) == 69 and int(x[-1]) == seeds.tle_checksum(x) for x in (line1, line2))


def test_the_tle_and_omm_seeds_read_alike(tmp_path: Path) -> None:
    from domesim.orbits.tle import read_elements

    (tmp_path / "sats.tle").write_text(seeds.tle_text())
    _, reference = read_elements(tmp_path / "sats.tle", 2458827.5)
    for fmt in ("csv", "json", "xml"):
        (tmp_path / f"sats.{fmt}").write_text(seeds.omm_text(fmt))
        _, elements = read_elements(tmp_path / f"sats.{fmt}", 2458827.5)
        assert elements.shape == reference.shape == (3, 6), fmt


def test_the_same_seed_draws_the_same_recipes() -> None:
    first = mutate.draw("run", 60, seed=5)
    assert first == mutate.draw("run", 60, seed=5) and len(first) == 60
    assert {r["kind"] for r in first} == {"scenario", "sweep", "tle"}
    assert first != mutate.draw("run", 60, seed=6)


@pytest.mark.parametrize("command", ["validate", "run"])
def test_every_recipe_becomes_files_and_a_command_line(tmp_path: Path, command: str) -> None:
    for i, recipe in enumerate(mutate.draw(command, 40, seed=11)):
        folder = tmp_path / str(i)
        folder.mkdir()
        argv = mutate.materialize(recipe, folder)
        assert argv[0] in ("validate", "run", "sweep") and Path(argv[1]).is_file()
        assert (folder / "link-out").is_symlink()
        assert (command == "run") == ("--trials" in argv) or recipe["kind"] == "sweep"
