# Two commands for a fresh machine with Python >= 3.11 and pip:
#   make demo   build the sample municipality's barometer and open the app
#   make test   lint, type-check and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench sample wheel-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/barometer demo

lint: $(STAMP)
	$(BIN)/ruff check barometer tests bench
	$(BIN)/ruff format --check barometer tests bench
	$(BIN)/mypy barometer
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/python -m pytest

# the wheel installed in a fresh venv in an empty folder: sample, run, models, app (.ci/run)
wheel-check: $(STAMP)
	.ci/check_wheel.sh

bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py

sample: $(STAMP)
	$(BIN)/barometer sample --regenerate --out barometer/data/sample --data ../shared/data

clean:
	rm -rf $(VENV) warehouse .pytest_cache .mypy_cache .ruff_cache
