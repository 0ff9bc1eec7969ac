# domesim: `make demo` runs the default scenario, `make test` runs every check, `make bench` the benchmarks.
# `make check` is the quick loop while editing: ruff, mypy, the import layers and the tests not marked
# `slow` with the doctests in src/ (a few minutes on a cold numba cache, less once the cache is warm).
# `make test` runs everything: the same lint, then every test and doctest, slow ones included.
# `make fuzz` is the nightly-style fuzz campaign (tests/fuzz/campaign.py): 10,000 mutated scenarios, sweeps
# and TLE/OMM files through `domesim validate`, 500 through `domesim run --trials 2`, on 2 worker processes;
# it fails on any traceback, hang over 30 s, file opened outside the input's folder or worker over 2 GB, and
# leaves the failing inputs in out/fuzz/failures/ (`make test` runs a few hundred: tests/fuzz/).
# `make view` shows a run on the globe (RUN=out/golden-dome by default, what `make demo` writes).
# Each target creates (or refreshes) the virtual environment in .venv first; check, test, view and bench
# also install the globe viewer's browser library (`make web`: CesiumJS at the version pinned in
# web/package-lock.json, from npm, into web/node_modules); the demo needs only Python.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO ?= examples/golden-dome.toml
RUN ?= out/golden-dome
WEB_STAMP := web/node_modules/.installed

.PHONY: demo check test lint bench validate fuzz clean web view

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# npm ci installs exactly what web/package-lock.json pins (and fails if package.json disagrees with it).
$(WEB_STAMP): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

demo: $(STAMP)
	$(BIN)/domesim run $(DEMO)

# The globe viewer of a run folder (RUN=out/... to choose another), on http://127.0.0.1.
view: $(STAMP) $(WEB_STAMP)
	$(BIN)/domesim view $(RUN) --open

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Tests marked @pytest.mark.slow (registered in pyproject.toml) compile or simulate a lot, or start
# several domesim processes; `check` leaves them to `test`.
check: lint $(WEB_STAMP)
	$(BIN)/python -m pytest -m "not slow" --doctest-modules src tests

# Two pytest processes (pytest-xdist), each taking a whole test file at a time, so a module's fixtures
# are computed once: the suite is mostly single-threaded Python and subprocesses waiting on each other.
test: lint $(WEB_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --doctest-modules src tests

fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.campaign --validate 10000 --run 500 --workers 2 --out out/fuzz

bench: $(STAMP) $(WEB_STAMP)
	$(BIN)/python benchmarks/run.py

# The validation book: every published analysis domesim reproduces, rewritten from the code.
validate: $(STAMP)
	$(BIN)/domesim validate-against --out docs/validation.md

clean:
	rm -rf $(VENV) web/node_modules out .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
