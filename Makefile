# The two commands a person needs: `make run` (PRIM, embedded) and `make test`.
# Everything else is set up on first use: the virtualenv by `make setup`, which every target
# depends on and which is idempotent; the npm packages only by `make test`, `make lint-spec`
# and `make check-breaking` (the TypeScript SDK's checks and buf), since running the server
# must not need Node. `make run` builds the web client when npm is there and goes on without
# it when it is not (`/` then says what to run).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.prim-installed
NODE_STAMP := clients/ts/node_modules/.prim-installed
WEB_NODE_STAMP := clients/web/node_modules/.prim-installed
WEB_STAMP := clients/web/dist/.prim-built
WEB_SOURCES := $(wildcard clients/web/src/*.ts clients/web/src/*/*.ts clients/web/static/*) \
	clients/web/build.mjs $(wildcard generated/ts/*.ts clients/ts/src/*.ts)
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: setup run test gen check-gen lint lint-spec check-breaking bench bench-deps clean help \
	web web-if-node chromium node

help:
	@echo "make run        start PRIM (embedded: every service in one process)"
	@echo "make test       run every test (needs PostgreSQL, Redis; starts Tansu itself)"
	@echo "make gen        regenerate generated/ from spec/"
	@echo "make check-gen  fail when generated/ differs from what spec/ produces"
	@echo "make lint       ruff and mypy"
	@echo "make lint-spec  buf lint over spec/ (needs Node: buf comes from npm)"
	@echo "make check-breaking  refuse spec changes that break the wire or the API (vs main)"
	@echo "make bench      run the benchmarks in bench/"
	@echo "make bench-deps install what prim bench message compares with (ejabberd, slixmpp)"
	@echo "make web        build the web client that prim serve serves at / (needs Node)"

setup: $(STAMP)

# Two distributions from this tree, both editable: prim-sdk (the client side, which the
# server depends on; clients/python-sdk) and prim itself.
$(STAMP): pyproject.toml clients/python-sdk/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e './clients/python-sdk[trio,chat]' -e '.[dev]'
	touch $@

# The TypeScript SDK's checks (tsc --strict, the header codec under Node) need npm packages.
$(NODE_STAMP): clients/ts/package.json clients/ts/package-lock.json | node
	cd clients/ts && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The web client (clients/web): bundled by esbuild into clients/web/dist, which prim serve
# serves at /. Not committed: built here from the sources.
$(WEB_NODE_STAMP): clients/web/package.json clients/web/package-lock.json | node
	cd clients/web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_STAMP): $(WEB_NODE_STAMP) $(WEB_SOURCES)
	cd clients/web && npm run --silent build
	touch $@

web: $(WEB_STAMP)

# `make run` must work without Node: build the web client only when npm is on PATH.
web-if-node:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory web; \
	else echo "Node.js/npm not found: the web client is not built (/ says how to build it)"; fi

# Node.js and npm for the targets above; Debian's packages (Node 18+, which the SDK's `engines`
# allows) when they are missing (CI runs as root).
node:
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	  else echo "Node.js/npm are missing: run 'sudo apt-get install nodejs npm'"; exit 1; fi; }

# The browser tests drive Debian's chromium; install it when it is missing (CI runs as root).
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "$(CHROMIUM) is missing: run 'sudo apt-get install chromium' (browser tests skip)"; fi; }

run: setup web-if-node
	$(VENV)/bin/prim serve

test: setup $(NODE_STAMP) $(WEB_STAMP) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

gen: setup
	$(PY) -m prim.codegen.run

check-gen: setup
	$(PY) -m prim.codegen.run --check

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy prim

# buf comes from npm (clients/ts devDependencies), so these two need Node, as `make test` does.
lint-spec: setup $(NODE_STAMP)
	$(PY) -m prim.codegen.buf

# Against the merge base with main (on main: the newest tag); PRIM_BREAKING_AGAINST=<ref>
# picks another base.
check-breaking: setup $(NODE_STAMP)
	$(PY) -m prim.codegen.breaking

bench: setup
	$(VENV)/bin/prim bench

clean:
	rm -rf $(VENV) clients/ts/node_modules clients/ts/dist clients/web/node_modules clients/web/dist

# What `prim bench message` compares PRIM with: ejabberd 23.01 (Debian) and its XMPP load
# client slixmpp. Only the benchmark needs them; apt-get runs only when ejabberd is missing.
bench-deps: setup
	@command -v ejabberdctl >/dev/null || \
		(apt-get update && apt-get install -y ejabberd erlang-p1-sqlite3 sqlite3)
	$(PY) -m pip install --quiet -e '.[bench]'
