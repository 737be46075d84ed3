# sco-research: every target sets itself up; `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.DEFAULT_GOAL := help
.PHONY: help install lock report cluster-demo test lab validate lint bench clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-13s %s\n", $$1, $$2}'

LOCK := requirements.lock
#: root may run JupyterLab only with --allow-root; everyone else without it.
USER_ID ?= $(shell id -u)
LAB_FLAGS := $(if $(filter 0,$(USER_ID)),--allow-root)

# Installs the exact versions pinned in the lock file, then the package itself without
# resolving anything again. Needs only python3 (with venv) on a fresh machine.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned versions of requirements.lock (when needed)

lock: ## refresh requirements.lock from pyproject.toml (run after changing dependencies)
	@test -x $(PY) || python3 -m venv $(VENV)
	@test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra cluster --extra dev --universal --quiet \
		--custom-compile-command "make lock" -o $(LOCK)

report: install ## render every report in reports.yaml to reports/ (executed .ipynb + HTML)
	$(VENV)/bin/sco-research render --jobs $(JOBS)

cluster-demo: install ## start a Dask scheduler and 2 workers here, render the map grid on them, stop them
	@$(PY) -c "import distributed" 2>/dev/null || $(PY) -m pip install --quiet -e '.[cluster]'
	scripts/cluster_demo.sh $(VENV) 'membership-map-*' --force

test: install ## run the test suite (executes every notebook with papermill), one worker per core
	MPLBACKEND=Agg $(PY) -m pytest -q -n $(JOBS) --dist loadfile

lab: install ## open JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab $(LAB_FLAGS) notebooks/

validate: install ## validate the data package (Frictionless)
	$(VENV)/bin/sco-research validate

lint: install ## ruff over the package, tests, scripts and benchmarks
	$(VENV)/bin/ruff check sco_research tests scripts benchmarks

bench: install ## run the benchmarks (ratios against their baselines)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## remove generated reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .ruff_cache
