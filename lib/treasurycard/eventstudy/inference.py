"""Event-study tests on numpy arrays with batch axes: BW t, HAC, placebo, Corrado, signs, Patell, BMP, KP."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError, TreasuryCardError

__all__ = [
    "TestResult",
    "bw_t_test",
    "hac_car_test",
    "placebo_test",
    "patell_test",
    "bmp_test",
    "bmp_kp_test",
    "corrado_rank_test",
    "sign_test",
    "generalized_sign_test",
    "cross_section_tests",
    "newey_west_maxlags",
    "stationary_hac_cov",
    "minimum_detectable_effect",
]


@dataclass(frozen=True)
class TestResult:
    """One test's outcome.

    Attributes
    ----------
    name : str
        Short id used in column names (``bw_t``, ``hac``, ``patell``, ...).
    statistic, pvalue : float or numpy.ndarray
        Statistic and two-sided p-value (arrays when the test ran over a batch).
    n : int or numpy.ndarray
        Cross-section size (pooled tests) or number of observations behind the statistic.
    null : str
        The null hypothesis, in a sentence.
    reference_distribution : str
        Distribution of the statistic under the null, e.g. ``"N(0,1)"``, ``"t(249)"``, ``"empirical"``.
    """

    __test__ = False  # not a pytest test class

    name: str
    statistic: object
    pvalue: object
    n: object
    null: str
    reference_distribution: str
    extra: dict = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        """Plain dict with keys test, statistic, pvalue, n, null, reference_distribution."""
        return {
            "test": self.name,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "n": self.n,
            "null": self.null,
            "reference_distribution": self.reference_distribution,
        }


def _two_sided_normal(z):
    return 2.0 * stats.norm.sf(np.abs(z))


def _two_sided_t(t, df):
    return 2.0 * stats.t.sf(np.abs(t), df)


def minimum_detectable_effect(sigma, n_days: int = 1, alpha: float = 0.05, power: float = 0.80):
    """Smallest true effect a two-sided z-test detects with the given power.

    Parameters
    ----------
    sigma : float or array
        Standard deviation of one day's change (basis points or percent), e.g. ``est_std`` of an event study.
    n_days : int
        Length of the event window in trading days; the window's noise is ``sigma * sqrt(n_days)``.
    alpha : float
        Size of the two-sided test.
    power : float
        Probability of rejecting when the true effect equals the returned value.

    Returns
    -------
    float or numpy.ndarray
        ``(z_{1-alpha/2} + z_{power}) * sigma * sqrt(n_days)``, in the unit of ``sigma``.

    Notes
    -----
    Under H1 the window's change is ``N(delta, n sigma^2)``; the test rejects when ``|change| > z_{1-alpha/2}
    sigma sqrt(n)``. Ignoring the (negligible) chance of rejecting in the wrong direction, power equals
    ``Phi(delta / (sigma sqrt(n)) - z_{1-alpha/2})``; solving for ``delta`` gives the formula. It assumes
    normal, independent daily changes with known variance, so it is a guide, not a guarantee; the
    simulations of :mod:`treasurycard.simulate` check it.

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed.
    """
    if not (0 < alpha < 1 and 0 < power < 1):
        raise TreasuryCardError(f"alpha and power must lie in (0, 1), got alpha={alpha}, power={power}")
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return z * np.asarray(sigma, dtype=float) * np.sqrt(n_days)


# --------------------------------------------------------------------------------------------------------------
# Single-series tests
# --------------------------------------------------------------------------------------------------------------


def bw_t_test(abnormal, sigma, n_days, n_est) -> TestResult:
    """Brown-Warner t-test of one cumulative abnormal change.

    Parameters
    ----------
    abnormal : float or array
        Cumulative abnormal change over the window (basis points or percent).
    sigma : float or array
        Standard deviation of daily changes over the estimation window (same unit), ``ddof=1``.
    n_days : int or array
        Trading days in the window.
    n_est : int or array
        Valid daily changes in the estimation window.

    Returns
    -------
    TestResult
        ``statistic`` = t, ``pvalue`` two-sided from Student t with ``n_est - 1`` degrees of freedom.

    Notes
    -----
    Null: the expected abnormal change over the window is zero, i.e. the series keeps the mean of its
    estimation window. Assumptions: daily changes are independent and identically distributed (normal for
    exact size) with the estimation-window variance; no event-induced variance. Formula:
    ``t = CAR / (s * sqrt(L2))`` with ``s`` the estimation-window standard deviation and ``L2`` the window length.
    The estimation error of the mean (a factor ``1 + L2/L1`` on the variance) is ignored as in Brown-Warner;
    :func:`patell_test` includes it.

    References
    ----------
    Brown, S. J. and J. B. Warner (1985). Using daily stock returns: the case of event studies. Journal of
    Financial Economics 14(1), 3-31. MacKinlay, A. C. (1997). Event studies in economics and finance.
    Journal of Economic Literature 35(1), 13-39.
    """
    abnormal, sigma = np.asarray(abnormal, float), np.asarray(sigma, float)
    n_days, n_est = np.asarray(n_days, float), np.asarray(n_est, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = abnormal / (sigma * np.sqrt(n_days))
    df = n_est - 1
    return TestResult(
        "bw_t",
        t,
        _two_sided_t(t, df),
        n_est,
        "the window's expected abnormal change is zero (constant-mean model)",
        "t(n_est-1)" if np.ndim(df) else f"t({int(df)})",
    )


def newey_west_maxlags(nobs: int) -> int:
    """Newey-West (1994) rule of thumb for the Bartlett truncation lag: ``floor(4 * (nobs / 100) ** (2/9))``."""
    return int(np.floor(4.0 * (max(nobs, 1) / 100.0) ** (2.0 / 9.0)))


def bartlett_weights(maxlags: int) -> np.ndarray:
    """Bartlett (Newey-West) kernel weights ``1 - h / (maxlags + 1)`` for ``h = 0..maxlags``."""
    return 1.0 - np.arange(maxlags + 1) / (maxlags + 1.0)


def lag_cross_products(X: np.ndarray, pos: np.ndarray, maxlags: int) -> np.ndarray:
    """``M_h = sum over ordered pairs (t, s) with |pos_t - pos_s| = h of x_t x_s'``, for ``h = 0..maxlags``.

    ``X`` has shape ``(n, p)``; ``pos`` are the rows' trading-day positions (ascending, unique).
    Returns an array of shape ``(maxlags + 1, p, p)``.
    """
    X = np.asarray(X, float)
    pos = np.asarray(pos)
    n, p = X.shape
    out = np.empty((maxlags + 1, p, p))
    out[0] = X.T @ X
    for h in range(1, maxlags + 1):
        j = np.searchsorted(pos, pos + h)
        ok = j < n
        ok[ok] = pos[j[ok]] == pos[ok] + h
        C = X[ok].T @ X[j[ok]]
        out[h] = C + C.T
    return out


def autocovariances(e: np.ndarray, pos: np.ndarray, maxlags: int, denom: float) -> np.ndarray:
    """``gamma_h = sum_t e_t e_{t+h} / denom`` over pairs of observed residuals ``h`` trading days apart.

    Residuals missing from ``pos`` count as zero, which keeps the implied Toeplitz matrix positive
    semi-definite. ``e`` may carry leading batch axes; the last axis matches ``pos``.
    """
    e = np.asarray(e, float)
    pos = np.asarray(pos)
    n = pos.size
    out = np.empty(e.shape[:-1] + (maxlags + 1,))
    out[..., 0] = np.sum(e * e, axis=-1) / denom
    for h in range(1, maxlags + 1):
        j = np.searchsorted(pos, pos + h)
        ok = j < n
        ok[ok] = pos[j[ok]] == pos[ok] + h
        out[..., h] = np.sum(e[..., ok] * e[..., j[ok]], axis=-1) / denom
    return out


def stationary_hac_cov(X, bread, resid, pos, null_mask, maxlags: int, k0: int) -> np.ndarray:
    """Newey-West covariance of OLS coefficients that stays valid for event dummies.

    ``V = B (sum_h w_h gamma_h M_h) B`` with ``B = (X'X)^-1``, Bartlett weights ``w_h``, ``M_h`` from
    :func:`lag_cross_products`, and autocovariances ``gamma_h`` estimated from the residuals of the
    non-event days only (``null_mask``), scaled by ``1 / (n0 - k0)``.

    Notes
    -----
    The usual Newey-West sandwich multiplies each regressor by its own residual. An event-day dummy fits its
    day exactly (residual zero), so the sandwich estimates the variance of that dummy's coefficient as about
    the variance of the constant: far too small, and tests over-reject massively (see the tests of
    :mod:`treasurycard.estimate`). Replacing ``e_t e_s`` by the stationary estimate ``gamma_|t-s|`` taken from
    the non-event days keeps Newey-West's kernel and lag truncation, assumes covariance stationarity under
    the null (no event-induced variance), and gives the event days the variance of ordinary days. For
    ``X`` = a constant plus day dummies the CAR variance reduces to the prediction-error variance
    ``sum_{i,j in window} w gamma + L2^2 Var(mean)`` of MacKinlay (1997), autocorrelation-robust.

    References
    ----------
    Newey, W. K. and K. D. West (1987). A simple, positive semi-definite, heteroskedasticity and
    autocorrelation consistent covariance matrix. Econometrica 55(3), 703-708.
    """
    pos = np.asarray(pos)
    null_mask = np.asarray(null_mask, bool)
    n0 = int(null_mask.sum())
    if n0 - k0 < 2:
        raise EstimationError(f"only {n0} non-event observations for {k0} regressors; cannot estimate the HAC variance")
    gam = autocovariances(resid[null_mask], pos[null_mask], maxlags, n0 - k0)
    M = lag_cross_products(X, pos, maxlags)
    meat = np.tensordot(bartlett_weights(maxlags) * gam, M, axes=(0, 0))
    return bread @ meat @ bread


def hac_car_test(estimation, event, gap: int, maxlags: int | None = None) -> TestResult:
    """HAC dummy-regression test of a CAR, vectorised over leading axes (constant-mean model, no controls).

    Equivalent to :func:`treasurycard.estimate.dummy_regression` with a constant, one dummy per event day and
    ``event_variance="stationary"``, for a contiguous estimation window with no missing values followed,
    ``gap`` trading days after its last day, by a contiguous event window.

    Parameters
    ----------
    estimation : array, shape (..., L1)
        Daily changes in the estimation window (basis points or percent).
    event : array, shape (..., L2)
        Daily changes in the event window (same unit).
    gap : int
        Trading days from the last estimation day to the first event day (>= 1).
    maxlags : int, optional
        Bartlett truncation lag; default :func:`newey_west_maxlags` of ``L1``.

    Returns
    -------
    TestResult
        ``statistic`` = z = CAR / se, ``pvalue`` two-sided from N(0,1); ``extra["car"]``, ``extra["se"]``.

    Notes
    -----
    Null: the expected abnormal change over the window is zero. Assumptions: daily changes are covariance
    stationary with autocorrelation negligible beyond ``maxlags``; no event-induced variance. Formula:
    ``CAR = sum_W y - L2 * mean_E(y)``, ``Var = sum_h w_h gamma_h c_h`` where ``c_h`` sums ``g_t g_s`` over
    pairs ``h`` days apart of the contrast ``g`` (1 on window days, ``-L2/L1`` on estimation days).

    References
    ----------
    Newey and West (1987); MacKinlay (1997), section 4.
    """
    est = np.asarray(estimation, float)
    ev = np.asarray(event, float)
    L1, L2 = est.shape[-1], ev.shape[-1]
    if maxlags is None:
        maxlags = newey_west_maxlags(L1)
    pos = np.concatenate([np.arange(L1), L1 - 1 + gap + np.arange(L2)])
    g = np.concatenate([np.full(L1, -L2 / L1), np.ones(L2)])[:, None]
    c = lag_cross_products(g, pos, maxlags)[:, 0, 0]
    mean = est.mean(axis=-1)
    resid = est - mean[..., None]
    gam = autocovariances(resid, np.arange(L1), maxlags, L1 - 1)
    var = (gam * (bartlett_weights(maxlags) * c)).sum(axis=-1)
    car = ev.sum(axis=-1) - L2 * mean
    se = np.sqrt(var)
    z = car / se
    return TestResult(
        "hac",
        z,
        _two_sided_normal(z),
        L1,
        "the window's expected abnormal change is zero (dummy regression, Newey-West)",
        "N(0,1)",
        {"car": car, "se": se, "maxlags": maxlags},
    )


def placebo_test(event_value, placebo_values, reference: str = "all windows") -> TestResult:
    """Empirical (placebo-date) p-value of an event's move: where its size ranks among comparable windows.

    Parameters
    ----------
    event_value : float
        The event's window change (or standardized change).
    placebo_values : array
        The same statistic over placebo windows of the same length (NaN ignored).
    reference : str
        Description of the placebo set, recorded in ``reference_distribution``.

    Returns
    -------
    TestResult
        ``statistic`` = rank of ``|event_value|`` among the placebo windows (1 = larger than all);
        ``pvalue = (1 + #{|placebo| >= |event|}) / (1 + N)``; ``n`` = N placebo windows.

    Notes
    -----
    Null: the event's window is exchangeable with the placebo windows (its move is a draw from the same
    distribution). Assumptions: exchangeability only, no distributional form, so the p-value is exact
    (super-uniform) under the null; for overlapping windows the placebo draws are dependent, which does not
    bias the p-value but makes it coarser than N suggests. Two-sided on absolute values, i.e. the
    distribution is taken as centred at zero.

    References
    ----------
    Phipson, B. and G. K. Smyth (2010). Permutation p-values should never be zero. Statistical Applications
    in Genetics and Molecular Biology 9(1), article 39. MacKinlay (1997), section 7 (nonparametric tests).
    """
    pl = np.asarray(placebo_values, float)
    pl = np.sort(np.abs(pl[~np.isnan(pl)]))
    rank, pval, n = placebo_counts(pl, np.asarray(event_value, float))
    return TestResult(
        "placebo", rank, pval, n, "the event window is exchangeable with the placebo windows", f"empirical ({reference})"
    )


def placebo_counts(sorted_abs: np.ndarray, values: np.ndarray):
    """Vectorised core of :func:`placebo_test`: rank, p-value and N for each value against sorted |placebo|."""
    n = sorted_abs.size
    v = np.abs(values)
    ge = n - np.searchsorted(sorted_abs, v, side="left")  # placebo >= |value|
    gt = n - np.searchsorted(sorted_abs, v, side="right")  # placebo > |value|
    with np.errstate(invalid="ignore"):
        pval = np.where(np.isnan(v), np.nan, (1.0 + ge) / (1.0 + n))
        rank = np.where(np.isnan(v), np.nan, 1.0 + gt)
    return rank, pval, n


# --------------------------------------------------------------------------------------------------------------
# Cross-sectional (pooled) tests: the cross-section is the last axis
# --------------------------------------------------------------------------------------------------------------


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..T along the last axis, ties averaged, NaN kept as NaN (ranks among the non-NaN values)."""
    x = np.asarray(x, float)
    T = x.shape[-1]
    order = np.argsort(x, axis=-1)  # NaN sort last
    s = np.take_along_axis(x, order, axis=-1)
    idx = np.broadcast_to(np.arange(T), x.shape)
    new = np.ones(x.shape, bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    start = np.maximum.accumulate(np.where(new, idx, 0), axis=-1)
    last = np.ones(x.shape, bool)
    last[..., :-1] = new[..., 1:]
    end = np.flip(np.minimum.accumulate(np.flip(np.where(last, idx, T), axis=-1), axis=-1), axis=-1)
    r_sorted = np.where(np.isnan(s), np.nan, (start + end) / 2.0 + 1.0)
    out = np.empty(x.shape)
    np.put_along_axis(out, order, r_sorted, axis=-1)
    return out


def _nan_count(x, axis=-1):
    return np.sum(~np.isnan(x), axis=axis)


def patell_test(scar, n_est) -> TestResult:
    """Patell standardized-residual test across a cross-section of series or events.

    Parameters
    ----------
    scar : array, shape (..., N)
        Standardized cumulative abnormal changes ``CAR_i / (s_i sqrt(L2 (1 + L2/L1_i)))`` (unit-free).
    n_est : array, shape (..., N) or (N,)
        Valid estimation-window observations ``L1_i``.

    Returns
    -------
    TestResult
        ``statistic`` = Z, ``pvalue`` two-sided from N(0,1).

    Notes
    -----
    Null: every member's expected abnormal change over the window is zero. Assumptions: members independent
    (no cross-correlation; see :func:`bmp_kp_test`), normal daily changes, no event-induced variance. Formula:
    ``Z = sum_i SCAR_i / sqrt(sum_i (L1_i - 1) / (L1_i - 3))``; each SCAR is t-distributed with ``L1_i - 1``
    degrees of freedom (constant-mean model), whose variance is ``(L1_i - 1)/(L1_i - 3)``.

    References
    ----------
    Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior: empirical tests.
    Journal of Accounting Research 14(2), 246-276.
    """
    scar = np.asarray(scar, float)
    n_est = np.broadcast_to(np.asarray(n_est, float), scar.shape)
    ok = ~np.isnan(scar)
    v = np.where(ok, (n_est - 1.0) / (n_est - 3.0), 0.0)
    z = np.nansum(scar, axis=-1) / np.sqrt(v.sum(axis=-1))
    return TestResult(
        "patell", z, _two_sided_normal(z), ok.sum(axis=-1), "mean abnormal change is zero for every member", "N(0,1)"
    )


def bmp_test(scar) -> TestResult:
    """Boehmer-Musumeci-Poulsen standardized cross-sectional test.

    Parameters
    ----------
    scar : array, shape (..., N)
        Standardized cumulative abnormal changes (as for :func:`patell_test`).

    Returns
    -------
    TestResult
        ``statistic`` = t, ``pvalue`` two-sided from Student t with ``N - 1`` degrees of freedom.

    Notes
    -----
    Null: the mean standardized abnormal change is zero. Assumptions: members independent; robust to
    event-induced variance because the variance comes from the cross-section of SCARs. Formula:
    ``t = mean(SCAR) / (sd(SCAR) / sqrt(N))``.

    References
    ----------
    Boehmer, E., J. Musumeci and A. B. Poulsen (1991). Event-study methodology under conditions of
    event-induced variance. Journal of Financial Economics 30(2), 253-272.
    """
    scar = np.asarray(scar, float)
    n = _nan_count(scar)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.nanmean(scar, axis=-1) / (np.nanstd(scar, axis=-1, ddof=1) / np.sqrt(n))
    return TestResult("bmp", t, _two_sided_t(t, n - 1), n, "mean standardized abnormal change is zero", "t(N-1)")


def bmp_kp_test(scar, rbar) -> TestResult:
    """BMP test with the Kolari-Pynnönen adjustment for cross-correlated members (e.g. the yield curve).

    Parameters
    ----------
    scar : array, shape (..., N)
        Standardized cumulative abnormal changes.
    rbar : float or array, shape (...)
        Average pairwise correlation of the members' abnormal changes over the window (see
        :func:`cross_section_tests` for how it is estimated).

    Returns
    -------
    TestResult
        ``statistic`` = adjusted t, ``pvalue`` two-sided from t(N-1).

    Notes
    -----
    Null: as :func:`bmp_test`. Assumptions: equal pairwise correlation ``rbar`` (an average is used);
    otherwise as BMP. Formula: ``t_KP = t_BMP * sqrt((1 - rbar) / (1 + (N - 1) rbar))``.

    References
    ----------
    Kolari, J. W. and S. Pynnönen (2010). Event study testing with cross-sectional correlation of abnormal
    returns. Review of Financial Studies 23(11), 3996-4025.
    """
    base = bmp_test(scar)
    n = np.asarray(base.n, float)
    rbar = np.asarray(rbar, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        adj = np.sqrt((1.0 - rbar) / (1.0 + (n - 1.0) * rbar))
    t = base.statistic * adj
    return TestResult(
        "bmp_kp", t, _two_sided_t(t, n - 1), base.n, "mean standardized abnormal change is zero", "t(N-1)", {"rbar": rbar}
    )


def corrado_rank_test(estimation, event, overlap=None) -> TestResult:
    """Corrado rank test for a cross-section of series or events (multi-day windows as Campbell-Wasley).

    Parameters
    ----------
    estimation : array, shape (..., N, L1)
        Each member's daily abnormal changes over the estimation window, aligned on the same calendar days
        across members (NaN where missing).
    event : array, shape (..., N, L2)
        Each member's daily abnormal changes over its event window.
    overlap : array, shape (N, N), optional
        Calendar days shared by the event windows of members i and j. Default: all members share the same
        event days (``L2`` everywhere).

    Returns
    -------
    TestResult
        ``statistic`` = Z, ``pvalue`` two-sided from N(0,1).

    Notes
    -----
    Null: event-window abnormal changes are draws from the same distribution as the estimation window's
    (their ranks are uniform). Assumptions: continuous distributions (ties get average ranks), no
    event-induced variance change in ranks; cross-correlation is allowed. Formula: ``U_it = K_it / (T_i + 1)``
    with ``K_it`` the rank of day t among member i's ``T_i`` observed days (estimation and event);
    ``S = (1/N) sum_i sum_{t in W} (U_it - 1/2)``; ``Var(S) = (1/N^2) sum_ij c_ij overlap_ij``, with ``c_ij``
    the mean of ``(U_it - 1/2)(U_jt - 1/2)`` over the estimation days; ``Z = S / sqrt(Var(S))``. When all
    members share one event date this is Corrado's ``S_U`` (computed over the estimation days); the
    ``overlap`` term lets members on different dates (or the same series on different events) be pooled.
    Limitation: with one event date and strongly correlated members (a yield curve) the mean rank is close
    to a single uniform variable, bounded by about +-1.7 standard deviations, so the test is very
    conservative and has little power there (see :func:`treasurycard.simulate.size_power` with ``rho``).

    References
    ----------
    Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in event studies.
    Journal of Financial Economics 23(2), 385-395. Campbell, C. J. and C. E. Wasley (1993). Measuring security
    price performance using daily NASDAQ returns. Journal of Financial Economics 33(1), 73-92.
    """
    est = np.asarray(estimation, float)
    ev = np.asarray(event, float)
    L1, L2 = est.shape[-1], ev.shape[-1]
    comb = np.concatenate([est, ev], axis=-1)
    ranks = average_ranks(comb)
    T = _nan_count(comb)[..., None]
    U = ranks / (T + 1.0) - 0.5
    Ue = np.nan_to_num(U[..., :L1])
    Uw = np.nan_to_num(U[..., L1:])
    obs = (~np.isnan(est)).astype(float)
    joint = obs @ np.swapaxes(obs, -1, -2)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (Ue @ np.swapaxes(Ue, -1, -2)) / joint
    N = est.shape[-2]
    if overlap is None:
        overlap = np.full((N, N), float(L2))
    member = ~np.all(np.isnan(ev), axis=-1)  # members with at least one event day
    n = member.sum(axis=-1)
    S = np.sum(Uw.sum(axis=-1) * member, axis=-1) / n
    m = member[..., :, None] & member[..., None, :]
    var = np.sum(np.where(m, np.nan_to_num(c) * overlap, 0.0), axis=(-2, -1)) / n**2
    z = S / np.sqrt(var)
    return TestResult(
        "corrado", z, _two_sided_normal(z), n, "event-window ranks are drawn from the estimation-window distribution", "N(0,1)"
    )


def sign_test(car) -> TestResult:
    """Sign test: are positive and negative abnormal changes equally likely?

    Parameters
    ----------
    car : array, shape (..., N)
        Cumulative abnormal changes of the members (any unit; only signs are used).

    Returns
    -------
    TestResult
        ``statistic`` = number of positive CARs, ``pvalue`` two-sided exact binomial; ``n`` excludes zeros.

    Notes
    -----
    Null: each member's CAR is positive with probability 1/2. Assumptions: members independent; abnormal
    changes symmetric about zero (median zero); exact zeros are dropped. Formula: ``W ~ Binomial(n, 1/2)``,
    ``p = min(1, 2 min(P(W <= w), P(W >= w)))``.

    References
    ----------
    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2(4),
    343-358. MacKinlay (1997), section 7.
    """
    car = np.asarray(car, float)
    pos = np.sum(car > 0, axis=-1)
    n = np.sum((car != 0) & ~np.isnan(car), axis=-1)
    p = np.minimum(1.0, 2.0 * np.minimum(stats.binom.cdf(pos, n, 0.5), stats.binom.sf(pos - 1, n, 0.5)))
    return TestResult("sign", pos, p, n, "each member's CAR is positive with probability 1/2", "Binomial(n, 1/2)")


def generalized_sign_test(car, p_hat) -> TestResult:
    """Cowan's generalized sign test: more positive CARs than the estimation window leads one to expect?

    Parameters
    ----------
    car : array, shape (..., N)
        Cumulative abnormal changes of the members.
    p_hat : float or array, shape (...)
        Fraction of positive abnormal changes over windows of the same length in the estimation window,
        averaged over members.

    Returns
    -------
    TestResult
        ``statistic`` = Z, ``pvalue`` two-sided from N(0,1).

    Notes
    -----
    Null: the fraction of positive CARs equals ``p_hat``. Assumptions: members independent; ``p_hat``
    estimated without error. Formula: ``Z = (w - N p_hat) / sqrt(N p_hat (1 - p_hat))``, ``w`` the number of
    positive CARs. Cowan uses daily signs; here ``p_hat`` is taken from rolling sums of the window's length so
    that multi-day windows and rates with many zero daily changes are compared like with like.

    References
    ----------
    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2(4),
    343-358.
    """
    car = np.asarray(car, float)
    n = _nan_count(car)
    w = np.sum(car > 0, axis=-1)
    p_hat = np.asarray(p_hat, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (w - n * p_hat) / np.sqrt(n * p_hat * (1.0 - p_hat))
    return TestResult(
        "generalized_sign", z, _two_sided_normal(z), n, "the share of positive CARs equals the estimation-window share", "N(0,1)"
    )


def _rolling_positive_share(est: np.ndarray, L2: int) -> np.ndarray:
    """Share of positive L2-day sums of each member's estimation-window changes (NaN-containing sums skipped)."""
    x = np.nan_to_num(est)
    c = np.concatenate([np.zeros(est.shape[:-1] + (1,)), np.cumsum(x, axis=-1)], axis=-1)
    miss = np.concatenate([np.zeros(est.shape[:-1] + (1,)), np.cumsum(np.isnan(est), axis=-1)], axis=-1)
    sums = c[..., L2:] - c[..., :-L2]
    valid = (miss[..., L2:] - miss[..., :-L2]) == 0
    return np.sum((sums > 0) & valid, axis=-1) / np.maximum(valid.sum(axis=-1), 1)


def _avg_correlation(est: np.ndarray, overlap: np.ndarray, L2: int) -> np.ndarray:
    """Average pairwise correlation of members' window abnormal changes implied by estimation-window data.

    ``r_ij = corr_ij(daily, over estimation days) * overlap_ij / L2`` (windows that share no calendar day are
    uncorrelated under serial independence); ``rbar`` = mean over i != j.
    """
    obs = ~np.isnan(est)
    cnt = obs.sum(axis=-1, keepdims=True)
    mu = np.nansum(est, axis=-1, keepdims=True) / cnt
    sd = np.sqrt(np.nansum((est - mu) ** 2, axis=-1, keepdims=True) / (cnt - 1))
    z = np.nan_to_num((est - mu) / sd)
    of = obs.astype(float)
    joint = of @ np.swapaxes(of, -1, -2)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (z @ np.swapaxes(z, -1, -2)) / (joint - 1.0)
    r = np.nan_to_num(r) * (overlap / L2)
    N = est.shape[-2]
    if N < 2:
        return np.zeros(est.shape[:-2])
    off = r.sum(axis=(-2, -1)) - np.trace(r, axis1=-2, axis2=-1)
    return off / (N * (N - 1))


def cross_section_tests(car, estimation, event, overlap=None) -> dict[str, TestResult]:
    """The pooled battery over a cross-section of members (series and/or events) for one window.

    Parameters
    ----------
    car : array, shape (..., N)
        Cumulative abnormal changes (basis points or percent; only standardized values and signs are pooled,
        so members with different units may be mixed).
    estimation : array, shape (..., N, L1)
        Members' daily abnormal changes over the estimation window, aligned on calendar days across members
        (members of the same series share it).
    event : array, shape (..., N, L2)
        Members' daily abnormal changes over their event windows.
    overlap : array, shape (N, N), optional
        Calendar days shared by members' event windows (default ``L2``: one common event date).

    Returns
    -------
    dict of str to TestResult
        Keys ``patell``, ``bmp``, ``bmp_kp``, ``corrado``, ``sign``, ``generalized_sign``.

    Notes
    -----
    ``SCAR_i = CAR_i / (s_i sqrt(L2 (1 + L2 / L1_i)))`` with ``s_i``, ``L1_i`` from the member's estimation
    window (MacKinlay 1997, eq. 13 for the constant-mean model). The Kolari-Pynnönen ``rbar`` is the average
    over member pairs of (estimation-window correlation of daily abnormal changes) x (shared window days /
    L2), so two events of the same series on separate dates count as uncorrelated and two yields on the same
    date carry their curve correlation.
    """
    car = np.asarray(car, float)
    est = np.asarray(estimation, float)
    ev = np.asarray(event, float)
    L2 = ev.shape[-1]
    N = est.shape[-2]
    if overlap is None:
        overlap = np.full((N, N), float(L2))
    n_est = _nan_count(est)
    if np.any(n_est < 4):
        raise EstimationError("pooled tests need at least 4 estimation-window observations per member")
    s = np.nanstd(est, axis=-1, ddof=1)
    scar = car / (s * np.sqrt(L2 * (1.0 + L2 / n_est)))
    rbar = _avg_correlation(est, overlap, L2)
    p_hat = np.mean(_rolling_positive_share(est, L2), axis=-1)
    out = {
        "patell": patell_test(scar, n_est),
        "bmp": bmp_test(scar),
        "bmp_kp": bmp_kp_test(scar, rbar),
        "corrado": corrado_rank_test(est, ev, overlap),
        "sign": sign_test(car),
        "generalized_sign": generalized_sign_test(car, p_hat),
    }
    return out


def results_frame(results, **labels) -> pd.DataFrame:
    """Stack scalar :class:`TestResult` objects into a tidy DataFrame, with constant label columns first."""
    rows = [{**labels, **r.to_dict()} for r in results]
    for row in rows:
        for key in ("statistic", "pvalue", "n"):
            val = np.asarray(row[key])
            if val.ndim:
                raise TreasuryCardError("results_frame expects scalar test results")
            row[key] = val.item()
    return pd.DataFrame(rows)
