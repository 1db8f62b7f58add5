# tnorder developer commands.  `make test` and `make demo` work on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
# `make demo` needs only the runtime dependencies; `make test` adds the extras.
RUNTIME_STAMP := $(VENV)/.tnorder-runtime
DEV_STAMP := $(VENV)/.tnorder-dev

.PHONY: install test lint typecheck pytest docs-site demo bench bench-quick docs clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,testing]'
	touch $@ $(RUNTIME_STAMP)

install: $(DEV_STAMP)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check src tests examples benchmarks

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy --strict src

pytest: $(DEV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# The documentation site, built offline with --strict: a broken link, anchor or
# API reference fails it.
docs-site: $(DEV_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir build/site

test: lint typecheck pytest docs-site

demo: $(RUNTIME_STAMP)
	$(PY) -m tnorder demo

bench: $(DEV_STAMP)
	$(PY) -m benchmarks

bench-quick: $(DEV_STAMP)
	$(PY) -m benchmarks --quick

docs: $(RUNTIME_STAMP)
	$(PY) -m tnorder.docgen

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build/site
