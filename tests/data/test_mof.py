"""Tests of the Ministry of Finance JGB reader: era dates, Shift_JIS, '-' cells, damaged files, the store."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.data.sources.mof import TENORS, era_to_date, parse_jgbcm
from treasurycard.data.store import DataStore
from treasurycard.errors import DataFormatError, DataUnavailable
from fake_http import Response, ScriptedSession

TITLE = "国債金利情報" + "," * 15 + "(単位 : %)"
HEADER = "基準日," + ",".join(f"{t}年" for t in TENORS)


def jgb_file(rows, encoding="cp932", newline="\r\n") -> bytes:
    """A file in the Ministry's layout with made-up yields (format tests only, not market data)."""
    return newline.join([TITLE, HEADER, *rows, ""]).encode(encoding)


def row(date, value="1.0", dash_from=None):
    cells = [value] * len(TENORS)
    if dash_from is not None:
        cells[dash_from:] = ["-"] * (len(TENORS) - dash_from)
    return ",".join([date, *cells])


@pytest.mark.parametrize("text, expected", [
    ("S49.9.24", dt.date(1974, 9, 24)),
    ("S64.1.7", dt.date(1989, 1, 7)),      # last day of Showa
    ("H1.1.9", dt.date(1989, 1, 9)),       # Heisei began on 8 January 1989
    ("H31.4.26", dt.date(2019, 4, 26)),
    ("R1.5.7", dt.date(2019, 5, 7)),       # Reiwa began on 1 May 2019
    ("R7.5.2", dt.date(2025, 5, 2)),
    ("R8.6.30", dt.date(2026, 6, 30)),
])
def test_era_dates_convert_exactly(text, expected):
    assert era_to_date(text) == expected


@pytest.mark.parametrize("text", ["S64.1.8", "H1.1.7", "H31.5.7", "R1.4.30", "R0.5.1", "R7.2.30", "T15.1.1",
                                  "2025-05-02", "R7/5/2"])
def test_dates_outside_their_era_or_malformed_are_refused(text):
    with pytest.raises(ValueError):
        era_to_date(text)


def test_parse_shift_jis_dashes_and_units():
    frame = parse_jgbcm(jgb_file([row("H31.4.26", "-0.045", dash_from=14), row("R1.5.7", "0.5")]))
    assert list(frame.columns) == [f"JGB{t}Y" for t in TENORS]
    assert list(frame.index) == [pd.Timestamp("2019-04-26"), pd.Timestamp("2019-05-07")]
    assert frame.index.name == "date"
    assert_allclose(frame.loc["2019-04-26", "JGB10Y"], -0.045, rtol=0, atol=1e-12)
    assert np.isnan(frame.loc["2019-04-26", "JGB40Y"]) and frame.loc["2019-05-07", "JGB40Y"] == 0.5


def test_utf8_copy_reads_the_same_as_shift_jis():
    rows = [row("R7.5.1", "1.25"), row("R7.5.2", "1.5", dash_from=13)]
    pd.testing.assert_frame_equal(parse_jgbcm(jgb_file(rows)), parse_jgbcm(jgb_file(rows, "utf-8", "\n")))


@pytest.mark.parametrize("rows, line, fragment", [
    ([row("R7.5.2"), row("R7.5.1")], 4, "ascending"),
    ([row("R7.5.2"), row("R7.5.2")], 4, "ascending"),
    ([row("R7.2.30")], 3, "era date"),
    ([row("R7.5.2", "n/a")], 3, "yield in percent"),
    ([row("R7.5.2") + ",1.0"], 3, "16 fields"),
])
def test_damaged_rows_name_file_and_line(rows, line, fragment):
    with pytest.raises(DataFormatError) as err:
        parse_jgbcm(jgb_file(rows), source="jgbcm_all.csv")
    assert err.value.line == line and fragment in err.value.expected and "jgbcm_all.csv" in str(err.value)


def test_changed_header_and_foreign_encoding_are_refused():
    bad_header = jgb_file([row("R7.5.2")]).replace("40年".encode("cp932"), "50年".encode("cp932"))
    with pytest.raises(DataFormatError) as err:
        parse_jgbcm(bad_header)
    assert err.value.line == 2
    with pytest.raises(DataFormatError) as err:
        parse_jgbcm(jgb_file([row("R7.5.1")]) + b"\x85\x40\r\n")  # not a Shift_JIS character
    assert "Shift_JIS" in err.value.expected and err.value.line == 4


def test_store_fetches_caches_and_rereads_the_shift_jis_file(tmp_path):
    body = jgb_file([row("R7.5.1", "1.25"), row("R7.5.2", "1.5")])
    session = ScriptedSession(Response(body))
    store = DataStore(cache_dir=tmp_path / "cache", session=session, retry_pause=0.0)
    first = store.jgb(["JGB10Y", "JGB30Y"], "2025-05-01", "2025-05-02")
    again = DataStore(cache_dir=tmp_path / "cache", offline=True).jgb("JGB10Y", "2025-05-01", "2025-05-02")
    assert session.calls == 1
    assert first.attrs["units"] == {"JGB10Y": "bp", "JGB30Y": "bp"}
    pd.testing.assert_series_equal(first["JGB10Y"], again["JGB10Y"])
    assert store.manifest().iloc[0]["last_date"] == "2025-05-02"


def test_store_caches_nothing_from_a_bad_download(tmp_path):
    store = DataStore(cache_dir=tmp_path / "cache", session=ScriptedSession(Response(b"<html>moved</html>")), retry_pause=0.0)
    with pytest.raises(DataUnavailable, match="HTML page"):
        store.jgb_table()
    assert not (tmp_path / "cache" / "mof" / "jgbcm_all.csv").exists()


def test_real_file_around_kato(shared_data, tmp_path):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    table = store.jgb_table()
    # PROVENANCE.md: 10-year 1.291 (2025-05-01), 1.283 (2025-05-02); 30-year 2.653, 2.693; 1974-09-24 .. 2026-06-30
    assert_allclose(table.loc[["2025-05-01", "2025-05-02"], "JGB10Y"], [1.291, 1.283], rtol=0, atol=1e-12)
    assert_allclose(table.loc[["2025-05-01", "2025-05-02"], "JGB30Y"], [2.653, 2.693], rtol=0, atol=1e-12)
    assert table.index[0] == pd.Timestamp("1974-09-24") and table.index[-1] == pd.Timestamp("2026-06-30")
    assert len(table) == 13248 and np.isnan(table.loc["1974-09-24", "JGB10Y"])
