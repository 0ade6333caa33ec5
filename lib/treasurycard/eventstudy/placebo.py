"""Step 4 of an event study: the placebo distribution, i.e. the same window change on every other date.

Each placebo reaction day gets the window change (``"change"``) or the change standardized by its own
trailing constant-mean window (``"standardized"``); the event's move is ranked among them
(:func:`treasurycard.eventstudy.inference.placebo_counts`). Vectorised over dates and series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import inference as _inf
from .changes import _range_text
from ..errors import EventOutsideData

__all__ = ["PLACEBO_STATISTICS", "PlaceboSets", "placebo_sets", "rolling_moments", "placebo_values",
           "PlaceboColumns", "placebo_columns", "placebo_positions", "placebo_scale"]

PLACEBO_STATISTICS = ("change", "standardized")


def rolling_moments(d: np.ndarray, starts: np.ndarray, stops: np.ndarray):
    """NaN-aware mean, std (ddof=1) and count of rows ``starts..stops`` (inclusive) of ``d``, per column."""
    center = np.nanmean(d, axis=0)
    z = d - center
    obs = ~np.isnan(z)
    zf = np.where(obs, z, 0.0)
    pad = np.zeros((1, d.shape[1]))
    c1 = np.vstack([pad, np.cumsum(zf, axis=0)])
    c2 = np.vstack([pad, np.cumsum(zf * zf, axis=0)])
    cn = np.vstack([pad, np.cumsum(obs, axis=0)])
    s1 = c1[stops + 1] - c1[starts]
    s2 = c2[stops + 1] - c2[starts]
    cnt = cn[stops + 1] - cn[starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = s1 / cnt
        var = (s2 - cnt * m * m) / (cnt - 1)
    return m + center, np.sqrt(np.maximum(var, 0.0)), cnt


def placebo_values(xe, d, t, window, statistic, length, gap, min_obs):
    """Placebo statistic for windows ``window`` around reaction-day positions ``t`` (rows), all series.

    ``"change"``: the window change ``xe[t + b] - xe[t + a - 1]``. ``"standardized"``: that change less
    ``L2`` times the mean of the ``length`` daily changes ending ``gap`` days before the window, over their
    standard deviation times ``sqrt(L2)``; NaN with fewer than ``min_obs`` valid changes.
    """
    a, b = window
    vals = xe[t + b] - xe[t + a - 1]
    if statistic == "change":
        return vals
    mean, scale = placebo_scale(d, t, window, length, gap, min_obs)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (vals - mean) / scale


def placebo_scale(d, t, window, length, gap, min_obs):
    """What the ``"standardized"`` statistic subtracts from and divides the window change by, at positions ``t``:
    ``(L2 m, sd sqrt(L2))`` of the ``length`` daily changes ending ``gap`` days before the window (arrays
    ``(len(t), S)``), NaN where the trailing window starts before the data or has fewer than ``min_obs``."""
    a, b = window
    n = b - a + 1
    t = np.asarray(t)
    stops = t + min(0, a) - gap
    starts = stops - length + 1
    ok = starts >= 1
    mean = np.full((t.size, d.shape[1]), np.nan)
    scale = np.full((t.size, d.shape[1]), np.nan)
    if ok.any():
        m, sd, cnt = rolling_moments(d, starts[ok], stops[ok])
        enough = cnt >= min_obs
        mean[ok] = np.where(enough, n * m, np.nan)
        scale[ok] = np.where(enough, sd * np.sqrt(n), np.nan)
    return mean, scale


@dataclass(frozen=True)
class PlaceboSets:
    """Where placebo windows may fall: reaction-day positions ``lo..hi``, the study's own event days
    (``is_event``, never placebos), and the conditioning reference days (``reference``, or None)."""

    lo: int
    hi: int
    is_event: np.ndarray
    reference: np.ndarray | None


def placebo_sets(index: pd.DatetimeIndex, event_pos, start=None, end=None, reference_dates=None) -> PlaceboSets:
    """The placebo period's positions, the event-day mask, and the reference days inside the period.

    Raises :class:`EventOutsideData` if a reference date is not a trading day of ``index``.
    """
    T = len(index)
    lo = int(index.searchsorted(pd.Timestamp(start))) if start is not None else 0
    hi = T - 1 if end is None else int(index.searchsorted(pd.Timestamp(end), side="right")) - 1
    is_event = np.zeros(T, bool)
    is_event[np.asarray(event_pos)] = True
    ref = None
    if reference_dates is not None:
        rd = pd.to_datetime(pd.Index(reference_dates))
        ref = index.get_indexer(rd)
        if (ref < 0).any():
            bad = [f"{dt:%Y-%m-%d}" for dt in rd[ref < 0][:5]]
            raise EventOutsideData(
                f"{int((ref < 0).sum())} reference dates are not trading days of the data "
                f"({_range_text(index)}), e.g. {bad}; map them to reaction days first"
            )
        ref = np.unique(ref)
        ref = ref[(ref >= lo) & (ref <= hi)]  # the placebo period bounds both sets
    return PlaceboSets(lo, hi, is_event, ref)


@dataclass(frozen=True)
class PlaceboColumns:
    """The event's placebo statistic ``value`` (K, S); ``rank``, ``pvalue``, ``n`` (each K, S) against all
    placebo windows, and ``cond`` the same three against the reference days (None without them)."""

    value: np.ndarray
    rank: np.ndarray
    pvalue: np.ndarray
    n: np.ndarray
    cond: tuple | None


def _rank_against(values, event_values):
    K, S = event_values.shape
    out = np.full((3, K, S), np.nan)
    for j in range(S):
        col = values[:, j]
        out[0, :, j], out[1, :, j], out[2, :, j] = _inf.placebo_counts(np.sort(np.abs(col[~np.isnan(col)])),
                                                                       event_values[:, j])
    return out


def placebo_columns(xe, d, event_pos, window, sets: PlaceboSets, statistic: str, length: int, gap: int,
                    min_obs: int, raw: np.ndarray) -> PlaceboColumns:
    """Rank each event's window statistic among all placebo windows of the same length (and the reference days).

    ``raw`` (K, S) is the event's window change, used as its statistic when ``statistic == "change"``.
    """
    args = (window, statistic, length, gap, min_obs)
    ev_val = raw if statistic == "change" else placebo_values(xe, d, np.asarray(event_pos), *args)
    pl = _rank_against(placebo_values(xe, d, placebo_positions(xe.shape[0], window, sets), *args), ev_val)
    cond = None
    if sets.reference is not None:
        tr = placebo_positions(xe.shape[0], window, sets, conditioned=True)
        cond = tuple(_rank_against(placebo_values(xe, d, tr, *args), ev_val))
    return PlaceboColumns(ev_val, pl[0], pl[1], pl[2], cond)


def placebo_positions(T: int, window, sets: PlaceboSets, conditioned: bool = False) -> np.ndarray:
    """Positions of the placebo reaction days whose ``window`` fits in ``T`` trading days: every day of the
    placebo period (``conditioned=False``) or the reference days (``True``), the study's event days left out."""
    a, b = window
    if conditioned:
        if sets.reference is None:
            raise ValueError("no reference dates: the study has no conditioned placebo")
        t = sets.reference[(sets.reference >= 1 - a) & (sets.reference <= T - 1 - b)]
    else:
        t = np.arange(max(sets.lo, 1 - a), min(sets.hi, T - 1 - b) + 1)
    return t[~sets.is_event[t]]
