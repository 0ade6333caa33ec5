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
