"""The builder's form and TOML writer, without a server: every example's form, its edits, and the TOML
text written back."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from domesim.scenario.edits import apply_edits
from domesim.scenario.loader import load_spec
from domesim.scenario.toml_writer import dumps
from domesim.web.form import EditError, controls, edits_for

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_round_trips_through_the_toml_writer(path: Path, tmp_path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    text = dumps(data, header="made by a test\nsecond line")
    assert tomllib.loads(text) == data
    out = tmp_path / path.name
    out.write_text(text, encoding="utf-8")
    assert load_spec(out).spec == load_spec(path).spec


def test_strings_cannot_break_out_of_their_line() -> None:
    data = {"scenario": {"name": 'x"\n[evil]\nkey = 1 \\ \x00\x1f\u2028', "description": "ok"}}
    text = dumps(data)
    assert tomllib.loads(text) == data
    assert "[evil]" not in text.splitlines()


def test_a_changed_sbi_count_sets_the_whole_walker_from_the_catalogue() -> None:
    data = tomllib.loads((EXAMPLES[0].parent / "nk-10-space.toml").read_text(encoding="utf-8"))
    form = controls(data)
    key = "constellation[sbi_cbo_2026].walker"
    edits = edits_for(form, {f"{key}.per_plane": 20, f"{key}.planes": 10})
    assert edits[f"{key}.per_plane"] == 20 and edits[f"{key}.planes"] == 10
    assert edits[f"{key}.alt_km"] == 400.0 and edits[f"{key}.pattern"] == "delta"
    edited = apply_edits(data, edits)
    (sbi,) = [c for c in edited["constellation"] if c["constellation"] == "sbi_cbo_2026"]
    assert sbi["walker"]["planes"] * sbi["walker"]["per_plane"] == 200


def test_switches_remove_blocks_and_canada_sets_all_three_flags() -> None:
    data = {
        "sensor": [{"deployment": "a"}, {"deployment": "a"}, {"deployment": "b"}],
        "threat": [{"class": "icbm_solid", "count": 2}],
    }
    form = controls(data)
    keys = {c.key for c in form}
    assert {"sensor[0]", "sensor[1]", "sensor[b]", "norad.canada", "threat[0].count"} <= keys
    edits = edits_for(form, {"sensor[0]": False, "sensor[1]": False, "norad.canada": False})
    assert list(edits)[-2:] == ["sensor[1]", "sensor[0]"]  # by position, the last first
    edited = apply_edits(data, edits)
    assert edited["sensor"] == [{"deployment": "b"}]
    assert edited["norad"] == {"canada_sensors": False, "canada_sites": False, "canada_assets": False}


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"threat[0].count": 0}, "outside"),
        ({"threat[0].count": 2.5}, "whole number"),
        ({"threat[0].count": None}, "whole number"),
        ({"norad.canada": "yes"}, "true or false"),
        ({"threat[0].class": 1}, "not a control"),
    ],
)
def test_values_are_checked_against_their_control(values: dict, words: str) -> None:
    form = controls({"threat": [{"class": "icbm_solid", "count": 2}]})
    with pytest.raises(EditError, match=words):
        edits_for(form, values)
