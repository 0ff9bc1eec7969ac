"""`domesim calc loft`: a lofted test converted to the missile's standard range, one JSON object on stdout;
bad input and an unflyable test exit 2 with a message naming the option or the reach (never a
traceback). The published conversions themselves are the book's (tests/validation/test_book.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from domesim.cli import app

RUNNER = CliRunner()
KEYS = {"standard_range_km", "burnout_speed_km_s", "burnout_angle_deg", "burnout_alt_km", "fitted"}


@pytest.mark.slow
def test_calc_loft_json_has_the_conversion_and_a_higher_test_converts_farther() -> None:
    ranges = []
    for apogee_km in (2800.0, 4475.0):
        result = RUNNER.invoke(
            app, ["calc", "loft", "--apogee-km", str(apogee_km), "--range-km", "950", "--json"]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert KEYS <= set(data), data
        lo, hi = data["standard_range_band_km"]
        assert lo <= data["standard_range_km"] <= hi
        assert 0.0 < data["burnout_angle_deg"] < 45.0  # the range-maximising trajectory is shallow
        assert data["fitted"]["test_burnout_angle_deg"] > 60.0  # the test was lofted
        ranges.append(data["standard_range_km"])
    assert 5000.0 < ranges[0] < ranges[1]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--apogee-km", "-5", "--range-km", "950"], ["--apogee-km", "expected"]),
        (["--apogee-km", "4000", "--range-km", "nan"], ["--range-km", "expected"]),
        (["--apogee-km", "4000", "--range-km", "950", "--azimuth-deg", "nan"], ["--azimuth-deg", "expected"]),
        (["--apogee-km", "4000", "--range-km", "950", "--launch-lon-deg", "inf"], ["--launch-lon-deg"]),
        (["--apogee-km", "4000", "--range-km", "950", "--threat", "icbm_sold"], ["icbm_solid"]),
        (["--apogee-km", "4000", "--range-km", "950", "--threat", "hgv_regional"], ["not a ballistic"]),
        (["--apogee-km", "30000", "--range-km", "998"], ["no scale", "fitted apogees span"]),
    ],
    ids=[
        "negative-apogee", "nan-range", "nan-azimuth", "inf-lon", "unknown-class", "glide-class", "unflyable",
    ],
)
def test_calc_loft_bad_input_exits_2_with_a_clear_message(args: list[str], fragments: list[str]) -> None:
    result = RUNNER.invoke(app, ["calc", "loft", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def test_validate_against_to_an_unwritable_place_exits_2(tmp_path) -> None:
    from unittest import mock

    from domesim import book

    with mock.patch.object(book, "render", return_value="# book\n"), mock.patch.object(
        book.REPRODUCTIONS, "names", return_value=[]
    ):
        result = RUNNER.invoke(app, ["validate-against", "--out", str(tmp_path / "missing" / "v.md")])
    assert result.exit_code == 2, result.output
    assert "cannot write the book" in result.output and "Traceback" not in result.output
