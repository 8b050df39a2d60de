# The two quick-start commands. Each one bootstraps the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: generate test check bench

generate: $(STAMP)
	$(VENV)/bin/specbind generate

test: $(STAMP)
	$(VENV)/bin/pytest -q

check: $(STAMP)
	$(VENV)/bin/specbind check

# Benchmarks against peers; the peers live in their own environment, never in the test deps.
BENCH_VENV := .bench-venv
BENCH_STAMP := $(BENCH_VENV)/.installed-$(shell cksum benchmarks/requirements.txt | cut -d' ' -f1)

bench: $(STAMP) $(BENCH_STAMP)
	cd benchmarks && ../$(VENV)/bin/python run_all.py

$(BENCH_STAMP): benchmarks/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	rm -f $(BENCH_VENV)/.installed-*
	touch $@

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@
