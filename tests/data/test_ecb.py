"""Tests of the ECB reference-rate reader: layout, N/A cells, order, crosses, the zip, the store."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.data.sources.ecb import cross_rate, parse_eurofxref, unzip_history
from treasurycard.data.store import DataStore
from treasurycard.errors import DataFormatError, DataUnavailable

# Made-up rates in the ECB's layout (format tests only, not market data): newest first, trailing commas.
FAKE = "Date,USD,JPY,BGN,\n2020-01-03,1.25,150.0,N/A,\n2020-01-02,1.0,120.0,1.9558,\n"


def test_parse_reverses_to_ascending_and_reads_na():
    frame = parse_eurofxref(FAKE.encode())
    assert list(frame.index) == [pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-03")]
    assert list(frame.columns) == ["USD", "JPY", "BGN"] and np.isnan(frame.loc["2020-01-03", "BGN"])


def test_yen_per_dollar_is_the_cross_of_the_euro_rates():
    yen = cross_rate(parse_eurofxref(FAKE.encode()), "USD", "JPY")
    assert_allclose(yen.to_numpy(), [120.0, 120.0], rtol=1e-12)
    with pytest.raises(KeyError, match="XYZ"):
        cross_rate(parse_eurofxref(FAKE.encode()), "USD", "XYZ")


@pytest.mark.parametrize("text, line, fragment", [
    ("Date,JPY,USD,\n2020-01-02,1.0,2.0,\n", 1, "header"),
    ("Date,USD,JPY,\n2020-01-02,1.0,120.0,\n2020-01-03,1.0,120.0,\n", 3, "newest first"),
    ("Date,USD,JPY,\n2020-01-02,1.0,\n", 2, "3 fields"),
    ("Date,USD,JPY,\n02/01/2020,1.0,120.0,\n", 2, "YYYY-MM-DD"),
    ("Date,USD,JPY,\n2020-01-02,1.0,-120.0,\n", 2, "positive rate"),
])
def test_damaged_files_name_the_line(text, line, fragment):
    with pytest.raises(DataFormatError) as err:
        parse_eurofxref(text.encode(), source="eurofxref-hist.csv")
    assert err.value.line == line and fragment in err.value.expected


def test_unzip_takes_the_csv_and_refuses_other_archives():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("eurofxref-hist.csv", FAKE)
    assert unzip_history(buf.getvalue()) == FAKE
    with pytest.raises(DataFormatError, match="zip"):
        unzip_history(b"not a zip")


def test_store_offline_without_the_file_names_it(tmp_path):
    with pytest.raises(DataUnavailable, match="ecb/eurofxref-hist.csv"):
        DataStore(cache_dir=tmp_path / "cache", offline=True).ecb("ECBJPYUSD", "2020-01-01", "2020-12-31")


def test_unknown_cross_is_refused(tmp_path):
    root = tmp_path / "mirror" / "ecb"
    root.mkdir(parents=True)
    (root / "eurofxref-hist.csv").write_text(FAKE)
    store = DataStore(cache_dir=tmp_path / "cache", mirror=tmp_path / "mirror", offline=True)
    with pytest.raises(DataUnavailable, match="ECBCNYUSD"):
        store.ecb("ECBCNYUSD", "2020-01-01", "2020-12-31")
    assert store.ecb("ECBJPYUSD", "2020-01-01", "2020-12-31").attrs["units"] == {"ECBJPYUSD": "%"}


def test_real_file_around_kato(shared_data, tmp_path):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    yen = store.ecb("ECBJPYUSD", "2025-04-01", "2025-05-09")["ECBJPYUSD"]
    # PROVENANCE.md: JPY per USD 2025-04-30 143.04, 05-02 144.52, 05-05 143.87; 1 May (TARGET holiday) absent
    assert_allclose(yen.loc[["2025-04-30", "2025-05-02", "2025-05-05"]], [143.04, 144.52, 143.87], atol=0.005, rtol=0)
    assert pd.Timestamp("2025-05-01") not in yen.index
