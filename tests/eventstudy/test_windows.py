"""Steps 1-2 of the engine (treasurycard.eventstudy.windows): estimation windows, exclusions, moments, CARs.

Synthetic business-day indexes and hand-typed changes; every expected number is worked out in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from treasurycard.errors import EstimationError, EventOutsideData
from treasurycard.eventstudy import windows as win

IDX = pd.bdate_range("2024-01-01", periods=60, name="date")


def test_per_event_windows_end_a_gap_before_their_own_event():
    # events at rows 30 and 45, window (0, 0), length 10, gap 3: rows 18..27 and 33..42
    est = win.estimation_windows(IDX, np.array([30, 45]), [(0, 0)], length=10, gap=3)
    assert_array_equal(est.rows[0], np.arange(18, 28))
    assert_array_equal(est.rows[1], np.arange(33, 43))
    assert est.mode == "per_event" and list(est.excluded) == [0, 0]


def test_common_window_ends_before_the_earliest_event_and_a_leading_window_counts():
    # window (-2, 1) starts two days before each reaction day: the earliest first day is row 28; gap 3 -> 25
    est = win.estimation_windows(IDX, np.array([30, 45]), [(-2, 1)], length=10, gap=3, mode="common")
    assert_array_equal(est.rows[0], np.arange(16, 26))
    assert_array_equal(est.rows[1], est.rows[0])


def test_excluded_days_are_skipped_and_the_window_reaches_back():
    # an excluded day at row 22 inside the window 18..27: the window keeps 10 days, 17..27 without 22
    mask = win.exclusion_mask(IDX, np.array([30]), [(0, 0)], [IDX[22]])
    assert mask[22] and mask[30] and mask.sum() == 2  # the event's own day is always excluded
    est = win.estimation_windows(IDX, np.array([30]), [(0, 0)], length=10, gap=3, excluded=mask)
    assert_array_equal(est.rows[0], np.r_[17:22, 23:28])
    assert list(est.excluded) == [1]


def test_the_study_own_event_windows_are_excluded_from_later_events_windows():
    # events A (row 30) and B (row 50), window (0, 2), gap 3, length 20. B's window ends at row 47 and would
    # run 28..47; A's days 30, 31, 32 are skipped, so it runs 25..29 and 33..47 (20 days)
    mask = win.exclusion_mask(IDX, np.array([30, 50]), [(0, 2)])
    assert_array_equal(np.flatnonzero(mask), [30, 31, 32, 50, 51, 52])
    est = win.estimation_windows(IDX, np.array([30, 50]), [(0, 2)], length=20, gap=3, excluded=mask)
    assert_array_equal(est.rows[0], np.arange(8, 28))
    assert_array_equal(est.rows[1], np.r_[25:30, 33:48])
    assert list(est.excluded) == [0, 3]


def test_exclude_dates_outside_the_data_are_ignored_and_non_trading_days_refused():
    mask = win.exclusion_mask(IDX, np.array([30]), [(0, 0)], ["2030-01-02"])
    assert mask.sum() == 1
    with pytest.raises(EventOutsideData, match="not trading days"):
        win.exclusion_mask(IDX, np.array([30]), [(0, 0)], ["2024-01-06"])  # a Saturday inside the range


def test_window_reaching_before_the_data_is_refused():
    with pytest.raises(EstimationError, match="reaches before the data"):
        win.estimation_windows(IDX, np.array([12]), [(0, 0)], length=10, gap=3)


def test_moments_and_window_changes_by_hand():
    # daily changes 1, 2, 3, ... on rows 1..9; an event at row 8 with window (0, 1); estimation rows 2..5
    d = np.full((10, 1), np.nan)
    d[1:, 0] = np.arange(1.0, 10.0)
    est = win.EstimationWindows(np.array([[2, 3, 4, 5]]), np.array([0]), "per_event")
    m = win.estimation_moments(d, est, min_obs=3)
    assert_allclose(m.mean, [[3.5]])  # changes 2, 3, 4, 5
    assert_allclose(m.std, [[np.sqrt(5 / 3)]])
    x = np.r_[0.0, np.cumsum(d[1:, 0])][:, None]
    wc = win.window_changes_at(x, d, np.zeros_like(d, bool), np.array([7]), np.array([9]), np.array([8]), (0, 1), m.mean)
    # raw = x[9] - x[7] = 8 + 9 = 17; CAR = 17 - 2 x 3.5 = 10
    assert_allclose(wc.raw, [[17.0]])
    assert_allclose(wc.car, [[10.0]])
    assert wc.complete.all() and wc.daily.shape == (1, 1, 2)
    assert_allclose(wc.daily[0, 0], [8 - 3.5, 9 - 3.5])  # rows 8 and 9 hold daily changes 8 and 9


def test_too_few_observations_names_the_series():
    d = np.full((10, 2), np.nan)
    d[1:, 0] = 1.0
    est = win.EstimationWindows(np.array([[2, 3, 4, 5]]), np.array([0]), "per_event")
    with pytest.raises(EstimationError, match="'B'"):
        win.estimation_moments(d, est, min_obs=3, names=["A", "B"], index=pd.bdate_range("2024-01-01", periods=10))
