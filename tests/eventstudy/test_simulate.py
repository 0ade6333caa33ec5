"""Tests of treasurycard.eventstudy.simulate: the size/power table, and the size of every test at 2,000 draws."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from treasurycard.eventstudy.simulate import TESTS, size_power

# 17 members: the exact two-sided 5% binomial sign test then has size 0.0490 (hand/scipy computation below),
# so the discrete tests can be held to the same band as the continuous ones.
N_SERIES = 17


def _exact_sign_size(n, alpha=0.05):
    w = np.arange(n + 1)
    p = np.minimum(1, 2 * np.minimum(stats.binom.cdf(w, n, 0.5), stats.binom.sf(w - 1, n, 0.5)))
    return stats.binom.pmf(w, n, 0.5)[p < alpha].sum()


@pytest.fixture(scope="module")
def table():
    return size_power(effects_bp=[0.0, 5.0], sigma_bp=5.0, n_series=N_SERIES, n_draws=2000, seed=20250402)


def test_table_shape(table):
    assert set(table["test"]) == set(TESTS)
    assert len(table) == len(TESTS) * 2
    assert {"test", "scope", "effect_bp", "rejection_rate", "mc_se", "n_draws", "alpha"} <= set(table.columns)


def test_size_near_nominal(table):
    size = table[table["effect_bp"] == 0].set_index("test")["rejection_rate"]
    assert_allclose(_exact_sign_size(N_SERIES), 0.0490, rtol=0, atol=5e-4)
    for test, rate in size.items():
        assert 0.03 <= rate <= 0.07, (test, rate)


def test_power_increases_with_effect(table):
    for test, g in table.groupby("test"):
        r = g.sort_values("effect_bp")["rejection_rate"].to_numpy()
        assert np.all(np.diff(r) > 0), test
    pooled = table[(table["effect_bp"] == 5.0) & (table["scope"] == "pooled")]
    assert (pooled["rejection_rate"] > 0.8).all()  # 5 bp against sigma 5 bp, 17 members


def test_multi_day_window_size():
    t = size_power(effects_bp=[0.0], window=(0, 5), n_series=N_SERIES, n_draws=2000, seed=3)
    for test, rate in t.set_index("test")["rejection_rate"].items():
        assert 0.03 <= rate <= 0.07, (test, rate)


def test_reproducible():
    a = size_power(effects_bp=[0.0, 5.0], n_draws=300, seed=9)
    b = size_power(effects_bp=[0.0, 5.0], n_draws=300, seed=9)
    assert a.equals(b)
