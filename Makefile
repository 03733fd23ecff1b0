# Quick start: `make build` (validate + build the DuckDB database), `make test` (everything).
# Both bootstrap .venv from pyproject.toml, pinned by constraints.txt, on Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# DuckDB-WASM and parquet-wasm for the docs' query page (npm, pinned by package-lock.json)
NODE   := node_modules/.installed

.PHONY: build test validate docs serve bench release clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,docs]'
	touch $(STAMP)

$(NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE)

build: $(STAMP)
	$(BIN)/inference-energy build

validate: $(STAMP)
	$(BIN)/inference-energy validate

# Files `ruff format --check` holds to the formatter until the whole tree is formatted once.
FORMATTED := src/inference_energy/database.py src/inference_energy/derive_graph.py \
	src/inference_energy/headlines.py tests/test_derive_graph.py tests/test_module_graph.py \
	src/inference_energy/docs_downloads.py src/inference_energy/docs_query.py

test: $(STAMP) $(NODE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check $(FORMATTED)
	$(BIN)/python -m pytest

docs: $(STAMP) $(NODE)
	$(BIN)/inference-energy docs
	$(BIN)/mkdocs build --strict

serve: docs
	$(BIN)/mkdocs serve

bench: $(STAMP)
	$(BIN)/python bench/bench.py

release: $(STAMP)
	$(BIN)/inference-energy release

clean:
	rm -rf build site dist node_modules
