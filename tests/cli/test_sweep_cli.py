"""``domesim sweep`` and ``domesim sensitivity`` end to end: real subprocesses, the real DuckDB catalogue.

A sweep stores each finished point as a row of ``sweep_points``; interrupted with SIGINT (Ctrl-C) and run
again, it must lose no finished point and repeat none (the rows of the first run are kept unchanged,
and the second run adds only the missing ones). The frontier must be the Pareto set of the stored points.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

from domesim.errors import ParameterError
from domesim.scenario.edits import apply_edits
from domesim.studies.sweep import pareto_front

REPO = Path(__file__).resolve().parents[2]

SWEEP = """
[sweep]
name = "{name}"
scenario = "{scenario}"
trials = 20
seed = 3
method = "{method}"
samples = 5

[[parameter]]
key = "interceptor_site[gbi_fort_greely].inventory"
label = "GBIs"
{gbi}

[[parameter]]
key = "doctrine.salvo_size"
{salvo}
"""


def _sweep_file(tmp_path: Path, name: str = "s", method: str = "grid", **edit: str) -> Path:
    shutil.copy(REPO / "examples" / "nk-1.toml", tmp_path / "nk-1.toml")  # a sweep names files in its folder
    fields = {
        "name": name,
        "scenario": "nk-1.toml",
        "method": method,
        "gbi": "values = [0, 4, 8]",
        "salvo": "values = [1, 2]",
        **edit,
    }
    path = tmp_path / f"{name}.toml"
    path.write_text(SWEEP.format(**fields), encoding="utf-8")
    return path


def _env(data_dir: Path) -> dict[str, str]:
    return dict(os.environ, DOMESIM_DATA_DIR=str(data_dir))


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "domesim.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=_env(data_dir),
        timeout=600,
    )


def _rows(data_dir: Path) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "runs.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT point, params, p_no_leak, cost_usd, created_utc FROM sweep_points ORDER BY point"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_sweep_stores_points_and_draws_the_frontier(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _cli("sweep", str(_sweep_file(tmp_path)), "--out", str(out), "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["points"] == 6 and data["reused"] == 0
    rows = _rows(tmp_path)
    assert [r[0] for r in rows] == list(range(6))
    assert (out / "frontier.png").stat().st_size > 10_000
    lines = (out / "points.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert len(lines) == 7 and {"GBIs", "cost_usd", "p_no_leak", "pareto"} <= set(header)
    p = np.array([float(line.split(",")[header.index("p_no_leak")]) for line in lines[1:]])
    cost = np.array([float(line.split(",")[header.index("cost_usd")]) for line in lines[1:]])
    gbis = np.array([int(line.split(",")[header.index("GBIs")]) for line in lines[1:]])
    assert (p[gbis == 8] >= p[gbis == 0]).all()  # points in grid order: salvo 1, 2 at each inventory
    assert (cost[gbis == 8] > cost[gbis == 4]).all()  # more interceptors cost more
    pareto = np.array([line.split(",")[header.index("pareto")] == "True" for line in lines[1:]])
    assert np.array_equal(pareto, pareto_front(cost, p))
    assert len(data["pareto"]) == int(pareto.sum())
    # run again: everything is read back from the catalogue, nothing recomputed
    again = _cli("sweep", str(_sweep_file(tmp_path)), "--out", str(out), "--json", data_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["reused"] == 6
    assert _rows(tmp_path) == rows


@pytest.mark.slow
def test_interrupted_sweep_loses_and_repeats_nothing(tmp_path: Path) -> None:
    path = _sweep_file(tmp_path, "ctrl-c", gbi="values = [1, 2, 3, 4, 5, 6]")
    proc = subprocess.Popen(
        [sys.executable, "-m", "domesim.cli", "sweep", str(path), "--out", str(tmp_path / "out")],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=_env(tmp_path),
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait for two finished points, then press Ctrl-C
        if line.startswith("point 2/12 stored"):
            break
    proc.send_signal(signal.SIGINT)
    tail = proc.stderr.read()
    assert proc.wait(timeout=120) == 130, tail
    assert "interrupted" in tail
    before = _rows(tmp_path)
    assert 2 <= len(before) < 12
    result = _cli("sweep", str(path), "--out", str(tmp_path / "out"), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{len(before)} of 12 points already stored" in result.stderr
    after = _rows(tmp_path)
    assert [r[0] for r in after] == list(range(12))  # one row per point: none lost, none twice
    assert after[: len(before)] == before  # the finished points were not run again
    stored_again = [line for line in result.stderr.splitlines() if line.startswith("point ")]
    assert len(stored_again) == 12 - len(before)


@pytest.mark.slow
def test_sampled_sweep_uses_a_latin_hypercube(tmp_path: Path) -> None:
    path = _sweep_file(
        tmp_path,
        "lhs",
        method="sample",
        gbi="low = 0\nhigh = 8\ninteger = true",
        salvo="low = 1\nhigh = 2\ninteger = true",
    )
    result = _cli("sweep", str(path), "--out", str(tmp_path / "out"), "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    params = [json.loads(r[1]) for r in _rows(tmp_path)]
    gbis = sorted(p["interceptor_site[gbi_fort_greely].inventory"] for p in params)
    assert len(params) == 5 and len({int(g * 5 / 8.0001) for g in gbis}) == 5  # one sample per stratum


NOWHERE = 'values = [1]\n\n[[parameter]]\nkey = "interceptor_site[nowhere].inventory"\nvalues = [1]'


BAD_SWEEPS = [
    ({"salvo": NOWHERE}, "no block named 'nowhere'"),
    ({"gbi": "low = 0\nhigh = 8"}, "a grid sweep needs values"),
    ({"gbi": "values = [-4]"}, "inventory"),
    ({"scenario": "missing.toml"}, "sweep.scenario"),
    ({"salvo": 'values = [1]\n\n[[parameter]]\nkey = "interceptor site.inventory"\nvalues = [1]'},
     "bad.toml [parameter]: key 'interceptor site.inventory'"),
]  # fmt: skip


@pytest.fixture(scope="module")
def bad_sweeps(
    tmp_path_factory: pytest.TempPathFactory, side_by_side
) -> list[subprocess.CompletedProcess[str]]:
    """``domesim sweep`` on each of BAD_SWEEPS (in a folder of its own), the processes side by side."""
    folders = [tmp_path_factory.mktemp("bad-sweep") for _ in BAD_SWEEPS]
    return side_by_side(
        lambda i: _cli("sweep", str(_sweep_file(folders[i], "bad", **BAD_SWEEPS[i][0])), data_dir=folders[i]),
        range(len(BAD_SWEEPS)),
    )


@pytest.mark.slow
@pytest.mark.parametrize("case", range(len(BAD_SWEEPS)), ids=[needle for _, needle in BAD_SWEEPS])
def test_bad_sweep_input_exits_2_naming_the_key(bad_sweeps, case: int) -> None:
    needle = BAD_SWEEPS[case][1]
    result = bad_sweeps[case]
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_pareto_front_marks_exactly_the_undominated_points() -> None:
    rng = np.random.default_rng(5)
    cost, p = rng.uniform(0, 10, 300).round(1), rng.uniform(0, 1, 300).round(2)
    front = pareto_front(cost, p)
    for i in range(300):
        dominated = ((cost <= cost[i]) & (p >= p[i]) & ((cost < cost[i]) | (p > p[i]))).any()
        assert front[i] == (not dominated)


def test_edits_name_the_key_they_cannot_apply() -> None:
    data = {"interceptor_site": [{"deployment": "a", "inventory": 1}, {"deployment": "b"}]}
    assert apply_edits(data, {"interceptor_site[b].inventory": 5})["interceptor_site"][1]["inventory"] == 5
    assert data["interceptor_site"][1] == {"deployment": "b"}  # the original is not changed
    for key, needle in (
        ("interceptor_site[c].inventory", "no block named 'c'"),
        ("interceptor_site[5].inventory", "there are 2 blocks"),
        ("threat[0].count", "no [[threat]] blocks"),
        ("interceptor_site[a].inventory.x", "inside a value"),
        ("interceptor site.x", "is not a TOML key"),
    ):
        with pytest.raises(ParameterError, match=needle.replace("[", r"\[")):
            apply_edits(data, {key: 1})


@pytest.mark.slow
def test_sensitivity_tornado_moves_with_the_input(tmp_path: Path) -> None:
    """nk-1 with only the GBI inputs varied: a higher single-shot kill probability cannot lower P(no leak)
    (common random numbers), and the unit cost moves the cost but not the simulated outcome."""
    out = tmp_path / "out"
    result = _cli(
        "sensitivity", "examples/nk-1.toml", "--trials", "100", "--only", "gbi.", "--out", str(out), "--json",
        data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {r["input"]: r for r in data["inputs"]}
    assert {"gbi.sspk", "gbi.unit_cost_musd"} <= set(rows)
    sspk = rows["gbi.sspk"]
    assert sspk["p_no_leak_low"] < data["base"]["p_no_leak"] < sspk["p_no_leak_high"]
    assert sspk["cost_usd_low"] == sspk["cost_usd_high"] == data["base"]["cost_usd"]
    unit = rows["gbi.unit_cost_musd"]
    assert unit["p_no_leak_low"] == unit["p_no_leak_high"] == data["base"]["p_no_leak"]
    assert unit["cost_usd_low"] <= data["base"]["cost_usd"] < unit["cost_usd_high"]
    assert all((out / f"tornado_{m}.png").stat().st_size > 5_000 for m in ("p_no_leak", "cost"))
