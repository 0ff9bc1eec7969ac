"""``domesim catalogue [KIND [ID]]``: the catalogue's entries with values, units and sources."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from domesim.build.catalogue import KINDS, find_kind, load_catalogue, unit_label
from domesim.errors import DomesimError


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", "catalogue", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_threat_json_lists_every_threat_class() -> None:
    result = _cli("threat", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    catalogue = load_catalogue()
    assert [e["id"] for e in data["entries"]] == catalogue.ids("threat")
    for entry in data["entries"]:
        expected = catalogue.entry("threat", entry["id"])
        assert entry["name"] == expected.fields["name"] and entry["family"] == expected.fields["family"]
        assert set(entry["params"]) == set(expected.params)
        for key, p in entry["params"].items():
            want = expected.params[key]
            value = list(want.value) if isinstance(want.value, tuple) else want.value
            assert (p["value"], p["tag"], p["source"]) == (value, want.tag, list(want.source))
            assert p["unit"] == unit_label(key)
            assert all(s in data["sources"] and data["sources"][s] for s in p["source"])


def test_kinds_and_one_entry_as_text() -> None:
    kinds = _cli()
    assert kinds.returncode == 0 and all(k in kinds.stdout for k in KINDS)
    gbi = _cli("interceptors", "gbi")  # a plural names the kind too
    assert gbi.returncode == 0, gbi.stderr
    line = next(row for row in gbi.stdout.splitlines() if "burnout_speed_km_s" in row)
    assert "km/s" in line and "S07" in line
    assert "S07:" in gbi.stdout  # the cited source's title


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("thret",), "did you mean 'threat'"),
        (("threat", "icbm_soild"), "did you mean 'icbm_solid'"),
    ],
)
def test_unknown_kind_or_id_exits_2(args: tuple[str, ...], message: str) -> None:
    result = _cli(*args)
    assert result.returncode == 2 and message in result.stderr


def test_find_kind_and_units() -> None:
    assert find_kind("Deployments") == "deployment" and find_kind("launch-price") == "launch_price"
    with pytest.raises(DomesimError, match="known kinds"):
        find_kind("xyz")
    assert [unit_label(k) for k in ("ops_musd_per_unit_year", "confirm_m", "range_sigma_m", "accel_g")] == [
        "M$/unit-year",
        "",
        "m",
        "g",
    ]
