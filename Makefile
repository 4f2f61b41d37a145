# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install demo test lint bench messages lock clean-var

install: $(INSTALLED)

# Locked, hash-checked dependencies; re-run only when the lock file changes.
$(INSTALLED): requirements/dev.txt package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	bash scripts/assets
	touch $@

demo: install
	bash scripts/demo

# The suite runs on TEST_WORKERS processes (pytest-xdist), each with its own test database.
TEST_WORKERS ?= 2

test: install
	scripts/test-services $(PY) -m pytest -q -n $(TEST_WORKERS)
	$(PY) -m pytest -q --ds=haidian.test_settings_sqlite -m sweep
	$(VENV)/bin/ruff check .

lint: install
	$(VENV)/bin/ruff check .

# Every benchmark against a database of generated history (loads one first if missing): bench/README.md.
bench: install
	scripts/test-services $(PY) bench/run.py

# Regenerate translation catalogues after changing visible strings (needs gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'bench/*'
	$(PY) manage.py compilemessages --ignore '.venv/*' --ignore 'node_modules/*'

# Lock file: regenerate after changing pyproject.toml dependencies.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.txt
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.txt

clean-var:
	rm -rf var
