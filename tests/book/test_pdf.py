"""Tests of treasurycard.book.pdf's pure parts: reading order, title page, page-number stamps.

Printing itself needs the built site and Chromium: ``tests/site/test_citations.py`` checks the PDF ``make pdf`` wrote.
"""

from __future__ import annotations

import re

from treasurycard.book import pdf


def test_toc_pages_in_reading_order(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: chapters/intro\nchapters:\n  - file: chapters/b\n  - file: chapters/a.md\n"
                   "    sections:\n      - file: chapters/a1\n  - file: chapters/c.ipynb\n")
    assert pdf.toc_pages(toc) == ["chapters/intro", "chapters/b", "chapters/a", "chapters/a1", "chapters/c"]


def test_the_books_toc_starts_with_the_introduction():
    pages = pdf.toc_pages()
    assert pages[0] == "chapters/intro" and "chapters/gallery" in pages and len(pages) == len(set(pages))


def test_page_numbers_one_per_page_from_first():
    html = pdf.page_numbers_html(3, first=2)
    assert re.findall(r'<div class="p"><span>(\d+)</span></div>', html) == ["2", "3", "4"]
    assert "size: A4" in html  # the stamps match the prints' paper


def test_title_page_escapes_and_carries_the_citation():
    facts = {"title": "The <Treasury> Card", "version": "1.2.3", "built": "2026-12-01",
             "citation": "Authors (2026). The Treasury Card & co.", "data": "FRED files (2) to 2026-07-31"}
    page = pdf.title_page_html(facts)
    assert "The &lt;Treasury&gt; Card" in page and "<Treasury>" not in page
    assert "Authors (2026). The Treasury Card &amp; co." in page and "Version 1.2.3" in page
    assert "built 2026-12-01" in page and "FRED files (2) to 2026-07-31" in page
