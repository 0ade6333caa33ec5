"""Parallel pre-execution of the chapters: which chapters, read how."""

from __future__ import annotations

from pathlib import Path

from treasurycard.book.build import MYST_READER, chapters_changed, failures_from_log, forced, summary, toc_chapters

ROOT = Path(__file__).resolve().parents[2]


def test_toc_chapters_lists_the_books_chapters_root_first():
    chapters = toc_chapters(ROOT)
    assert chapters[0] == ROOT / "chapters" / "intro.md"
    assert ROOT / "chapters" / "kato_remark.md" in chapters
    assert all(p.is_file() and p.suffix == ".md" for p in chapters)
    assert len(chapters) == len(set(chapters))


def test_chapters_that_force_execution_are_left_to_the_build(tmp_path):
    forced_md = tmp_path / "forced.md"
    forced_md.write_text("---\nmystnb:\n  execution_mode: force\n---\n# A page\n\nexecution_mode: force\n")
    plain = tmp_path / "plain.md"
    plain.write_text("---\njupytext:\n  text_representation: {}\n---\n# A page\n\nexecution_mode: force in prose\n")
    assert forced(forced_md) and not forced(plain)
    assert forced(ROOT / "chapters" / "reproducibility.md")
    assert not forced(ROOT / "chapters" / "kato_remark.md")


def test_chapters_are_read_as_myst_nb_reads_them():
    from importlib.metadata import entry_points

    readers = {e.name for e in entry_points(group="jcache.readers")}
    assert MYST_READER["name"] in readers


# The shape of a failing chapter in Jupyter Book's log (ANSI colours included), as myst-nb and nbclient print it.
FAILED_LOG = """\
reading sources... [ 50%] chapters/bad
\x1b[91m/book/chapters/bad.md: WARNING: Executing notebook failed: CellExecutionError
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/jupyter_cache/executors/utils.py", line 58, in single_nb_execution
    raise CellExecutionError.from_cell_and_msg(cell, exec_reply_content)
nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:
------------------
store.fred_series("DGS10")
------------------

\x1b[31mDataUnavailable\x1b[39m                           Traceback (most recent call last)
\x1b[31mDataUnavailable\x1b[39m: fred/DGS10.csv is in neither cache nor mirror; set TREASURYCARD_MIRROR
\x1b[39;49;00m
The above exception was the direct cause of the following exception:
myst_nb.core.execute.base.ExecutionError: /book/chapters/bad.md
\x1b[91m/book/chapters/worse.md: WARNING: Executing notebook failed: CellExecutionError
AssertionError
myst_nb.core.execute.base.ExecutionError: /book/chapters/worse.md
Traceback (most recent call last):
myst_nb.core.execute.base.ExecutionError: /book/chapters/bad.md
"""


def test_failures_from_log_names_each_chapter_and_its_own_error():
    found = failures_from_log(FAILED_LOG)
    assert found == [
        ("/book/chapters/bad.md", "DataUnavailable: fred/DGS10.csv is in neither cache nor mirror; set TREASURYCARD_MIRROR"),
        ("/book/chapters/worse.md", "AssertionError"),
    ]
    text = summary(found, Path("/book"))
    assert text.splitlines()[0].startswith("The book build failed: 2 chapter(s)")
    assert "  chapters/bad.md: DataUnavailable: fred/DGS10.csv" in text
    assert failures_from_log("build succeeded.\n") == []


def test_chapters_changed_compares_with_the_execution_cache(tmp_path):
    import os

    (tmp_path / "chapters").mkdir()
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: chapters/intro\nchapters:\n  - file: chapters/a\n")
    for name in ("intro", "a"):
        (tmp_path / "chapters" / f"{name}.md").write_text("# x\n")
    assert chapters_changed(tmp_path)  # no cache yet
    db = tmp_path / "_build" / ".jupyter_cache" / "global.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    os.utime(tmp_path / "chapters" / "a.md", (1_000_000, 1_000_000))
    os.utime(tmp_path / "chapters" / "intro.md", (1_000_000, 1_000_000))
    assert not chapters_changed(tmp_path)
    os.utime(tmp_path / "chapters" / "a.md", None)  # edited now, after the cache
    os.utime(db, (2_000_000, 2_000_000))
    assert chapters_changed(tmp_path)
