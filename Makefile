# Two entry points (see README): `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RT := $(VENV)/bin/review-themes

.PHONY: demo test install clean corpus model bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(RT) run corpus/sample --out out/demo

test: $(VENV)/.installed
	$(PY) -m pytest -q

clean:
	rm -rf out .review-themes .pytest_cache
