# Two commands set everything up on a fresh machine:
#   make run    runs the emulator on its embedded default data
#   make test   runs the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: run test lint contracts types check-types bench wsdl clean venv

# The virtual environment, created and filled under a lock (tools/ensure_venv.py), so that `make run` and
# `make test` started together on a fresh clone do not both build it.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) tools/ensure_venv.py $(VENV) pyproject.toml test,lint,dev

venv: $(BIN)/.installed

run: $(BIN)/.installed
	$(BIN)/altinn-so serve --host $(HOST) --port $(PORT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (pyproject.toml: a small rule set) and the import rules between the core and the services (.importlinter).
lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench fuzz examples docker tools
	$(BIN)/lint-imports

# The real Altinn WSDLs and XSDs, pinned in src/altinn_so/tooling/contract-sources.tsv and checked by SHA-256;
# ALTINN_SO_CONTRACTS_MIRROR=file:///path/to/mirror (or a URL) downloads from elsewhere.
contracts: $(BIN)/.installed
	$(BIN)/python -m altinn_so.tooling.contracts fetch

# Benchmarks (bench/): ratios against floors measured in the same run; BENCH_ARGS=--quick or --write.
bench: $(BIN)/.installed
	cd bench && ../$(BIN)/python run.py $(BENCH_ARGS)

wsdl: $(BIN)/.installed
	$(BIN)/altinn-so wsdl --out wsdl

# The spyne wire-types modules, generated from the real WSDLs (ALTINN_SO_CONTRACTS or ../shared/contracts/altinn2)
# by each *.spec.toml beside them; check-types only reports a stale module.
types: $(BIN)/.installed
	$(BIN)/python -m altinn_so.tooling.wiretypes

check-types: $(BIN)/.installed
	$(BIN)/python -m altinn_so.tooling.wiretypes --check

clean:
	rm -rf $(VENV) $(VENV).lock build dist src/*.egg-info .pytest_cache
