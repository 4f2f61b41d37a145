# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install demo test lint bench messages lock clean-var

install: $(INSTALLED)

# Locked, hash-checked dependencies; re-run only when the lock file changes.
$(INSTALLED): requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

demo: install
	bash scripts/demo

test: install
	scripts/test-services $(PY) -m pytest -q
	$(VENV)/bin/ruff check .

lint: install
	$(VENV)/bin/ruff check .

# Every benchmark against a database of generated history (loads one first if missing): bench/README.md.
bench: install
	scripts/test-services $(PY) bench/run.py

# Regenerate translation catalogues after changing visible strings (needs gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# Lock file: regenerate after changing pyproject.toml dependencies.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.txt
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.txt

clean-var:
	rm -rf var
