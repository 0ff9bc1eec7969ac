# domesim: `make demo` runs the default scenario, `make test` runs every check, `make bench` the benchmarks.
# `make check` is the quick loop while editing: ruff, mypy, the import layers and the tests not marked
# `slow` with the doctests in src/ (a few minutes on a cold numba cache, less once the cache is warm).
# `make test` runs everything: the same lint, then every test and doctest, slow ones included.
# `make fuzz` is the nightly-style fuzz campaign (tests/fuzz/campaign.py): 10,000 mutated scenarios, sweeps
# and TLE/OMM files through `domesim validate`, 500 through `domesim run --trials 2`, on 2 worker processes;
# it fails on any traceback, hang over 30 s, file opened outside the input's folder or worker over 2 GB, and
# leaves the failing inputs in out/fuzz/failures/ (`make test` runs a few hundred: tests/fuzz/).
# Each target creates (or refreshes) the virtual environment in .venv first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO ?= examples/golden-dome.toml

.PHONY: demo check test lint bench validate fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/domesim run $(DEMO)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Tests marked @pytest.mark.slow (registered in pyproject.toml) compile or simulate a lot, or start
# several domesim processes; `check` leaves them to `test`.
check: lint
	$(BIN)/python -m pytest -m "not slow" --doctest-modules src tests

test: lint
	$(BIN)/python -m pytest --doctest-modules src tests

fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.campaign --validate 10000 --run 500 --workers 2 --out out/fuzz

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The validation book: every published analysis domesim reproduces, rewritten from the code.
validate: $(STAMP)
	$(BIN)/domesim validate-against --out docs/validation.md

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
