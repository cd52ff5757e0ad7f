# Every target installs what it needs, so a fresh clone only ever runs `make run` or `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install test unit integration lint typecheck imports run bench soak binaries clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# Provides etcd and kube-apiserver (built once per machine into the user cache).
binaries: install
	$(PY) -m mirrorctl.envtest ensure

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

imports: install
	$(VENV)/bin/lint-imports

test: lint typecheck imports binaries
	$(VENV)/bin/pytest -q -p no:cacheprovider

unit: install
	$(VENV)/bin/pytest -q tests/unit

run: binaries
	$(VENV)/bin/mirrorctl auto

bench: binaries
	$(PY) -m pip install -q -e '.[dev,bench]'
	$(PY) -m benchmarks

# 10,000 pods/VMIs, 100 MirrorDestinations, 20 changes/s for 10 minutes (not part of CI).
soak: binaries
	$(PY) -m pip install -q -e '.[dev,bench]'
	$(PY) -m benchmarks.soak

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
