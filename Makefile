# Yuqing — set-up, run and test. Every target installs what it needs itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := yuqing/web/static/vendor
ASSETS := $(VENDOR)/htmx.min.js $(VENDOR)/echarts.min.js $(VENDOR)/swagger-ui-bundle.js \
          $(VENDOR)/swagger-ui.css
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install dev assets run test test-fast test-slow lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

$(VENV)/.bench-installed: $(VENV)/.dev-installed
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed assets
dev: $(VENV)/.dev-installed assets

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR)/echarts.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $@

$(VENDOR)/swagger-ui-bundle.js $(VENDOR)/swagger-ui.css: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/swagger-ui-dist/$(@F) $@

assets: $(ASSETS)

run: install
	$(BIN)/yuqing init
	$(BIN)/yuqing demo
	$(BIN)/yuqing serve --host $(HOST) --port $(PORT) --demo

lint: dev
	$(BIN)/ruff check yuqing tests bench
	$(BIN)/ruff format --check yuqing tests bench

test: dev lint
	$(BIN)/pytest -q

test-fast: dev
	$(BIN)/pytest -q -m "not browser"

# The hostile suites at many times their everyday strength, with fresh random inputs (tests/heavy.py).
test-slow: dev
	YUQING_SLOW=1 $(BIN)/pytest -q tests/hostile tests/notify/test_crash.py tests/web/test_access_control.py

bench: dev $(VENV)/.bench-installed
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache
