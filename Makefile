# Quick start: `make build` (validate + build the DuckDB database), `make test` (everything).
# Both bootstrap .venv from pyproject.toml, pinned by constraints.txt, on Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# A second, small venv with the oldest DuckDB a release must open (1.4, the long-term-support
# line): tests/test_release_clients.py attaches the released database with it.
DUCKDB14         := .venv-duckdb14
DUCKDB14_VERSION := 1.4.5
DUCKDB14_STAMP   := $(DUCKDB14)/.installed-$(DUCKDB14_VERSION)

.PHONY: build test validate docs serve bench release clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,docs]'
	touch $(STAMP)

$(DUCKDB14_STAMP):
	rm -rf $(DUCKDB14)
	$(PYTHON) -m venv $(DUCKDB14)
	$(DUCKDB14)/bin/python -m pip install --quiet 'duckdb==$(DUCKDB14_VERSION)'
	touch $(DUCKDB14_STAMP)

build: $(STAMP)
	$(BIN)/inference-energy build

validate: $(STAMP)
	$(BIN)/inference-energy validate

# Files `ruff format --check` holds to the formatter until the whole tree is formatted once.
FORMATTED := src/inference_energy/database.py src/inference_energy/derive_graph.py \
	src/inference_energy/headlines.py tests/test_derive_graph.py tests/test_module_graph.py

test: $(STAMP) $(DUCKDB14_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check $(FORMATTED)
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/inference-energy docs
	$(BIN)/mkdocs build --strict

serve: docs
	$(BIN)/mkdocs serve

bench: $(STAMP)
	$(BIN)/python bench/bench.py

release: $(STAMP)
	$(BIN)/inference-energy release

clean:
	rm -rf build site dist
