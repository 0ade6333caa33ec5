"""Tests of the citation lines and BibTeX entries that ``_ext/treasurycard_cite.py`` puts under figures and tables."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
import treasurycard_cite as cite  # noqa: E402

FACTS = {"authors": "The Treasury Card authors", "title": "The Treasury Card", "version": "0.1.0",
         "built": "2026-12-01", "year": "2026", "data": "FRED files (2) to 2026-07-31; data fingerprint abc", "url": ""}


def test_first_sentence_is_the_title():
    assert cite._first_sentence("Weekly changes since 1962. The CSV lists every week.") == "Weekly changes since 1962"
    long = "word " * 60
    title = cite._first_sentence(long, limit=40)
    assert len(title) <= 40 and title.endswith("…")


def test_citation_names_number_id_address_date_and_data():
    text = cite.citation_text(FACTS, "figure", "7", "Yields on event days", "fig-april-curve", "chapters/april_shock")
    assert text == ("The Treasury Card authors (2026). The Treasury Card, version 0.1.0, Figure 7: Yields on event days "
                    "[fig-april-curve]. chapters/april_shock.html#fig-april-curve (in the book). Built 2026-12-01; "
                    "data: FRED files (2) to 2026-07-31; data fingerprint abc.")


def test_citation_uses_the_published_address_when_known():
    facts = dict(FACTS, url="https://example.org/book/")
    text = cite.citation_text(facts, "table", "3", "Effects", "tbl-april-effects", "chapters/april_shock")
    assert "Table 3: Effects [tbl-april-effects]. https://example.org/book/chapters/april_shock.html#tbl-april-effects." in text
    assert "(in the book)" not in text


def test_bibtex_entry_is_one_misc_record():
    bib = cite.bibtex_entry(FACTS, "figure", "7", "Yields", "fig-april-curve", "chapters/april_shock")
    assert bib.startswith("@misc{thetreasurycard2026-fig-april-curve,\n") and bib.endswith("}\n")
    assert "title = {{Figure 7: Yields}}" in bib and "Id fig-april-curve." in bib
    assert "addendum = {chapters/april_shock.html#fig-april-curve}" in bib


def test_export_folder_follows_the_id():
    assert cite._export_dir("fig-x") == "figures" and cite._export_dir("tbl-x") == "tables"
