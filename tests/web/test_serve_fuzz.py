"""Fuzzing `domesim serve` from its own OpenAPI schema (schemathesis): every operation, generated requests,
never a 5xx. Runs stay cheap through the app's own bounds (at most 20 trials, one run in flight), not stubs.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from typing import Any

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from domesim.web.app import create_app  # noqa: E402

RUNS = tempfile.mkdtemp(prefix="domesim-fuzz-")
APP = create_app(runs_dir=RUNS, max_trials=20, max_concurrent=1)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CALLS: Counter[tuple[str, int]] = Counter()  # (operation, status) of every generated request


def test_the_schema_lists_every_operation() -> None:
    paths = APP.openapi()["paths"]
    assert {"/api/runs", "/api/runs/{run_id}", "/api/uploads", "/api/scenarios/{base}/form"} <= set(paths)
    trials = APP.openapi()["components"]["schemas"]["RunRequest"]["properties"]["trials"]
    assert trials["maximum"] == 20


FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),  # more to hunt; 25 in the suite
    derandomize=True,  # the same examples on every run
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def test_no_operation_answers_5xx() -> None:
    # every operation in this one test (schemathesis' own parametrisation runs only some of them when the
    # suite is spread over processes by pytest-xdist)
    for result in schema.get_all_operations():
        operation = result.ok()
        # the schema's examples first (they reach real runs and uploads), then generated requests
        strategy = st.one_of(*operation.get_strategies_from_examples(), operation.as_strategy())

        @FUZZ_SETTINGS
        @given(case=strategy)
        def call(case: Any) -> None:
            response = case.call()
            CALLS[(f"{case.method} {case.operation.path}", response.status_code)] += 1
            answer = (case.method, case.path, response.status_code, response.text[:500])
            assert response.status_code < 500, answer

        call()


def test_every_operation_was_fuzzed() -> None:
    paths = APP.openapi()["paths"]
    operations = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    assert operations <= {op for op, _ in CALLS}
    if out := os.environ.get("FUZZ_REPORT"):  # a table of what was sent and answered, for a report
        rows = sorted(CALLS.items())
        with open(out, "w", encoding="utf-8") as f:
            json.dump([{"operation": op, "status": st, "count": n} for (op, st), n in rows], f, indent=1)


def teardown_module() -> None:
    APP.state.server.shutdown()  # cancel what the fuzzing started
    shutil.rmtree(RUNS, ignore_errors=True)
