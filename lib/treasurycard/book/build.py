"""Build the book: optionally execute the chapters in parallel first, then Jupyter Book; name a failing chapter's error.

``python -m treasurycard.book.build [BOOK] [--jobs N]`` is what ``make book`` runs after the data preflight:

1. With ``--jobs N`` (N > 1), when a chapter changed since the execution cache was last written, every chapter
   of ``_toc.yml`` is added to the jupyter-cache project in ``BOOK/_build/.jupyter_cache``, read exactly as
   myst-nb reads it (its ``myst_nb_md`` reader), and the outdated ones are executed with jupyter-cache's
   ``local-parallel`` executor (one process per core, each notebook in its own folder as myst-nb runs it).
   Chapters that force execution on every build (``execution_mode: force``) are left to the build. The
   chapters are independent: each reads its data through the store and writes its own exports.
2. ``jupyter-book build BOOK --warningiserror --keep-going``, its output passed through as it comes; Jupyter
   Book renders the chapters executed in step 1 from the cache.
3. If a chapter failed, one short summary ends the output: each failing chapter and the last line of its own
   error (e.g. ``DataUnavailable: fred/DGS10.csv is in neither ...``), before which the full tracebacks stand.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

#: The read format myst-nb uses for MyST-markdown notebooks (``myst_nb.core.read``), so the cache's hashes match.
MYST_READER = {"type": "plugin", "name": "myst_nb_md"}

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FAILED = re.compile(r"^(?P<path>\S+\.(?:md|ipynb)): WARNING: Executing notebook failed")
_ERROR_LINE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*(?:Error|Exception|Unavailable|Interrupt|Exit|OutsideData|Unit))"
                         r"(?:: (?P<msg>.+))?$")


def toc_chapters(book: Path) -> list[Path]:
    """The ``.md`` chapters listed in ``_toc.yml`` (root first), as paths."""
    import yaml

    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for c in toc.get("chapters", [])]
    return [book / f"{f}.md" for f in files if (book / f"{f}.md").is_file()]


def forced(path: Path) -> bool:
    """Whether a chapter's front matter asks myst-nb to execute it on every build."""
    text = path.read_text(encoding="utf-8")
    front = text.split("---", 2)[1] if text.startswith("---") else ""
    return re.search(r"execution_mode:\s*[\"']?force", front) is not None


def cache_db(book: Path) -> Path:
    return book / "_build" / ".jupyter_cache" / "global.db"


def chapters_changed(book: Path) -> bool:
    """Whether a chapter is newer than the execution cache (or there is no cache yet)."""
    db = cache_db(book)
    if not db.is_file():
        return True
    stamp = db.stat().st_mtime
    return any(p.stat().st_mtime > stamp for p in toc_chapters(book))


def execute_parallel(book: Path, timeout: int = 600, out=sys.stdout) -> list[str]:
    """Execute the outdated chapters of ``book`` in parallel into its execution cache; return the failed ones."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(cache_db(book).parent))
    chapters = [p for p in toc_chapters(book) if not forced(p)]
    for path in chapters:
        cache.add_nb_to_project(str(path), read_data=MYST_READER)
    uris = [str(path) for path in chapters]
    start = time.perf_counter()
    result = load_executor("local-parallel", cache).run_and_cache(filter_uris=uris, timeout=timeout,
                                                                  allow_errors=False)
    failed = [*result.excepted, *result.errored]  # a cell raised / the notebook could not start
    print(f"executed {len(result.succeeded)} chapters in parallel in {time.perf_counter() - start:.1f} s "
          f"({len(uris) - len(result.succeeded) - len(failed)} already cached; {len(failed)} failed, "
          "left to the build to report)", file=out, flush=True)
    return failed


def failures_from_log(text: str) -> list[tuple[str, str]]:
    """``(chapter, its error's last line)`` for each chapter the build log says failed, in order."""
    lines = [_ANSI.sub("", line) for line in text.splitlines()]
    found: list[tuple[str, str]] = []
    current, last_error = None, ""
    for line in lines + [""]:
        start = _FAILED.match(line)
        if start or line.startswith("myst_nb.core.execute.base.ExecutionError"):
            if current is not None and current not in dict(found):
                found.append((current, last_error or "(see the traceback above)"))
            current, last_error = (start["path"], "") if start else (None, "")
            continue
        match = _ERROR_LINE.match(line)
        if current is not None and match and not match["name"].startswith(("nbclient.", "myst_nb.")):
            last_error = match["name"] + (f": {match['msg'].strip()}" if match["msg"] else "")
    if current is not None and current not in dict(found):
        found.append((current, last_error or "(see the traceback above)"))
    return found


def summary(failures: list[tuple[str, str]], book: Path) -> str:
    lines = [f"The book build failed: {len(failures)} chapter(s) raised an error (tracebacks above):"]
    for path, error in failures:
        name = Path(path).relative_to(book) if Path(path).is_relative_to(book) else path
        lines.append(f"  {name}: {error[:400]}")
    return "\n".join(lines)


def run_build(book: Path, extra_args=()) -> int:
    """Run ``jupyter-book build``, passing its output through; on failure, summarise the failing chapters."""
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "--warningiserror",
               "--keep-going", *extra_args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    log = []
    for line in proc.stdout:
        sys.stdout.write(line)
        log.append(line)
    code = proc.wait()
    if code != 0:
        failures = failures_from_log("".join(log))
        if failures:
            print("\n" + summary(failures, book), file=sys.stderr)
    return code


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m treasurycard.book.build", description=__doc__.split("\n")[0])
    parser.add_argument("book", nargs="?", default=".", help="the book's folder (default: the current folder)")
    parser.add_argument("--jobs", type=int, default=1, help="N > 1: execute the chapters in parallel first")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per notebook (parallel execution)")
    args = parser.parse_args(argv)
    book = Path(args.book).resolve()
    # the chapters' data stores record what they read in the build's read log (the list of sources is made
    # from it); the publishing extension sets the same for chapters the build itself executes
    read_log = book / "_build" / ".treasurycard_reads"
    read_log.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TREASURYCARD_READ_LOG", str(read_log))
    if args.jobs > 1 and chapters_changed(book):
        execute_parallel(book, args.timeout)
    return run_build(book)


if __name__ == "__main__":
    sys.exit(main())
