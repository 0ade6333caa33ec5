"""Step 3 of the engine (treasurycard.eventstudy.hac): the closed-form HAC columns against fitted regressions.

Synthetic random walks (seeded); the reference is :func:`treasurycard.eventstudy.estimate.dummy_regression`,
an OLS fit of a constant and one dummy per event day with the stationary Newey-West covariance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.eventstudy import estimate

WINDOWS = [(0, 0), (0, 1), (-1, 1), (0, 5)]


def _levels_with_holes(seed=7, n=900):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2021-01-01", periods=n, name="date")
    lv = pd.DataFrame(4 + np.cumsum(rng.normal(0, 0.05, (n, 3)), axis=0), index=idx, columns=["A", "B", "C"])
    lv.iloc[rng.choice(np.arange(50, 800), 40, replace=False), 1] = np.nan  # scattered holes in B
    lv.iloc[803, 2] = np.nan  # a hole inside C's (0, 5) window of the event at row 800
    return lv


def _events(lv):
    return pd.Series({"e1": lv.index[700], "e2": lv.index[702], "e3": lv.index[800]})


def test_hac_columns_equal_the_fitted_dummy_regression_per_event():
    lv = _levels_with_holes()
    res = estimate.event_study(lv, _events(lv), WINDOWS, units="bp", placebo_start=None, hac_maxlags=4)
    t = res.to_frame().set_index(["event_id", "series_id", "window_start", "window_end"])
    checked = 0
    for eid in ("e1", "e2", "e3"):
        for sid in lv.columns:
            table = res.dummy_regression(sid, eid).car_table().set_index(["window_start", "window_end"])
            for w in WINDOWS:
                row = t.loc[(eid, sid) + w]
                if not row["complete"]:
                    continue
                ref = table.loc[w]
                assert_allclose(row[["hac_car", "hac_se", "hac_stat", "hac_pvalue"]].to_numpy(float),
                                ref[["car", "se", "stat", "pvalue"]].to_numpy(float), rtol=1e-9, atol=1e-12)
                assert_allclose(row["hac_wald_days_stat"], ref["wald_days_stat"], rtol=1e-8)
                assert row["hac_wald_days_df"] == ref["wald_days_df"]
                checked += 1
    assert checked >= 30


def test_hac_columns_are_nan_where_the_window_has_a_missing_day():
    # C has no level on row 803, inside the (0, 5) window of e3: the CAR runs close to close (804 - 799),
    # but the regression would cover only the days present. Both the CAR's window and the HAC columns must
    # describe the same move: the HAC columns are NaN and complete is False.
    lv = _levels_with_holes()
    res = estimate.event_study(lv, _events(lv), WINDOWS, units="bp", placebo_start=None)
    t = res.to_frame().set_index(["event_id", "series_id", "window_start", "window_end"])
    row = t.loc[("e3", "C", 0, 5)]
    assert not row["complete"] and np.isfinite(row["abnormal_change"])
    assert row[[c for c in t.columns if c.startswith("hac_")]].isna().all()
    ok = t[t["complete"]]
    assert ok["hac_car"].notna().all()
    assert_allclose(ok["hac_car"], ok["abnormal_change"], rtol=0, atol=1e-9)
    # consistently: every incomplete row has NaN HAC columns
    assert t.loc[~t["complete"], "hac_se"].isna().all()


def test_joint_wald_across_events_matches_the_common_regression():
    lv = _levels_with_holes().drop(columns=["B"])
    ev = _events(lv)
    res = estimate.event_study(lv, ev, [(0, 1)], units="bp", placebo_start=None, estimation="common", hac_maxlags=3)
    w = res.wald_tests().set_index("series_id")
    s = res.settings
    for sid in ("A",):
        d = 100 * lv[sid].diff()
        keep = (d.index >= s["estimation_start"]) & (d.index <= s["estimation_end"])
        for p in lv.index.get_indexer(ev):
            keep[p: p + 2] = True
        ref = estimate.dummy_regression(d.where(keep), ev, (0, 1), maxlags=3).wald_events((0, 1))
        assert_allclose(w.loc[sid, "statistic"], ref.statistic, rtol=1e-9)
        assert w.loc[sid, "n"] == ref.n == 3


def test_sandwich_metadata_says_what_statsmodels_did():
    rng = np.random.default_rng(1)
    idx = pd.bdate_range("2020-01-01", periods=300)
    y = pd.Series(rng.normal(0, 1, idx.size), index=idx)
    sw = estimate.dummy_regression(y, {"e": idx[280]}, maxlags=3, event_variance="sandwich")
    assert sw.cov_kwds["use_correction"] is False  # statsmodels' HAC default, which the fit uses
    assert sw.model_results.cov_kwds.get("use_correction", False) is False
    st = estimate.dummy_regression(y, {"e": idx[280]}, maxlags=3)
    assert "use_correction" not in st.cov_kwds and st.cov_kwds["gamma_denominator"] == "n0 - k0"
