"""Tests of treasurycard.book.citation: build date, data fingerprint, package versions and the citation text."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from treasurycard.book import citation


@pytest.fixture
def vintage() -> pd.DataFrame:
    return pd.DataFrame({
        "key": ["fred/DGS10.csv", "tic/mfhhis01.txt", "fred/DEXJPUS.csv"],
        "sha256": ["a" * 64, "b" * 64, "c" * 64],
        "last_date": ["2026-07-28", "2025-12", "2026-07-31"],
    })


def test_build_date_follows_source_date_epoch():
    assert citation.build_date({"SOURCE_DATE_EPOCH": "1746144000"}) == dt.date(2025, 5, 2)


def test_fingerprint_ignores_row_order_and_sees_any_changed_file(vintage):
    fp = citation.data_fingerprint(vintage)
    assert len(fp) == 12
    assert citation.data_fingerprint(vintage.iloc[::-1]) == fp
    changed = vintage.assign(sha256=["a" * 64, "b" * 64, "d" * 64])
    assert citation.data_fingerprint(changed) != fp


def test_vintage_summary_names_latest_observation_per_source(vintage):
    text = citation.vintage_summary(vintage)
    assert "FRED files (2) with observations to 2026-07-31" in text
    assert "US Treasury TIC files (1) with observations to 2025-12" in text
    assert citation.data_fingerprint(vintage) in text
    assert "other files" not in text


def test_vintage_summary_counts_undated_files_too(vintage):
    calendar = pd.DataFrame({"key": ["calendars/jobs.csv"], "sha256": ["e" * 64], "last_date": [None]})
    text = citation.vintage_summary(pd.concat([vintage, calendar], ignore_index=True))
    assert "other files (1): calendars/jobs.csv" in text


def test_package_versions_reads_pins(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# comment\npandas==9.9.9  # pinned\nnot-a-real-package-xyz==1.0\n-e .\n")
    table = citation.package_versions(req, also=())
    assert table["package"].tolist() == ["python", "pandas", "not-a-real-package-xyz"]
    assert table.set_index("package").loc["pandas", "pinned"] == "9.9.9"
    assert table.set_index("package").loc["not-a-real-package-xyz", "installed"] == "(not installed)"


def test_how_to_cite_names_build_date_and_vintage(vintage):
    meta = {"title": "The Treasury Card", "version": "0.1.0", "authors": [{"name": "The Treasury Card authors"}]}
    cite = citation.how_to_cite(meta, dt.date(2026, 1, 5), vintage)
    assert cite["text"].startswith("The Treasury Card authors (2026). The Treasury Card (version 0.1.0, built 2026-01-05;")
    assert citation.data_fingerprint(vintage) in cite["text"]
    assert "author = {{The Treasury Card authors}}" in cite["bibtex"]
    assert cite["bibtex"].startswith("@book{")


def test_citation_cff_is_the_books_metadata():
    meta = citation.citation_metadata()
    assert meta["cff-version"] == "1.2.0"
    assert meta["title"] == "The Treasury Card"
