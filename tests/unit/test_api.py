"""``domesim.api`` without simulating: its curated names, and a stored run folder read back by ``open_run``
(tables, pandas, xarray with units). The runs themselves are in ``tests/cli/test_api_run.py``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import domesim.api as api
from domesim.errors import ParameterError
from domesim.results.run import write_run

# A two-trial, two-object run: object 0 a warhead, object 1 a decoy. Trial 0: the warhead is killed by
# the second of two GBI salvos; trial 1: one salvo misses it and it leaks.
TABLES = {
    "trials": {
        "trial": np.arange(2, dtype=np.int64),
        "leakers": np.array([0, 1], np.int32),
        "objects_killed": np.array([1, 0], np.int32),
        "nonlethal_killed": np.array([0, 0], np.int32),
        "shots_fired": np.array([4, 2], np.int32),
    },
    "engagements": {
        "trial": np.array([0, 0, 1], np.int64),
        "object": np.array([0, 0, 0], np.int32),
        "site": np.array(["gbi_fort_greely"] * 3),
        "interceptor": np.array(["gbi"] * 3),
        "layer": np.array(["midcourse"] * 3),
        "launch_t_s": np.array([600.0, 800.0, 600.0]),
        "intercept_t_s": np.array([900.0, 1100.0, 900.0]),
        "shots": np.array([2, 2, 2], np.int32),
        "killed": np.array([False, True, False]),
        "intercept_alt_km": np.array([900.0, 700.0, 900.0]),
        "intercept_range_km": np.array([2000.0, 1500.0, 2000.0]),
    },
    "objects": {
        "object": np.arange(2, dtype=np.int32),
        "name": np.array(["ICBM", "ICBM decoy 1"]),
        "kind": np.array(["rv", "decoy"]),
        "lethal": np.array([True, False]),
        "threat_class": np.array(["icbm_solid"] * 2),
        "aim": np.array(["47.6062,-122.3321"] * 2),
        "launch_t_s": np.array([0.0, 0.0]),
        "range_km": np.array([8000.0, 8000.0]),
        "p_leak": np.array([0.5, 1.0]),
    },
    "leakers": {
        "trial": np.array([1], np.int64),
        "object": np.array([0], np.int32),
        "name": np.array(["ICBM"]),
        "cause": np.array(["missed_midcourse"]),
    },
}
SUMMARY = {
    "scenario": "demo",
    "trials": 2,
    "seed": 7,
    "version": "0",
    "sensing": "full",
    "p_no_leak": {"mean": 0.5, "ci95": [0.1, 0.9]},
}


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    return write_run(tmp_path / "run", SUMMARY, TABLES)


def test_all_is_curated_and_importable() -> None:
    assert len(api.__all__) == len(set(api.__all__)) <= 15
    for name in api.__all__:
        assert getattr(api, name) is not None, name
    assert {"run", "open_run", "Results", "load_scenario", "scenario_cost"} <= set(api.__all__)


def test_open_run_reads_summary_and_tables(stored: Path) -> None:
    results = api.open_run(stored)
    assert results.summary == json.loads(json.dumps(SUMMARY))
    assert results.names == ("trials", "engagements", "objects", "leakers")
    assert results.run_dir == stored
    assert results.table("engagements").num_rows == 3
    assert results.table("objects").column("name").to_pylist() == ["ICBM", "ICBM decoy 1"]
    df = results.to_pandas("trials")
    assert list(df.columns) == list(TABLES["trials"])
    assert df["leakers"].tolist() == [0, 1]
    assert "P(no leaker) 0.5000" in repr(results)


def test_to_xarray_gives_trial_by_object_arrays_with_units(stored: Path) -> None:
    ds = api.open_run(stored).to_xarray()
    assert dict(ds.sizes) == {"trial": 2, "object": 2}
    assert ds["killed"].dims == ("trial", "object")
    assert ds["killed"].values.tolist() == [[True, False], [False, False]]
    assert ds["leaked"].values.tolist() == [[False, False], [True, False]]
    assert ds["leak_cause"].values.tolist() == [["", ""], ["missed_midcourse", ""]]
    assert ds["shots"].values.tolist() == [[4, 0], [2, 0]]
    assert ds["engagements"].values.tolist() == [[2, 0], [1, 0]]
    assert ds["kill_t_s"].values[0, 0] == 1100.0 and np.isnan(ds["kill_t_s"].values[1, 0])
    assert ds["kill_alt_km"].attrs["units"] == "km"
    assert ds["kill_t_s"].attrs["units"] == "s"
    assert ds["leakers"].dims == ("trial",) and ds["leakers"].attrs["units"] == "1"
    assert ds["range_km"].dims == ("object",) and ds["range_km"].attrs["units"] == "km"
    assert ds["name"].values.tolist() == ["ICBM", "ICBM decoy 1"]
    assert ds.attrs["scenario"] == "demo" and ds.attrs["seed"] == 7
    # the per-trial counts agree with the trial x object arrays
    assert (ds["leaked"].sum("object").values == ds["leakers"].values).all()
    assert (ds["shots"].sum("object").values == ds["shots_fired"].values).all()


def test_bad_names_and_folders_say_what_to_do(stored: Path, tmp_path: Path) -> None:
    results = api.open_run(stored)
    with pytest.raises(ParameterError, match="no table 'nope'.*'trials'"):
        results.table("nope")
    with pytest.raises(ParameterError, match="no report.html"):
        results.report(tmp_path / "r.html")
    with pytest.raises(ParameterError, match="no summary.json"):
        api.open_run(tmp_path / "missing")
    (stored / "objects.parquet").unlink()
    with pytest.raises(ParameterError, match="objects.parquet"):
        api.open_run(stored)


def test_a_run_stored_before_the_leakers_table_still_opens(stored: Path) -> None:
    (stored / "leakers.parquet").unlink()
    ds = api.open_run(stored).to_xarray()
    assert ds["leaked"].values.tolist() == [[False, False], [True, False]]
    assert "leak_cause" not in ds


def test_report_of_an_opened_run_copies_its_report(stored: Path, tmp_path: Path) -> None:
    (stored / "report.html").write_text("<html>stored</html>")
    out = api.open_run(stored).report(tmp_path / "copy" / "report.html")
    assert out.read_text() == "<html>stored</html>"
