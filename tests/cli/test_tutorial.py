"""``docs/tutorial.md`` runs: its ```python blocks, in order and in one namespace, print the ```text block
that follows each of them.

The blocks run in a scratch folder that sees the repository's ``examples/`` (so that what the tutorial
saves under ``out/`` lands there). A change of results that moves a printed figure fails here: re-run the
blocks and paste their output into the page.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

# Five runs of nk-1 (200 trials each) and a report: seconds warm, a minute on a cold numba cache.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = REPO / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(text: str) -> list[tuple[str, str | None]]:
    """Each python block with the text block right after it (None if the next block is not text)."""
    found = [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]
    out = []
    for i, (lang, code) in enumerate(found):
        if lang == "python":
            follows = found[i + 1] if i + 1 < len(found) else None
            out.append((code, follows[1] if follows and follows[0] == "text" else None))
    return out


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def test_blocks_are_found() -> None:
    found = blocks(TUTORIAL.read_text(encoding="utf-8"))
    assert len(found) >= 6
    assert all(expected is not None for _, expected in found), "every python block shows its output"


def test_tutorial_runs_and_prints_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "tutorial"}
    for i, (code, expected) in enumerate(blocks(TUTORIAL.read_text(encoding="utf-8")), start=1):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"{TUTORIAL.name} python block {i}", "exec"), namespace)
        if expected is not None:
            assert _lines(printed.getvalue()) == _lines(expected), (
                f"python block {i} of docs/tutorial.md printed something else than the page shows"
            )
    assert (tmp_path / "out" / "nk-1-one-gbi" / "report.html").is_file()
