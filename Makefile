# tnorder developer commands.  `make test` and `make demo` work on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
# `make demo` needs the runtime dependencies and the `cli` extra (rich); `make test`
# adds every extra and the `dev` dependency group (PEP 735, `pip install --group`,
# pip >= 25.1: upgraded here, since an older .venv may predate it).
EXTRAS := postgres,bandwidth,testing,fast,cli,holidays
RUNTIME_STAMP := $(VENV)/.tnorder-runtime
DEV_STAMP := $(VENV)/.tnorder-dev

.PHONY: install test lint typecheck pytest demo bench bench-quick docs surface build-check clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[cli]'
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade 'pip>=25.1'
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]' --group dev
	touch $@ $(RUNTIME_STAMP)

install: $(DEV_STAMP)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check src tests examples benchmarks .ci

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy --strict src

pytest: $(DEV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Builds sdist and wheel, `twine check --strict`, installs the wheel alone in a
# fresh venv and runs the README example there (.ci/build_check.py).
build-check: $(DEV_STAMP)
	$(PY) .ci/build_check.py

test: lint typecheck pytest build-check

demo: $(RUNTIME_STAMP)
	$(PY) -m tnorder demo

bench: $(DEV_STAMP)
	$(PY) -m benchmarks

bench-quick: $(DEV_STAMP)
	$(PY) -m benchmarks --quick

docs: $(RUNTIME_STAMP)
	$(PY) -m tnorder.docgen

# The public API list (docs/public-api.md) from every public module's __all__.
surface: $(DEV_STAMP)
	$(PY) -m tnorder._surface

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
