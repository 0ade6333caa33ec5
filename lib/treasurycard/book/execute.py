"""Execute the book's chapters in parallel into Jupyter Book's execution cache, before the build renders them.

``python -m treasurycard.book.execute [BOOK]`` (``make book JOBS=2``) adds every chapter of ``_toc.yml`` to the
jupyter-cache project in ``BOOK/_build/.jupyter_cache``, read exactly as myst-nb reads it (its ``myst_nb_md``
reader), and executes the outdated ones with jupyter-cache's ``local-parallel`` executor (one process per
core, each notebook in its own folder as myst-nb runs it). ``jupyter-book build`` then finds each chapter
in the cache and renders it without executing it again. Chapters that force execution on every build
(``execution_mode: force`` in their front matter) are left to the build. The chapters are independent: each
reads its data through the store and writes its own exports.

Prints one line per chapter (executed, cached or failed); a failed chapter's error is printed first and the
exit code is 1, so a failing notebook shows its own error before anything else.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

#: The read format myst-nb uses for MyST-markdown notebooks (``myst_nb.core.read``), so the cache's hashes match.
MYST_READER = {"type": "plugin", "name": "myst_nb_md"}


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


def execute(book: Path, timeout: int = 600) -> int:
    """Execute the outdated chapters of ``book`` in parallel into its execution cache; return the number failed."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(book / "_build" / ".jupyter_cache"))
    chapters = [p for p in toc_chapters(book) if not forced(p)]
    for path in chapters:
        cache.add_nb_to_project(str(path), read_data=MYST_READER)
    uris = [str(path) for path in chapters]
    start = time.perf_counter()
    executor = load_executor("local-parallel", cache)
    result = executor.run_and_cache(filter_uris=uris, timeout=timeout, allow_errors=False)
    errored = set(result.excepted) | set(result.errored)  # a cell raised / the notebook could not start
    for uri in errored:
        record = cache.get_project_record(uri)
        print(f"FAILED {Path(uri).name}:\n{record.traceback or '(no traceback recorded)'}", file=sys.stderr)
    for uri in uris:
        state = "failed" if uri in errored else "executed" if uri in result.succeeded else "cached"
        print(f"  {state:>8}  {Path(uri).name}")
    print(f"pre-executed {len(result.succeeded)} chapters in parallel in {time.perf_counter() - start:.1f} s "
          f"({len(uris) - len(result.succeeded) - len(errored)} already cached, {len(errored)} failed)")
    return len(errored)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m treasurycard.book.execute", description=__doc__.split("\n")[0])
    parser.add_argument("book", nargs="?", default=".", help="the book's folder (default: the current folder)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per notebook")
    args = parser.parse_args(argv)
    return 1 if execute(Path(args.book).resolve(), args.timeout) else 0


if __name__ == "__main__":
    sys.exit(main())
