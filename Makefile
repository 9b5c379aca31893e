# Each target creates .venv if it is missing and installs what it needs, so a fresh
# machine needs nothing but `make demo` or `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP_D := $(VENV)/.stamp-demo
STAMP_T := $(VENV)/.stamp-test

.PHONY: demo test test-slow bench lint clean dist-check docs

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP_D): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[bayes,sweep]"
	touch $@

$(STAMP_T): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev,notebooks]"
	touch $@ $(STAMP_D)

demo: $(STAMP_D)
	$(BIN)/dissipax reproduce --out out

# Two workers (CI has 2 cores); --dist loadfile keeps each test file, and so the functions it
# compiles, in one worker.
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile

test: $(STAMP_T)
	$(PYTEST) tests --nbmake notebooks

test-slow: $(STAMP_T)
	$(PYTEST) --slow tests --nbmake notebooks

bench: $(STAMP_T)
	$(BIN)/python -m benchmarks

lint: $(STAMP_T)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# Build sdist + wheel and check each in a clean venv (needs PyPI for the dependencies).
dist-check: $(STAMP_T)
	scripts/dist_check.sh $(BIN)/python

clean:
	rm -rf out .pytest_cache site
