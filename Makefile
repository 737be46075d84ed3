# sco-research: every target sets itself up; `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.DEFAULT_GOAL := help
.PHONY: help install report test lab validate lint bench clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the package with its dev extras (only when needed)

report: install ## render every report in reports.yaml to reports/ (executed .ipynb + HTML)
	$(VENV)/bin/sco-research render --jobs $(JOBS)

test: install ## run the test suite (executes every notebook with papermill)
	MPLBACKEND=Agg $(PY) -m pytest -q

lab: install ## open JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab notebooks/

validate: install ## validate the data package (Frictionless + pandera)
	$(VENV)/bin/sco-research validate

lint: install ## ruff over the package, tests, scripts and benchmarks
	$(VENV)/bin/ruff check sco_research tests scripts benchmarks

bench: install ## run the benchmarks (ratios against their baselines)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## remove generated reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .ruff_cache
