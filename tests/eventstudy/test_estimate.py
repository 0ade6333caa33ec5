"""Tests of treasurycard.eventstudy.estimate: constant-mean abnormal changes, the HAC dummy regression, the battery.

Synthetic data only, generated with seeded ``numpy.random.default_rng``; reference numbers are hand
computations (stated in each test) or a direct statsmodels OLS fit of the same design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from treasurycard.eventstudy import estimate, inference
from treasurycard.errors import EstimationError, EventOutsideData, TreasuryCardError, UnknownUnit


def _random_walks(n_days=1500, n_series=3, sigma_bp=5.0, seed=1, start="2019-01-01"):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range(start, periods=n_days, name="date")
    lv = 4.0 + np.cumsum(rng.normal(0, sigma_bp / 100, (n_days, n_series)), axis=0)
    return pd.DataFrame(lv, index=idx, columns=[f"Y{i}" for i in range(n_series)])


def _hand_levels():
    # daily changes in bp at positions 1..9; estimation window = positions 2..5 (length 4, gap 2 before 7)
    d = np.array([0.0, 3.0, 1.0, -1.0, 2.0, 0.0, 5.0, 10.0, -4.0, 1.0])
    idx = pd.bdate_range("2025-03-24", periods=d.size, name="date")
    lv = pd.DataFrame({"DGS10": 4.0 + np.cumsum(d) / 100}, index=idx)
    lv.attrs["units"] = {"DGS10": "bp"}
    return lv, pd.Series({"ev": idx[7]})


def test_hand_example():
    lv, ev = _hand_levels()
    res = estimate.event_study(lv, ev, [(0, 0), (0, 1)], estimation_length=4, estimation_gap=2, min_estimation_obs=3, placebo_start=None)
    t = res.to_frame().set_index("window_end")
    # estimation changes [1, -1, 2, 0]: mean 0.5 bp, sd sqrt(5/3) bp (ddof=1), by hand
    assert_allclose(t["est_mean"], 0.5, rtol=0, atol=1e-9)
    assert_allclose(t["est_std"], np.sqrt(5 / 3), rtol=1e-9, atol=0)
    # (0,0): raw 10 bp, abnormal 10 - 0.5 = 9.5; (0,1): raw 10 - 4 = 6, abnormal 6 - 2 x 0.5 = 5
    assert_allclose(t["raw_change"], [10.0, 6.0], rtol=0, atol=1e-9)
    assert_allclose(t["abnormal_change"], [9.5, 5.0], rtol=0, atol=1e-9)
    t_expected = np.array([9.5 / np.sqrt(5 / 3), 5.0 / (np.sqrt(5 / 3) * np.sqrt(2))])
    assert_allclose(t["bw_t_stat"], t_expected, rtol=1e-9, atol=0)
    assert_allclose(t["bw_t_pvalue"], 2 * stats.t.sf(t_expected, 3), rtol=1e-9, atol=0)
    # Patell-standardized CAR: CAR / (s sqrt(L2 (1 + L2/L1)))
    assert_allclose(t["scar"], [9.5 / np.sqrt(5 / 3 * 1.25), 5.0 / np.sqrt(5 / 3 * 2 * 1.5)], rtol=1e-9, atol=0)
    # the HAC dummy regression's CAR is the same abnormal change
    assert_allclose(t["hac_car"], t["abnormal_change"], rtol=0, atol=1e-9)
    assert (t["unit"] == "bp").all()
    assert res.estimation.loc[0, "estimation_start"] == lv.index[2]
    assert res.estimation.loc[0, "estimation_end"] == lv.index[5]


def test_planted_effect_is_recovered():
    lv = _random_walks(n_series=8, seed=2)
    day = lv.index[1400]
    lv.loc[day:] += 0.20  # +20 bp on the event day in every series
    res = estimate.event_study(lv, pd.Series({"shock": day}), [(0, 0), (0, 5)], units=dict.fromkeys(lv.columns, "bp"))
    t = res.to_frame()
    one = t[t["window_end"] == 0]
    assert_allclose(one["abnormal_change"].mean(), 20.0, rtol=0, atol=2 * 5 / np.sqrt(8))
    assert (one["bw_t_pvalue"] < 0.01).all() and (one["hac_pvalue"] < 0.01).all()
    assert (one["placebo_rank"] <= 3).all()
    pooled = res.pooled_tests(direction=1).set_index(["window_end", "test"])
    for test in ("patell", "bmp", "corrado"):
        assert pooled.loc[(0, test), "pvalue"] < 0.01


def test_tidy_frame_columns_and_units():
    lv = _random_walks()
    lv = lv.rename(columns={"Y0": "DGS10", "Y1": "DGS2", "Y2": "DEXJPUS"})
    lv["DEXJPUS"] = 140 * np.exp((lv["DEXJPUS"] - 4.0) / 10)
    ev = pd.Series({"a": lv.index[1300], "b": lv.index[1320]})
    ref = lv.index[300::21]
    res = estimate.event_study(lv, ev, [(0, 0), (-1, 1)], reference_dates=ref, placebo_start=None,
                               units={"DGS10": "bp", "DGS2": "bp", "DEXJPUS": "%"})
    t = res.to_frame()
    required = {
        "event_id", "reaction_date", "series_id", "window_start", "window_end", "n_days", "raw_change",
        "abnormal_change", "unit", "bw_t_stat", "bw_t_pvalue", "hac_stat", "hac_pvalue", "placebo_pvalue",
        "placebo_rank", "placebo_n", "cond_placebo_pvalue", "cond_placebo_rank", "cond_placebo_n",
    }
    assert required <= set(t.columns)
    assert len(t) == 2 * 3 * 2
    assert dict(zip(t["series_id"], t["unit"])) == {"DGS10": "bp", "DGS2": "bp", "DEXJPUS": "%"}
    assert (t["cond_placebo_n"] < t["placebo_n"]).all()
    pooled = res.pooled_tests(by="event_id", direction={"DGS10": 1, "DGS2": 1, "DEXJPUS": -1})
    assert {"event_id", "window_start", "window_end", "test", "statistic", "pvalue", "n", "null",
            "reference_distribution", "note"} <= set(pooled.columns)
    assert set(pooled["test"]) == {"patell", "bmp", "bmp_kp", "corrado", "grank", "sign", "generalized_sign"}
    w = res.wald_tests()
    assert (w["n"] == 2).all()


def test_placebo_pvalue_of_the_largest_move():
    lv = _random_walks(n_series=1, seed=3)
    day = lv.index[1000]
    lv.loc[day:] += 1.0  # a 100 bp move, far beyond anything a 5 bp random walk does
    res = estimate.event_study(lv, pd.Series({"x": day}), [(0, 0)], units={"Y0": "bp"}, placebo_start=None)
    row = res.to_frame().iloc[0]
    n = row["placebo_n"]
    assert n == len(lv) - 2  # every day with a change, except the event itself
    assert row["placebo_rank"] == 1
    assert_allclose(row["placebo_pvalue"], 1 / (n + 1), rtol=1e-12, atol=0)


def _dummy_design(n_est=250, gap=10, n_win=3, seed=4):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2020-01-01", periods=n_est + gap + n_win + 5, name="date")
    y = pd.Series(rng.normal(0.3, 5.0, idx.size), index=idx)
    y.iloc[: 1] = np.nan
    sample = np.r_[np.arange(1, n_est + 1), np.arange(n_est + gap, n_est + gap + n_win)]
    ys = pd.Series(np.nan, index=idx)
    ys.iloc[sample] = y.iloc[sample]
    return ys, idx[n_est + gap], sample


def test_dummy_regression_sandwich_equals_statsmodels():
    ys, day, sample = _dummy_design()
    res = estimate.dummy_regression(ys, {"ev": day}, window=(0, 2), maxlags=4, event_variance="sandwich")
    # direct fit: constant + one dummy per event day, statsmodels OLS, Newey-West with 4 lags
    y = ys.iloc[sample].to_numpy()
    X = np.zeros((y.size, 4))
    X[:, 0] = 1.0
    X[-3:, 1:] = np.eye(3)
    ref = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 4})
    assert_allclose(res.params.to_numpy(), ref.params, rtol=1e-10, atol=1e-12)
    assert_allclose(res.bse.to_numpy(), ref.bse, rtol=1e-10, atol=1e-12)
    assert_allclose(res.pvalues.to_numpy(), ref.pvalues, rtol=1e-8, atol=1e-14)
    assert_allclose(res.conf_int().to_numpy(), ref.conf_int(), rtol=1e-10, atol=1e-12)
    assert res.cov_type == "HAC" and res.cov_kwds["maxlags"] == 4
    assert list(res.params.index) == ["const"] + [f"d_{d:%Y-%m-%d}" for d in ys.index[sample[-3:]]]


def test_dummy_regression_stationary_matches_vectorised_test():
    ys, day, sample = _dummy_design()
    res = estimate.dummy_regression(ys, {"ev": day}, window=(0, 2), maxlags=4)
    sm_fit = res.model_results
    assert_allclose(res.params.to_numpy(), sm_fit.params, rtol=1e-10, atol=1e-12)
    # the constant's standard error stays close to statsmodels' Newey-West (same kernel, lags, residuals)
    assert_allclose(res.bse["const"], sm_fit.bse[0], rtol=0.05, atol=0)
    car = res.car("ev")
    y = ys.iloc[sample].to_numpy()
    vec = inference.hac_car_test(y[:250], y[250:], gap=10, maxlags=4)
    assert_allclose(car.extra["car"], vec.extra["car"], rtol=1e-10, atol=1e-10)
    assert_allclose(car.extra["se"], vec.extra["se"], rtol=1e-10, atol=0)
    assert_allclose(car.pvalue, vec.pvalue, rtol=1e-8, atol=0)
    # hand check of the CAR: window sum minus 3 x the estimation mean
    assert_allclose(car.extra["car"], y[250:].sum() - 3 * y[:250].mean(), rtol=1e-12, atol=1e-12)


def test_wald_tests():
    ys, day, sample = _dummy_design(n_win=6)
    events = {"e1": day, "e2": ys.index[sample[-3]]}
    res = estimate.dummy_regression(ys, events, window=[(0, 0), (0, 2)], maxlags=3)
    one = res.car("e1", (0, 0))
    wd = res.wald_days("e1", (0, 0))
    assert_allclose(wd.statistic, one.statistic**2, rtol=1e-10, atol=0)
    assert wd.n == 1
    assert res.wald_days("e1", (0, 2)).n == 3
    we = res.wald_events((0, 2))
    assert we.n == 2 and 0 <= we.pvalue <= 1
    table = res.car_table()
    assert len(table) == 4 and {"car", "se", "stat", "pvalue", "wald_days_pvalue"} <= set(table.columns)


def test_window_dummies_and_controls():
    rng = np.random.default_rng(5)
    idx = pd.bdate_range("2020-01-01", periods=400, name="date")
    x = pd.Series(rng.normal(0, 3, idx.size), index=idx, name="ctrl")
    y = 0.5 * x + rng.normal(0, 1, idx.size)
    y.iloc[300:303] += 4.0  # +4 bp a day for three days
    res = estimate.dummy_regression(y, {"ev": idx[300]}, window=(0, 2), controls=x.to_frame())
    assert_allclose(res.params["ctrl"], 0.5, rtol=0, atol=0.05)
    assert_allclose(res.car("ev").extra["car"], 12.0, rtol=0, atol=3.0)
    wres = estimate.dummy_regression(y, {"ev": idx[300]}, window=(0, 2), dummies="window")
    # without controls the window dummy is the window's mean abnormal change: CAR = 3 x coefficient (by hand)
    expected = y.iloc[300:303].sum() - 3 * y.drop(idx[300:303]).mean()
    assert_allclose(wres.car("ev").extra["car"], expected, rtol=1e-9, atol=1e-9)


def test_sandwich_hac_overrejects_for_a_single_event_day():
    # why event_variance="stationary" is the default: with statsmodels' sandwich the event-day residual is
    # zero, so the dummy's variance is about the constant's, and a 5% test rejects far too often.
    rng = np.random.default_rng(6)
    idx = pd.bdate_range("2020-01-01", periods=262, name="date")
    rej = {"sandwich": 0, "stationary": 0}
    n = 150
    for _ in range(n):
        y = pd.Series(rng.normal(0, 5, idx.size), index=idx)
        y.iloc[0] = np.nan
        y.iloc[251:261] = np.nan  # the gap
        for ev_var in rej:
            r = estimate.dummy_regression(y, {"ev": idx[261]}, maxlags=4, event_variance=ev_var)
            rej[ev_var] += r.car("ev").pvalue < 0.05
    assert rej["sandwich"] / n > 0.5
    assert rej["stationary"] / n < 0.12


def test_results_table_written_atomically_with_iso_dates(tmp_path):
    from treasurycard.book.export import write_table

    df = pd.DataFrame({"event_id": ["a"], "reaction_date": [pd.Timestamp("2025-04-03")], "raw_change": [-12.5], "unit": ["bp"]})
    path = write_table(df, "results", folder=tmp_path / "exports" / "tables")
    assert path.exists()
    back = pd.read_csv(path)
    assert back.loc[0, "reaction_date"] == "2025-04-03"
    assert_allclose(back["raw_change"], [-12.5], rtol=0, atol=0)
    assert [p.name for p in path.parent.iterdir()] == ["results.csv"]  # no temporary file left


def test_empty_estimation_window():
    lv = _random_walks(n_days=100)
    with pytest.raises(EstimationError, match="reaches before the data"):
        estimate.event_study(lv, pd.Series({"early": lv.index[50]}), units=dict.fromkeys(lv.columns, "bp"))
    with pytest.raises(EstimationError, match="at least 1"):
        estimate.event_study(lv, pd.Series({"e": lv.index[90]}), estimation_length=0, units=dict.fromkeys(lv.columns, "bp"))


def test_series_without_estimation_data():
    lv = _random_walks(n_days=400)
    lv.iloc[:380, 1] = np.nan  # Y1 starts after the estimation window
    with pytest.raises(EstimationError, match="'Y1'"):
        estimate.event_study(lv, pd.Series({"e": lv.index[390]}), estimation_length=100, units=dict.fromkeys(lv.columns, "bp"))


def test_estimation_end_must_precede_events():
    lv = _random_walks(n_days=400)
    with pytest.raises(EstimationError, match="overlaps"):
        estimate.event_study(lv, pd.Series({"e": lv.index[300]}), estimation_end=lv.index[300], units=dict.fromkeys(lv.columns, "bp"))


def test_engine_errors_for_event_and_unit():
    lv = _random_walks(n_days=400)
    with pytest.raises(EventOutsideData, match="'late'"):
        estimate.event_study(lv, pd.Series({"late": pd.Timestamp("2030-01-02")}), units=dict.fromkeys(lv.columns, "bp"))
    with pytest.raises(UnknownUnit, match="Y0"):
        estimate.event_study(lv, pd.Series({"e": lv.index[300]}))
    with pytest.raises(EventOutsideData, match="reference dates"):
        estimate.event_study(lv, pd.Series({"e": lv.index[300]}), units=dict.fromkeys(lv.columns, "bp"), reference_dates=["2019-01-05"])


# ------------------------------------------------------------------------------------------ estimation windows


def test_estimation_windows_are_per_event_by_default():
    lv = _random_walks(n_days=1200)
    ev = pd.Series({"early": lv.index[600], "late": lv.index[1100]})
    res = estimate.event_study(lv, ev, [(0, 1)], units="bp", placebo_start=None, estimation_length=250)
    e = res.estimation.drop_duplicates("event_id").set_index("event_id")
    # each window ends 10 trading days before its own event and holds 250 days
    assert e.loc["early", "estimation_end"] == lv.index[590] and e.loc["early", "estimation_start"] == lv.index[341]
    assert e.loc["late", "estimation_end"] == lv.index[1090] and e.loc["late", "estimation_start"] == lv.index[841]
    common = estimate.event_study(lv, ev, [(0, 1)], units="bp", placebo_start=None, estimation="common")
    assert (common.estimation["estimation_end"] == lv.index[590]).all()
    assert res.settings["estimation"] == "per_event" and common.settings["estimation"] == "common"


def test_exclude_dates_keep_other_events_out_of_the_estimation_window():
    lv = _random_walks(n_days=600, n_series=1)
    lv = lv.rename(columns={"Y0": "DGS10"})
    jump = lv.index[450]
    lv.loc[jump:] += 0.60  # a 60 bp move on another event's day, inside the estimation window of "e"
    ev = pd.Series({"e": lv.index[560]})
    plain = estimate.event_study(lv, ev, units="bp", placebo_start=None)
    masked = estimate.event_study(lv, ev, units="bp", placebo_start=None, exclude_dates=[jump, "2031-01-02"])
    d = 100 * lv["DGS10"].diff()
    rows = np.r_[300:450, 451:551]  # 250 days ending at row 550 (gap 10 before row 560), skipping row 450
    assert masked.estimation.loc[0, "estimation_start"] == lv.index[300]
    assert masked.estimation.loc[0, "n_excluded"] == 1
    assert_allclose(masked.to_frame().loc[0, "est_std"], d.iloc[rows].std(ddof=1), rtol=1e-12)
    assert plain.to_frame().loc[0, "est_std"] > 1.25 * masked.to_frame().loc[0, "est_std"]
    assert masked.settings["n_exclude_dates"] == 2


# ------------------------------------------------------------------------------------------------ pooled tests


def _opposite_conventions(seed=8):
    """Two yields and two prices; on the event day yields jump +20 bp and prices fall 2% (synthetic)."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2019-01-01", periods=1500, name="date")
    y = 4 + np.cumsum(rng.normal(0, 0.05, (1500, 2)), axis=0)
    p = 100 * np.exp(np.cumsum(rng.normal(0, 0.005, (1500, 2)), axis=0))
    lv = pd.DataFrame(np.hstack([y, p]), index=idx, columns=["Y1", "Y2", "P1", "P2"])
    day = idx[1400]
    lv.loc[day:, ["Y1", "Y2"]] += 0.20
    lv.loc[day:, ["P1", "P2"]] *= np.exp(-0.02)
    units = {"Y1": "bp", "Y2": "bp", "P1": "%", "P2": "%"}
    return estimate.event_study(lv, pd.Series({"shock": day}), units=units, placebo_start=None)


def test_pooling_opposite_sign_conventions_needs_a_direction():
    res = _opposite_conventions()
    with pytest.raises(TreasuryCardError, match="explicit direction"):
        res.pooled_tests(by="event_id")
    with pytest.raises(TreasuryCardError, match="no sign for"):
        res.pooled_tests(by="event_id", direction={"Y1": 1, "Y2": 1, "P1": -1})
    as_is = res.pooled_tests(by="event_id", direction=1).set_index("test")
    signed = res.pooled_tests(by="event_id", direction={"Y1": 1, "Y2": 1, "P1": -1, "P2": -1}).set_index("test")
    # counted as they are, a rise in yields and a fall in prices cancel; counted with their directions, not
    assert as_is.loc["patell", "pvalue"] > 0.2
    assert signed.loc["patell", "pvalue"] < 1e-6 and signed.loc["sign", "statistic"] == 4
    # one series at a time needs no direction
    assert len(res.pooled_tests(by="series_id")) == 4 * 7


def test_two_event_pool_is_nan_with_a_reason():
    # like DGS10 over the two Kato events, window [0, 5]: two members, overlapping windows
    lv = _random_walks(n_days=800, n_series=1)
    ev = pd.Series({"a": lv.index[700], "b": lv.index[701]})
    res = estimate.event_study(lv, ev, [(0, 5)], units="bp", placebo_start=None)
    p = res.pooled_tests(by="series_id")
    assert p["statistic"].isna().all() and p["pvalue"].isna().all()
    assert (p["note"] == "fewer than 3 members").all()
    assert np.isfinite(p["n"]).all()


# ------------------------------------------------------------------------------------------------- properties


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(4)), st.permutations(range(3)))
def test_results_do_not_depend_on_the_order_of_events_and_series(ev_order, s_order):
    lv = _random_walks(n_days=900, n_series=3, seed=11)
    lv.iloc[[100, 650, 777], 1] = np.nan  # holes, so that missing-day handling is covered too
    events = pd.Series({f"e{k}": lv.index[p] for k, p in enumerate((780, 781, 786, 840))})
    kw = dict(units="bp", placebo_start=lv.index[300], reference_dates=lv.index[300::21])
    base = estimate.event_study(lv, events, [(0, 0), (0, 5)], **kw)
    perm = estimate.event_study(lv.iloc[:, list(s_order)], events.iloc[list(ev_order)], [(0, 0), (0, 5)], **kw)
    key = ["event_id", "series_id", "window_start", "window_end"]
    a = base.to_frame().sort_values(key).reset_index(drop=True)
    b = perm.to_frame().sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10, atol=1e-12)
    pa = base.pooled_tests(by="series_id").sort_values(["series_id", "window_end", "test"]).reset_index(drop=True)
    pb = perm.pooled_tests(by="series_id").sort_values(["series_id", "window_end", "test"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(pa, pb, check_exact=False, rtol=1e-9, atol=1e-12)
    pa = base.pooled_tests(direction=1).sort_values(["window_end", "test"]).reset_index(drop=True)
    pb = perm.pooled_tests(direction=1).sort_values(["window_end", "test"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(pa, pb, check_exact=False, rtol=1e-9, atol=1e-12)
    wa = base.wald_tests().sort_values(["series_id", "window_end"]).reset_index(drop=True)
    wb = perm.wald_tests().sort_values(["series_id", "window_end"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(wa, wb, check_exact=False, rtol=1e-9, atol=1e-12)


def test_no_engine_function_is_longer_than_80_lines():
    import ast
    from pathlib import Path

    import treasurycard.eventstudy as es

    long = []
    for path in Path(es.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                n = body[-1].end_lineno - body[0].lineno + 1 if body else 0
                if n > 80:
                    long.append(f"{path.name}:{node.name} ({n} lines)")
    assert not long, long
