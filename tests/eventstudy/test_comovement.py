"""Tests of matched-window changes and window correlations: a planted co-movement is found and ranked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.errors import EstimationError
from treasurycard.eventstudy.comovement import paired_changes, window_correlation


def _levels(seed=3, n=600, planted=(500, 520), rho=0.95):
    """Synthetic yield (percent) and index: independent daily shocks, except a planted window of strong
    positive co-movement; fixed seed."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2010-01-01", periods=n)
    e1, e2 = rng.normal(0, 0.05, n), rng.normal(0, 0.005, n)
    a, b = planted
    e2[a:b] = rho * e1[a:b] / 10 + np.sqrt(1 - rho ** 2) * e2[a:b]
    frame = pd.DataFrame({"Y": 3 + np.cumsum(e1), "FX": 100 * np.exp(np.cumsum(e2))}, index=dates)
    frame.attrs["units"] = {"Y": "bp", "FX": "%"}
    return frame, dates


def test_paired_changes_join_holidays_and_use_units():
    frame, dates = _levels(n=10)
    frame.iloc[3, 1] = np.nan                       # a holiday in the FX market only
    ch = paired_changes(frame, "Y", "FX", horizon=1)
    assert dates[3] not in ch.index and len(ch) == 8
    # the change ending on day 4 spans day 2 to day 4 in both series
    assert_allclose(ch.loc[dates[4], "Y"], 100 * (frame.iloc[4, 0] - frame.iloc[2, 0]), rtol=1e-12)
    assert_allclose(ch.loc[dates[4], "FX"], 100 * np.log(frame.iloc[4, 1] / frame.iloc[2, 1]), rtol=1e-12)
    two = paired_changes(frame, "Y", "FX", horizon=2)
    assert_allclose(two.iloc[0]["Y"], 100 * (frame.iloc[2, 0] - frame.iloc[0, 0]), rtol=1e-12)


def test_planted_comovement_ranks_at_the_top_of_its_history():
    frame, dates = _levels()
    res = window_correlation(frame, "Y", "FX", dates[501], dates[519], history_end=dates[480])
    assert res.n == 19 and res.value > 0.8
    assert res.share_below > 0.99 and abs(res.history_median) < 0.1
    quiet = window_correlation(frame, "Y", "FX", dates[301], dates[319], history_end=dates[480])
    assert 0.02 < quiet.share_below < 0.98


def test_too_short_a_window_is_refused():
    frame, dates = _levels(n=50)
    with pytest.raises(EstimationError, match="need 5"):
        window_correlation(frame, "Y", "FX", dates[10], dates[12])
    with pytest.raises(EstimationError, match="positive"):
        paired_changes(frame, "Y", "FX", horizon=0)


def test_rolling_series_ends_with_the_window_value():
    from treasurycard.eventstudy.comovement import rolling_paired_correlation

    frame, dates = _levels()
    res = window_correlation(frame, "Y", "FX", dates[501], dates[519], horizon=2)
    roll = rolling_paired_correlation(frame, "Y", "FX", res.n, horizon=2)
    assert_allclose(roll.loc[dates[519]], res.value, rtol=1e-12)
