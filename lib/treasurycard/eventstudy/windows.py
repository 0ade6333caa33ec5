"""Steps 1 and 2 of an event study: estimation windows, the constant-mean model, and window CARs.

Every function works on numpy arrays indexed by trading-day position (rows) and series (columns), so that
:func:`treasurycard.eventstudy.estimate.event_study` can run them for all series and events at once, and a
reader can test each alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import EstimationError, EventOutsideData

__all__ = ["ESTIMATION_MODES", "EstimationWindows", "estimation_windows", "exclusion_mask", "Moments",
           "estimation_moments", "WindowChanges", "window_changes_at"]

#: ``"per_event"``: each event has its own estimation window, ending ``gap`` trading days before its own
#: first window day. ``"common"``: one window for all events, ending ``gap`` days before the earliest.
ESTIMATION_MODES = ("per_event", "common")


@dataclass(frozen=True)
class EstimationWindows:
    """Row positions of each event's estimation-window daily changes.

    Attributes
    ----------
    rows : numpy.ndarray of int, shape (K, L1)
        Ascending positions (in the levels' index) of the ``L1`` daily changes of event k's window.
    excluded : numpy.ndarray of int, shape (K,)
        Trading days inside each window's span that were skipped because they are excluded.
    mode : str
        One of :data:`ESTIMATION_MODES`, or ``"end"`` for an explicit common last day.
    """

    rows: np.ndarray
    excluded: np.ndarray
    mode: str

    @property
    def first(self) -> np.ndarray:
        return self.rows[:, 0]

    @property
    def last(self) -> np.ndarray:
        return self.rows[:, -1]


def exclusion_mask(index: pd.DatetimeIndex, event_pos, windows, exclude_dates=None) -> np.ndarray:
    """Trading days no estimation window may use: the study's own event-window days and ``exclude_dates``.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        The trading days.
    event_pos : array of int
        Reaction-day positions of the study's events.
    windows : list of (int, int)
        The study's event windows; every day of every window of every event is excluded.
    exclude_dates : sequence of date-like, optional
        Further days to exclude, e.g. the reaction days of other known events. Dates outside the data's
        range are ignored; a date inside it must be a trading day.

    Returns
    -------
    numpy.ndarray of bool, shape (len(index),)

    Raises
    ------
    EventOutsideData
        An exclude date inside the data's range is not a trading day.
    """
    T = len(index)
    mask = np.zeros(T, bool)
    offsets = np.unique(np.concatenate([np.arange(a, b + 1) for a, b in windows]))
    own = (np.asarray(event_pos)[:, None] + offsets[None, :]).ravel()
    mask[own[(own >= 0) & (own < T)]] = True
    if exclude_dates is not None and len(exclude_dates):
        dates = pd.to_datetime(pd.Index(exclude_dates))
        inside = dates[(dates >= index[0]) & (dates <= index[-1])]
        loc = index.get_indexer(inside)
        if (loc < 0).any():
            bad = [f"{d:%Y-%m-%d}" for d in inside[loc < 0][:5]]
            raise EventOutsideData(
                f"{int((loc < 0).sum())} exclude_dates are not trading days of the data, e.g. {bad}; map "
                "events to their reaction days on the data's own trading days first"
            )
        mask[loc] = True
    return mask


def estimation_windows(index: pd.DatetimeIndex, event_pos, windows, length: int = 250, gap: int = 10,
                       end=None, excluded=None, mode: str = "per_event") -> EstimationWindows:
    """Each event's estimation window: ``length`` trading days, not excluded, ending ``gap`` days before it.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        The trading days.
    event_pos : array of int
        Positions of the events' reaction days in ``index``.
    windows : list of (int, int)
        Event windows; an event's first window day is its reaction day plus the smallest ``a`` (or the
        reaction day itself if every window starts after it).
    length : int
        Daily changes in each estimation window (default 250 trading days). Excluded days do not count:
        the window reaches further back instead, so every event keeps ``length`` days.
    gap : int
        Trading days between the window's last day and the event's first window day (default 10).
    end : date-like, optional
        Last day of one common window for all events (overrides ``gap`` and ``mode``); must be a trading
        day before every event window.
    excluded : numpy.ndarray of bool, optional
        Days no window may use (:func:`exclusion_mask`). The first trading day has no change and is never
        used.
    mode : {"per_event", "common"}
        ``"per_event"`` (default): each window ends ``gap`` days before its own event, so an event late in a
        study is measured against the months just before it. ``"common"``: one window ending ``gap`` days
        before the earliest event.

    Returns
    -------
    EstimationWindows

    Raises
    ------
    EstimationError
        The window is empty, reaches before the data, or overlaps an event window.
    """
    if mode not in ESTIMATION_MODES:
        raise EstimationError(f"estimation mode must be one of {ESTIMATION_MODES}, got {mode!r}")
    if length < 1:
        raise EstimationError(f"estimation_length must be at least 1 trading day, got {length}")
    event_pos = np.asarray(event_pos, int)
    first_day = event_pos + min(0, min(a for a, _ in windows))
    if end is not None:
        end = pd.Timestamp(end)
        if end not in index:
            raise EstimationError(f"estimation_end {end:%Y-%m-%d} is not a trading day of the data")
        last = np.full(event_pos.shape, int(index.get_loc(end)))
        if last[0] >= first_day.min():
            raise EstimationError(
                f"estimation window ending {end:%Y-%m-%d} overlaps the first event window, which starts "
                f"{index[first_day.min()]:%Y-%m-%d}; end it earlier"
            )
        mode = "end"
    else:
        if gap < 1:
            raise EstimationError(f"estimation_gap must be at least 1 trading day, got {gap}")
        last = first_day - gap if mode == "per_event" else np.full(event_pos.shape, first_day.min() - gap)
    usable = np.ones(len(index), bool) if excluded is None else ~np.asarray(excluded, bool)
    usable[0] = False  # the first trading day has no daily change
    positions = np.flatnonzero(usable)
    have = np.searchsorted(positions, last, side="right")  # usable days at or before each window's end
    short = have < length
    if short.any():
        k = int(np.flatnonzero(short)[0])
        where = (f"{gap} days before the first event day" if end is None and mode == "common" else
                 f"{gap} days before event {k}'s first window day" if end is None else f"at {end:%Y-%m-%d}")
        raise EstimationError(
            f"estimation window of {length} trading days ending {where} reaches before the data, which start "
            f"{index[0]:%Y-%m-%d}: only {int(max(have[k], 0))} usable daily changes are available; lower "
            "estimation_length/estimation_gap or supply earlier data"
        )
    rows = positions[have[:, None] - length + np.arange(length)[None, :]]
    excluded_n = rows[:, -1] - rows[:, 0] + 1 - length
    return EstimationWindows(rows, excluded_n, mode)


@dataclass(frozen=True)
class Moments:
    """The constant-mean model of each (event, series): mean, standard deviation and count of daily changes.

    ``mean``, ``std`` (ddof 1), ``n`` have shape (K, S); ``changes`` (K, S, L1) holds the estimation
    window's daily changes (NaN where a series has no change), in the series' unit.
    """

    mean: np.ndarray
    std: np.ndarray
    n: np.ndarray
    changes: np.ndarray

    @property
    def abnormal(self) -> np.ndarray:
        """Estimation-window abnormal changes, (K, S, L1)."""
        return self.changes - self.mean[..., None]


def estimation_moments(d: np.ndarray, est: EstimationWindows, min_obs: int = 30, names=None, index=None) -> Moments:
    """Mean and standard deviation of daily changes ``d`` (T, S) over each event's estimation window.

    Raises :class:`EstimationError` if a series has fewer than ``max(min_obs, 4)`` valid changes in a window.
    """
    changes = np.transpose(d[est.rows], (0, 2, 1))  # (K, S, L1)
    n = np.sum(~np.isnan(changes), axis=-1)
    bad = np.argwhere(n < max(min_obs, 4))
    if len(bad):
        k, j = bad[0]
        who = f"series {names[j]!r}" if names is not None else f"series {j}"
        span = (f"{index[est.rows[k, 0]]:%Y-%m-%d} to {index[est.rows[k, -1]]:%Y-%m-%d}" if index is not None
                else f"rows {est.rows[k, 0]} to {est.rows[k, -1]}")
        raise EstimationError(
            f"{who} has {n[k, j]} valid daily changes in the estimation window {span}, fewer than "
            f"min_estimation_obs={min_obs}; check the series' coverage or move the estimation window"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(changes, axis=-1)
        std = np.nanstd(changes, axis=-1, ddof=1)
    return Moments(mean, std, n, changes)


@dataclass(frozen=True)
class WindowChanges:
    """One window's changes for every (event, series), shapes (K, S) unless stated.

    ``raw`` is the change from the close of day ``a - 1`` to the close of day ``b``; ``car`` = ``raw - L2 x
    mean``; ``complete`` says every daily change inside the window is observed; ``stale`` that an endpoint
    was taken from an earlier close (``missing="last"``); ``daily`` (K, S, L2) the window's daily abnormal
    changes; ``lo``/``hi`` (K,) the positions of the two closes.
    """

    window: tuple
    raw: np.ndarray
    car: np.ndarray
    complete: np.ndarray
    stale: np.ndarray
    daily: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def window_changes_at(xe: np.ndarray, d: np.ndarray, stale: np.ndarray, lo, hi, event_pos, window,
                      mean: np.ndarray) -> WindowChanges:
    """Raw changes and CARs over ``window`` around each event, for all series.

    ``xe`` are the scaled levels endpoints are read from, ``d`` the daily changes, ``stale`` the mask of
    endpoints carried from an earlier close (all (T, S)); ``lo``/``hi`` the positions of each event's two
    closes (:func:`treasurycard.eventstudy.changes.window_bounds`); ``mean`` (K, S) the constant-mean model.
    """
    a, b = window
    raw = xe[hi] - xe[lo]
    days = np.asarray(event_pos)[:, None] + np.arange(a, b + 1)[None, :]
    daily = np.transpose(d[days], (0, 2, 1)) - mean[..., None]  # (K, S, L2)
    return WindowChanges(
        window=(a, b),
        raw=raw,
        car=raw - (b - a + 1) * mean,
        complete=~np.isnan(daily).any(axis=-1),
        stale=(stale[lo] | stale[hi]) & ~np.isnan(raw),
        daily=daily,
        lo=np.asarray(lo),
        hi=np.asarray(hi),
    )
