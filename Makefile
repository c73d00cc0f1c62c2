# Two commands for a fresh machine with only python3: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser-installed
JS_STAMP := tests/js/node_modules/.installed
JS_BIN   := tests/js/node_modules/.bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: site test lint typecheck js unit bench demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## site: set up and build the embedded demo snapshot into output/
site: $(STAMP)
	$(BIN)/snapsite build snapshots/demo --trust-root snapshots/demo.pub -o output

## test: set up, lint, type-check and run the whole suite
test: lint typecheck js unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The theme's browser scripts: ESLint, tsc --checkJs over their JSDoc types, and node --test of their pure parts.
# Node and npm from Debian; the tools from the npm registry, pinned in tests/js/package-lock.json (tests only).
# ESLint runs from the top: it ignores files outside the working directory of the config named with -c.
$(JS_STAMP): tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)

js: $(JS_STAMP)
	$(JS_BIN)/eslint --config tests/js/eslint.config.js themes/default/static tests/js
	cd tests/js && npx --no-install tsc -p .
	cd tests/js && node --test --test-reporter=spec

unit: $(STAMP) $(BROWSER_STAMP)
	$(BIN)/pytest -q

# Browser tests drive Debian's Chromium (never a downloaded browser) and axe-core from npm (tests only).
$(BROWSER_STAMP): $(STAMP) tests/browser/package-lock.json
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium (root needed)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "chromium is missing at $(CHROMIUM): the browser tests cannot run" >&2; exit 1; }
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $(BROWSER_STAMP)

## demo: regenerate snapshots/demo with the test key (deterministic)
demo: $(STAMP)
	rm -rf snapshots/demo
	$(BIN)/snapsite demo -o snapshots/demo --runs 300 --tenants 3 --seed 7 --key tests/keys/demo.key
	cp tests/keys/demo.key.pub snapshots/demo.pub

bench: $(STAMP)
	$(BIN)/python bench/verify_bench.py

clean:
	rm -rf $(VENV) output
