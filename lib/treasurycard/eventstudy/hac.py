"""Step 3 of an event study: the HAC dummy-regression columns, for every (event, series, window) at once.

For a constant plus one dummy per event day (no controls), the dummy regression of
:func:`treasurycard.eventstudy.estimate.dummy_regression` has a closed form: the constant is the mean of the
estimation days, each day dummy is that day's abnormal change, and the CAR is a fixed linear combination
``g'y`` of the daily changes (weight 1 on the window's days, ``-L2/L1`` on the estimation days). Its
stationary Newey-West variance (:func:`treasurycard.eventstudy.inference.stationary_hac_cov`) is then
``sum_h w_h gamma_h c_h`` with ``c_h`` the products of weights ``h`` trading days apart. This module computes
it for all events and series with numpy, which gives the same numbers as fitting each regression (the tests
check it) at a fraction of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from . import inference as _inf

__all__ = ["HacInputs", "hac_inputs", "hac_columns", "HAC_COLUMNS", "joint_car_covariance"]

#: Columns of the tidy table filled by :func:`hac_columns`, in the order of its last axis.
HAC_COLUMNS = ("hac_car", "hac_se", "hac_stat", "hac_pvalue", "hac_wald_days_stat", "hac_wald_days_df",
               "hac_wald_days_pvalue")


def _lag_pairs(P: np.ndarray, maxlags: int):
    """For positions ``P`` (K, n), ascending in each row: for each lag h >= 1 the pairs ``h`` days apart.

    Returns a list, for h = 1..maxlags, of ``(mask, j)`` with ``mask`` (K, n) True where ``P[k, i] + h`` is
    in row k, at column ``j[k, i]``.
    """
    K, n = P.shape
    span = int(P.max()) + maxlags + 2 if P.size else 1
    flat = (P + np.arange(K)[:, None] * span).ravel()
    out = []
    for h in range(1, maxlags + 1):
        j = np.searchsorted(flat, flat + h)
        ok = j < flat.size
        ok[ok] = flat[j[ok]] == flat[ok] + h
        jj = np.where(ok, j, 0) - np.repeat(np.arange(K) * n, n)
        out.append((ok.reshape(K, n), np.clip(jj, 0, n - 1).reshape(K, n)))
    return out


def _lagged_products(x, y, pairs):
    """``sum_i x[..., i] y[..., j(i)]`` over the pairs of each lag, for x, y of shape (K, S, ..., n)."""
    out = []
    for mask, j in pairs:
        K = mask.shape[0]
        shape = (K,) + (1,) * (y.ndim - 2) + (mask.shape[1],)
        yj = np.take_along_axis(y, j.reshape(shape), axis=-1)
        out.append(np.sum(np.where(mask.reshape(shape), x * yj, 0.0), axis=-1))
    return out


@dataclass(frozen=True)
class HacInputs:
    """What the HAC columns need for each (event, series): the sample's positions, its daily changes,
    which columns are estimation days, the window offsets, the autocovariances and the lag pairs."""

    positions: np.ndarray  # (K, n): estimation rows, then the event's window days (offsets ``offsets``)
    changes: np.ndarray  # (K, S, n)
    n_est: int  # the first n_est columns are estimation days
    offsets: np.ndarray  # window-day offsets relative to the reaction day, for the columns after n_est
    gamma: np.ndarray  # (K, S, maxlags + 1) autocovariances of estimation-day residuals
    n0: np.ndarray  # (K, S) valid estimation days
    maxlags: int
    pairs: list


def hac_inputs(d: np.ndarray, rows: np.ndarray, event_pos, windows, mean: np.ndarray, maxlags: int) -> HacInputs:
    """Gather each event's regression sample and estimate the residual autocovariances.

    ``d`` (T, S) daily changes; ``rows`` (K, L1) estimation-window positions; ``mean`` (K, S). The
    autocovariances ``gamma_h = sum_t e_t e_{t+h} / (n0 - 1)`` use estimation-day residuals only, pairs of
    observed days ``h`` trading days apart (a missing day counts as zero), as
    :func:`treasurycard.eventstudy.inference.stationary_hac_cov` does.
    """
    offsets = np.unique(np.concatenate([np.arange(a, b + 1) for a, b in windows]))
    P = np.concatenate([rows, np.asarray(event_pos)[:, None] + offsets[None, :]], axis=1)
    changes = np.transpose(d[P], (0, 2, 1))
    L1 = rows.shape[1]
    pairs = _lag_pairs(P, maxlags)
    est = changes[..., :L1]
    e = np.nan_to_num(est - mean[..., None])
    n0 = np.sum(~np.isnan(est), axis=-1)
    e_full = np.concatenate([e, np.zeros(e.shape[:-1] + (P.shape[1] - L1,))], axis=-1)
    lagged = _lagged_products(e_full, e_full, pairs)
    gamma = np.stack([np.sum(e * e, axis=-1)] + lagged, axis=-1) / (n0 - 1.0)[..., None]
    return HacInputs(P, changes, L1, offsets, gamma, n0, maxlags, pairs)


def _quadratic(G1, G2, inp: HacInputs):
    """``sum_h w_h gamma_h M_h(G1, G2)``: the stationary HAC covariance of contrasts G1 and G2 (..., n)."""
    w = _inf.bartlett_weights(inp.maxlags)
    g = inp.gamma
    extra = (1,) * (G1.ndim - 3)
    total = w[0] * g[..., 0].reshape(g.shape[:2] + extra) * np.sum(G1 * G2, axis=-1)
    lag12 = _lagged_products(G1, G2, inp.pairs)
    lag21 = _lagged_products(G2, G1, inp.pairs)
    for h in range(1, inp.maxlags + 1):
        total = total + w[h] * g[..., h].reshape(g.shape[:2] + extra) * (lag12[h - 1] + lag21[h - 1])
    return total


def hac_columns(inp: HacInputs, window, mean: np.ndarray) -> np.ndarray:
    """The HAC columns (:data:`HAC_COLUMNS`) of one window for every (event, series): shape (K, S, 7).

    Where the window has a missing daily change (``complete`` is False), every column is NaN: the dummy
    regression would then cover only the days present, a different move from the window's CAR, which runs
    from close to close. The CAR, its standard error, z and two-sided normal p-value; the joint Wald test
    that every day of the window has zero abnormal change (chi2 with L2 degrees of freedom).
    """
    a, b = window
    L2 = b - a + 1
    cols = inp.n_est + np.searchsorted(inp.offsets, np.arange(a, b + 1))
    y = inp.changes
    K, S, n = y.shape
    est_valid = np.zeros((K, S, n), bool)
    est_valid[..., : inp.n_est] = ~np.isnan(y[..., : inp.n_est])
    day = y[..., cols] - mean[..., None]  # (K, S, L2): the day dummies' estimates
    complete = ~np.isnan(day).any(axis=-1)
    n0 = inp.n0[..., None].astype(float)
    # one contrast per window day (its dummy), and their sum (the CAR)
    G = np.where(est_valid[..., None, :], -1.0 / n0[..., None], 0.0) * np.ones((1, 1, L2, 1))
    G[..., np.arange(L2), cols] += 1.0
    cov = _quadratic(G[..., :, None, :], G[..., None, :, :], inp)  # (K, S, L2, L2)
    car = day.sum(axis=-1)
    var = cov.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var)
        z = car / se
    wstat, wdf = _wald_batch(np.nan_to_num(day), np.where(complete[..., None, None], cov, np.eye(L2)))
    out = np.stack([car, se, z, _inf._two_sided_normal(z), wstat, wdf.astype(float),
                    _chi2_sf(wstat, wdf)], axis=-1)
    out[~complete] = np.nan
    return out


def _chi2_sf(stat, df):
    with np.errstate(invalid="ignore"):
        return stats.chi2.sf(stat, df)


def _wald_batch(b: np.ndarray, V: np.ndarray):
    """Wald statistics ``b' V^+ b`` and ranks for stacks of vectors (..., m) and covariances (..., m, m)."""
    w, U = np.linalg.eigh(V)
    top = w.max(axis=-1, keepdims=True)
    keep = w > np.where(top > 0, top, np.inf) * 1e-10
    proj = np.einsum("...ij,...i->...j", U, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = np.sum(np.where(keep, proj**2 / np.where(keep, w, 1.0), 0.0), axis=-1)
    return stat, keep.sum(axis=-1)


def joint_car_covariance(d_col: np.ndarray, rows: np.ndarray, event_pos, window, n0, gamma, maxlags: int):
    """Stationary HAC covariance of one series' CARs over ``window`` across events (K x K).

    ``d_col`` (T,) the series' daily changes; ``rows`` (K, L1) estimation positions; ``n0`` (K,) valid
    estimation days; ``gamma`` (K, maxlags + 1) each event's autocovariances, pooled here into one set
    weighted by ``n0`` (identical when the events share one estimation window). The events' contrasts live
    on the union of their days, so overlapping windows and shared estimation days are allowed for.
    """
    a, b = window
    L2 = b - a + 1
    days = np.asarray(event_pos)[:, None] + np.arange(a, b + 1)[None, :]
    axis = np.union1d(rows.ravel(), days.ravel())
    G = np.zeros((len(event_pos), axis.size))
    for k in range(len(event_pos)):
        est = rows[k][~np.isnan(d_col[rows[k]])]
        G[k, np.searchsorted(axis, est)] -= L2 / max(n0[k], 1)
        G[k, np.searchsorted(axis, days[k])] += 1.0
    g = np.sum(gamma * n0[:, None], axis=0) / max(np.sum(n0), 1)
    w = _inf.bartlett_weights(maxlags)
    cov = w[0] * g[0] * (G @ G.T)
    for h in range(1, maxlags + 1):
        j = np.searchsorted(axis, axis + h)
        ok = j < axis.size
        ok[ok] = axis[j[ok]] == axis[ok] + h
        C = G[:, ok] @ G[:, j[ok]].T
        cov = cov + w[h] * g[h] * (C + C.T)
    return cov
