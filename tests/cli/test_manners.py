"""Terminal manners: flags read as flags in --help, tables round their figures (JSON keeps every digit),
and output that is piped is never cut or wrapped."""

from __future__ import annotations

import json
import subprocess
import sys

from domesim.build.catalogue import load_catalogue
from domesim.core import analytic


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result


def test_flags_have_no_type_in_help() -> None:
    help_text = _cli("calc", "salvo", "--help").stdout
    for flag in ("--json", "--help"):
        line = next(row for row in help_text.splitlines() if flag in row)
        assert "<bool>" not in line, line
    assert "<float>" in next(row for row in help_text.splitlines() if "--pk" in row)


def test_calc_table_rounds_and_json_keeps_every_digit() -> None:
    args = ("calc", "salvo", "--pk", "0.85", "--shots", "2", "--reliability", "0.97", "--warheads", "3")
    exact = analytic.salvo(0.85, 2, 0.97, 3)
    table = _cli(*args).stdout
    assert f"{exact.p_kill:.4g}" in table and f"{exact.p_kill:.6g}" not in table
    assert json.loads(_cli(*args, "--json").stdout)["p_kill"] == exact.p_kill


def test_calc_help_names_the_design_section() -> None:
    assert "docs/design.md section 6" in _cli("calc", "--help").stdout


def test_piped_tables_are_not_cut() -> None:
    out = _cli("catalogue", "sensor").stdout  # stdout is a pipe here
    lines = out.splitlines()
    catalogue = load_catalogue()
    for sensor in catalogue.ids("sensor"):
        name = catalogue.entry("sensor", sensor).fields["name"]
        assert any(sensor in line and name in line for line in lines), name
