"""Tests of treasurycard.eventstudy.changes: units, window arithmetic on trading days, missing values, input errors.

All data are synthetic; expected numbers are hand computations from the levels typed in each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.eventstudy import changes
from treasurycard.errors import EventOutsideData, UnknownUnit


#: Units of the synthetic series (the engine knows no catalogue; the caller states units).
UNITS = {"DGS10": "bp", "DGS2": "bp", "DEXJPUS": "%"}


def _levels(values: dict, start="2025-03-31"):
    idx = pd.bdate_range(start, periods=len(next(iter(values.values()))), name="date")
    lv = pd.DataFrame(values, index=idx, dtype=float)
    lv.attrs["units"] = {c: UNITS[c] for c in lv.columns}
    return lv


def test_units_from_argument_attrs_or_one_string():
    attrs = {"units": {"DGS10": "bp", "DEXJPUS": "%"}}
    assert changes.resolve_units(["DGS10", "DEXJPUS"], attrs=attrs) == {"DGS10": "bp", "DEXJPUS": "%"}
    assert changes.resolve_units(["XYZ"], units={"XYZ": "%"}) == {"XYZ": "%"}
    # an explicit unit overrides the one the data carry; one string sets every column
    assert changes.resolve_units(["DGS10"], units={"DGS10": "%"}, attrs=attrs) == {"DGS10": "%"}
    assert changes.resolve_units(["A", "B"], units="bp") == {"A": "bp", "B": "bp"}


def test_engine_needs_no_catalogue():
    """A FRED id the book knows is still unknown to the engine unless the caller gives its unit."""
    with pytest.raises(UnknownUnit, match="DGS10.*units="):
        changes.resolve_units(["DGS10"])


@pytest.mark.parametrize(
    "columns, units",
    [
        (["NOT_A_SERIES"], None),  # no unit given
        (["DGS10"], {"DGS10": "bps"}),  # an unknown unit
        (["FDHBFIN"], {"FDHBFIN": "bn USD"}),  # holdings: changes in bn USD, not bp or %
    ],
    ids=["no-unit", "bad-unit", "holdings"],
)
def test_unknown_unit_raises(columns, units):
    with pytest.raises(UnknownUnit, match=columns[0]):
        changes.resolve_units(columns, units)


def test_daily_changes_bp_and_log_percent():
    # hand computation: 4.00 -> 4.05 -> 3.98 percent is +5 bp then -7 bp;
    # 150 -> 153 -> 151.47 yen is 100 ln(1.02) and 100 ln(0.99) percent.
    lv = _levels({"DGS10": [4.00, 4.05, 3.98], "DEXJPUS": [150.0, 153.0, 151.47]})
    d = changes.daily_changes(lv)
    assert_allclose(d["DGS10"].to_numpy()[1:], [5.0, -7.0], rtol=0, atol=1e-9)
    assert_allclose(d["DEXJPUS"].to_numpy()[1:], [100 * np.log(1.02), 100 * np.log(0.99)], rtol=1e-12, atol=0)
    assert d.attrs["units"] == {"DGS10": "bp", "DEXJPUS": "%"}
    assert np.isnan(d.iloc[0]).all()


def test_window_arithmetic_across_a_weekend():
    # business days from Mon 2025-03-31; Mon 2025-04-07 is position 5, the previous close is Fri 2025-04-04.
    lv = _levels({"DGS10": [4.00, 4.01, 4.03, 4.06, 4.10, 4.15, 4.21, 4.28]})
    ev = pd.Series({"monday_event": pd.Timestamp("2025-04-07")})
    wc = changes.window_changes(lv, ev, [(0, 0), (0, 1), (-1, 1), (-2, 0)]).set_index(["window_start", "window_end"])
    # (0,0): close Fri 4.10 -> close Mon 4.15 = 5 bp; (0,1): Fri -> Tue 4.21 = 11 bp;
    # (-1,1): close Thu 4.06 -> Tue 4.21 = 15 bp; (-2,0): close Wed 4.03 -> Mon 4.15 = 12 bp.
    assert_allclose(wc["raw_change"].to_numpy(), [5.0, 11.0, 15.0, 12.0], rtol=0, atol=1e-9)
    assert wc.loc[(0, 0), "start_close"] == pd.Timestamp("2025-04-04")
    assert wc.loc[(0, 0), "end_close"] == pd.Timestamp("2025-04-07")
    assert wc.loc[(-1, 1), "start_close"] == pd.Timestamp("2025-04-03")
    assert list(wc["n_days"]) == [1, 2, 3, 3]
    assert (wc["unit"] == "bp").all()


def _holiday_levels():
    # Fri 2025-04-18 is a holiday for the bond series only (NaN), not for the exchange rate.
    lv = _levels(
        {"DGS10": [4.00, 4.02, 4.05, 4.09, np.nan, 4.20, 4.22], "DEXJPUS": [140.0, 141.0, 142.0, 143.0, 144.0, 145.0, 146.0]},
        start="2025-04-14",
    )
    return lv, pd.Series({"ev": pd.Timestamp("2025-04-21")})  # Monday after the holiday


def test_holiday_nan_policy_gives_nan_and_flags():
    lv, ev = _holiday_levels()
    wc = changes.window_changes(lv, ev, [(0, 0), (-1, 0), (-2, 0)], missing="nan").set_index(["series_id", "window_start"])
    # (0,0) for DGS10 starts at the missing Friday close: NaN, not filled
    assert np.isnan(wc.loc[("DGS10", 0), "raw_change"])
    assert not wc.loc[("DGS10", 0), "complete"]
    # (-1,0) runs Thu close 4.09 -> Mon 4.20: endpoints observed, 11 bp, but a daily change inside is missing
    assert_allclose(wc.loc[("DGS10", -1), "raw_change"], 11.0, rtol=0, atol=1e-9)
    assert not wc.loc[("DGS10", -1), "complete"]
    # the exchange rate has all its closes: 100 ln(145/144) percent
    assert_allclose(wc.loc[("DEXJPUS", 0), "raw_change"], 100 * np.log(145 / 144), rtol=1e-12, atol=0)
    assert wc.loc[("DEXJPUS", 0), "complete"]
    assert not wc["stale_endpoint"].any()


def test_holiday_last_policy_uses_previous_close_and_flags_it():
    lv, ev = _holiday_levels()
    wc = changes.window_changes(lv, ev, [(0, 0)], missing="last").set_index("series_id")
    assert_allclose(wc.loc["DGS10", "raw_change"], 11.0, rtol=0, atol=1e-9)  # from Thursday's close 4.09
    assert wc.loc["DGS10", "stale_endpoint"]
    assert not wc.loc["DEXJPUS", "stale_endpoint"]
    d = changes.daily_changes(lv, missing="last")["DGS10"]
    assert np.isnan(d.loc["2025-04-18"])  # the holiday itself has no change
    assert_allclose(d.loc["2025-04-21"], 11.0, rtol=0, atol=1e-9)  # the next day carries the two-day move


def test_holiday_raise_policy():
    lv, ev = _holiday_levels()
    with pytest.raises(EventOutsideData, match="DGS10"):
        changes.window_changes(lv, ev, [(0, 0)], missing="raise")


def test_daily_changes_never_fill():
    lv, _ = _holiday_levels()
    d = changes.daily_changes(lv)["DGS10"]
    # one missing level removes the change into it and the change out of it
    assert d.isna().sum() == 3  # first row + the two around the holiday
    assert lv["DGS10"].isna().sum() == 1  # the input is untouched


@pytest.mark.parametrize(
    "date", ["2024-01-02", "2025-04-19"], ids=["before-data", "a-saturday"]
)
def test_event_outside_data(date):
    lv, _ = _holiday_levels()
    with pytest.raises(EventOutsideData) as err:
        changes.window_changes(lv, pd.Series({"kato_remark": pd.Timestamp(date)}))
    msg = str(err.value)
    assert "kato_remark" in msg and date in msg and "2025-04-14 to 2025-04-22" in msg


def test_window_beyond_data():
    lv, _ = _holiday_levels()
    with pytest.raises(EventOutsideData, match="window \\(0, 5\\)"):
        changes.window_changes(lv, pd.Series({"late": pd.Timestamp("2025-04-21")}), [(0, 5)])
    with pytest.raises(EventOutsideData, match="close of trading day -1"):
        changes.window_changes(lv, pd.Series({"first_day": pd.Timestamp("2025-04-14")}), [(0, 0)])


def test_events_as_dataframe():
    lv, _ = _holiday_levels()
    ev = pd.DataFrame({"event_id": ["a", "b"], "reaction_date": pd.to_datetime(["2025-04-16", "2025-04-17"])})
    wc = changes.window_changes(lv, ev, [(0, 0)], units={"DGS10": "bp", "DEXJPUS": "%"})
    assert list(wc["event_id"].unique()) == ["a", "b"]
    assert_allclose(wc.loc[wc["series_id"] == "DGS10", "raw_change"], [3.0, 4.0], rtol=0, atol=1e-9)
