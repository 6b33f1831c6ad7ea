# crossfin: `make run` sets up and serves the platform with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell sha256sum pyproject.toml | cut -c1-12)
STAMP := $(VENV)/.installed-$(HASH)
TEST_STAMP := $(VENV)/.installed-test-$(HASH)
LINT_STAMP := $(VENV)/.installed-lint-$(HASH)
HOST ?= 127.0.0.1
PORT ?= 8000
WITNESS_PORT ?= 8001

.PHONY: run test test-postgres fuzz lint install chromium poppler clean i18n

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(LINT_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lint]'
	touch $@

install: $(STAMP)

# One local witness runs beside the platform so the tour shows cosigned checkpoints.
run: $(STAMP)
	$(BIN)/crossfin init
	$(BIN)/crossfin demo
	eval "$$($(BIN)/crossfin witness dev --print-env --port $(WITNESS_PORT))"; \
	$(BIN)/crossfin witness dev --port $(WITNESS_PORT) & witness=$$!; \
	trap 'kill $$witness 2>/dev/null' EXIT INT TERM; \
	$(BIN)/crossfin serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium; install it when we can (root) and it is missing.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# The PDF tests also render every page with poppler's pdftoppm (they skip that without it).
poppler:
	@if ! command -v pdftoppm >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's poppler-utils for the PDF rendering tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	fi

test: $(TEST_STAMP) chromium poppler
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(TEST_STAMP) chromium poppler
	CROSSFIN_TEST_DATABASE_URL=$${CROSSFIN_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

# A longer schemathesis run than the one in `make test` (docs/api.md, "Fuzzing"); on
# PostgreSQL with CROSSFIN_TEST_DATABASE_URL set.
FUZZ_EXAMPLES ?= 100
FUZZ_SECONDS ?= 1800
FUZZ_SEED ?= 20261203
fuzz: $(TEST_STAMP)
	CROSSFIN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) CROSSFIN_FUZZ_SECONDS=$(FUZZ_SECONDS) \
		CROSSFIN_FUZZ_SEED=$(FUZZ_SEED) $(BIN)/python -m pytest tests/api/test_fuzz.py $(PYTEST_ARGS)

# The floors (import-linter contracts in pyproject.toml), lint and format, strict types.
lint: $(LINT_STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy

# Translations (docs/portal.md, "Translations"): extract the portal's texts from templates
# and Python into messages.pot, and merge it into every language's messages.po (new texts
# come out empty, changed ones fuzzy: translate them, then `make test`).
LOCALE := src/crossfin/web/locale
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k NC_:1c,2 --add-comments=TRANSLATORS: \
		--add-location=file --project=crossfin --copyright-holder="the crossfin authors" \
		-o $(LOCALE)/messages.pot src/crossfin
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --ignore-obsolete

clean:
	rm -rf $(VENV) data crossfin.db crossfin.db-wal crossfin.db-shm
