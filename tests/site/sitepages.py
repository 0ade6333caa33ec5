"""Which pages the book has: read from ``_toc.yml``, so a new chapter is tested without editing the tests."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def toc_pages(toc: Path = PROJECT_ROOT / "_toc.yml") -> list[str]:
    """The book's pages in reading order, as docnames (``chapters/intro``), from ``_toc.yml``."""
    from treasurycard.book.pdf import toc_pages as read_toc

    return read_toc(toc)
