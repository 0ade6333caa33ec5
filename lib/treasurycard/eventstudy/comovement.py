"""Co-movement of two series over matched windows, and where a period's correlation falls in its history."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import EstimationError
from .changes import resolve_units, scaled_levels

__all__ = ["CorrelationRank", "paired_changes", "rolling_paired_correlation", "window_correlation"]


def paired_changes(levels: pd.DataFrame, x: str, y: str, horizon: int = 1, units=None) -> pd.DataFrame:
    """Changes of ``x`` and ``y`` over the same ``horizon`` common observation days.

    Only dates on which both series have a value are kept, so each change of ``x`` and ``y`` starts and
    ends on the same two calendar days (a holiday in either market joins the days around it; nothing is
    filled). Rates change in basis points, other series in 100 x log points (``units`` or
    ``levels.attrs["units"]``).

    Parameters
    ----------
    levels : pandas.DataFrame
        Daily levels with columns ``x`` and ``y``.
    horizon : int
        Common days spanned by each change (1: day to day; 2: two-day changes, overlapping; 5: about a week).

    Returns
    -------
    pandas.DataFrame
        Columns ``x`` and ``y``, indexed by each change's end date.
    """
    if horizon < 1:
        raise EstimationError(f"horizon must be a positive number of days, not {horizon!r}")
    u = resolve_units([x, y], units, levels.attrs)
    both = levels[[x, y]].dropna()
    scaled = pd.DataFrame(scaled_levels(both, u), index=both.index, columns=[x, y])
    return scaled.diff(horizon).iloc[horizon:]


def rolling_paired_correlation(levels: pd.DataFrame, x: str, y: str, n: int, horizon: int = 1, units=None) -> pd.Series:
    """Correlation of the last ``n`` paired ``horizon``-day changes of ``x`` and ``y`` (see :func:`paired_changes`),
    indexed by the last change's end date; the windows :func:`window_correlation` ranks against."""
    ch = paired_changes(levels, x, y, horizon, units)
    out = ch[x].rolling(n).corr(ch[y]).dropna()
    out.name = f"corr({x},{y}),{n}x{horizon}d"
    return out


@dataclass(frozen=True)
class CorrelationRank:
    """A window's correlation of paired changes, and its place among all windows of the same length.

    ``share_below`` is the share of history windows with a lower correlation (the window's percentile);
    ``n`` the changes in the window; ``history_n`` the windows in the history.
    """

    x: str
    y: str
    horizon: int
    start: pd.Timestamp
    end: pd.Timestamp
    n: int
    value: float
    history_start: pd.Timestamp
    history_end: pd.Timestamp
    history_n: int
    history_median: float
    share_below: float

    def to_series(self) -> pd.Series:
        return pd.Series(self.__dict__)


def window_correlation(levels: pd.DataFrame, x: str, y: str, start, end, horizon: int = 1, history_start=None,
                       history_end=None, units=None) -> CorrelationRank:
    """Correlation of ``horizon``-day changes of ``x`` and ``y`` ending from ``start`` to ``end``, ranked among
    all windows of as many changes that end from ``history_start`` to ``history_end``.

    Parameters
    ----------
    levels : pandas.DataFrame
        Daily levels (yields in percent, prices and indexes in their units).
    start, end : date-like
        First and last end date of the changes in the window.
    horizon : int
        Days spanned by each change (see :func:`paired_changes`); longer changes make noon and close
        observations line up better (their ends differ by the same few hours, over a longer change).
    history_start, history_end : date-like, optional
        Range of the history windows' last days (default: the whole data).

    Returns
    -------
    CorrelationRank

    Raises
    ------
    EstimationError
        Fewer than 5 changes in the window, or no history window.
    """
    ch = paired_changes(levels, x, y, horizon, units)
    win = ch.loc[pd.Timestamp(start): pd.Timestamp(end)]
    n = len(win)
    if n < 5:
        raise EstimationError(f"only {n} paired changes of {x} and {y} from {start} to {end}; need 5")
    value = float(win[x].corr(win[y]))
    rolling = rolling_paired_correlation(levels, x, y, n, horizon, units)
    lo = pd.Timestamp(history_start) if history_start is not None else rolling.index[0] if len(rolling) else None
    hi = pd.Timestamp(history_end) if history_end is not None else rolling.index[-1] if len(rolling) else None
    hist = rolling.loc[lo:hi] if len(rolling) else rolling
    hist = hist[np.isfinite(hist)]
    if hist.empty:
        raise EstimationError(f"no history window of {n} changes of {x} and {y} between {history_start} and {history_end}")
    return CorrelationRank(x, y, horizon, win.index[0], win.index[-1], n, value, hist.index[0], hist.index[-1],
                           len(hist), float(hist.median()), float((hist < value).mean()))
