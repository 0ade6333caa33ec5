"""Step 4 of the engine (treasurycard.eventstudy.placebo): placebo sets and values, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.errors import EventOutsideData
from treasurycard.eventstudy import placebo as pl

IDX = pd.bdate_range("2024-01-01", periods=40, name="date")


def test_placebo_values_change_and_standardized_by_hand():
    # levels 0, 1, 3, 6, 10, ...: daily change on row t is t
    x = np.cumsum(np.arange(40.0))[:, None]
    d = np.r_[np.nan, np.diff(x[:, 0])][:, None]
    t = np.array([20])
    # change over (0, 1) at row 20: x[21] - x[19] = 20 + 21 = 41
    assert_allclose(pl.placebo_values(x, d, t, (0, 1), "change", 5, 2, 3), [[41.0]])
    # standardized: trailing window of 5 changes ending 2 rows before row 20: rows 14..18, mean 16, sd sqrt(2.5)
    z = pl.placebo_values(x, d, t, (0, 1), "standardized", 5, 2, 3)
    assert_allclose(z, [[(41 - 2 * 16) / (np.sqrt(2.5) * np.sqrt(2))]])


def test_placebo_sets_bound_reference_days_by_the_period_and_refuse_non_trading_days():
    sets = pl.placebo_sets(IDX, [10], start=IDX[5], end=IDX[30], reference_dates=[IDX[2], IDX[12], IDX[35]])
    assert (sets.lo, sets.hi) == (5, 30)
    assert list(sets.reference) == [12]
    assert sets.is_event[10] and sets.is_event.sum() == 1
    with pytest.raises(EventOutsideData, match="reference dates"):
        pl.placebo_sets(IDX, [10], reference_dates=["2024-01-06"])


def test_placebo_columns_exclude_the_event_itself():
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.normal(0, 1, (40, 2)), axis=0)
    d = np.r_[np.full((1, 2), np.nan), np.diff(x, axis=0)]
    sets = pl.placebo_sets(IDX, [20])
    raw = (x[20] - x[19])[None, :]
    cols = pl.placebo_columns(x, d, [20], (0, 0), sets, "change", 5, 2, 3, raw)
    assert (cols.n == 38).all()  # rows 1..39 less the event day
    assert cols.cond is None


def test_placebo_scale_by_hand():
    x = np.cumsum(np.arange(40.0))[:, None]
    d = np.r_[np.nan, np.diff(x[:, 0])][:, None]
    mean, scale = pl.placebo_scale(d, [20], (0, 1), 5, 2, 3)
    assert_allclose(mean, [[2 * 16.0]])
    assert_allclose(scale, [[np.sqrt(2.5) * np.sqrt(2)]])
    assert np.isnan(pl.placebo_scale(d, [3], (0, 1), 5, 2, 3)[1]).all()  # the trailing window starts before the data


@pytest.mark.parametrize("statistic", ["change", "standardized"])
def test_placebo_distribution_is_what_the_pvalues_rank_against(statistic):
    from treasurycard.errors import TreasuryCardError
    from treasurycard.eventstudy.estimate import event_study
    from treasurycard.eventstudy.inference import placebo_counts

    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2015-01-01", periods=600, name="date")
    levels = pd.DataFrame(2.0 + np.cumsum(rng.normal(0, 0.05, (600, 2)), axis=0), index=idx, columns=["A", "B"])
    ref = idx[300::20]
    res = event_study(levels, {"e": idx[450]}, [(0, 0), (0, 2)], units="bp", placebo_start=idx[100],
                      placebo_statistic=statistic, estimation_length=60, reference_dates=ref)
    t = res.to_frame().set_index(["series_id", "window_end"])
    for s in ("A", "B"):
        for w in ((0, 0), (0, 2)):
            row = t.loc[(s, w[1])]
            for cond, pre in ((False, "placebo"), (True, "cond_placebo")):
                dist = res.placebo_distribution(s, w, conditioned=cond)
                assert len(dist) == row[f"{pre}_n"] and idx[450] not in dist.index
                _, p, _ = placebo_counts(np.sort(np.abs(dist.to_numpy())), np.array([row["placebo_value"]]))
                assert_allclose(p, row[f"{pre}_pvalue"])
                on_scale = res.placebo_distribution(s, w, conditioned=cond, event_id="e")
                ratio = on_scale / dist
                if statistic == "change":
                    assert_allclose(ratio, 1.0)
                else:  # the event's own sd * sqrt(n): a constant, positive factor
                    assert ratio.min() > 0 and np.ptp(ratio) < 1e-9 * ratio.max()
    with pytest.raises(TreasuryCardError, match="no window"):
        res.placebo_distribution("A", (0, 5))
    res2 = event_study(levels, {"e": idx[450]}, units="bp")
    with pytest.raises(TreasuryCardError, match="no reference dates"):
        res2.placebo_distribution("A", conditioned=True)
