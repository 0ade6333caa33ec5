# Two commands set everything up: `make book` (builds the HTML book) and `make test` (runs the tests).
# Data: set TREASURYCARD_MIRROR to read an offline mirror (e.g. ../shared/data) and TREASURYCARD_OFFLINE=1
# to forbid network access; otherwise series are fetched from FRED/Treasury and cached under data/cache.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test site-test lab install clean bench

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# The execution cache (jupyter-cache) re-runs a chapter only when its code cells change. Outputs also depend
# on the package, the event calendar and the data, so a fingerprint of those (and of the data settings) is
# kept beside the cache; when it changes, every chapter is executed again rather than replayed stale.
BOOK_INPUTS = $(shell cat $$(find lib -name '*.py' | sort) data/events.csv requirements.txt \
                $(wildcard data/cache/manifest.csv) $(wildcard $(TREASURYCARD_MIRROR)/MANIFEST.csv) 2>/dev/null \
                | sha256sum | cut -c1-16)-mirror=$(TREASURYCARD_MIRROR)-offline=$(TREASURYCARD_OFFLINE)

book: $(STAMP)
	@if [ -d _build/.jupyter_cache ] && [ "$$(cat _build/.book-inputs 2>/dev/null)" != "$(BOOK_INPUTS)" ]; then \
	  echo "package, events, data or data settings changed since the last build: executing every chapter again"; \
	  rm -rf _build/.jupyter_cache _build/.doctrees _build/.treasurycard_reads; fi
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	echo "$(BOOK_INPUTS)" > _build/.book-inputs
	# the figures and tables the chapters wrote (exports/) are published beside the pages they belong to
	rm -rf _build/html/exports && cp -r exports _build/html/exports

test: $(STAMP)
	$(BIN)/python -m pytest --ignore=tests/site

# The built book (run `make book` first) in headless Chromium with all network outside localhost blocked:
# every page of _toc.yml, charts, figure/table downloads, notebooks, links (tests/site). Needs Debian's
# chromium (`apt-get install chromium`; .ci/run installs it); Playwright drives it and downloads nothing.
site-test: $(STAMP)
	$(BIN)/python -m pytest tests/site

# Open the chapters in JupyterLab (MyST markdown opens as notebooks through jupytext).
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet "jupyterlab>=4,<5"
	$(BIN)/jupyter lab chapters/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_build.py

clean:
	rm -rf _build exports
