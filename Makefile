# The two set-up commands: `make play` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: play test lint types check pytest bench bytecode clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# Bytecode for the game's own modules, as a normal install would write it: the editable install
# leaves it to the first start, which never writes it when PYTHONDONTWRITEBYTECODE is set.
bytecode: $(STAMP_RUN)
	$(BIN)/python -m compileall -q src/rougegame

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

play: bytecode
	$(BIN)/rougegame play

lint: $(STAMP_TEST)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP_TEST)
	$(BIN)/mypy

check: $(STAMP_TEST)
	$(BIN)/rougegame check story/

pytest: $(STAMP_TEST)
	$(BIN)/python -m pytest --cov --cov-report=term

test: lint types check pytest

bench: $(STAMP_RUN)
	$(BIN)/python benchmarks/bench.py --nodes 1000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage build dist
