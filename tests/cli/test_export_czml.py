"""``domesim run`` writes ``scene.czml``; ``domesim export czml RUN_DIR`` writes the same document for the
same trial from the stored run; bad input is one clear message and exit status 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NK1 = REPO / "examples" / "nk-1.toml"


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DOMESIM_DATA_DIR=str(data_dir))
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=REPO,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "nk1"
    data = tmp_path_factory.mktemp("data")
    result = _cli("run", str(NK1), "--trials", "5", "--seed", "4", "--out", str(out), "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_run_writes_the_scene_and_export_gives_the_same_document(run_dir: Path, tmp_path: Path) -> None:
    written = json.loads((run_dir / "scene.czml").read_text())
    assert written[0]["id"] == "document"
    trial = next(p for p in written if p["id"] == "scene")["properties"]["trial"]
    out = tmp_path / "again.czml"
    result = _cli("export", "czml", str(run_dir), "--trial", str(trial), "--out", str(out), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == (run_dir / "scene.czml").read_bytes()
    # without --trial: the same default trial, written beside the run
    result = _cli("export", "czml", str(run_dir), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (run_dir / f"scene-{trial}.czml").read_bytes() == out.read_bytes()


@pytest.mark.slow
def test_another_trial_and_a_trial_out_of_range(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "t4.czml"
    result = _cli("export", "czml", str(run_dir), "--trial", "4", "--out", str(out), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert next(p for p in json.loads(out.read_text()) if p["id"] == "scene")["properties"]["trial"] == 4
    result = _cli("export", "czml", str(run_dir), "--trial", "5", data_dir=tmp_path)
    assert result.returncode == 2 and "out of range" in result.stderr


@pytest.mark.parametrize("case", ["missing", "empty", "no-scenario", "negative-trial"])
def test_bad_input_exits_2_without_a_traceback(case: str, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    if case != "missing":
        folder.mkdir()
    if case == "no-scenario":
        (folder / "summary.json").write_text(json.dumps({"trials": 2, "seed": 1, "chunk_trials": 2}))
    args = ["export", "czml", str(folder)] + (["--trial", "-1"] if case == "negative-trial" else [])
    result = _cli(*args, data_dir=tmp_path)
    assert result.returncode == 2
    if case in ("missing", "empty", "no-scenario"):
        assert result.stderr.startswith("error ") and "run folder" in result.stderr
