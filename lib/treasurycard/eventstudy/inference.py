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
    "grank_test",
    "member_correlation",
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
    note : str or numpy.ndarray
        Why the statistic is NaN (``""`` when it is not), e.g. ``"fewer than 3 members"``; an array of such
        texts when the test ran over a batch.
    """

    __test__ = False  # not a pytest test class

    name: str
    statistic: object
    pvalue: object
    n: object
    null: str
    reference_distribution: str
    extra: dict = field(default_factory=dict, repr=False)
    note: object = ""

    def to_dict(self) -> dict:
        """Plain dict with keys test, statistic, pvalue, n, null, reference_distribution, note."""
        return {
            "test": self.name,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "n": self.n,
            "null": self.null,
            "reference_distribution": self.reference_distribution,
            "note": self.note,
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


def bw_t_test(abnormal, sigma, n_days, n_est, estimation_error: bool = False) -> TestResult:
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
    estimation_error : bool
        ``False`` (default): Brown and Warner's ``t = CAR / (s sqrt(L2))``. ``True``: include the
        estimation error of the mean, ``t = CAR / (s sqrt(L2 (1 + L2/L1)))`` (Campbell, Lo and MacKinlay
        1997, eq. 4.4.22 for the constant-mean model), which keeps the size exact for normal changes.

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
    By default the estimation error of the mean (a factor ``1 + L2/L1`` on the variance) is ignored as in
    Brown-Warner, which over-rejects slightly (by about ``L2/(2 L1)`` in the statistic's scale);
    ``estimation_error=True`` includes it, as :func:`patell_test` does.

    References
    ----------
    Brown, S. J. and J. B. Warner (1985). Using daily stock returns: the case of event studies. Journal of
    Financial Economics 14(1), 3-31. MacKinlay, A. C. (1997). Event studies in economics and finance.
    Journal of Economic Literature 35(1), 13-39. Campbell, J. Y., A. W. Lo and A. C. MacKinlay (1997). The
    Econometrics of Financial Markets, chapter 4. Princeton University Press.
    """
    abnormal, sigma = np.asarray(abnormal, float), np.asarray(sigma, float)
    n_days, n_est = np.asarray(n_days, float), np.asarray(n_est, float)
    factor = n_days * (1.0 + n_days / n_est) if estimation_error else n_days
    with np.errstate(divide="ignore", invalid="ignore"):
        t = abnormal / (sigma * np.sqrt(factor))
    df = n_est - 1
    return TestResult(
        "bw_t",
        t,
        _two_sided_t(t, df),
        n_est,
        "the window's expected abnormal change is zero (constant-mean model)",
        "t(n_est-1)" if np.ndim(df) else f"t({int(df)})",
        {"estimation_error": bool(estimation_error)},
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

#: Fewest members a pooled test accepts; smaller pools give NaN with the reason in ``TestResult.note``.
MIN_MEMBERS = 3
#: Fewest members for which :func:`grank_test` re-standardizes the cumulated SCARs by their spread (see there).
GRANK_MIN_RESTANDARDIZE = 30


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


def _with_reasons(result: TestResult, *conditions) -> TestResult:
    """``result`` with statistic and p-value set to NaN where a ``(mask, reason)`` condition holds.

    Non-finite statistics left over (a zero variance) become NaN too, so no pooled test reports ``inf``
    or ``p = 0`` for a degenerate pool.
    """
    stat = np.asarray(result.statistic, float)
    note = np.full(stat.shape, "", dtype=object)
    for mask, reason in conditions:
        mask = np.broadcast_to(np.asarray(mask, bool), stat.shape)
        note = np.where(mask & (note == ""), reason, note)
    note = np.where(~np.isfinite(stat) & (note == ""), "the statistic is not finite (zero variance)", note)
    bad = note != ""
    stat = np.where(bad, np.nan, stat)
    pval = np.where(bad, np.nan, np.asarray(result.pvalue, float))
    if stat.ndim == 0:
        stat, pval, note = float(stat), float(pval), str(note)
    return TestResult(result.name, stat, pval, result.n, result.null, result.reference_distribution, result.extra, note)


def _pair_sum(corr, weights):
    """``sum_ij w_i corr_ij w_j`` over the last axis of ``weights`` (batch axes allowed)."""
    return np.einsum("...i,...ij,...j->...", weights, corr, weights)


def patell_test(scar, n_est, corr=None) -> TestResult:
    """Patell standardized-residual test across a cross-section of series or events.

    Parameters
    ----------
    scar : array, shape (..., N)
        Standardized cumulative abnormal changes ``CAR_i / (s_i sqrt(L2 (1 + L2/L1_i)))`` (unit-free).
    n_est : array, shape (..., N) or (N,)
        Valid estimation-window observations ``L1_i``.
    corr : array, shape (N, N), optional
        Correlation of the members' SCARs that the test must allow for: for two events of one series,
        the share of their windows' days they have in common (see :func:`member_correlation`). Default:
        independent members.

    Returns
    -------
    TestResult
        ``statistic`` = Z, ``pvalue`` two-sided from N(0,1).

    Notes
    -----
    Null: every member's expected abnormal change over the window is zero. Assumptions: members independent
    apart from ``corr`` (cross-correlation of different series on one date is not allowed for; see
    :func:`bmp_kp_test`), normal daily changes, no event-induced variance. Formula:
    ``Z = sum_i SCAR_i / sqrt(sum_ij corr_ij sqrt(v_i v_j))`` with ``v_i = (L1_i - 1) / (L1_i - 3)``, the
    variance of a t-distributed SCAR with ``L1_i - 1`` degrees of freedom (constant-mean model). With
    ``corr`` the identity this is Patell's ``sum SCAR / sqrt(sum v)``; overlapping windows of one series
    share days, so their SCARs are correlated and the sum varies more than Patell's formula says.

    References
    ----------
    Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior: empirical tests.
    Journal of Accounting Research 14(2), 246-276.
    """
    scar = np.asarray(scar, float)
    n_est = np.broadcast_to(np.asarray(n_est, float), scar.shape)
    ok = ~np.isnan(scar)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(ok, (n_est - 1.0) / (n_est - 3.0), 0.0)
        sd = np.sqrt(np.maximum(v, 0.0))
        var = (sd * sd).sum(axis=-1) if corr is None else _pair_sum(np.asarray(corr, float), sd)
        z = np.nansum(scar, axis=-1) / np.sqrt(var)
    res = TestResult("patell", z, _two_sided_normal(z), ok.sum(axis=-1),
                     "mean abnormal change is zero for every member", "N(0,1)")
    return _with_reasons(res, (np.any(ok & (n_est <= 3), axis=-1), "a member has 3 or fewer estimation days"))


def _zero_spread(scar):
    """True where the members' standardized CARs are all equal (no spread to estimate a variance from)."""
    with np.errstate(invalid="ignore"):
        sd = np.nanstd(scar, axis=-1, ddof=1)
        scale = np.nanmax(np.abs(scar), axis=-1)
    return ~(sd > 1e-9 * np.where(scale > 0, scale, 1.0))


def _average_offdiagonal(corr, ok):
    """Mean of ``corr_ij`` over pairs ``i != j`` of members present in ``ok`` (batch axes allowed)."""
    okf = ok.astype(float)
    n = okf.sum(axis=-1)
    total = _pair_sum(corr, okf) - n
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, total / (n * (n - 1.0)), 0.0)


def bmp_test(scar, corr=None) -> TestResult:
    """Boehmer-Musumeci-Poulsen standardized cross-sectional test.

    Parameters
    ----------
    scar : array, shape (..., N)
        Standardized cumulative abnormal changes (as for :func:`patell_test`).
    corr : array, shape (N, N), optional
        Correlation of the members' SCARs from overlapping windows of one series (as for
        :func:`patell_test`). Default: independent members.

    Returns
    -------
    TestResult
        ``statistic`` = t, ``pvalue`` two-sided from Student t with ``N - 1`` degrees of freedom.

    Notes
    -----
    Null: the mean standardized abnormal change is zero. Assumptions: members independent apart from
    ``corr``; robust to event-induced variance because the variance comes from the cross-section of SCARs.
    Formula: ``t = mean(SCAR) / (sd(SCAR) / sqrt(N))``, times ``sqrt((1 - r) / (1 + (N - 1) r))`` with ``r``
    the average off-diagonal ``corr_ij``: with correlated members the cross-sectional variance understates
    the variance by ``1 - r`` and the mean's variance is ``1 + (N - 1) r`` times larger (Kolari and
    Pynnönen 2010, exact in expectation for unequal correlations too). NaN, with the reason in ``note``, for
    fewer than :data:`MIN_MEMBERS` members or SCARs without spread.

    References
    ----------
    Boehmer, E., J. Musumeci and A. B. Poulsen (1991). Event-study methodology under conditions of
    event-induced variance. Journal of Financial Economics 30(2), 253-272.
    """
    scar = np.asarray(scar, float)
    n = _nan_count(scar)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.nanmean(scar, axis=-1) / (np.nanstd(scar, axis=-1, ddof=1) / np.sqrt(n))
        rbar = 0.0 if corr is None else _average_offdiagonal(np.asarray(corr, float), ~np.isnan(scar))
        t = t * np.sqrt((1.0 - rbar) / (1.0 + (n - 1.0) * rbar))
    res = TestResult("bmp", t, _two_sided_t(t, n - 1), n, "mean standardized abnormal change is zero", "t(N-1)",
                     {"rbar": rbar})
    return _with_reasons(res, (n < 2, "fewer than 2 members"),
                         (_zero_spread(scar), "the standardized CARs have zero spread"))


def bmp_kp_test(scar, rbar) -> TestResult:
    """BMP test with the Kolari-Pynnönen adjustment for cross-correlated members (e.g. the yield curve).

    Parameters
    ----------
    scar : array, shape (..., N)
        Standardized cumulative abnormal changes.
    rbar : float or array, shape (...)
        Average pairwise correlation of the members' abnormal changes over the window (see
        :func:`member_correlation`), including overlapping windows of one series.

    Returns
    -------
    TestResult
        ``statistic`` = adjusted t, ``pvalue`` two-sided from t(N-1).

    Notes
    -----
    Null: as :func:`bmp_test`. Assumptions: the average correlation ``rbar`` stands for the pairwise ones;
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
        t = np.asarray(base.statistic, float) * adj
    res = TestResult("bmp_kp", t, _two_sided_t(t, n - 1), base.n, "mean standardized abnormal change is zero",
                     "t(N-1)", {"rbar": rbar})
    return _with_reasons(res, (np.asarray(base.note) != "", base.note))


def corrado_rank_test(estimation, event, overlap=None) -> TestResult:
    """Corrado rank test for a cross-section of series or events (multi-day windows as Campbell-Wasley).

    Parameters
    ----------
    estimation : array, shape (..., N, L1)
        Each member's daily abnormal changes over the estimation window, aligned on the same calendar days
        across members (NaN where missing or outside the member's own window).
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
    with np.errstate(invalid="ignore", divide="ignore"):
        S = np.sum(Uw.sum(axis=-1) * member, axis=-1) / n
        m = member[..., :, None] & member[..., None, :]
        var = np.sum(np.where(m, np.nan_to_num(c) * overlap, 0.0), axis=(-2, -1)) / n**2
        z = S / np.sqrt(var)
    res = TestResult("corrado", z, _two_sided_normal(z), n,
                     "event-window ranks are drawn from the estimation-window distribution", "N(0,1)")
    return _with_reasons(res, (n < 1, "no member"))


def grank_test(estimation, car, n_days: int, overlap=None, rbar=0.0, restandardize=None) -> TestResult:
    """Generalized rank test (GRANK) of Kolari and Pynnönen (2011) for cumulative abnormal changes.

    Parameters
    ----------
    estimation : array, shape (..., N, L1)
        Members' daily abnormal changes over their estimation windows, aligned on calendar days across
        members (NaN where missing or outside a member's own window).
    car : array, shape (..., N)
        Cumulative abnormal changes over the event window.
    n_days : int
        The event window's length ``L2`` in trading days.
    overlap : array, shape (N, N), optional
        Calendar days shared by members' event windows (default ``L2``: one common event date).
    rbar : float or array, shape (...)
        Average correlation of the members' SCARs (e.g. from overlapping windows of one series); the
        cross-sectional standard deviation used to re-standardize them is divided by ``sqrt(1 - rbar)``,
        since correlated members spread less than their variance (default 0, the paper's test).
    restandardize : bool, optional
        Divide the SCARs by their cross-sectional spread before ranking (the paper's step against
        event-induced volatility). Default: only with at least :data:`GRANK_MIN_RESTANDARDIZE` members,
        because with few members the spread is itself noisy and the test over-rejects (see Notes).

    Returns
    -------
    TestResult
        ``statistic`` = ``t_grank``, ``pvalue`` two-sided from t(T - 2).

    Notes
    -----
    Null: the cumulated event window is a draw from the members' estimation-window distribution (its rank is
    uniform). Robust to event-induced volatility and to cross-correlation. Formula (Kolari and Pynnönen
    2011): standardized daily abnormal changes ``SAR_it = AR_it / s_i`` on estimation days; the CAR
    standardized as ``SCAR_i = CAR_i / (s_i sqrt(L2 (1 + L2/L1_i)))`` and again by the cross-sectional
    standard deviation of the SCARs, ``SCAR*_i = SCAR_i / sd(SCAR)``, takes the place of one day ("day 0");
    ``U_it = rank_i / (T_i + 1) - 1/2`` over member i's ``T_i = L1_i + 1`` values;
    ``Z = mean_i U_i0 / S``, ``t = Z sqrt((T - 2) / (T - 1 - Z^2))`` with ``T = min_i T_i``. The variance
    ``S^2 = (1/N^2) sum_ij w_ij c_ij``, with ``c_ij`` the mean of ``U_it U_jt`` over the days both have (day 0
    included) and ``w_ij = overlap_ij / L2``: with one common event date (``w = 1``) and no missing days this
    is the paper's ``S^2 = (1/T) sum_t Ubar_t^2``; the weights let events of one series on different dates be
    pooled as in :func:`corrado_rank_test`. NaN for fewer than two members or SCARs without spread.
    Size (simulations in the tests of this module): re-standardized with ten independent members, about 7%
    at the 5% level, and 12% with four events of one series; without re-standardization, 5%. Below
    :data:`GRANK_MIN_RESTANDARDIZE` members the engine therefore ranks the SCARs as they are, which keeps the
    size but gives up the robustness to event-induced volatility; ``reference_distribution`` says which.
    With one event date and strongly correlated members (a yield curve) the mean rank is bounded, as for
    Corrado's test, and the test rarely rejects.

    References
    ----------
    Kolari, J. W. and S. Pynnönen (2011). Nonparametric rank tests for event studies. Journal of Empirical
    Finance 18(5), 953-971.
    """
    est = np.asarray(estimation, float)
    car = np.asarray(car, float)
    L2 = int(n_days)
    N = est.shape[-2]
    n_est = _nan_count(est)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.nanstd(est, axis=-1, ddof=1)
        scar = car / (s * np.sqrt(L2 * (1.0 + L2 / n_est)))
        if restandardize is None:
            restandardize = N >= GRANK_MIN_RESTANDARDIZE
        spread = np.nanstd(scar, axis=-1, ddof=1) / np.sqrt(1.0 - np.asarray(rbar, float))
        gsar0 = scar / spread[..., None] if restandardize else scar
    gsar = np.concatenate([est / s[..., None], gsar0[..., None]], axis=-1)
    gsar = np.where(np.isnan(car)[..., None], np.nan, gsar)
    T_i = _nan_count(gsar)
    U = average_ranks(gsar) / (T_i[..., None] + 1.0) - 0.5
    obs = (~np.isnan(U)).astype(float)
    Uf = np.nan_to_num(U)
    joint = obs @ np.swapaxes(obs, -1, -2)
    w = np.ones((N, N)) if overlap is None else np.asarray(overlap, float) / L2
    member = ~np.isnan(car)
    n = member.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(joint > 0, (Uf @ np.swapaxes(Uf, -1, -2)) / joint, 0.0)
        var = np.sum(np.where(member[..., :, None] & member[..., None, :], c * w, 0.0), axis=(-2, -1)) / n**2
        z = np.sum(Uf[..., -1] * member, axis=-1) / n / np.sqrt(var)
        T = np.min(np.where(member, T_i, np.iinfo(np.int64).max), axis=-1).astype(float)
        t = z * np.sqrt((T - 2.0) / (T - 1.0 - z * z))
    res = TestResult("grank", t, _two_sided_t(t, T - 2.0), n,
                     "the cumulated event window ranks like an estimation-window day",
                     "t(T-2)" + ("" if restandardize else ", SCARs not re-standardized (few members)"),
                     {"restandardized": bool(restandardize)})
    return _with_reasons(res, (n < 2, "fewer than 2 members"),
                         (_zero_spread(np.where(member, scar, np.nan)), "the standardized CARs have zero spread"))


def _sign_variance(ok, p, corr):
    """Variance of the count of positive members: binomial, plus the covariance of correlated members' signs.

    For two normal variables with correlation ``r`` the indicators of being positive have covariance
    ``arcsin(r) / (2 pi)`` (Sheppard); for a share ``p`` other than 1/2 it is approximated as
    ``p (1 - p) (2 / pi) arcsin(r)``, exact at ``p = 1/2``.
    """
    okf = ok.astype(float)
    base = p * (1.0 - p)
    off = _pair_sum(np.arcsin(np.clip(corr, -1, 1)) * (2 / np.pi) - np.eye(corr.shape[-1]), okf)
    return base * (okf.sum(axis=-1) + off)


def _has_overlap(corr) -> bool:
    return corr is not None and bool(np.any(np.abs(np.asarray(corr) - np.eye(np.shape(corr)[-1])) > 0))


def sign_test(car, zero=None, corr=None) -> TestResult:
    """Sign test: are positive and negative abnormal changes equally likely?

    Parameters
    ----------
    car : array, shape (..., N)
        Cumulative abnormal changes of the members (any unit; only signs are used).
    zero : array of bool, shape (..., N), optional
        Members that are ties, counted neither positive nor negative; default ``car == 0``. For rates
        quoted in whole basis points pass ``raw_change == 0`` (see Notes).
    corr : array, shape (N, N), optional
        Correlation of the members' CARs from overlapping windows of one series (see
        :func:`member_correlation`); default independent members.

    Returns
    -------
    TestResult
        ``statistic`` = number of positive CARs, ``pvalue`` two-sided exact binomial (independent members)
        or from the normal approximation with the correlated signs' variance; ``n`` excludes ties.

    Notes
    -----
    Null: each member's CAR is positive or negative with equal probability. Assumptions: members independent
    apart from ``corr``; abnormal changes symmetric about zero. Ties are dropped (the conditional sign test
    of Dixon and Mood): given the number of non-tied members, the count of positives is Binomial(n, 1/2)
    whenever positive and negative moves are equally likely, however many ties there are. A rate quoted in
    whole basis points is often unchanged over a day; its CAR is then ``-L2 x mean``, a small number whose
    sign is the sign of the estimated mean, not of any move. Counting those as moves would put every
    unchanged member on the same side and bias the test, so the engine treats an unchanged raw change as a
    tie. With ``corr``: ``z = (W - n/2) / sqrt(Var W)``, ``Var W = n/4 + sum_{i != j} arcsin(r_ij)/(2 pi)``.

    References
    ----------
    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2(4),
    343-358. Dixon, W. J. and A. M. Mood (1946). The statistical sign test. Journal of the American
    Statistical Association 41(236), 557-566. MacKinlay (1997), section 7.
    """
    car = np.asarray(car, float)
    tie = (car == 0) if zero is None else np.asarray(zero, bool)
    ok = ~np.isnan(car) & ~tie
    pos = np.sum(ok & (car > 0), axis=-1)
    n = ok.sum(axis=-1)
    if _has_overlap(corr):
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (pos - n / 2.0) / np.sqrt(_sign_variance(ok, 0.5, np.asarray(corr, float)))
        res = TestResult("sign", pos, _two_sided_normal(z), n, "each member's CAR is positive with probability 1/2",
                         "N(0,1), signs of overlapping windows correlated", {"z": z})
        return _with_reasons(res, (n < 1, "no member that is not a tie"), (~np.isfinite(z), "the signs' variance is zero"))
    p = np.minimum(1.0, 2.0 * np.minimum(stats.binom.cdf(pos, n, 0.5), stats.binom.sf(pos - 1, n, 0.5)))
    res = TestResult("sign", pos, p, n, "each member's CAR is positive with probability 1/2", "Binomial(n, 1/2)")
    res = _with_reasons(res, (n < 1, "no member that is not a tie"))
    return TestResult(res.name, pos if np.ndim(pos) else int(pos), res.pvalue, res.n, res.null,
                      res.reference_distribution, res.extra, res.note)


def generalized_sign_test(car, p_hat, corr=None) -> TestResult:
    """Cowan's generalized sign test: more positive CARs than the estimation window leads one to expect?

    Parameters
    ----------
    car : array, shape (..., N)
        Cumulative abnormal changes of the members.
    p_hat : float or array, shape (...)
        Fraction of positive abnormal changes over windows of the same length in the estimation window,
        averaged over members.
    corr : array, shape (N, N), optional
        Correlation of the members' CARs from overlapping windows of one series; default independent.

    Returns
    -------
    TestResult
        ``statistic`` = Z, ``pvalue`` two-sided from N(0,1).

    Notes
    -----
    Null: the fraction of positive CARs equals ``p_hat``. Assumptions: members independent apart from
    ``corr``; ``p_hat`` estimated without error. Formula: ``Z = (w - N p_hat) / sqrt(Var w)``, ``w`` the number
    of positive CARs, ``Var w = N p_hat (1 - p_hat)`` for independent members plus the covariances of
    correlated signs (:func:`sign_test`'s approximation). Cowan uses daily signs; here ``p_hat`` is taken from
    rolling sums of the window's length so that multi-day windows are compared like with like. An
    unchanged rate counts as "not positive" both in ``p_hat`` and in ``w`` (its abnormal change is
    ``-L2 x mean`` in both), so ties are treated alike on both sides and need no special rule.

    References
    ----------
    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2(4),
    343-358.
    """
    car = np.asarray(car, float)
    ok = ~np.isnan(car)
    n = ok.sum(axis=-1)
    w = np.sum(car > 0, axis=-1)
    p_hat = np.asarray(p_hat, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = n * p_hat * (1.0 - p_hat)
        if _has_overlap(corr):
            var = _sign_variance(ok, p_hat, np.asarray(corr, float))
        z = (w - n * p_hat) / np.sqrt(var)
    res = TestResult("generalized_sign", z, _two_sided_normal(z), n,
                     "the share of positive CARs equals the estimation-window share", "N(0,1)")
    return _with_reasons(res, (n < 1, "no member"))


def _rolling_positive_share(est: np.ndarray, L2: int) -> np.ndarray:
    """Share of positive L2-day sums of each member's estimation-window changes (NaN-containing sums skipped)."""
    x = np.nan_to_num(est)
    c = np.concatenate([np.zeros(est.shape[:-1] + (1,)), np.cumsum(x, axis=-1)], axis=-1)
    miss = np.concatenate([np.zeros(est.shape[:-1] + (1,)), np.cumsum(np.isnan(est), axis=-1)], axis=-1)
    sums = c[..., L2:] - c[..., :-L2]
    valid = (miss[..., L2:] - miss[..., :-L2]) == 0
    return np.sum((sums > 0) & valid, axis=-1) / np.maximum(valid.sum(axis=-1), 1)


def member_correlation(estimation, overlap, n_days: int, groups=None):
    """Correlation of members' window abnormal changes implied by their estimation-window data and overlap.

    Parameters
    ----------
    estimation : array, shape (..., N, L1)
        Members' daily abnormal changes, aligned on calendar days (NaN where absent).
    overlap : array, shape (N, N)
        Calendar days shared by members' event windows.
    n_days : int
        Window length ``L2``.
    groups : sequence, optional
        Each member's series; members of one series have daily correlation 1 by definition.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``r`` (..., N, N): ``corr_ij(daily) x overlap_ij / L2`` (windows that share no calendar day are
        uncorrelated under serial independence), and ``r_same`` (N, N): the same for members of one series
        only (zero across series), both with unit diagonal.
    """
    est = np.asarray(estimation, float)
    N = est.shape[-2]
    frac = np.asarray(overlap, float) / float(n_days)
    same = np.eye(N, dtype=bool) if groups is None else (np.asarray(groups, object)[:, None] == np.asarray(groups, object)[None, :])
    obs = ~np.isnan(est)
    cnt = obs.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.nansum(est, axis=-1, keepdims=True) / cnt
        sd = np.sqrt(np.nansum((est - mu) ** 2, axis=-1, keepdims=True) / (cnt - 1))
        z = np.nan_to_num((est - mu) / sd)
        of = obs.astype(float)
        daily = (z @ np.swapaxes(z, -1, -2)) / (of @ np.swapaxes(of, -1, -2) - 1.0)
    daily = np.where(same, 1.0, np.nan_to_num(daily))
    r = daily * frac
    r_same = np.where(same, frac, 0.0)
    np.fill_diagonal(r_same, 1.0)
    return r, r_same


def cross_section_tests(car, estimation, event, overlap=None, groups=None, raw=None) -> dict[str, TestResult]:
    """The pooled battery over a cross-section of members (series and/or events) for one window.

    Parameters
    ----------
    car : array, shape (..., N)
        Cumulative abnormal changes (basis points or percent; only standardized values and signs are pooled,
        so members with different units may be mixed, once each is given the direction in which it is
        counted: see :meth:`treasurycard.eventstudy.estimate.EventStudyResult.pooled_tests`).
    estimation : array, shape (..., N, L1)
        Members' daily abnormal changes over their estimation windows, aligned on calendar days across
        members (NaN where absent; members of one series on one window share it).
    event : array, shape (..., N, L2)
        Members' daily abnormal changes over their event windows.
    overlap : array, shape (N, N), optional
        Calendar days shared by members' event windows (default ``L2``: one common event date).
    groups : sequence of length N, optional
        Each member's series. Members of one series whose windows overlap are correlated: Patell, BMP and
        the sign tests then allow for it. Default: every member a different series.
    raw : array, shape (..., N), optional
        Raw window changes; a member whose raw change is exactly zero is a tie in the sign test.

    Returns
    -------
    dict of str to TestResult
        Keys ``patell``, ``bmp``, ``bmp_kp``, ``corrado``, ``grank``, ``sign``, ``generalized_sign``. A pool
        that cannot be tested (fewer than :data:`MIN_MEMBERS` members, SCARs without spread) has NaN
        statistic and p-value and says why in ``note``.

    Notes
    -----
    ``SCAR_i = CAR_i / (s_i sqrt(L2 (1 + L2 / L1_i)))`` with ``s_i``, ``L1_i`` from the member's estimation
    window (MacKinlay 1997, eq. 13 for the constant-mean model). Correlations come from
    :func:`member_correlation`: Patell, BMP and the sign tests allow for overlapping windows of one series
    (``r_same``); the Kolari-Pynnönen BMP also for cross-series correlation (``r``), so two events of the
    same series on separate dates count as uncorrelated and two yields on the same date carry their curve
    correlation.
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
    with np.errstate(invalid="ignore", divide="ignore"):
        scar = car / (s * np.sqrt(L2 * (1.0 + L2 / n_est)))
    r, r_same = member_correlation(est, overlap, L2, groups)
    same = r_same if _has_overlap(r_same) else None
    rbar = _average_offdiagonal(r, ~np.isnan(car))
    p_hat = np.mean(_rolling_positive_share(est, L2), axis=-1)
    zero = None if raw is None else np.asarray(raw, float) == 0
    out = {
        "patell": patell_test(scar, n_est, same),
        "bmp": bmp_test(scar, same),
        "bmp_kp": bmp_kp_test(scar, rbar),
        "corrado": corrado_rank_test(est, ev, overlap),
        "grank": grank_test(est, car, L2, overlap, 0.0 if same is None else _average_offdiagonal(same, ~np.isnan(car))),
        "sign": sign_test(car, zero, same),
        "generalized_sign": generalized_sign_test(car, p_hat, same),
    }
    few = _nan_count(car) < MIN_MEMBERS
    return {k: _with_reasons(v, (few, f"fewer than {MIN_MEMBERS} members")) for k, v in out.items()}


def results_rows(results, **labels) -> list[dict]:
    """Scalar :class:`TestResult` objects as plain dicts, with constant label keys first."""
    rows = [{**labels, **r.to_dict()} for r in results]
    for row in rows:
        for key in ("statistic", "pvalue", "n"):
            val = np.asarray(row[key])
            if val.ndim:
                raise TreasuryCardError("results_frame expects scalar test results")
            row[key] = val.item()
        row["note"] = str(row["note"])
    return rows


def results_frame(results, **labels) -> pd.DataFrame:
    """Stack scalar :class:`TestResult` objects into a tidy DataFrame, with constant label columns first."""
    return pd.DataFrame(results_rows(results, **labels))
