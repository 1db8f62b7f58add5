# tnorder developer commands.  `make test` and `make demo` work on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
# `make demo` needs the runtime dependencies and the `cli` extra (rich); `make test`
# adds every extra and the `dev` dependency group (PEP 735, `pip install --group`,
# pip >= 25.1: upgraded here, since an older .venv may predate it).
EXTRAS := postgres,postgres-pool,bandwidth,telnyx,testing,fast,cli,holidays,otel,portal
RUNTIME_STAMP := $(VENV)/.tnorder-runtime
DEV_STAMP := $(VENV)/.tnorder-dev

.PHONY: install test lint typecheck pytest docs-site demo bench bench-quick docs surface \
	build-check clean portal portal-deps test-portal portal-screenshots mutation \
	mermaid-asset

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

# Two workers (pytest-xdist): the suite is CPU-bound and CI machines have 2 cores.
PYTEST_WORKERS ?= 2
pytest: $(DEV_STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --ignore=tests/portal $(PYTEST_ARGS)

# The documentation site, built offline with --strict: a broken link, anchor or
# API reference fails it.
docs-site: $(DEV_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir build/site

# The site serves Mermaid itself (docs/assets/mermaid/, committed) so diagrams draw
# offline; this refreshes the copy from npm's package (only dist/ and its LICENSE).
# tests/docs/test_docs_site.py pins the version.
MERMAID_VERSION := 11.12.3
mermaid-asset:
	rm -rf .cache/mermaid && mkdir -p .cache/mermaid
	cd .cache/mermaid && npm pack --silent mermaid@$(MERMAID_VERSION) && \
	  tar xzf mermaid-$(MERMAID_VERSION).tgz package/dist/mermaid.min.js package/LICENSE
	cp .cache/mermaid/package/dist/mermaid.min.js docs/assets/mermaid/
	cp .cache/mermaid/package/LICENSE docs/assets/mermaid/LICENSE.mermaid.txt


# The reference portal (examples/portal/) and its browser tests.  Chromium and
# chromedriver come from Debian (`apt-get install chromium chromium-driver`);
# axe-core, the accessibility engine the tests inject, from npm (pinned).
PORTAL_PORT ?= 8000
AXE_VERSION := 4.14.1
AXE_JS := .cache/axe/node_modules/axe-core/axe.min.js

$(AXE_JS):
	npm install --prefix .cache/axe --no-save --no-package-lock --no-audit --no-fund axe-core@$(AXE_VERSION)

portal-deps: $(DEV_STAMP) $(AXE_JS)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { echo "install Debian's chromium and chromium-driver"; exit 1; }

portal: $(DEV_STAMP)
	PYTHONPATH=examples $(PY) -m portal --host 127.0.0.1 --port $(PORTAL_PORT)

test-portal: portal-deps
	$(PY) -m pytest tests/portal $(PYTEST_ARGS)

portal-screenshots: portal-deps
	TNORDER_PORTAL_SCREENSHOTS=docs/portal $(PY) -m pytest tests/portal/test_portal_screenshots.py -q
# Builds sdist and wheel, `twine check --strict`, installs the wheel alone in a
# fresh venv and runs the README example there (.ci/build_check.py).
build-check: $(DEV_STAMP)
	$(PY) .ci/build_check.py

test: lint typecheck pytest docs-site build-check test-portal

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

# Mutation testing of the pure domain (docs/mutation.md); not part of `make test`.
# One module at a time, judged by the fast unit and property tests only.
# `make mutation MUTATION_MODULES=delivery MUTATION_JOBS=1` for one module.
MUTATION_MODULES ?= phone lookup calendar events _checks visibility statuses machine delivery \
	carrier_status order documents carrier \
	requirements uploads matching expiry compliance claims inventory carrier_request tables \
	provisioning texts inputs _messages _labels read_model
MUTATION_JOBS ?= 2
# The property tests that drive OrderService over storage judge the service,
# not the domain, and took minutes per mutant.  Left out through PYTEST_ADDOPTS
# rather than [tool.mutmut]: changing the test selection there makes mutmut
# forget every verdict it has already recorded.
MUTATION_DESELECT ?= --deselect tests/property/test_view_pages.py \
	--deselect tests/property/test_bulk_update_properties.py \
	--deselect tests/property/test_carrier_update_properties.py
# One mutmut run for all the modules: the clean test run is paid once, and the
# mutants judged by the fewest (fastest) tests go first.
mutation: $(DEV_STAMP)
	PYTEST_ADDOPTS="$(MUTATION_DESELECT)" HYPOTHESIS_PROFILE=mutation \
	  nice -n 10 $(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) \
	  $(foreach m,$(MUTATION_MODULES),"tnorder.domain.$(m).*")
	$(PY) tests/mutation/score.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build/site mutants
