# Developer and CI entry points. `make test` is what .ci/run runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k virtuoso -x"`.
PYTEST_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONUNBUFFERED := 1

.PHONY: venv deps lint test run build clean distclean

## venv: create .venv (if missing) and install the package with its app, server and test extras
venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[app,server,test]'
	@touch $@

## deps: system packages (Debian chromium, virtuoso-opensource, curl); installs only as root and only if missing
deps:
	bash scripts/install-system-deps.sh

## lint: ruff, then mypy --strict over kg/, app_pages/, app.py and benchmarks/ (files listed in pyproject.toml)
lint: venv
	$(BIN)/ruff check kg app_pages app.py tests benchmarks
	$(BIN)/mypy

## test: lint, then the whole suite with real engines and a real browser; fails on failures and on "no tests ran" (exit 5)
test: venv deps lint
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	mkdir -p "$$tmp/config" "$$tmp/cache"; \
	export XDG_CONFIG_HOME="$$tmp/config" XDG_CACHE_HOME="$$tmp/cache"; \
	rc=0; \
	$(BIN)/python -m pytest -W "ignore::pytest.PytestRemovedIn10Warning" tests/ $(PYTEST_ARGS) || rc=$$?; \
	if [ "$$rc" -eq 5 ]; then echo "make test: pytest collected no tests (exit 5): treated as a failure" >&2; fi; \
	exit "$$rc"

## run: the Streamlit app on http://127.0.0.1:8501
run: venv
	$(BIN)/streamlit run app.py --server.headless true --server.address 127.0.0.1 --browser.gatherUsageStats false

## build: build the evidence graph from data/
build: venv
	$(BIN)/kg build

## clean: test artifacts and caches (keeps .venv; see distclean)
clean:
	rm -rf tests/artifacts test-results build .pytest_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf

## distclean: clean, and remove the virtual environment
distclean: clean
	rm -rf $(VENV)
