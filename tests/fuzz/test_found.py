"""Crashes the fuzzer found (tests/fuzz/campaign.py) and their fixes outside the scenario loader, schema,
TLE reader, CLI, run store and sweeps: each is now a clear problem, not a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from domesim.errors import ScenarioError
from domesim.scenario.loader import load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_fobs_launch_point_whose_aim_cannot_be_solved_is_a_problem(tmp_path: Path) -> None:
    """fobs-south.toml with launch_lon_deg = -63: the fractional-orbit targeting's Jacobian was singular and
    numpy's LinAlgError escaped; now the targeting stops and reports that it did not converge."""
    text = (EXAMPLES / "fobs-south.toml").read_text(encoding="utf-8")
    assert text.count("launch_lon_deg = 63.0") == 1
    path = tmp_path / "fobs.toml"
    path.write_text(text.replace("launch_lon_deg = 63.0", "launch_lon_deg = -63.0"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="did not converge|de-orbit"):
        load_scenario(path)


def _nk10_space_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (EXAMPLES / "nk-10-space.toml").read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path = tmp_path / "scenario.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_sensing_value_of_the_wrong_type_is_a_problem(tmp_path: Path) -> None:
    """``sensing = {}``: the check for renamed values hashed it (TypeError: unhashable type)."""
    path = _nk10_space_with(tmp_path, "[scenario]\n", "[scenario]\nsensing = {}\n")
    with pytest.raises(ScenarioError, match="sensing"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a" * 5000 + ".tle", "cannot be"), ("sats.tle\0.toml", "NUL")],
    ids=["long", "nul"],
)
def test_an_element_file_name_no_file_system_takes_is_a_problem(
    tmp_path: Path, name: str, expected: str
) -> None:
    """``tle_file`` of 5,000 characters (OSError: File name too long) or with a NUL byte (ValueError)."""
    text = (EXAMPLES / "nk-10-space.toml").read_text(encoding="utf-8")
    path = tmp_path / "scenario.toml"
    written = name.replace("\0", "\\u0000")  # TOML's escape of NUL
    block = f'\n[[constellation]]\nname = "imported"\nsensor = "leo_wide_field"\ntle_file = "{written}"\n'
    path.write_text(text + block, encoding="utf-8")
    with pytest.raises(ScenarioError, match=expected) as raised:
        load_scenario(path)
    assert len(str(raised.value)) < 2000


def test_an_omm_classification_sgp4_cannot_store_is_a_problem(tmp_path: Path) -> None:
    """An OMM JSON record with ``CLASSIFICATION_TYPE`` a number: SGP4's reader raised TypeError."""
    from domesim.orbits.tle import parse_elements

    record = (
        '[{"OBJECT_NAME": "ISS", "NORAD_CAT_ID": 25544, "EPOCH": "2019-12-09T16:38:29.363424", '
        '"MEAN_MOTION": 15.50103472, "ECCENTRICITY": 0.0007417, "INCLINATION": 51.6439, '
        '"RA_OF_ASC_NODE": 211.2001, "ARG_OF_PERICENTER": 17.6667, "MEAN_ANOMALY": 85.6398, '
        '"BSTAR": 0.000038792, "MEAN_MOTION_DOT": 0.00001764, "MEAN_MOTION_DDOT": 0, '
        '"CLASSIFICATION_TYPE": 210}]'
    )
    with pytest.raises(ScenarioError, match="CLASSIFICATION_TYPE"):
        parse_elements(record, 2458827.5, source="omm.json")


def test_blocks_with_an_apogee_shape_share_their_launch_solution(tmp_path: Path) -> None:
    """Two identical blocks asking for an apogee: the shared launch solution's key could not be pickled
    (the shape's measure is a lambda)."""
    text = (EXAMPLES / "nk-1.toml").read_text(encoding="utf-8")
    block = '\n[[threat]]\nclass = "icbm_solid"\nlaunch_region = "north_korea"\naim_asset = "seattle"\n'
    path = tmp_path / "scenario.toml"
    path.write_text(text + (block + "apogee_km = 1500.0\n") * 2, encoding="utf-8")
    loaded = load_scenario(path)
    assert len(loaded.world.objects) >= 3


def test_an_omm_json_number_too_long_to_convert_is_a_problem() -> None:
    """A JSON number of a million digits: Python's int conversion limit raised ValueError."""
    from domesim.orbits.tle import parse_elements

    with pytest.raises(ScenarioError, match="malformed JSON"):
        parse_elements('[{"NORAD_CAT_ID": ' + "9" * 10_000 + "}]", 2458827.5, source="omm.json")


def test_a_sampled_sweep_over_an_infinite_range_is_a_problem(tmp_path: Path) -> None:
    """``low = -inf`` in a sampled sweep: the points were drawn (NaN) and rounded (ValueError)."""
    from domesim.studies.sweep import load_sweep

    shutil.copy(EXAMPLES / "nk-1.toml", tmp_path / "nk-1.toml")
    path = tmp_path / "sweep.toml"
    path.write_text(
        '[sweep]\nname = "s"\nscenario = "nk-1.toml"\nmethod = "sample"\nsamples = 2\n\n[[parameter]]\n'
        'key = "interceptor_site[gbi_fort_greely].inventory"\nlow = -inf\nhigh = 10\ninteger = true\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="parameter"):
        load_sweep(path)


def test_a_sweep_naming_a_scenario_too_long_for_the_file_system_is_a_problem(tmp_path: Path) -> None:
    """A sweep's ``scenario = "aaaa..."`` (thousands of characters): ``Path.is_file`` raised OSError
    (ENAMETOOLONG) out of load_sweep; now the sweep file's key is named."""
    from domesim.studies.sweep import load_sweep

    path = tmp_path / "sweep.toml"
    path.write_text(
        f'[sweep]\nname = "s"\nscenario = "{"a" * 5000}"\n\n[[parameter]]\nkey = "doctrine.salvo_size"\n'
        "values = [1, 2]\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="no scenario file") as err:
        load_sweep(path)
    assert err.value.problems[0].key == "sweep.scenario"
