"""Compare one day's cross-series pattern of changes with the pattern of a reference set of days."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError

__all__ = ["conditional_pattern_test", "reference_noise"]


def _reference(changes: pd.DataFrame, event_date, reference_dates, cols) -> tuple[pd.DataFrame, pd.Series]:
    event_date = pd.Timestamp(event_date)
    if event_date not in changes.index:
        raise EstimationError(f"{event_date:%Y-%m-%d} is not a date of the changes (a trading day of all series)")
    ref_idx = pd.DatetimeIndex(reference_dates).intersection(changes.index).difference([event_date])
    ref = changes.loc[ref_idx, cols].dropna()
    return ref, changes.loc[event_date, cols]


def conditional_pattern_test(changes: pd.DataFrame, event_date, reference_dates, x: str, ys) -> pd.DataFrame:
    """Is one day's move in ``ys`` what reference days with the same move in ``x`` bring?

    On the reference days (e.g. every employment-report day) each ``y`` is regressed on ``x`` by OLS,
    ``dy = a + b dx + e``; the event day's residual ``r = dy_event - (a + b dx_event)`` is then compared with
    the regression's prediction error. For the book: a payroll surprise moves the 2-year yield most and
    drags the long end with it by ``b``; extra pressure on long maturities (a threat to sell long bonds)
    would show as a positive residual in the 10- and 30-year yields and the term premium.

    Parameters
    ----------
    changes : pandas.DataFrame
        Daily changes on a DatetimeIndex (basis points for rates, percent otherwise), one column per series.
    event_date : date-like
        The day to test (a date of ``changes`` with values for ``x`` and every ``y``).
    reference_dates : sequence of dates
        The comparison days; the event day is left out of them, as are days where any column is NaN.
    x : str
        The conditioning series (e.g. the 2-year yield).
    ys : sequence of str
        The series tested (e.g. 10- and 30-year yields, term premium).

    Returns
    -------
    pandas.DataFrame
        One row per ``y``: ``series_id``, ``x``, ``n`` (reference days used), ``slope`` and ``intercept``
        (units of y per unit of x, unit of y), ``event_x`` and ``event_change`` (the event day's moves),
        ``predicted``, ``residual``, ``resid_sd`` (the regression's residual standard deviation),
        ``t`` (residual over its prediction standard error ``s sqrt(1 + h)``), ``pvalue`` (two-sided,
        Student t with ``n - 2`` degrees of freedom), ``rank_pvalue`` (share of reference-day residuals at
        least as large in absolute value as the event's, counting the event: ``(k + 1) / (n + 1)``) and
        ``mde`` (the smallest residual a two-sided 5% test detects with 80% power, ``2.80 resid_sd``).

    Raises
    ------
    EstimationError
        The event day is not in ``changes`` or lacks a value, or fewer than 10 reference days remain.

    Notes
    -----
    The prediction standard error is ``s sqrt(1 + 1/n + (dx_event - mean dx)^2 / Sxx)``, the usual
    out-of-sample prediction interval of simple regression; its t test assumes normal errors, the rank
    p-value does not.
    """
    ys = list(ys)
    cols = [x, *ys]
    ref, ev = _reference(changes, event_date, reference_dates, cols)
    if ev.isna().any():
        raise EstimationError(f"the event day {pd.Timestamp(event_date):%Y-%m-%d} has no change for "
                              f"{', '.join(ev.index[ev.isna()])}")
    n = len(ref)
    if n < 10:
        raise EstimationError(f"only {n} reference days have changes in all of {', '.join(cols)}; need 10")
    dx = ref[x].to_numpy()
    xbar, sxx = dx.mean(), ((dx - dx.mean()) ** 2).sum()
    if sxx == 0:
        raise EstimationError(f"{x} does not vary on the reference days")
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.80)
    rows = []
    for y in ys:
        dy = ref[y].to_numpy()
        slope = ((dx - xbar) * (dy - dy.mean())).sum() / sxx
        intercept = dy.mean() - slope * xbar
        resid = dy - intercept - slope * dx
        s = np.sqrt((resid ** 2).sum() / (n - 2))
        predicted = intercept + slope * ev[x]
        r = ev[y] - predicted
        se = s * np.sqrt(1 + 1 / n + (ev[x] - xbar) ** 2 / sxx)
        t = r / se
        rows.append({
            "series_id": y, "x": x, "n": n, "slope": slope, "intercept": intercept, "event_x": ev[x],
            "event_change": ev[y], "predicted": predicted, "residual": r, "resid_sd": s, "t": t,
            "pvalue": 2 * stats.t.sf(abs(t), n - 2),
            "rank_pvalue": (int((np.abs(resid) >= abs(r)).sum()) + 1) / (n + 1),
            "mde": z * s,
        })
    return pd.DataFrame(rows)


def reference_noise(changes: pd.DataFrame, reference_dates, event_date=None) -> pd.DataFrame:
    """Standard deviation of each series' daily change on the reference days, and the effect detectable.

    Parameters
    ----------
    changes : pandas.DataFrame
        Daily changes (basis points or percent), one column per series.
    reference_dates : sequence of dates
        The comparison days (e.g. employment-report days); ``event_date``, if given, is left out.

    Returns
    -------
    pandas.DataFrame
        Indexed by series: ``n`` (reference days with a value), ``sd`` (sample standard deviation, unit of
        the series) and ``mde`` (``(z_0.975 + z_0.80) sd``: the one-day effect a two-sided 5% test against
        this noise detects with 80% power).
    """
    idx = pd.DatetimeIndex(reference_dates).intersection(changes.index)
    if event_date is not None:
        idx = idx.difference([pd.Timestamp(event_date)])
    ref = changes.loc[idx]
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.80)
    sd = ref.std(ddof=1)
    return pd.DataFrame({"n": ref.notna().sum(), "sd": sd, "mde": z * sd})
