# glassml — the two commands a new user needs: `make tour` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.glassml-installed
OUT    ?= outputs

export MPLBACKEND := Agg

.PHONY: install tour test lint bench typecheck clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the dependency files change (the stamp is newer otherwise).
$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e ".[torch,dev,docs]"
	@touch $(STAMP)

install: $(STAMP)

tour: $(STAMP)
	$(VENV)/bin/glassml tour --out $(OUT)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

test: lint
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(VENV)/bin/glassml bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .mypy_cache
