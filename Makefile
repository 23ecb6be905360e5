# Two commands on a fresh Debian machine with only Python:
#   make demo   set up .venv and run the main job on the built-in example
#   make test   set up .venv (and LibreOffice, the independent engine the tests check against,
#               and Java for Spark's local mode) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench docs clean

# pip's and setuptools' chatter goes to a log, shown only when the install fails.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@echo "installing xl-funnel and its test tools into $(VENV) (log: $(VENV)/install.log)"
	@{ $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -e '.[test]'; } > $(VENV)/install.log 2>&1 \
	   || { cat $(VENV)/install.log; exit 1; }
	touch $@

# The main job on the built-in example (seed 000's numbers): generate the annual plan,
# compute every formula headless and print the headline KPIs.
demo: $(BIN)/.installed
	mkdir -p build
	$(BIN)/xl-funnel new build/annual_plan.xlsx --force
	$(BIN)/xl-funnel recalc build/annual_plan.xlsx --in-place

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(BIN)/.installed lint
	bash .ci/ensure-libreoffice
	bash .ci/ensure-java
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

bench: $(BIN)/.installed
	bash .ci/ensure-libreoffice
	bash .ci/ensure-java
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
