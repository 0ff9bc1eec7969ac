"""Start-up: the quick commands import no heavy module (numba, scipy.optimize, the run store, ...).

What a command imports is checked, never how long it takes (timings do not belong in tests): each case
runs the command in a fresh interpreter and lists ``sys.modules`` when it exits.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("numba", "scipy.optimize", "duckdb", "pyarrow", "matplotlib")
PROBE = """
import json, sys
from domesim.cli import main
sys.argv = ["domesim", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
with open({out!r}, "w") as f:
    json.dump(sorted(sys.modules), f)
"""


def _modules_after(args: list[str], tmp_path: Path) -> set[str]:
    out = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(out=str(out)), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return set(json.loads(out.read_text()))


@pytest.mark.parametrize(
    ("args", "also_absent"),
    [
        (["--help"], ("numpy", "scipy", "pydantic_core", "domesim.scenario.loader")),
        (["calc", "--help"], ("numpy", "scipy")),
        (["run", "--help"], ("numpy", "domesim.scenario.loader")),
        (["export", "czml", "--help"], ("numpy", "czml3", "domesim.scenario.loader")),
        (["serve", "--help"], ("numpy", "fastapi", "uvicorn", "domesim.web")),
        (["calc", "salvo", "--pk", "0.5", "--shots", "2"], ("scipy",)),
        (["calc", "absentee", "--reach-km", "800"], ()),
        (["catalogue", "threat"], ("numpy", "scipy")),
        (["view", "--help"], ("fastapi", "uvicorn", "starlette", "domesim.web.view")),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_quick_commands_import_nothing_heavy(
    args: list[str], also_absent: tuple[str, ...], tmp_path: Path
) -> None:
    loaded = _modules_after(args, tmp_path)
    assert "domesim.cli" in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY or m in also_absent)
    heavy += sorted(m for m in also_absent if m in loaded)
    assert not heavy, f"`domesim {' '.join(args)}` imports {heavy}"
