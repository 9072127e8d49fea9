# Two commands for a fresh machine with Python 3.11+ and make (see README):
#   make lab    install into .venv and start JupyterLab on notebooks/   (HEADLESS=1: no browser)
#   make test   install into .venv (with test tools) and run every test, notebooks included
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
PORT   ?= 8888
# pytest-xdist workers for `make test` (auto: one per core). Most of the suite is whole notebooks run in
# their own kernels, which is CPU-bound work that spreads over the cores; JOBS=0 runs in one process.
JOBS   ?= auto
LAB_FLAGS := $(if $(HEADLESS),--no-browser --ip=127.0.0.1 --port=$(PORT) --ServerApp.open_browser=False,)
# Containers and lab images often run as root; Jupyter refuses that unless told.
LAB_FLAGS += $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test install lock clean

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS) --notebook-dir=notebooks

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# Re-pin constraints.txt from a throw-away environment (run after changing dependencies).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip --disable-pip-version-check -q install '.[test]'
	.lock-venv/bin/python -m pip freeze --exclude securecart-labs | sort > constraints.txt
	rm -rf .lock-venv build *.egg-info

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
