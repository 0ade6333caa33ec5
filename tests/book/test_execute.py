"""Parallel pre-execution of the chapters: which chapters, read how."""

from __future__ import annotations

from pathlib import Path

from treasurycard.book.execute import MYST_READER, forced, toc_chapters

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
