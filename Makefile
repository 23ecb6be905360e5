# Two commands on a fresh Debian machine with only Python:
#   make demo   set up .venv and run the main job on the built-in example
#   make test   set up .venv (and LibreOffice, the independent engine the tests check against)
#               and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/xl-funnel backsolve 9 --periods 12

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(BIN)/.installed lint
	bash .ci/ensure-libreoffice
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

bench: $(BIN)/.installed
	bash .ci/ensure-libreoffice
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
