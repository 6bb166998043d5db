# Two commands for a fresh machine: `make demo` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= dev

.PHONY: setup demo test lint bench clean

# The C extension (taosha._speedups) is compiled by the editable install: rebuild when it changes.
$(VENV)/.installed-$(EXTRAS): pyproject.toml setup.py src/taosha/_speedups.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[$(EXTRAS)]'
	touch $@

setup: $(VENV)/.installed-$(EXTRAS)

demo:
	$(MAKE) setup EXTRAS=dev,warc
	$(VENV)/bin/taosha demo -o taosha-demo

test:
	$(MAKE) setup EXTRAS=dev,ray,warc
	sh scripts/test-system-deps.sh
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy src/taosha

bench: setup
	$(PY) benchmarks/run_floor.py

clean:
	rm -rf $(VENV) taosha-demo build dist src/*.egg-info src/taosha/*.so
