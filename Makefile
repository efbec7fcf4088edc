# trueup — make install | test | lint | demo | bench
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install test unit lint demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole suite: lint first (it is fast), then every test against the real clients.
test: lint
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q

unit: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q tests/unit

# The three-tier example on the embedded cluster (realistic timing) until Ctrl-C; state in
# .trueup/demo (remove it to start afresh). For CI: $(BIN)/trueup demo --data-dir .trueup/demo --until-healthy
demo: install
	$(BIN)/trueup demo --data-dir .trueup/demo

bench: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench

clean:
	rm -rf $(VENV) .trueup .pytest_cache .mypy_cache .ruff_cache
