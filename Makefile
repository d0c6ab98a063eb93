# Two commands matter: `make demo` (the product on embedded defaults) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: install lock demo test lint typecheck unit integration browser-deps postgres bench clean

install: $(STAMP)

# Always the tested set of constraints.txt (its header says why some versions are pinned hard).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Freeze the current environment into constraints.txt, keeping its hand-written header.
# After changing dependencies: pip install the change into .venv, `make lock`, `make test`.
lock:
	$(BIN)/python -m pip install --quiet -e '.[test]'
	{ sed -n '1,/^# Everything below is generated/p' constraints.txt; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^nimeamiset' | sort -f; } \
	  > constraints.txt.new
	mv constraints.txt.new constraints.txt
	touch $(STAMP)

demo: install
	$(BIN)/nimeamiset demo

# Debian's Chromium (Playwright's own browser download does not work offline), pdftotext for
# reading PDF exports back, and axe-core from npm.
DEBIAN_PACKAGES := chromium poppler-utils
browser-deps: $(AXE)
	@test -x /usr/bin/chromium -a -x /usr/bin/pdftotext || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q $(DEBIAN_PACKAGES); \
	  else echo "Install them: sudo apt-get install $(DEBIAN_PACKAGES)" >&2; exit 1; fi; }

$(AXE): tests/browser/package.json
	cd tests/browser && npm ci --no-audit --no-fund --silent
	touch $(AXE)

# PostgreSQL for the integration tests (127.0.0.1:5432, trust auth, database `test`).
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  command -v pg_ctlcluster >/dev/null && \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start && \
	  sleep 2 && pg_isready -h 127.0.0.1 -p 5432; } || \
	  echo "PostgreSQL is not running: its tests will skip (and fail in CI)" >&2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: install browser-deps postgres lint typecheck
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)

unit: install
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

integration: install postgres
	$(BIN)/python -m pytest tests/integration $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/bench_send.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_exports.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage tests/browser/node_modules
