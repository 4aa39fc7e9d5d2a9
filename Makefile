# Two commands on a fresh clone: `make run` (the demo on SQLite) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test e2e lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/python -m stockpile.catalogue compile
	$(BIN)/stockpile db upgrade
	$(BIN)/stockpile seed-demo
	# The first forecast over the demo history (about a minute), so the scarcity dashboard has real flags.
	$(BIN)/stockpile forecast run --if-none
	# The scheduler (nightly forecast, daily expiry) runs beside the web server and stops with it.
	$(BIN)/stockpile scheduler & trap "kill $$!" EXIT; STOCKPILE_ENV_NAME=development $(BIN)/stockpile run --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed
	$(BIN)/python -m stockpile.catalogue compile
	$(BIN)/ruff check stockpile tests migrations bench wsgi.py
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

# Every user-facing text: extract into messages.pot, add new texts to each .po, compile the .mo (README, "Translations").
messages: $(VENV)/.installed
	$(BIN)/python -m stockpile.catalogue messages

# Only the browser story (needs /usr/bin/chromium: apt-get install chromium).
e2e: $(VENV)/.installed
	$(BIN)/python -m pytest tests/e2e -q

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
