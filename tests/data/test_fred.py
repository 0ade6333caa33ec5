"""FRED CSV reading and writing (treasurycard.data.sources.fred)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.errors import DataFormatError
from treasurycard.data.sources.fred import format_fred_csv, parse_fred_csv, read_fred_csv

# A made-up series in FRED's layout (not market data): tests the format only.
TEXT = "observation_date,DGS10\n2020-01-02,1.50\n2020-01-03,\n2020-01-06,.\n2020-01-07,1.25\n"


def test_parse_fred_csv_empty_and_dot_are_missing():
    s = parse_fred_csv(TEXT, "DGS10")
    assert s.name == "DGS10" and s.index.name == "date"
    assert list(s.index.strftime("%Y-%m-%d")) == ["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"]
    assert_allclose(s.to_numpy(), [1.50, np.nan, np.nan, 1.25], rtol=0, atol=0)


def test_legacy_date_header_accepted():
    s = parse_fred_csv(TEXT.replace("observation_date", "DATE"), "DGS10")
    assert len(s) == 4


def test_round_trip(tmp_path):
    s = parse_fred_csv(TEXT, "DGS10")
    path = tmp_path / "DGS10.csv"
    path.write_text(format_fred_csv(s))
    back = read_fred_csv(path)
    pd.testing.assert_series_equal(back, s)


@pytest.mark.parametrize(
    "text, line, expected",
    [
        ("date,DGS10\n2020-01-02,1.5\n", 1, "header"),
        ("observation_date,DGS2\n2020-01-02,1.5\n", 1, "header"),
        ("observation_date,DGS10\n2020-01-02,abc\n", 2, "a number"),
        ("observation_date,DGS10\n2020-01-02,1.5\n2020-13-45,1.6\n", 3, "a date"),
        ("observation_date,DGS10\n2020-01-02,1.5,7\n", 2, "two comma-separated"),
        ("", 1, "header"),
    ],
)
def test_bad_fred_csv_names_file_and_line(tmp_path, text, line, expected):
    path = tmp_path / "DGS10.csv"
    path.write_text(text)
    with pytest.raises(DataFormatError) as info:
        read_fred_csv(path)
    assert info.value.line == line
    assert str(path) in str(info.value) and f"line {line}" in str(info.value)
    assert expected in str(info.value)


def test_real_file_parses(shared_data):
    s = read_fred_csv(shared_data / "fred" / "DGS10.csv")
    raw = (shared_data / "fred" / "DGS10.csv").read_text().splitlines()
    assert len(s) == len(raw) - 1
    # the value on one day equals the file's own text for that day
    line = next(l for l in raw if l.startswith("2025-04-11,"))
    assert s.loc["2025-04-11"] == float(line.split(",")[1])


# ---------------------------------------------------------------------- leading zeros = not reported


def test_leading_zeros_are_not_reported():
    from treasurycard.data.sources.fred import reported_from_first_nonzero

    idx = pd.date_range("2007-06-06", periods=6, freq="W-WED")
    s = pd.Series([0.0, 0.0, np.nan, 1200.0, 1210.5, 1205.0], index=idx, name="WMTSECL1")
    out = reported_from_first_nonzero(s)
    assert out.iloc[:3].isna().all()
    assert out.iloc[3:].tolist() == [1200.0, 1210.5, 1205.0]


def test_zero_after_first_report_is_refused():
    from treasurycard.data.sources.fred import reported_from_first_nonzero
    from treasurycard.errors import DataValidationError

    idx = pd.date_range("2007-06-06", periods=4, freq="W-WED")
    with pytest.raises(DataValidationError, match="0 on 2007-06-27"):
        reported_from_first_nonzero(pd.Series([0.0, 5.0, 6.0, 0.0], index=idx, name="WMTSECL1"))
    with pytest.raises(DataValidationError, match="no non-zero value"):
        reported_from_first_nonzero(pd.Series([0.0, 0.0], index=idx[:2], name="WMTSECL1"))
