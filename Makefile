# Two commands set everything up: `make book` (builds the HTML book) and `make test` (runs the tests).
# Data: fetched from the publishers (FRED, the Treasury, MoF, ECB, New York Fed) into data/cache (`make data` fetches them all first, with progress);
# or set TREASURYCARD_MIRROR to read an offline copy (e.g. ../shared/data) and TREASURYCARD_OFFLINE=1 to forbid
# network access.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book preflight data test site-test pdf lab install clean bench

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# The execution cache (jupyter-cache) re-runs a chapter only when its code cells change. Outputs also depend
# on the package, the event calendar and the data, so a fingerprint of those (and of the data settings) is
# kept beside the cache; when it changes, every chapter is executed again rather than replayed stale, and the
# exports are written afresh (so a figure a chapter no longer makes is not published from an older build).
BOOK_INPUTS = $(shell cat $$(find lib -name '*.py' | sort) $$(ls data/*.csv) requirements.txt \
                $(wildcard data/cache/manifest.csv) $(wildcard $(TREASURYCARD_MIRROR)/MANIFEST.csv) 2>/dev/null \
                | sha256sum | cut -c1-16)-mirror=$(TREASURYCARD_MIRROR)-offline=$(TREASURYCARD_OFFLINE)

# Before the build: every input the chapters read must be in the mirror or the cache, or its publisher must
# answer; if not, one short message says what is missing and how to fix it, and no notebook runs. Inputs that
# are missing but reachable are fetched first, one progress line per file (treasurycard.data.preflight).
preflight: $(STAMP)
	@$(BIN)/python -m treasurycard.data.preflight --fetch

# Fetch every input the book uses into data/cache (mirror and cache first: a full cache touches no network),
# one line per file, then the vintage table. `make data REFRESH=1` fetches everything again.
data: $(STAMP)
	$(BIN)/python -m treasurycard.data.inputs $(if $(REFRESH),--refresh)

# JOBS=2 (the default; any N > 1): execute the chapters in parallel into the execution cache first (one process per
# core; skipped when no chapter changed since the cache was last written); Jupyter Book then renders them from the
# cache. JOBS=1: the build executes them one after another itself (a clean build took 95 s serially, 63 s in
# parallel on 2 cores: benchmarks/bench_build.py).
JOBS ?= 2

book: preflight
	@if [ -d _build/.jupyter_cache ] && [ "$$(cat _build/.book-inputs 2>/dev/null)" != "$(BOOK_INPUTS)" ]; then \
	  echo "package, events, data or data settings changed since the last build: executing every chapter again"; \
	  rm -rf _build/.jupyter_cache _build/.doctrees _build/.treasurycard_reads exports; fi
	# treasurycard.book.build: with JOBS > 1 the chapters are executed in parallel first; then jupyter-book build
	# (warnings are errors); a failing chapter's own error is named last. The book's extension (_ext/) publishes
	# exports/, the chapters' figures and tables, beside the pages.
	$(BIN)/python -m treasurycard.book.build . --jobs $(JOBS)
	echo "$(BOOK_INPUTS)" > _build/.book-inputs

test: $(STAMP)
	$(BIN)/python -m pytest --ignore=tests/site

# The built book (run `make book` first) in headless Chromium with all network outside localhost blocked:
# every page of _toc.yml, charts, figure/table downloads, notebooks, links (tests/site). Needs Debian's
# chromium (`apt-get install chromium`; .ci/run installs it); Playwright drives it and downloads nothing.
site-test: $(STAMP) pdf
	$(BIN)/python -m pytest tests/site

# The PDF edition (after `make book`): every page printed by headless Chromium once its charts and formulas have
# rendered, joined in _toc.yml order behind a title page with the citation, page-numbered, written to
# _build/html/treasury-card.pdf (linked from every page). Needs Debian's chromium, like site-test.
pdf: $(STAMP)
	$(BIN)/python -m treasurycard.book.pdf

# Open the chapters in JupyterLab (MyST markdown opens as notebooks through jupytext).
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet "jupyterlab>=4,<5"
	$(BIN)/jupyter lab chapters/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_build.py --jobs $(JOBS)

clean:
	rm -rf _build exports
