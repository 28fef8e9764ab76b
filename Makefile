# The two commands a person needs: `make run` (PRIM, embedded) and `make test`.
# Everything else is set up on first use: the virtualenv by `make setup`, which every target
# depends on and which is idempotent; the npm packages only by `make test`, `make lint-spec`
# and `make check-breaking` (the TypeScript SDK's checks and buf), since running the server
# must not need Node.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.prim-installed
NODE_STAMP := clients/ts/node_modules/.prim-installed
PYTEST_ARGS ?=

.PHONY: setup run test gen check-gen lint lint-spec check-breaking bench clean help

help:
	@echo "make run        start PRIM (embedded: every service in one process)"
	@echo "make test       run every test (needs PostgreSQL, Redis; starts Tansu itself)"
	@echo "make gen        regenerate generated/ from spec/"
	@echo "make check-gen  fail when generated/ differs from what spec/ produces"
	@echo "make lint       ruff and mypy"
	@echo "make lint-spec  buf lint over spec/ (needs Node: buf comes from npm)"
	@echo "make check-breaking  refuse spec changes that break the wire or the API (vs main)"
	@echo "make bench      run the benchmarks in bench/"

setup: $(STAMP)

# Two distributions from this tree, both editable: prim-sdk (the client side, which the
# server depends on; clients/python-sdk) and prim itself.
$(STAMP): pyproject.toml clients/python-sdk/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e './clients/python-sdk[trio,chat]' -e '.[dev]'
	touch $@

# The TypeScript SDK's checks (tsc --strict, the header codec under Node) need npm packages.
$(NODE_STAMP): clients/ts/package.json clients/ts/package-lock.json
	cd clients/ts && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(VENV)/bin/prim serve

test: setup $(NODE_STAMP)
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
	rm -rf $(VENV) clients/ts/node_modules clients/ts/dist
