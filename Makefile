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
	$(BIN)/python -m pip install -q -e ".[dev,notebooks,docs]"
	touch $@ $(STAMP_D)

demo: $(STAMP_D)
	$(BIN)/dissipax reproduce --out out

# Two workers (CI has 2 cores); --dist loadfile keeps each test file, and so the functions it
# compiles, in one worker.
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile

# Each notebook nbmake runs is also saved with its outputs to build/notebooks/ (see
# notebooks/conftest.py); the docs render those copies, so CI executes every notebook once.
NB_OUT  := $(CURDIR)/build/notebooks
NB_EXEC := $(patsubst notebooks/%,build/notebooks/%,$(wildcard notebooks/*.ipynb))

test: $(STAMP_T)
	DISSIPAX_NB_OUT=$(NB_OUT) $(PYTEST) tests --nbmake notebooks
	$(MAKE) --no-print-directory docs

test-slow: $(STAMP_T)
	DISSIPAX_NB_OUT=$(NB_OUT) $(PYTEST) --slow tests --nbmake notebooks

# Documentation site into site/ (mkdocs build --strict); executes only the notebooks whose
# executed copy is missing or older than the source.
docs: $(STAMP_T) $(NB_EXEC)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

build/notebooks/%.ipynb: notebooks/%.ipynb | $(STAMP_T)
	DISSIPAX_NB_OUT=$(NB_OUT) $(BIN)/python -m pytest -q -p no:cacheprovider --nbmake $<

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
