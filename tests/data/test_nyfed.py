"""Tests of the ACM monthly reader: layout, dates, damaged rows, the real file, and the live fetch of the workbook
(download, the "ACM Monthly" sheet converted to the stored CSV)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.data.sources import nyfed
from treasurycard.data.sources.nyfed import ACM_COLUMNS, parse_acm_monthly, sheet_to_csv, workbook_to_csv
from treasurycard.data.store import DataStore
from treasurycard.errors import DataFormatError, DataUnavailable, FetchError
from fake_http import Response, ScriptedSession

# Made-up values in the layout R's write.csv gives the sheet (format tests only, not market data).
FAKE = '"DATE","ACMY10","ACMTP10"\n"30-Jun-1961",3.5,0.25\n"31-Jul-1961",3.75,0.5\n'


def test_parse_reads_quoted_dates_and_columns():
    frame = parse_acm_monthly(FAKE.encode())
    assert list(frame.index) == [pd.Timestamp("1961-06-30"), pd.Timestamp("1961-07-31")]
    assert_allclose(frame["ACMTP10"], [0.25, 0.5], rtol=0, atol=1e-12)


@pytest.mark.parametrize("text, line, fragment", [
    ('"DATE","TP10"\n"30-Jun-1961",0.1\n', 1, "header"),
    ('"DATE","ACMTP10"\n"1961-06-30",0.1\n', 2, "30-Jun-1961"),
    ('"DATE","ACMTP10"\n"30-Jun-1961",\n', 2, "numbers"),
    ('"DATE","ACMTP10"\n"31-Jul-1961",0.1\n"30-Jun-1961",0.1\n', 3, "ascending"),
    ('"DATE","ACMTP10"\n"30-Jun-1961",0.1,0.2\n', 2, "2 fields"),
])
def test_damaged_rows_name_the_line(text, line, fragment):
    with pytest.raises(DataFormatError) as err:
        parse_acm_monthly(text.encode(), source="ACMTermPremium_monthly.csv")
    assert err.value.line == line and fragment in err.value.expected


def test_offline_a_missing_file_names_the_file_and_the_remedy(tmp_path):
    with pytest.raises(DataUnavailable, match="nyfed/ACMTermPremium_monthly.csv.*TREASURYCARD_OFFLINE"):
        DataStore(cache_dir=tmp_path / "cache", offline=True).acm_monthly()


# ------------------------------------------------------------------ the workbook's sheet -> the stored CSV


def _sheet_as_read_excel_returns_it(path) -> pd.DataFrame:
    """The mirror's CSV as pandas.read_excel returns the workbook's "ACM Monthly" sheet: the first row the
    header, DATE as text cells (object dtype; R's readxl kept them as text, so the workbook holds text), the
    30 ACM columns float64."""
    sheet = pd.read_csv(path, dtype={"DATE": object})
    assert list(sheet.columns) == list(ACM_COLUMNS)
    return sheet


def test_sheet_converts_to_exactly_the_mirrors_csv(shared_data):
    path = shared_data / "nyfed/ACMTermPremium_monthly.csv"
    sheet = _sheet_as_read_excel_returns_it(path)
    assert sheet["DATE"].dtype == object and (sheet.dtypes.iloc[1:] == "float64").all()
    csv = sheet_to_csv(sheet, "ACMTermPremium.xls")
    assert csv == path.read_bytes()  # byte for byte: quoted header and dates, 15 significant digits, \n
    pd.testing.assert_frame_equal(parse_acm_monthly(csv), parse_acm_monthly(path.read_bytes()))


def _fake_sheet(**changes) -> pd.DataFrame:
    """Made-up values in the sheet's shape (format tests only, not market data)."""
    cols = {c: [1.5, 2.0, np.nan] for c in ACM_COLUMNS[1:]}
    sheet = pd.DataFrame({"DATE": ["30-Jun-1961", "31-Jul-1961", np.nan], **cols})
    for name, values in changes.items():
        sheet[name] = values
    return sheet


def test_sheet_with_date_cells_integers_shuffled_columns_and_blank_rows():
    sheet = _fake_sheet(DATE=[pd.Timestamp("1961-06-30"), pd.Timestamp("1961-07-31"), pd.NaT],
                        ACMTP10=pd.array([3, -1, None], dtype="Int64"))
    sheet = sheet[list(reversed(sheet.columns))]  # order does not matter; the CSV has the mirror's order
    lines = sheet_to_csv(sheet).decode().split("\n")
    assert lines[0] == ",".join(f'"{c}"' for c in ACM_COLUMNS)
    assert lines[1].startswith('"30-Jun-1961",1.5,') and lines[2].startswith('"31-Jul-1961",2,')
    assert lines[1].split(",")[ACM_COLUMNS.index("ACMTP10")] == "3"
    assert lines[2].split(",")[ACM_COLUMNS.index("ACMTP10")] == "-1"
    assert lines[3:] == [""]  # the blank row is dropped; the file ends with a line end
    frame = parse_acm_monthly(sheet_to_csv(sheet))
    assert list(frame.index) == [pd.Timestamp("1961-06-30"), pd.Timestamp("1961-07-31")]


@pytest.mark.parametrize("change, row, fragment", [
    (dict(ACMTP10=None), 1, "missing ACMTP10"),
    (dict(ACMTP11=[0.1, 0.1, np.nan]), 1, "unexpected ACMTP11"),
    (dict(DATE=["1961-06-30", "31-Jul-1961", np.nan]), 2, "30-Jun-1961"),
    (dict(DATE=["30-Jun-1961", 42, np.nan]), 3, "30-Jun-1961"),
    (dict(ACMY05=[1.0, np.nan, 1.0]), 3, "ACMY05"),
    (dict(ACMRNY01=[1.0, "n.a.", np.nan]), 3, "ACMRNY01"),
])
def test_a_damaged_sheet_is_refused_naming_its_row(change, row, fragment):
    sheet = _fake_sheet(**{k: v for k, v in change.items() if v is not None})
    for name in [k for k, v in change.items() if v is None]:
        sheet = sheet.drop(columns=name)
    with pytest.raises(DataFormatError) as err:
        sheet_to_csv(sheet, "https://example.test/ACMTermPremium.xls")
    assert err.value.line == row
    assert "sheet 'ACM Monthly'" in str(err.value) and "ACMTermPremium.xls" in str(err.value)
    assert fragment in f"{err.value.expected} {err.value.found}"


@pytest.mark.parametrize("body", [b"<html><title>Error</title></html>", b"PK\x03\x04 a zip, not an .xls", b"\xd0\xcf"])
def test_bytes_that_are_not_an_xls_workbook_are_refused_by_the_excel_reader(body):
    with pytest.raises(DataFormatError) as err:
        workbook_to_csv(body, "https://example.test/ACMTermPremium.xls")
    assert "https://example.test/ACMTermPremium.xls" in str(err.value) and "'ACM Monthly'" in err.value.expected


# ------------------------------------------------------------------ the store's live fetch of the workbook


def test_store_downloads_the_workbook_converts_its_sheet_and_caches_the_csv(shared_data, tmp_path, monkeypatch):
    """The live path with the one step no offline test can take replaced: the Excel reader decoding a real .xls (none
    exists offline, and writing one needs unmaintained libraries). pandas.read_excel is stood in for by the
    mirror's sheet, and is checked to be asked for the downloaded bytes, the "ACM Monthly" sheet and calamine."""
    path = shared_data / "nyfed/ACMTermPremium_monthly.csv"
    workbook = b"\xd0\xcf\x11\xe0 stands in for the workbook"
    asked = []

    def read_excel(io_, sheet_name, engine):
        asked.append((io_.read(), sheet_name, engine))
        return _sheet_as_read_excel_returns_it(path)

    monkeypatch.setattr(pd, "read_excel", read_excel)
    monkeypatch.setenv("TREASURYCARD_NYFED_BASE_URL", "http://127.0.0.1:9")
    session = ScriptedSession(Response(b"", 503), Response(workbook, headers={"Content-Length": str(len(workbook))}))
    store = DataStore(cache_dir=tmp_path / "cache", session=session, retry_pause=0.0)
    acm = store.acm_monthly()
    url = "http://127.0.0.1:9/medialibrary/media/research/data_indicators/ACMTermPremium.xls"
    assert session.urls == [url, url]  # the 503 was retried
    assert asked == [(workbook, "ACM Monthly", "calamine")]
    assert (store.cache_dir / "nyfed/ACMTermPremium_monthly.csv").read_bytes() == path.read_bytes()
    row = store.manifest().set_index("key").loc["nyfed/ACMTermPremium_monthly.csv"]
    assert row["source_url"] == url and row["first_date"] == "1961-06-30" and row["rows"] == str(len(acm))
    pd.testing.assert_frame_equal(acm, parse_acm_monthly(path.read_bytes()))


@pytest.mark.parametrize("body, headers, fragment", [
    (b"not a workbook at all", {}, "'ACM Monthly'"),
    (b"<!DOCTYPE html><html><title>Page Not Found</title></html>", {"Content-Type": "text/html"},
     "an HTML page titled 'Page Not Found'"),
])
def test_store_refuses_a_download_that_is_not_the_workbook_and_caches_nothing(tmp_path, body, headers, fragment):
    store = DataStore(cache_dir=tmp_path / "cache", session=ScriptedSession(Response(body, headers=headers)), retry_pause=0.0)
    with pytest.raises(FetchError) as err:
        store.acm_monthly()
    msg = str(err.value)
    assert nyfed.ACM_URL in msg and fragment in msg and "Nothing was" in msg
    assert not (store.cache_dir / "nyfed/ACMTermPremium_monthly.csv").exists() and store.manifest().empty


def test_real_file(shared_data, tmp_path):
    acm = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True).acm_monthly()
    # PROVENANCE.md: 769 month ends 1961-06-30 .. 2025-06-30; ACMTP10 Apr 0.609744, May 0.755916 (2025)
    assert len(acm) == 769 and acm.index[-1] == pd.Timestamp("2025-06-30")
    assert_allclose(acm.loc[["2025-04-30", "2025-05-30"], "ACMTP10"], [0.609744, 0.755916], atol=2e-6, rtol=0)
