"""Plausibility and schema checks (treasurycard.data.validate)."""

import numpy as np
import pandas as pd
import pytest

from treasurycard.errors import DataValidationError, UnknownUnit
from treasurycard.data.validate import require_columns, validate_holdings, validate_series


def series(values, dates=None, name="DGS10"):
    dates = dates or [f"2020-01-0{i}" for i in range(1, len(values) + 1)]
    return pd.Series(np.asarray(values, dtype=float), index=pd.DatetimeIndex(dates, name="date"), name=name)


def test_good_series_passes():
    validate_series(series([1.0, np.nan, 1.2]), "f.csv")


@pytest.mark.parametrize(
    "s, match",
    [
        (series([1.0, 1.1], ["2020-01-02", "2020-01-01"]), "not ascending"),
        (series([1.0, 1.1], ["2020-01-02", "2020-01-02"]), "duplicated"),
        (series([1.0, 95.0]), "plausible range"),
        (series([150.0, 151.0]), "plausible range"),  # a yen rate stored as DGS10
        (series([np.nan, np.nan]), "no observations"),
    ],
)
def test_bad_series_named(s, match):
    with pytest.raises(DataValidationError, match=match) as info:
        validate_series(s, "f.csv")
    assert "DGS10" in str(info.value) and "f.csv" in str(info.value)


def test_unknown_series_has_no_bounds():
    with pytest.raises(UnknownUnit, match="XYZ"):
        validate_series(series([1.0], name="XYZ"), "f.csv")


def test_require_columns():
    frame = pd.DataFrame({"DGS10": [1.0], "DGS2": [np.nan]})
    with pytest.raises(DataValidationError, match="missing: DGS30.*no observation.*DGS2"):
        require_columns(frame, ["DGS10", "DGS2", "DGS30"], "test")


def test_holdings_checks():
    ok = pd.DataFrame({"month": ["2025-01", "2025-01"], "country": ["Japan", "Grand Total"], "holdings_bn": [1.0, 2.0]})
    validate_holdings(ok, "t.txt")
    with pytest.raises(DataValidationError, match="twice"):
        validate_holdings(pd.concat([ok, ok.iloc[:1]]), "t.txt")
    with pytest.raises(DataValidationError, match="implausible"):
        validate_holdings(ok.assign(holdings_bn=[-5.0, 1.0]), "t.txt")
