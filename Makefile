# Two commands set everything up on a fresh machine with Python 3.11+:
#   make lab    the course in JupyterLab
#   make test   the whole test suite
# Both are idempotent: the package is reinstalled only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LABSET := $(VENV)/.lab-settings
# JupyterLab refuses to start as root unless told; containers and CI machines run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
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

bootstrap: $(STAMP) $(LABSET)

# Student notebooks are committed; build them only when they are missing.
notebooks: bootstrap
	@test -f assignments/resnet/01_vanishing_gradients.ipynb -a -f assignments/resnet/02_residual_networks.ipynb \
	  || $(BIN)/resnet-course build

# No news pop-up, Validate limits that fit the notebooks, the instructor tools hidden from
# students (see autograder/authoring/lab_setup.py; `resnet-course lab` writes them too).
$(LABSET): autograder/authoring/lab_setup.py $(STAMP)
	$(BIN)/python -m resnet_course.autograder.authoring.lab_setup >/dev/null
	touch $(LABSET)

# JupyterLab as a student has it, on assignments/; its address is printed in Korean and
# English once it is up (for when no browser opens).
lab: notebooks $(LABSET)
	$(BIN)/resnet-course lab assignments --port=$(PORT) $(ROOT_FLAG) $(LAB_ARGS)

system-packages:
	@bash .ci/ensure-system-packages

test: bootstrap system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: bootstrap
	$(BIN)/resnet-course demo

clean:
	rm -rf course/source course/release course/submitted course/autograded course/feedback course/gradebook.db
