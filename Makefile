# Two commands set everything up on a fresh machine with Python 3.11+:
#   make lab    the course in JupyterLab
#   make test   the whole test suite
# Both are idempotent: the package is reinstalled only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
PYTEST_ARGS ?=

.PHONY: lab test bootstrap system-packages notebooks demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Editable install: code edits need no reinstall; dependency changes (pyproject.toml) do.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

bootstrap: $(STAMP)

# Student notebooks are committed; build them only when they are missing.
notebooks: bootstrap
	@test -f assignments/resnet/01_vanishing_gradients.ipynb -a -f assignments/resnet/02_residual_networks.ipynb \
	  || $(BIN)/resnet-course build

lab: notebooks
	$(BIN)/jupyter lab --notebook-dir=assignments --port=$(PORT) $(LAB_ARGS)

system-packages:
	@bash .ci/ensure-system-packages

test: bootstrap system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: bootstrap
	$(BIN)/resnet-course demo

clean:
	rm -rf course/source course/release course/submitted course/autograded course/feedback course/gradebook.db
