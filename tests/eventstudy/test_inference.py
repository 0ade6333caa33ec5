"""Tests of treasurycard.eventstudy.inference: hand-computed statistics and the size of each test under the null.

Reference numbers are hand computations from the inputs typed in each test; size checks simulate i.i.d.
normal daily changes (seeded ``numpy.random.default_rng``), 2,000 draws, vectorised.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from treasurycard.eventstudy import inference as inf

N_DRAWS = 2000


def test_placebo_hand_example():
    # |event| = 5; placebo |values| 1, 2, 3, 10, 5: two are >= 5 and one is > 5, so
    # p = (1 + 2) / (1 + 5) = 0.5 and rank = 1 + 1 = 2.
    r = inf.placebo_test(-5.0, [1.0, -2.0, 3.0, 10.0, 5.0, np.nan])
    assert r.n == 5
    assert_allclose(r.pvalue, 0.5, rtol=0, atol=1e-15)
    assert_allclose(r.statistic, 2.0, rtol=0, atol=0)


def test_placebo_pvalue_is_uniform_under_exchangeability():
    rng = np.random.default_rng(11)
    x = rng.standard_t(4, size=(N_DRAWS, 200))  # event = column 0, placebo = the other 199
    p = np.array([inf.placebo_test(row[0], row[1:]).pvalue for row in x])
    assert 0.03 <= np.mean(p <= 0.05) <= 0.07
    assert 0.08 <= np.mean(p <= 0.10) <= 0.12


def test_bw_t_hand_and_size():
    r = inf.bw_t_test(6.0, 2.0, 4, 101)  # t = 6 / (2 sqrt 4) = 1.5, df 100
    assert_allclose(r.statistic, 1.5, rtol=1e-12, atol=0)
    assert_allclose(r.pvalue, 2 * stats.t.sf(1.5, 100), rtol=1e-12, atol=0)
    rng = np.random.default_rng(12)
    est, ev = rng.normal(0, 5, (N_DRAWS, 250)), rng.normal(0, 5, (N_DRAWS, 1))
    car = ev.sum(axis=1) - est.mean(axis=1)
    p = inf.bw_t_test(car, est.std(axis=1, ddof=1), 1, 250).pvalue
    assert 0.03 <= np.mean(p < 0.05) <= 0.07


@pytest.mark.parametrize("L2", [1, 5])
def test_hac_size(L2):
    rng = np.random.default_rng(13)
    est, ev = rng.normal(0, 5, (N_DRAWS, 250)), rng.normal(0, 5, (N_DRAWS, L2))
    p = inf.hac_car_test(est, ev, gap=10).pvalue
    assert 0.03 <= np.mean(p < 0.05) <= 0.07


def test_hac_robust_to_autocorrelation_where_bw_is_not():
    from treasurycard.eventstudy.simulate import simulate_changes

    rng = np.random.default_rng(14)
    y = simulate_changes(rng, N_DRAWS, 1, 250 + 9 + 5, 5.0, ar=0.3)[:, 0, :]
    est, ev = y[:, :250], y[:, -5:]
    car = ev.sum(axis=1) - 5 * est.mean(axis=1)
    bw = np.mean(inf.bw_t_test(car, est.std(axis=1, ddof=1), 5, 250).pvalue < 0.05)
    hac = np.mean(inf.hac_car_test(est, ev, gap=10).pvalue < 0.05)
    assert bw > 0.10  # BW ignores the positive autocorrelation of a 5-day sum
    assert 0.03 <= hac <= 0.08


def test_patell_bmp_kp_hand():
    # Patell: SCAR [1, 2], L1 = 11: each SCAR ~ t(10) with variance 10/8; Z = 3 / sqrt(2.5)
    r = inf.patell_test([1.0, 2.0], [11, 11])
    assert_allclose(r.statistic, 3 / np.sqrt(2.5), rtol=1e-12, atol=0)
    # BMP: SCAR [1, 2, 3]: mean 2, sd 1, t = 2 sqrt(3), t(2)
    b = inf.bmp_test([1.0, 2.0, 3.0])
    assert_allclose(b.statistic, 2 * np.sqrt(3), rtol=1e-12, atol=0)
    assert_allclose(b.pvalue, 2 * stats.t.sf(2 * np.sqrt(3), 2), rtol=1e-12, atol=0)
    # KP with rbar 0.5, N 3: factor sqrt(0.5 / (1 + 2 x 0.5)) = 0.5
    k = inf.bmp_kp_test([1.0, 2.0, 3.0], 0.5)
    assert_allclose(k.statistic, np.sqrt(3), rtol=1e-12, atol=0)


def test_corrado_hand():
    # one member, estimation [1, 2, 3, 4], event [5]: ranks 1..5, U = rank/6 - 1/2;
    # c = mean of U^2 over estimation days = (1/9 + 1/36 + 0 + 1/36) / 4 = 1/24; Z = (1/3) / sqrt(1/24)
    r = inf.corrado_rank_test([[1.0, 2.0, 3.0, 4.0]], [[5.0]])
    assert_allclose(r.statistic, np.sqrt(24) / 3, rtol=1e-12, atol=0)


def test_sign_tests_hand():
    car = np.array([1.0, 2.0, -1.0, 3.0, 0.0, 4.0, 5.0, -2.0])
    r = inf.sign_test(car)  # zero dropped: 5 positive of 7
    assert r.n == 7 and r.statistic == 5
    assert_allclose(r.pvalue, stats.binomtest(5, 7, 0.5).pvalue, rtol=1e-12, atol=0)
    g = inf.generalized_sign_test([1.0, 2.0, -1.0, 3.0], 0.5)  # (3 - 2) / sqrt(4 x 0.25) = 1
    assert_allclose(g.statistic, 1.0, rtol=1e-12, atol=0)


def test_average_ranks_match_scipy():
    rng = np.random.default_rng(15)
    x = rng.integers(0, 6, size=(40, 5, 30)).astype(float)  # many ties, like changes rounded to 1 bp
    x[rng.random(x.shape) < 0.1] = np.nan
    assert_allclose(inf.average_ranks(x), stats.rankdata(x, axis=-1, nan_policy="omit"), rtol=0, atol=1e-12)


def test_kp_restores_size_under_cross_correlation():
    from treasurycard.eventstudy.simulate import simulate_changes

    rng = np.random.default_rng(16)
    y = simulate_changes(rng, N_DRAWS, 10, 251, 5.0, rho=0.8)  # a yield-curve-like cross-section, one date
    est, ev = y[..., :250], y[..., 250:]
    m = est.mean(axis=-1, keepdims=True)
    res = inf.cross_section_tests((ev - m).sum(axis=-1), est - m, ev - m)
    assert np.mean(res["bmp"].pvalue < 0.05) > 0.3  # BMP assumes independent members
    assert 0.03 <= np.mean(res["bmp_kp"].pvalue < 0.05) <= 0.07


def test_overlap_makes_separate_dates_independent():
    # two events of one series on dates far apart: shared estimation data, but no overlap of windows,
    # so the implied correlation is zero and KP equals BMP.
    rng = np.random.default_rng(17)
    est = np.repeat(rng.normal(0, 1, (1, 250)), 2, axis=0)
    ev = rng.normal(0, 1, (2, 1))
    res = inf.cross_section_tests(ev[:, 0], est, ev, overlap=np.eye(2))
    assert_allclose(res["bmp_kp"].statistic, res["bmp"].statistic, rtol=1e-12, atol=0)


def test_minimum_detectable_effect_by_hand_and_by_simulation():
    from treasurycard.errors import TreasuryCardError
    from treasurycard.eventstudy.inference import minimum_detectable_effect

    # by hand: (1.959964 + 0.841621) * 7 bp = 19.611 bp
    assert_allclose(minimum_detectable_effect(7.0), 2.8015852 * 7.0, rtol=1e-6)
    assert_allclose(minimum_detectable_effect(7.0, n_days=4), 2 * 2.8015852 * 7.0, rtol=1e-6)
    # by simulation: at the MDE a 5% two-sided z-test rejects about 80% of the time
    rng = np.random.default_rng(11)
    mde = minimum_detectable_effect(1.0)
    z = mde + rng.standard_normal(20_000)
    assert abs(np.mean(np.abs(z) > 1.959964) - 0.80) < 0.015
    with pytest.raises(TreasuryCardError):
        minimum_detectable_effect(1.0, power=1.0)


# ------------------------------------------------------------------------------------------------ referee's probes


def test_bw_t_with_the_estimation_error_term_by_hand_and_size():
    # t = 6 / (2 sqrt(4 (1 + 4/100))) = 1.5 / sqrt(1.04)
    r = inf.bw_t_test(6.0, 2.0, 4, 100, estimation_error=True)
    assert_allclose(r.statistic, 1.5 / np.sqrt(1.04), rtol=1e-12, atol=0)
    assert r.extra["estimation_error"] is True
    # a short estimation window and a long event window: Brown-Warner ignores the mean's error and
    # over-rejects; with 1 + L2/L1 the size is right (normal changes)
    rng = np.random.default_rng(21)
    est, ev = rng.normal(0, 1, (N_DRAWS, 20)), rng.normal(0, 1, (N_DRAWS, 10))
    car = ev.sum(axis=1) - 10 * est.mean(axis=1)
    sd = est.std(axis=1, ddof=1)
    assert np.mean(inf.bw_t_test(car, sd, 10, 20).pvalue < 0.05) > 0.09
    assert 0.03 <= np.mean(inf.bw_t_test(car, sd, 10, 20, estimation_error=True).pvalue < 0.05) <= 0.07


def _grank_by_the_paper(est, car, L2):
    """Kolari and Pynnönen (2011), eqs. for one common event date and no missing days, typed independently."""
    L1 = est.shape[1]
    s = est.std(axis=1, ddof=1)
    scar = car / (s * np.sqrt(L2 * (1 + L2 / L1)))
    gsar = np.column_stack([est / s[:, None], scar / scar.std(ddof=1)])
    T = L1 + 1
    U = stats.rankdata(gsar, axis=1) / (T + 1) - 0.5
    ubar = U.mean(axis=0)
    z = ubar[-1] / np.sqrt(np.mean(ubar**2))
    t = z * np.sqrt((T - 2) / (T - 1 - z**2))
    return t, 2 * stats.t.sf(abs(t), T - 2)


def test_grank_matches_the_paper_formula():
    rng = np.random.default_rng(22)
    est = rng.normal(0, 1, (6, 40))
    car = rng.normal(0.8, 1.5, 6)
    t, p = _grank_by_the_paper(est, car, 3)
    r = inf.grank_test(est, car, 3, restandardize=True)
    assert_allclose(r.statistic, t, rtol=1e-12, atol=0)
    assert_allclose(r.pvalue, p, rtol=1e-10, atol=0)
    assert r.reference_distribution == "t(T-2)" and r.extra["restandardized"]


@pytest.mark.parametrize("n, rho, L2", [(10, 0.0, 1), (10, 0.0, 5), (30, 0.0, 3)])
def test_grank_size(n, rho, L2):
    from treasurycard.eventstudy.simulate import simulate_changes

    rng = np.random.default_rng(23)
    y = simulate_changes(rng, N_DRAWS, n, 250 + L2, 5.0, rho=rho)
    est, ev = y[..., :250], y[..., 250:]
    m = est.mean(axis=-1, keepdims=True)
    r = inf.grank_test(est - m, (ev - m).sum(axis=-1), L2)
    assert r.extra["restandardized"] == (n >= inf.GRANK_MIN_RESTANDARDIZE)
    assert 0.03 <= np.mean(r.pvalue < 0.05) <= 0.07


def test_grank_with_few_members_is_not_restandardized_because_that_over_rejects():
    # four events of one series far apart (independent windows): the paper's re-standardization by the
    # spread of four SCARs makes the statistic heavy-tailed
    rng = np.random.default_rng(28)
    car, est, ev, overlap = _one_series_overlapping_events(rng, days=(0, 30, 60, 90), L2=1)
    paper = inf.grank_test(est, car, 1, overlap, restandardize=True)
    engine = inf.grank_test(est, car, 1, overlap)
    assert np.mean(paper.pvalue < 0.05) > 0.09
    assert 0.03 <= np.mean(engine.pvalue < 0.05) <= 0.07


def test_grank_is_conservative_on_a_correlated_cross_section():
    from treasurycard.eventstudy.simulate import simulate_changes

    rng = np.random.default_rng(29)
    y = simulate_changes(rng, N_DRAWS, 10, 251, 5.0, rho=0.8)
    m = y[..., :250].mean(axis=-1, keepdims=True)
    r = inf.grank_test(y[..., :250] - m, (y[..., 250:] - m).sum(axis=-1), 1)
    assert np.mean(r.pvalue < 0.05) <= 0.05


def _one_series_overlapping_events(rng, days=(0, 1, 4), L2=6, L1=250, draws=N_DRAWS):
    """One series, events on trading days ``days`` apart (like 3, 4 and 9 April), window of L2 days."""
    y = rng.normal(0, 1, (draws, L1 + max(days) + L2))
    est = y[:, :L1]
    m = est.mean(axis=1, keepdims=True)
    ev = np.stack([y[:, L1 + k: L1 + k + L2] - m for k in days], axis=1)
    dist = np.abs(np.subtract.outer(days, days))
    overlap = np.maximum(0, L2 - dist).astype(float)
    est_all = np.repeat((est - m)[:, None, :], len(days), axis=1)
    return ev.sum(axis=-1), est_all, ev, overlap


def test_patell_and_bmp_allow_for_overlapping_windows_of_one_series():
    rng = np.random.default_rng(24)
    car, est, ev, overlap = _one_series_overlapping_events(rng)
    naive = inf.cross_section_tests(car, est, ev, overlap)  # members taken as different series
    fixed = inf.cross_section_tests(car, est, ev, overlap, groups=["DGS10"] * 3)
    assert np.mean(naive["patell"].pvalue < 0.05) > 0.12  # Patell's sum varies more than it assumes
    assert 0.03 <= np.mean(fixed["patell"].pvalue < 0.05) <= 0.07
    # BMP's cross-sectional variance is too small when members share days; the adjustment restores its size
    assert np.mean(naive["bmp"].pvalue < 0.05) > 0.08
    assert np.mean(fixed["bmp"].pvalue < 0.05) <= 0.075  # t(N-1) with N = 3 correlated members: approximate
    assert np.mean(fixed["grank"].pvalue < 0.05) <= 0.07


def test_sign_test_allows_for_overlapping_windows_of_one_series():
    rng = np.random.default_rng(25)
    car, est, ev, overlap = _one_series_overlapping_events(rng, days=tuple(range(0, 16, 2)), L2=6)
    naive = inf.sign_test(car)
    fixed = inf.sign_test(car, corr=inf.member_correlation(est, overlap, 6, ["S"] * 8)[1])
    assert np.mean(naive.pvalue < 0.05) > 0.09
    assert np.mean(fixed.pvalue < 0.05) <= 0.07


def test_overlap_aware_patell_by_hand():
    # three members of one series, SCARs 1, 1, 1, L1 = 13 (v = 12/10 = 1.2), correlations 5/6, 2/6, 3/6
    corr = np.array([[1, 5 / 6, 2 / 6], [5 / 6, 1, 3 / 6], [2 / 6, 3 / 6, 1]])
    r = inf.patell_test([1.0, 1.0, 1.0], [13, 13, 13], corr)
    assert_allclose(r.statistic, 3 / np.sqrt(1.2 * (3 + 2 * (5 + 2 + 3) / 6)), rtol=1e-12, atol=0)


def test_degenerate_pools_give_nan_with_a_reason_never_inf():
    b = inf.bmp_test([1.5, 1.5, 1.5])
    assert np.isnan(b.statistic) and np.isnan(b.pvalue) and "zero spread" in b.note
    est = np.random.default_rng(26).normal(0, 1, (2, 100))
    res = inf.cross_section_tests(np.array([2.0, 2.0]), est, np.array([[2.0], [2.0]]))
    for name, r in res.items():
        assert np.isnan(r.statistic) and np.isnan(r.pvalue), name
        assert r.note == "fewer than 3 members", name
    ok = inf.cross_section_tests(np.array([2.0, 1.0, -0.5]), np.vstack([est, est[:1]]), np.array([[2.0], [1.0], [-0.5]]))
    assert all(r.note == "" and np.isfinite(r.statistic) for r in ok.values())


def test_sign_test_treats_unchanged_rates_as_ties_and_stays_unbiased():
    # rates quoted in whole basis points: about 45% of days unchanged. Twenty events of one series far apart,
    # one estimation window, no effect. An unchanged day's CAR is -mean, with the sign of the estimated mean
    # for every event at once; counting those as moves over-rejects. Ties (raw change 0) are dropped.
    rng = np.random.default_rng(27)
    est = np.round(rng.normal(0, 0.8, (N_DRAWS, 250)))
    raw = np.round(rng.normal(0, 0.8, (N_DRAWS, 20)))
    car = raw - est.mean(axis=1, keepdims=True)
    assert np.mean(raw == 0) > 0.4
    as_moves = inf.sign_test(car)
    ties = inf.sign_test(car, zero=raw == 0)
    assert np.mean(as_moves.pvalue < 0.05) > 0.3
    assert np.mean(ties.pvalue < 0.05) <= 0.05  # the exact conditional test is conservative, never liberal
    assert np.all(ties.n == np.sum(raw != 0, axis=1))
