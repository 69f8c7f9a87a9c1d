# Two commands from a fresh clone: `make demo` (the main job on the example data) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install demo test test-all lint bench clean-venv

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# Pinned: an unpinned torch pulls a multi-GB CUDA build; 2.13.0 is the CPU build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The main job: sample → clean + dedup → fine-tune a tiny model with fingerprint tracking → estimate its
# training mixture → one HTML page (its path is the last line printed).
demo: install
	$(BIN)/corpuslab quickstart --output-dir runs/quickstart

# Exit code 5 means "no tests collected": not a failure of the suite itself.
# The fast tier: no model training (marker `model`), no Ray (`ray`), no long end-to-end runs (`slow`).
test: install
	$(BIN)/python -m pytest -m "not slow and not model and not ray" -q; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

# Everything, as CI runs it (.ci/run).
test-all: install
	$(BIN)/python -m pytest -q; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

lint: install
	$(BIN)/ruff check src tests benchmarks examples

clean-venv:
	rm -rf $(VENV)
