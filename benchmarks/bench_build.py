"""Benchmark of the book build: where the time goes, and how large the pages are.

Builds a scratch copy of the book's sources (never the working tree's own ``_build``) three times and prints:

* the clean build (every chapter executed), a no-op rebuild, and a rebuild after editing one chapter's code;
* the notebooks' execution times (jupyter-cache's record) and the slowest cells (a timed re-execution);
* the kernel start-up share (a measured kernel start, times the number of notebooks executed);
* the size of each built page, with its inline figures.

Targets (issue 15): clean build at most 75 s, no-op rebuild at most 6 s, one-chapter rebuild < 25 s, no chapter
page over 2 MB. Run from the project root with the data settings of a normal build::

    TREASURYCARD_MIRROR=../shared/data TREASURYCARD_OFFLINE=1 .venv/bin/python benchmarks/bench_build.py
    ... benchmarks/bench_build.py --jobs 2    # as `make book JOBS=2`: chapters executed in parallel first

Each build is the one ``make book JOBS=N`` runs (:mod:`treasurycard.book.build`); with ``--jobs N`` (N > 1) it
first executes the changed chapters in parallel into the execution cache, and the time printed includes that.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SOURCES = ["_config.yml", "_toc.yml", "chapters", "_ext", "references.bib", "_static", "_templates"]
TARGETS = {"clean": 75.0, "no-op": 6.0, "one chapter": 25.0}
PAGE_LIMIT_MB = 2.0


def copy_sources(dest: Path) -> None:
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)


def build(book: Path, env: dict, jobs: int = 1) -> float:
    """Seconds for one build as ``make book JOBS=jobs`` runs it (``python -m treasurycard.book.build``)."""
    start = time.perf_counter()
    proc = subprocess.run([str(BIN / "python"), "-m", "treasurycard.book.build", str(book), "--jobs", str(jobs)],
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"build failed (exit {proc.returncode}); see the output above")
    return elapsed


def edit_one_chapter(book: Path) -> str:
    """Append a harmless statement to the first code cell of the intro's next chapter (its code changes)."""
    chapter = book / "chapters" / "data_sources.md"
    text = chapter.read_text()
    marker = "```{code-cell} ipython3\n"
    i = text.index(marker) + len(marker)
    chapter.write_text(text[:i] + "_benchmark_edit = 1\n" + text[i:])
    return chapter.name


def notebook_seconds(book: Path) -> dict[str, float]:
    """Execution time of each notebook of the last clean build, as jupyter-cache recorded it."""
    import sqlite3

    db = sqlite3.connect(book / "_build" / ".jupyter_cache" / "global.db")
    rows = db.execute("select uri, data from nbcache").fetchall()
    return {Path(uri).stem: json.loads(data or "{}").get("execution_seconds", float("nan")) for uri, data in rows}


def cell_timings(book: Path, notebooks: list[str], env: dict) -> list[tuple[float, str, int, str]]:
    """(seconds, notebook, cell number, first line) of every code cell, from a timed re-execution.

    The build's executor does not record cell times, so the given chapters are executed once more,
    outside the build, with nbclient's ``record_timing``; the figures are that run's.
    """
    import jupytext
    import nbclient

    rows = []
    for name in notebooks:
        path = book / "chapters" / f"{name}.md"
        nb = jupytext.read(path)
        old = dict(os.environ)
        os.environ.update(env)
        try:
            nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                                    resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:
            os.environ.clear()
            os.environ.update(old)
        for n, cell in enumerate(nb.cells):
            ex = cell.get("metadata", {}).get("execution", {})
            t0, t1 = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
            if cell.cell_type == "code" and t0 and t1:
                dt = datetime.fromisoformat(t1.replace("Z", "+00:00")) - datetime.fromisoformat(t0.replace("Z", "+00:00"))
                first = next((line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")), "")
                rows.append((dt.total_seconds(), name, n, first[:60]))
    return rows


def page_sizes(html: Path) -> list[tuple[float, str]]:
    """Megabytes of each chapter page: its HTML plus the figure files it references from _images/."""
    import re

    out = []
    for page in sorted((html / "chapters").glob("*.html")):
        text = page.read_text(errors="replace")
        images = set(re.findall(r'src="[./]*_images/([^"]+)"', text))
        size = page.stat().st_size + sum((html / "_images" / i).stat().st_size for i in images if (html / "_images" / i).exists())
        out.append((size / 1e6, str(page.relative_to(html))))
    return sorted(out, reverse=True)


def kernel_startup_seconds(repeats: int = 3) -> float:
    """Best-of time to start a python3 kernel and get it ready (what each notebook execution pays)."""
    from jupyter_client.manager import start_new_kernel

    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        kc.execute_interactive("from treasurycard.book.preamble import *; store = start_chapter()", timeout=120)
        best = min(best, time.perf_counter() - t)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return best


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Build the book three times and print where the time goes.")
    parser.add_argument("--jobs", type=int, default=1, help="execute chapters in parallel first (as make book JOBS=N)")
    jobs = parser.parse_args().jobs
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="tc-bench-") as tmp:
        book = Path(tmp) / "book"
        book.mkdir()
        env["TREASURYCARD_EXPORTS"] = str(Path(tmp) / "exports")
        copy_sources(book)
        times = {"clean": build(book, env, jobs)}
        per_nb = notebook_seconds(book)
        times["no-op"] = build(book, env, jobs)
        edited = edit_one_chapter(book)
        times["one chapter"] = build(book, env, jobs)

        print(f"machine: {os.cpu_count()} cores; mirror={env.get('TREASURYCARD_MIRROR', '(none)')}; jobs={jobs}")
        for name, seconds in times.items():
            verdict = "met" if seconds <= TARGETS[name] else "NOT met"
            extra = f" (edited {edited})" if name == "one chapter" else ""
            print(f"{name:>12} build: {seconds:6.1f} s   target <= {TARGETS[name]:.0f} s: {verdict}{extra}")

        print("\nnotebooks by execution time in the clean build (jupyter-cache's record, kernel start included):")
        for nb, sec in sorted(per_nb.items(), key=lambda kv: -kv[1]):
            print(f"  {sec:6.2f} s  {nb}")
        executed = sum(per_nb.values())
        print(f"  {executed:6.1f} s  all notebooks, {100 * executed / times['clean']:.0f}% of the clean build")

        slowest = [nb for nb, _ in sorted(per_nb.items(), key=lambda kv: -kv[1])[:3]]
        timings = cell_timings(book, slowest, env)
        print(f"slowest cells of the three slowest notebooks (timed re-execution):")
        for sec, nb, n, first in sorted(timings, reverse=True)[:10]:
            print(f"  {sec:6.2f} s  {nb} cell {n}: {first}")

        startup = kernel_startup_seconds()
        n_nb = len(per_nb)
        print(f"\nkernel start-up incl. 'from treasurycard.book.preamble import *; store = start_chapter()': {startup:.2f} s x {n_nb} notebooks "
              f"= {startup * n_nb:.1f} s, {100 * startup * n_nb / times['clean']:.0f}% of the clean build")

        html = book / "_build" / "html"
        print("\nchapter pages (HTML plus the figure files they show):")
        for mb, page in page_sizes(html):
            flag = "" if mb <= PAGE_LIMIT_MB else f"   over {PAGE_LIMIT_MB} MB"
            print(f"  {mb:6.2f} MB  {page}{flag}")
        total = sum(p.stat().st_size for p in html.rglob("*") if p.is_file()) / 1e6
        static = sum(p.stat().st_size for p in (html / "_static").rglob("*") if p.is_file()) / 1e6
        print(f"  whole site: {total:.1f} MB, of which _static (theme, offline MathJax): {static:.1f} MB")


if __name__ == "__main__":
    main()
