# glassml — the two commands a new user needs: `make tour` (the book) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.glassml-installed
OUT    ?= outputs
BOOK   ?= $(OUT)/book

export MPLBACKEND := Agg

.PHONY: install tour lesson test lint bench typecheck clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the dependency files change (the stamp is newer otherwise).
$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet --no-compile -c constraints.txt -e ".[torch,dev,docs]"
	@touch $(STAMP)

install: $(STAMP)

# The book: every lesson executed (quick settings) as a page with its notebook, the API reference.
tour: $(STAMP)
	$(PY) docs/build_book.py --out $(BOOK)

# One lesson, full settings: make lesson N=3 (options: make lesson N=3 ARGS="--lr 0.05").
lesson: $(STAMP)
	@test -n "$(N)" || { echo "usage: make lesson N=3 [ARGS='--quick']"; exit 2; }
	$(VENV)/bin/glassml lesson $(N) $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks docs
	$(VENV)/bin/ruff format --check src tests benchmarks docs

test: lint
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(VENV)/bin/glassml bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .mypy_cache
