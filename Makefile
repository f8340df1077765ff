# baustein-eval — the two commands of README: `make demo` and `make test`.
# Both create .venv if missing and install the project into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export OPENBLAS_NUM_THREADS ?= 1
export PYTHONHASHSEED ?= 0

EXAMPLES  := data/examples
DATASET   := data/processed/example
REPORTS   := reports

.PHONY: setup demo test lab bench fuzz lint examples browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# Headless Chromium for browser checks of the HTML reports and static chart export (Debian package).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "installing Debian chromium ..."; \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	        || echo "WARNING: chromium could not be installed; browser checks will be skipped"; \
	    else echo "NOTE: chromium not found; browser checks will be skipped"; fi; }

# Example data (committed); regenerate with identical contents:
examples: $(STAMP)
	for f in template kobo limesurvey sosci forms; do \
	  $(BIN)/baustein generate --municipalities 12 --respondents-per 40 --seed 2025 --format $$f --out $(EXAMPLES)/$$f || exit 1; \
	done

demo: $(STAMP) browser
	@test -d $(EXAMPLES)/template || $(MAKE) examples
	$(BIN)/baustein demo --examples $(EXAMPLES) --dataset $(DATASET) --out $(REPORTS)

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# JupyterLab on the notebooks with the example dataset. The .py files open as notebooks (reporting.lab)
# and are paired with notebooks/.nb/*.ipynb (jupytext, [tool.jupytext] in pyproject.toml): edits in
# JupyterLab are saved back to the .py; each notebook is listed once.
lab: $(STAMP)
	@test -d $(DATASET) || $(MAKE) demo
	$(BIN)/python -m reporting.lab
	BAUSTEIN_DATASET=$(abspath $(DATASET)) PLOTLY_RENDERER=plotly_mimetype $(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --scale state

MINUTES ?= 5
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[fuzz]"
	$(BIN)/python tests/fuzz/atheris_import.py -max_total_time=$$(( $(MINUTES) * 60 ))

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(DATASET) $(REPORTS) build .pytest_cache
