"""The one list of sources (treasurycard.book.sources) and the build's read log it is made from."""

import pandas as pd

from treasurycard.book import sources


def _row(key, origin, note="", retrieved=None):
    return {"key": key, "origin": origin, "path": "p", "source_url": "u", "retrieved_at": retrieved,
            "sha256": "cd" * 32, "first_date": "2000-01-03", "last_date": "2025-12-31", "rows": 3,
            "note": note, "stale": False}


def test_files_are_described_with_their_publisher():
    assert sources.describe_file("fred/SP500.csv") == ("FRED series SP500: S&P 500 index", "S&P Dow Jones Indices LLC")
    what, publisher = sources.describe_file("calendars/employment_situation_release_dates.csv")
    assert "employment-report" in what and "Bureau of Labor Statistics" in publisher
    assert sources.describe_file("other/x.csv") == ("other/x.csv", "(publisher not catalogued)")


def test_copy_origin_names_the_mirror_source_or_the_download_time():
    mirror = _row("fred/DGS10.csv", "mirror", "repo=a/b; file_commit=0123456789abcdef; handling=verbatim")
    assert sources.copy_origin(mirror) == "offline mirror copy: copied from a/b at commit 0123456789ab (verbatim)"
    fetched = _row("fred/DGS10.csv", "fetched", retrieved="2026-01-02T03:04:05+00:00")
    assert sources.copy_origin(fetched) == "downloaded by this build, retrieved 2026-01-02T03:04:05+00:00"


def test_source_list_has_one_row_per_file_sorted():
    log = pd.DataFrame([_row("tic/mfhhis01.txt", "cache"), _row("fred/DGS10.csv", "mirror")])
    listed = sources.source_list(log)
    assert list(listed["key"]) == ["fred/DGS10.csv", "tic/mfhhis01.txt"]
    assert list(listed.columns) == sources.COLUMNS
    shown = sources.shown_list(listed)
    assert shown.loc[0, "Data"] == "2000-01-03 to 2025-12-31" and len(shown.loc[0, "sha256 (first 12)"]) == 12
