"""Re-record the summaries of tests/regression/test_examples_unchanged.py (after a deliberate change of
results: say why in the CHANGELOG). Run from the repository root: ``python tests/regression/record.py``."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    spec = importlib.util.spec_from_file_location("unchanged", HERE / "test_examples_unchanged.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in sorted((HERE / "recorded").glob("*.json")):
        path.write_text(json.dumps(module.summary_of(path.stem), indent=1, sort_keys=True))
        print("recorded", path.stem)


# Only when run as a script: `pytest --doctest-modules tests` (make test) imports every module of tests/,
# and an import that re-recorded would make the regression test compare the code with itself.
if __name__ == "__main__":
    main()
