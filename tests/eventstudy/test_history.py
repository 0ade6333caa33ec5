"""Weekly changes, historical ranks and rolling correlations (treasurycard.eventstudy.history)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.errors import EventOutsideData
from treasurycard.eventstudy.history import rank_in_history, rolling_correlation, weekly_changes


def business_levels(values, start="2024-01-01", name="DGS10"):
    idx = pd.bdate_range(start, periods=len(values), name="date")
    lv = pd.DataFrame({name: np.asarray(values, dtype=float)}, index=idx)
    lv.attrs["units"] = {"DGS10": "bp", "DEXJPUS": "%"}
    return lv


def test_weekly_changes_close_to_close_in_bp():
    # 2024-01-01 is a Monday: two full weeks, levels in percent
    lv = business_levels([4.00, 4.01, 4.02, 4.03, 4.10, 4.20, 4.20, 4.25, 4.30, 4.05])
    wk = weekly_changes(lv)
    assert list(wk.index.strftime("%Y-%m-%d")) == ["2024-01-12"]
    # by hand: Friday 12 Jan close 4.05 minus Friday 5 Jan close 4.10 = -5 bp
    assert_allclose(wk["DGS10"].to_numpy(), [-5.0], rtol=0, atol=1e-9)
    assert wk.attrs["units"] == {"DGS10": "bp"} and wk["n_days"].iloc[0] == 5


def test_weekly_changes_holiday_friday_uses_thursday_close():
    lv = business_levels([4.00, 4.01, 4.02, 4.03, 4.10, 4.20, 4.20, 4.25, 4.30, np.nan])
    wk = weekly_changes(lv)
    assert_allclose(wk["DGS10"].to_numpy(), [20.0], rtol=0, atol=1e-9)  # 4.30 (Thu) - 4.10 (Fri)


def test_weekly_changes_log_percent_for_fx():
    lv = business_levels([100.0] * 5 + [100.0, 100, 100, 100, 110.0], name="DEXJPUS")
    wk = weekly_changes(lv)
    assert_allclose(wk["DEXJPUS"].to_numpy(), [100 * np.log(1.1)], rtol=1e-12)
    assert wk.attrs["units"] == {"DEXJPUS": "%"}


def test_rank_in_history_counts_and_previous_larger():
    idx = pd.date_range("2020-01-03", periods=6, freq="W-FRI")
    ch = pd.Series([5.0, 30.0, -40.0, 10.0, np.nan, 20.0], index=idx, name="DGS10")
    up = rank_in_history(ch, idx[5], "up", unit="bp")
    assert (up.rank, up.n, up.previous_larger) == (2, 5, idx[1])
    assert_allclose(up.share_at_least, 2 / 5, rtol=0, atol=0)
    assert rank_in_history(ch, idx[2], "down").rank == 1
    assert rank_in_history(ch, idx[2], "abs").rank == 1
    assert rank_in_history(ch, idx[1], "up").previous_larger is None
    with pytest.raises(EventOutsideData, match="DGS10"):
        rank_in_history(ch, idx[4])


def test_rolling_correlation_recovers_sign():
    rng = np.random.default_rng(7)
    e = rng.normal(size=400)
    y = np.cumsum(e) * 0.01 + 4.0  # yield in percent
    fx = 100 * np.exp(np.cumsum(-0.5 * e + 0.1 * rng.normal(size=400)) / 100)
    lv = pd.DataFrame({"DGS10": y, "DTWEXBGS": fx}, index=pd.bdate_range("2020-01-01", periods=400, name="date"))
    corr = rolling_correlation(lv, "DGS10", "DTWEXBGS", window=60, units={"DGS10": "bp", "DTWEXBGS": "%"})
    assert corr.iloc[:45].isna().all() and corr.iloc[60:].lt(-0.8).all()


def test_real_week_of_7_april_2025(shared_data):
    """The week ending 2025-04-11 in the real DGS10 file: change equals the file's own closes."""
    raw = pd.read_csv(shared_data / "fred" / "DGS10.csv", index_col=0, parse_dates=True)
    raw.index.name = "date"
    wk = weekly_changes(raw.loc["2024-01-01":"2025-12-31"], units="bp")
    expected = 100 * (raw.loc["2025-04-11", "DGS10"] - raw.loc["2025-04-04", "DGS10"])
    assert_allclose(wk.loc["2025-04-11", "DGS10"], expected, rtol=0, atol=1e-9)
