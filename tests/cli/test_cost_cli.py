"""``domesim cost``: the examples priced end to end, the JSON contract, and bad input (exit status 2).

The JSON must hold ``total_usd``, ``dollar_year``, ``horizon_years``, ``elements`` (each with
``units_bought``, ``acquisition_usd``, ``launch_usd``, ``ops_usd``...), ``by_layer``, ``by_country`` and
the fielding schedule, and its totals must add up. A part with no public figure is ``null`` (JSON) and
"not costed" (table), never 0.0, and is left out of every total. Bad ``[cost]`` values and options give
one clear message naming the file, the key and the line, and exit status 2, never a traceback (design.md
section 3, Errors).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domesim.cli import app

REPO = Path(__file__).resolve().parents[2]
GOLDEN_DOME = REPO / "examples" / "golden-dome.toml"
NK_10 = REPO / "examples" / "nk-10.toml"
PARTS = ("development_usd", "acquisition_usd", "launch_usd", "ops_usd")


def _cost_json(*args: str) -> dict:
    result = CliRunner().invoke(app, ["cost", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", [GOLDEN_DOME, NK_10], ids=["golden-dome", "nk-10"])
def test_cost_json_contract_and_totals_add_up(path):
    data = _cost_json(str(path))
    for key in (
        "total_usd",
        "dollar_year",
        "horizon_years",
        "elements",
        "by_layer",
        "by_country",
        "fielding",
    ):
        assert key in data
    assert data["dollar_year"] == 2025 and data["horizon_years"] == 20  # catalogue defaults (S69, S44, S45)
    elements = data["elements"]
    assert elements
    for e in elements:
        for key in ("element", "layer", "units_bought", *PARTS, "total_usd", "schedule", "shares_usd"):
            assert key in e
        costed = [e[p] for p in PARTS if e[p] is not None]
        assert {p for p in PARTS if e[p] is None} == set(e["not_costed_parts"])
        assert e["total_usd"] == pytest.approx(sum(costed), rel=1e-12)
        assert e["low_usd"] <= e["total_usd"] <= e["high_usd"]
        assert len(e["schedule"]["in_service"]) == data["horizon_years"]
    assert data["total_usd"] == pytest.approx(sum(e["total_usd"] for e in elements), rel=1e-12)
    assert data["total_usd"] == pytest.approx(
        sum(r["total_usd"] for r in data["by_layer"].values()), rel=1e-12
    )
    assert data["total_usd"] == pytest.approx(sum(data["by_country"].values()), rel=1e-12)
    assert data["total_usd"] == pytest.approx(sum(data["by_year_usd"]), rel=1e-12)
    assert data["total_low_usd"] <= data["total_usd"] <= data["total_high_usd"]
    fielding = data["fielding"]
    assert len(fielding["years"]) == 20 and fielding["years"][0] == 2026  # the scenario epoch's year
    assert set(fielding["in_service"]) == {e["element"] for e in elements}
    # the GBI sites of both examples: 40 at Fort Greely + 4 at Vandenberg, all bought once (life = horizon)
    gbi = next(e for e in elements if e["element"] == "gbi")
    assert gbi["units"] == 44 and gbi["units_bought"] == 44
    assert {p["element"] for p in data["provenance"]} >= {"gbi"}


def test_golden_dome_sbi_layer_is_replenished_ranged_and_rate_limited():
    """7,800 SBIs with CBO 2026's 5-year life (S45), built at the catalogue's default 1,440 a year (the
    largest satellite line reported, S79): 1,440 more in service each year, never all 7,800 (a 5-year life
    sustains 7,200), each cohort replaced after 5 years; the unknown mass and development cost (catalogue
    tag unknown) give the element a range and are listed."""
    data = _cost_json(str(GOLDEN_DOME))
    sbi = next(e for e in data["elements"] if e["element"] == "sbi")
    assert sbi["units"] == 7800 and sbi["units_bought"] == 1440 * 20
    assert sbi["layer"] == "boost" and sbi["launch_usd"] > 0 and sbi["ops_usd"] > 0
    assert {u["parameter"] for u in sbi["unknowns"]} == {"mass_kg", "development_musd"}
    assert sbi["low_usd"] < sbi["total_usd"] < sbi["high_usd"]
    assert sbi["schedule"]["in_service"][:7] == [1440, 2880, 4320, 5760, 7200, 7200, 7200]
    assert sbi["schedule"]["retired"][5] == 1440 and sbi["year_reached"] is None
    # units per launch from a Starship-class 100 t payload and the central mass (45-1,250 kg): 154
    assert sbi["schedule"]["launches"][0] == -(-1440 // (100_000 // 647.5))
    not_costed = {(m["element"], m["parameter"]) for m in data["not_costed"]}
    assert ("uewr", "*") in not_costed  # no public cost figure: listed, not invented
    assert "uewr" in {w["element"] for w in data["not_costed_elements"]}
    assert data["totals_are_lower_bounds"] is True
    ngi = next(e for e in data["elements"] if e["element"] == "ngi")
    assert ngi["schedule"]["in_service"][:3] == [0, 0, 20]  # first emplacement 2028 (S03, S05)
    # Canada bears its own sites' elements (the A-OTHR, the notional Ottawa PAC-3 battery) by default
    assert data["by_country"]["CA"] > 0


def test_cost_options_change_horizon_and_dollar_year():
    base = _cost_json(str(GOLDEN_DOME))
    short = _cost_json(str(GOLDEN_DOME), "--horizon-years", "10", "--dollar-year", "2020")
    assert short["horizon_years"] == 10 and short["dollar_year"] == 2020
    assert len(short["fielding"]["years"]) == 10
    sbi = next(e for e in short["elements"] if e["element"] == "sbi")
    assert sbi["units_bought"] == 14_400  # 1,440 a year for 10 years
    assert short["total_usd"] < base["total_usd"]


def test_cost_table_of_overrides_in_the_scenario(tmp_path):
    """A [cost] table: a known SBI mass, Canada's share, a launch cadence and an "operational by" year."""
    text = GOLDEN_DOME.read_text(encoding="utf-8") + (
        "\n[cost]\ncanada_share = 0.35\noperational_year = 2028\n\n"
        "[cost.element.sbi]\nmass_kg = 1250.0\nlaunches_per_year = 20\nunits_per_launch = 100\n"
        "production_per_year = 10000\n"
    )
    path = tmp_path / "golden-dome-cost.toml"
    path.write_text(text, encoding="utf-8")
    data = _cost_json(str(path))
    base = _cost_json(str(GOLDEN_DOME))
    sbi = next(e for e in data["elements"] if e["element"] == "sbi")
    assert {u["parameter"] for u in sbi["unknowns"]} == {"development_musd"}
    assert sbi["operational"] == {"year": 2028, "reachable": False, "year_reached": 2029}
    assert sbi["schedule"]["in_service"][:4] == [2000, 4000, 6000, 7800]
    assert data["settings"]["canada_share"] == 0.35
    assert data["by_country"]["CA"] > base["by_country"]["CA"]


def test_cost_table_prints(tmp_path):
    result = CliRunner().invoke(app, ["cost", str(NK_10)])
    assert result.exit_code == 0, result.output
    assert "total" in result.stdout and "gbi" in result.stdout
    assert "not costed" in result.stderr  # the early-warning radars have no public cost figure


BAD = [
    ("dollar-year", "\n[cost]\ndollar_year = 1950\n", "cost.dollar_year", ("outside the deflator table",)),
    (
        "negative-cost",
        "\n[cost.element.gbi]\nunit_cost_musd = -5.0\n",
        "cost.element.gbi.unit_cost_musd",
        ("greater than or equal to 0",),
    ),
    (
        "unit-suffix",
        "\n[cost.element.gbi]\nunit_cost = 5.0\n",
        "cost.element.gbi.unit_cost",
        ("unit_cost_musd",),
    ),
    ("unknown-element", "\n[cost.element.gbj]\nunit_cost_musd = 5.0\n", "cost.element.gbj", ("'gbi'",)),
    (
        "zero-life",
        "\n[cost.element.gbi]\nservice_life_years = 0.0\n",
        "cost.element.gbi.service_life_years",
        ("greater than 0",),
    ),
    (
        "unknown-launch-price",
        '\n[cost]\nlaunch_price = "cbo_2025_curent"\n',
        "cost.launch_price",
        ("unknown launch price", "'cbo_2025_current'"),
    ),
    (
        "two-launch-prices",
        '\n[cost]\nlaunch_price = "cbo_2026"\nlaunch_usd_per_kg = 500.0\n',
        "cost.launch_price",
        ("not both",),
    ),
    (
        "mass-basis-without-mass",
        '\n[cost.element.gbi]\nunit_cost_basis = "mass"\n',
        "cost.element.gbi.unit_cost_basis",
        ("mass_kg", "[cost.element.gbi]"),
    ),
    (
        "unknown-basis",
        '\n[cost.element.gbi]\nunit_cost_basis = "weight"\n',
        "cost.element.gbi.unit_cost_basis",
        ("'unit_cost'", "'mass'"),
    ),
    (
        "payload-below-mass",
        "\n[cost.element.sbi]\nmass_kg = 2000.0\nlaunch_payload_kg = 1000.0\n",
        "cost.element.sbi.launch_payload_kg",
        ("does not fit a launch",),
    ),
]


@pytest.mark.parametrize("suffix, key, fragments", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_cost_input_exits_2_naming_file_key_and_line(tmp_path, suffix, key, fragments):
    path = tmp_path / "bad.toml"
    base = GOLDEN_DOME if "[cost.element.sbi]" in suffix else NK_10  # nk-10 fields no SBIs
    text = base.read_text(encoding="utf-8") + suffix
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["cost", str(path), "--json"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    message = result.stderr
    assert "Traceback" not in message
    assert str(path) in message and f"[{key}]" in message, message
    for fragment in fragments:
        assert fragment in message, message
    line = text.splitlines().index(suffix.strip().splitlines()[-1]) + 1
    assert f"{path}:{line}" in message or f"{path}:{line - 1}" in message, message


def test_bad_launch_price_option_exits_2():
    result = CliRunner().invoke(app, ["cost", str(NK_10), "--launch-price", "starship"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "launch_price" in result.stderr and "unknown launch price 'starship'" in result.stderr
    assert "cbo_2026" in result.stderr  # the known ids are listed


def test_bad_dollar_year_option_exits_2():
    result = CliRunner().invoke(app, ["cost", str(NK_10), "--dollar-year", "1980"])
    assert result.exit_code == 2
    assert "dollar_year" in result.stderr and "outside the deflator table" in result.stderr


@pytest.mark.slow
def test_bad_cost_input_in_a_real_process(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(NK_10.read_text(encoding="utf-8") + "\n[cost]\ndollar_year = 1950\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", "cost", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "cost.dollar_year" in result.stderr


def test_cost_imports_no_simulation(tmp_path):
    """``domesim cost`` is arithmetic on the file and the catalogue: no compiled kernels, no world."""
    script = (
        "import json, sys\n"
        "from domesim.cli import app\n"
        "try:\n"
        f"    app(['cost', {str(GOLDEN_DOME)!r}, '--json'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numba', 'scipy', 'duckdb')\n"
        "    or m.startswith(('domesim.engine', 'domesim.build.world', 'domesim.threats')))\n"
        "print(json.dumps(heavy), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    assert json.loads(result.stdout)["total_usd"] > 0


def test_cli_names_the_run_catalogue_file_as_the_store_does():
    from domesim import cli
    from domesim.results.store import CATALOGUE_NAME

    assert cli.CATALOGUE_NAME == CATALOGUE_NAME


# ----------------------------------------------------------------------------------------- not costed
def _rows(stdout: str) -> dict[str, list[str]]:
    """The element table's rows, by element: its cells split on runs of 2+ spaces."""
    rows = {}
    for line in stdout.splitlines():
        cells = [c for c in line.strip().split("  ") if c.strip()]
        if cells:
            rows.setdefault(cells[0].strip(), [c.strip() for c in cells[1:]])
    return rows


def test_not_costed_is_never_printed_or_written_as_zero():
    """Issue 14: a part with no public figure (THAAD's and SM-3's O&S, the early-warning radars whole) is
    "not costed" in the table and null in the JSON, never 0.0, and left out of every total, which is then
    marked as a lower bound (≥, totals_are_lower_bounds)."""
    result = CliRunner().invoke(app, ["cost", str(GOLDEN_DOME)])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    # columns: bought, devel., acquis., launch, O&S, total
    assert rows["thaad"][4] == "not costed" and rows["thaad"][5].startswith("≥")
    assert rows["sm3_iia"][4] == "not costed"
    assert rows["uewr"] == ["not costed"] * 5  # no [cost.uewr]: a row, all of it not costed
    assert rows["gbi"][4] != "not costed" and not rows["gbi"][5].startswith("≥")  # CBO 2002 O&S (S70)
    assert rows["total"][0].startswith("≥")
    assert "not costed (no public figure): " in result.stdout and "O&S of thaad" in result.stdout
    assert "uewr (4 units, all of it)" in result.stdout
    layer_rows = _rows(result.stdout.split("by layer")[1])
    assert layer_rows["upper_tier"][3] == "not costed"  # THAAD only: no O&S figure in the layer

    data = _cost_json(str(GOLDEN_DOME))
    assert data["totals_are_lower_bounds"] is True
    by_element = {e["element"]: e for e in data["elements"]}
    for m in data["not_costed"]:
        if m["part"] == "*":
            assert m["element"] not in by_element  # a whole element: not among the priced ones
        else:
            assert by_element[m["element"]][m["part"]] is None, m
    for e in data["elements"]:
        for part in e["not_costed_parts"]:
            assert e[part] is None
    assert data["by_layer"]["upper_tier"]["ops_usd"] is None
    assert data["by_layer"]["midcourse"]["not_costed"] == ["ops_usd"]  # SM-3 IIA's O&S
    whole = {w["element"]: w for w in data["not_costed_elements"]}
    assert set(whole) == {"opir_heo", "cobra_dane", "uewr", "spy6"} and whole["uewr"]["units"] == 4
    assert data["total_usd"] == pytest.approx(sum(e["total_usd"] for e in data["elements"]), rel=1e-12)


def test_launch_price_option_reprices_only_launch():
    """``--launch-price``: CBO 2025's $1,200/lb (S75) instead of CBO 2026's $500/kg (S45): the SBI launch
    bill scales with the price per kg (in 2025 dollars); nothing else of the SBI moves."""
    base = _cost_json(str(GOLDEN_DOME))
    dear = _cost_json(str(GOLDEN_DOME), "--launch-price", "cbo_2025_current")
    assert (
        base["settings"]["launch_price"] == "cbo_2026"
        and dear["settings"]["launch_price"] == "cbo_2025_current"
    )
    ratio = dear["settings"]["launch_usd_per_kg"] / base["settings"]["launch_usd_per_kg"]
    sbi, sbi_dear = (next(e for e in d["elements"] if e["element"] == "sbi") for d in (base, dear))
    assert sbi_dear["launch_usd"] == pytest.approx(sbi["launch_usd"] * ratio, rel=1e-12)
    for part in ("acquisition_usd", "development_usd", "ops_usd"):
        assert sbi_dear[part] == sbi[part]


def test_unit_cost_from_mass_and_dollars_per_kg(tmp_path):
    """``unit_cost_basis = "mass"``: the SBI's unit cost is its mass x dollars per kg of spacecraft (the
    cost-estimating relationship) instead of CBO's $22 M; with both given in the file, procurement is
    units bought x mass x $/kg exactly; from the catalogue, both are unknown ranges, costed over them."""
    path = tmp_path / "gd-mass.toml"
    path.write_text(
        GOLDEN_DOME.read_text(encoding="utf-8")
        + '\n[cost.element.sbi]\nunit_cost_basis = "mass"\nmass_kg = 1000.0\n'
        + "spacecraft_usd_per_kg = 15000.0\n",
        encoding="utf-8",
    )
    sbi = next(e for e in _cost_json(str(path))["elements"] if e["element"] == "sbi")
    assert sbi["procurement_usd"] == pytest.approx(sbi["units_bought"] * 1000.0 * 15000.0, rel=1e-12)
    path.write_text(
        GOLDEN_DOME.read_text(encoding="utf-8") + '\n[cost.element.sbi]\nunit_cost_basis = "mass"\n',
        encoding="utf-8",
    )
    sbi = next(e for e in _cost_json(str(path))["elements"] if e["element"] == "sbi")
    assert {u["parameter"] for u in sbi["unknowns"]} == {
        "mass_kg",
        "development_musd",
        "spacecraft_usd_per_kg",
    }
    assert sbi["low_usd"] < sbi["total_usd"] < sbi["high_usd"]
