# tnorder developer commands.  `make test` and `make demo` work on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
# `make demo` needs only the runtime dependencies; `make test` adds the extras.
RUNTIME_STAMP := $(VENV)/.tnorder-runtime
DEV_STAMP := $(VENV)/.tnorder-dev

.PHONY: install test lint typecheck pytest demo bench bench-quick docs clean mutation

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

test: lint typecheck pytest

demo: $(RUNTIME_STAMP)
	$(PY) -m tnorder demo

bench: $(DEV_STAMP)
	$(PY) -m benchmarks

bench-quick: $(DEV_STAMP)
	$(PY) -m benchmarks --quick

docs: $(RUNTIME_STAMP)
	$(PY) -m tnorder.docgen

# Mutation testing of the pure domain (docs/mutation.md); not part of `make test`.
# One module at a time, judged by the fast unit and property tests only.
# `make mutation MUTATION_MODULES=delivery MUTATION_JOBS=1` for one module.
MUTATION_MODULES ?= _checks calendar carrier carrier_status delivery documents events lookup \
	machine order phone statuses visibility
MUTATION_JOBS ?= 2
mutation: $(DEV_STAMP)
	for m in $(MUTATION_MODULES); do \
	  HYPOTHESIS_PROFILE=dev $(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) \
	    "tnorder.domain.$$m.*" || exit 1; \
	done
	$(PY) tests/mutation/score.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis mutants
