"""Tests of the pattern comparison: a planted long-end shock is found, an ordinary day is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.errors import EstimationError
from treasurycard.eventstudy.pattern import conditional_pattern_test, reference_noise


def _jobs_days(seed=7, n=200, slope=0.6, noise=2.0):
    """Synthetic reference days: dy = slope * dx + noise (bp), fixed seed; plus one extra event day."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2010-01-01", periods=n + 1)
    dx = rng.normal(0, 8, n + 1)
    dy = slope * dx + rng.normal(0, noise, n + 1)
    return pd.DataFrame({"DGS2": dx, "DGS30": dy}, index=dates), dates


def test_planted_long_end_shock_is_found_and_ordinary_day_is_not():
    changes, dates = _jobs_days()
    event = dates[-1]
    changes.loc[event, "DGS2"] = 10.0
    changes.loc[event, "DGS30"] = 0.6 * 10.0 + 12.0       # 12 bp more than the jobs-day pattern predicts
    res = conditional_pattern_test(changes, event, dates, "DGS2", ["DGS30"]).iloc[0]
    assert res["n"] == len(dates) - 1
    assert_allclose(res["slope"], 0.6, atol=0.05)
    assert_allclose(res["residual"], 12.0, atol=1.0)
    assert res["pvalue"] < 0.001 and res["rank_pvalue"] == pytest.approx(1 / (res["n"] + 1))
    assert_allclose(res["mde"], 2.8 * res["resid_sd"], rtol=0.01)

    changes.loc[event, "DGS30"] = 0.6 * 10.0 + 0.5       # within the pattern's noise
    res = conditional_pattern_test(changes, event, dates, "DGS2", ["DGS30"]).iloc[0]
    assert res["pvalue"] > 0.5 and res["rank_pvalue"] > 0.5


def test_the_t_test_has_its_size_under_the_null():
    # rejections at 5% over many ordinary event days, each tested against the other days
    changes, dates = _jobs_days(seed=11, n=400)
    p = [conditional_pattern_test(changes, d, dates, "DGS2", ["DGS30"]).iloc[0]["pvalue"] for d in dates[::4]]
    assert 0.01 <= np.mean(np.array(p) < 0.05) <= 0.10


def test_refuses_a_missing_event_or_too_few_reference_days():
    changes, dates = _jobs_days(n=20)
    with pytest.raises(EstimationError, match="not a date"):
        conditional_pattern_test(changes, "1999-01-04", dates, "DGS2", ["DGS30"])
    with pytest.raises(EstimationError, match="need 10"):
        conditional_pattern_test(changes, dates[-1], dates[:5], "DGS2", ["DGS30"])
    changes.loc[dates[-1], "DGS30"] = np.nan
    with pytest.raises(EstimationError, match="DGS30"):
        conditional_pattern_test(changes, dates[-1], dates, "DGS2", ["DGS30"])


def test_reference_noise_leaves_the_event_out():
    changes, dates = _jobs_days(n=300)
    changes.loc[dates[-1], "DGS2"] = 500.0   # an outlier on the event day must not inflate the noise
    out = reference_noise(changes, dates, event_date=dates[-1])
    assert out.loc["DGS2", "n"] == 300
    assert_allclose(out.loc["DGS2", "sd"], 8.0, rtol=0.1)
    assert_allclose(out.loc["DGS2", "mde"], 2.8016 * out.loc["DGS2", "sd"], rtol=1e-3)
