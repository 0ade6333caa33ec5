"""Tests of the ACM monthly reader: layout, dates, damaged rows, and the real file."""

from __future__ import annotations

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.data.sources.nyfed import parse_acm_monthly
from treasurycard.data.store import DataStore
from treasurycard.errors import DataFormatError, DataUnavailable

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


def test_not_fetchable_so_a_missing_file_names_the_mirror(tmp_path):
    with pytest.raises(DataUnavailable, match="nyfed/ACMTermPremium_monthly.csv"):
        DataStore(cache_dir=tmp_path / "cache").acm_monthly()


def test_real_file(shared_data, tmp_path):
    acm = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True).acm_monthly()
    # PROVENANCE.md: 769 month ends 1961-06-30 .. 2025-06-30; ACMTP10 Apr 0.609744, May 0.755916 (2025)
    assert len(acm) == 769 and acm.index[-1] == pd.Timestamp("2025-06-30")
    assert_allclose(acm.loc[["2025-04-30", "2025-05-30"], "ACMTP10"], [0.609744, 0.755916], atol=2e-6, rtol=0)
