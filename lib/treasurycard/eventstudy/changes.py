"""Daily and event-window changes, in basis points or log percent, on the data's own trading days."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import EventOutsideData, TreasuryCardError, UnknownUnit

#: Units of changes: ``"bp"`` = 100 x first difference of a level in percent (yields, spreads, term premia);
#: ``"%"`` = 100 x log change of a positive level (prices, exchange rates, indexes).
UNITS = ("bp", "%")

#: How a missing level at a window endpoint is treated (see :func:`window_changes`).
MISSING_POLICIES = ("nan", "last", "raise")


def resolve_units(columns, units=None, attrs=None) -> dict[str, str]:
    """Unit of the changes of each column: ``"bp"`` or ``"%"``.

    The engine knows nothing about particular series: units come from the caller, either as ``units`` or
    as ``attrs["units"]`` of the levels (the book's data store attaches them to every frame it returns).

    Parameters
    ----------
    columns : iterable of str
        Series ids, e.g. ``["DGS10", "DEXJPUS"]``.
    units : str or mapping of str to str, optional
        One unit for every column (``"bp"``), or ``{series_id: unit}``; overrides ``attrs``.
    attrs : mapping, optional
        The levels' ``DataFrame.attrs``; its ``"units"`` entry, if any, supplies units not given explicitly.

    Returns
    -------
    dict of str to str
        ``{series_id: "bp" | "%"}``.

    Raises
    ------
    UnknownUnit
        A column has no unit from either source, or its unit is not ``"bp"`` or ``"%"``.
    """
    if isinstance(units, str):
        units = {col: units for col in columns}
    known = dict((attrs or {}).get("units") or {})
    known.update(units or {})
    out = {}
    for col in columns:
        if col not in known:
            raise UnknownUnit(
                f"series {col!r}: the unit of its changes is unknown; pass units={{{col!r}: 'bp'}} (100 x "
                f"first difference of a level in percent) or units={{{col!r}: '%'}} (100 x log change), or "
                "set levels.attrs['units']"
            )
        unit = known[col]
        if unit not in UNITS:
            raise UnknownUnit(
                f"series {col!r}: change unit {unit!r} is not 'bp' (100 x first difference of a level in "
                f"percent) or '%' (100 x log change); pass units={{{col!r}: 'bp'}} or units={{{col!r}: '%'}}"
            )
        out[col] = unit
    return out


def check_levels(levels) -> None:
    """Raise :class:`TreasuryCardError` unless ``levels`` is a DataFrame on an ascending, unique DatetimeIndex."""
    if not isinstance(levels, pd.DataFrame):
        raise TreasuryCardError(f"levels must be a pandas DataFrame (one column per series), got {type(levels)!r}")
    idx = levels.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise TreasuryCardError("levels must have a DatetimeIndex named 'date' (the trading days)")
    if not idx.is_monotonic_increasing or not idx.is_unique:
        raise TreasuryCardError("levels' DatetimeIndex must be ascending and unique; sort and de-duplicate first")
    if len(idx) < 2:
        raise TreasuryCardError("levels must hold at least two trading days")


def scaled_levels(levels: pd.DataFrame, units: Mapping[str, str]) -> np.ndarray:
    """Levels on the scale whose first differences are changes in the series' unit.

    ``100 x level`` for ``"bp"`` series (levels in percent), ``100 x log(level)`` for ``"%"`` series.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_days, n_series)``; NaN where a level is missing (never filled).
    """
    arr = levels.to_numpy(dtype=float, copy=True)
    for j, col in enumerate(levels.columns):
        col_arr = arr[:, j]
        if units[col] == "%":
            obs = col_arr[~np.isnan(col_arr)]
            if np.any(obs <= 0):
                raise TreasuryCardError(
                    f"series {col!r} has non-positive levels, so log changes ('%') are undefined; "
                    f"if it is a rate, pass units={{{col!r}: 'bp'}}"
                )
            arr[:, j] = 100.0 * np.log(col_arr)
        else:
            arr[:, j] = 100.0 * col_arr
    return arr


def _last_valid(x: np.ndarray) -> np.ndarray:
    """Each row replaced by the last non-NaN row at or before it, column by column (explicit carry-forward)."""
    n = x.shape[0]
    rows = np.where(~np.isnan(x), np.arange(n)[:, None], -1)
    last = np.maximum.accumulate(rows, axis=0)
    out = np.take_along_axis(x, np.maximum(last, 0), axis=0)
    out[last < 0] = np.nan
    return out


def _diff(x: np.ndarray, missing: str) -> np.ndarray:
    """First differences of scaled levels ``x`` (rows = trading days), under a missing-value policy."""
    if missing not in ("nan", "last"):
        raise TreasuryCardError(f"missing must be 'nan' or 'last' for daily changes, got {missing!r}")
    d = np.full_like(x, np.nan)
    if missing == "nan":
        d[1:] = x[1:] - x[:-1]
    else:
        prev = _last_valid(x)
        d[1:] = x[1:] - prev[:-1]  # NaN where today's level is missing
    return d


def daily_changes(levels: pd.DataFrame, units=None, missing: str = "nan") -> pd.DataFrame:
    """Daily close-to-close changes: basis points for rates, 100 x log change (percent) otherwise.

    Parameters
    ----------
    levels : pandas.DataFrame
        Levels on a DatetimeIndex of trading days; one column per series (FRED id); NaN where a series has
        no value that day. Rates in percent; prices, exchange rates and indexes in their own units.
    units : mapping, optional
        Overrides of the catalogue's change units (``"bp"`` or ``"%"``).
    missing : {"nan", "last"}
        ``"nan"`` (default): the change on day t is NaN unless the series has a level on both t and t-1,
        so a holiday in one series makes two of its daily changes NaN. ``"last"``: the change on day t runs
        from the series' last available close before t (so the day after a holiday carries the two-day
        move) and is NaN on the holiday itself. Nothing is ever filled silently.

    Returns
    -------
    pandas.DataFrame
        Daily changes on the same index, in basis points (``"bp"`` series) or percent (``"%"`` series);
        ``.attrs["units"]`` holds the units. The first row is NaN.
    """
    check_levels(levels)
    u = resolve_units(levels.columns, units, levels.attrs)
    d = _diff(scaled_levels(levels, u), missing)
    out = pd.DataFrame(d, index=levels.index, columns=levels.columns)
    out.attrs["units"] = u
    return out


def parse_events(events) -> pd.Series:
    """Events as a Series ``event_id -> reaction_date``.

    Parameters
    ----------
    events : pandas.Series, mapping or pandas.DataFrame
        A Series or mapping ``event_id -> reaction date``, or a DataFrame with a ``reaction_date`` column and
        the event ids in an ``event_id`` column or in its index.

    Returns
    -------
    pandas.Series
        Index ``event_id`` (unique), values ``reaction_date`` (Timestamps), in the given order.
    """
    if isinstance(events, pd.DataFrame):
        if "reaction_date" not in events.columns:
            raise TreasuryCardError("events DataFrame needs a 'reaction_date' column")
        frame = events.set_index("event_id") if "event_id" in events.columns else events
        s = frame["reaction_date"]
    elif isinstance(events, pd.Series):
        s = events
    elif isinstance(events, Mapping):
        s = pd.Series(dict(events), dtype=object)
    else:
        raise TreasuryCardError(f"events must be a Series, mapping or DataFrame, got {type(events)!r}")
    s = pd.Series(pd.to_datetime(s.to_numpy()), index=pd.Index(s.index, name="event_id"), name="reaction_date")
    if not s.index.is_unique:
        dup = s.index[s.index.duplicated()].unique().tolist()
        raise TreasuryCardError(f"event ids must be unique; duplicated: {dup}")
    if len(s) == 0:
        raise TreasuryCardError("no events given")
    return s


def _range_text(index: pd.DatetimeIndex) -> str:
    return f"{index[0]:%Y-%m-%d} to {index[-1]:%Y-%m-%d} ({len(index)} trading days)"


def locate_events(index: pd.DatetimeIndex, events: pd.Series) -> np.ndarray:
    """Positions of the events' reaction dates in ``index``; raise :class:`EventOutsideData` if one is absent."""
    pos = index.get_indexer(events.to_numpy())
    for eid, date, p in zip(events.index, events.to_numpy(), pos):
        if p < 0:
            where = "outside" if (pd.isna(date) or date < index[0] or date > index[-1]) else "inside"
            raise EventOutsideData(
                f"event {eid!r}: reaction date {pd.Timestamp(date):%Y-%m-%d} is not a trading day of the data "
                f"({where} their range, {_range_text(index)}); compute reaction days from the data's own "
                "index or extend the data"
            )
    return pos


def normalize_windows(windows) -> list[tuple[int, int]]:
    """Windows as a list of ``(a, b)`` integer tuples with ``a <= b``."""
    if isinstance(windows, tuple) and len(windows) == 2 and all(np.isscalar(v) for v in windows):
        windows = [windows]
    out = []
    for w in windows:
        a, b = (int(w[0]), int(w[1]))
        if a != w[0] or b != w[1] or a > b:
            raise TreasuryCardError(f"window {w!r} must be a pair of integer trading-day offsets (a, b), a <= b")
        if (a, b) not in out:
            out.append((a, b))
    if not out:
        raise TreasuryCardError("no windows given")
    return out


def window_bounds(index: pd.DatetimeIndex, pos: np.ndarray, window, event_ids=None) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the two closes bounding window ``(a, b)`` around each reaction-day position.

    The change over ``[a, b]`` runs from the close of trading day ``a - 1`` to the close of day ``b``
    (day 0 = reaction day), counted on the data's own trading days.

    Raises
    ------
    EventOutsideData
        A window reaches before the first or after the last trading day of the data.
    """
    a, b = window
    lo, hi = pos + a - 1, pos + b
    bad = (lo < 0) | (hi >= len(index))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        eid = event_ids[k] if event_ids is not None else k
        raise EventOutsideData(
            f"event {eid!r} ({index[pos[k]]:%Y-%m-%d}): window ({a}, {b}) needs the close of trading day "
            f"{a - 1} and of day {b}, beyond the data ({_range_text(index)}); extend the data or shorten the window"
        )
    return lo, hi


def endpoint_levels(x: np.ndarray, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """Scaled levels to read window endpoints from, and a mask of endpoints taken from an earlier close."""
    if missing not in MISSING_POLICIES:
        raise TreasuryCardError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}")
    if missing == "last":
        xe = _last_valid(x)
        return xe, np.isnan(x) & ~np.isnan(xe)
    return x, np.zeros(x.shape, dtype=bool)


def window_changes(levels: pd.DataFrame, events, windows=((0, 0),), units=None, missing: str = "nan") -> pd.DataFrame:
    """Raw changes over event windows, one row per (event, series, window).

    Parameters
    ----------
    levels : pandas.DataFrame
        Levels on a DatetimeIndex of trading days, one column per series (FRED ids), NaN where missing.
    events : pandas.Series, mapping or pandas.DataFrame
        ``event_id -> reaction_date``; each reaction date must be a trading day of ``levels``.
    windows : sequence of (int, int)
        Trading-day offsets ``(a, b)`` relative to the reaction day (0). The change over ``[a, b]`` runs from
        the close of day ``a - 1`` to the close of day ``b``: ``(0, 0)`` is the reaction day's move,
        ``(-1, 1)`` the three-day move around it.
    units : mapping, optional
        Overrides of the catalogue's change units.
    missing : {"nan", "last", "raise"}
        Policy when a series has no close on a window endpoint (a holiday in that market). ``"nan"``
        (default): the change is NaN and ``complete`` is False. ``"last"``: the series' last earlier close is
        used and ``stale_endpoint`` is True. ``"raise"``: :class:`EventOutsideData` is raised. Levels are
        never forward-filled silently.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_id, reaction_date, series_id, window_start, window_end, start_close, end_close,
        n_days, raw_change, unit, complete, stale_endpoint``. ``raw_change`` is in basis points (``unit ==
        "bp"``) or percent (``unit == "%"``); ``n_days = b - a + 1`` trading days; ``complete`` says every
        daily change inside the window is observed; ``start_close``/``end_close`` are the dates of the two
        closes (as scheduled, before any ``"last"`` substitution).
    """
    check_levels(levels)
    u = resolve_units(levels.columns, units, levels.attrs)
    ev = parse_events(events)
    pos = locate_events(levels.index, ev)
    x = scaled_levels(levels, u)
    d = _diff(x, "last" if missing == "last" else "nan")
    xe, stale = endpoint_levels(x, missing)
    frames = [_window_frame(levels, ev, pos, w, x, xe, stale, d, u, missing) for w in normalize_windows(windows)]
    return pd.concat(frames, ignore_index=True)


def _window_frame(levels, ev, pos, window, x, xe, stale, d, units, missing) -> pd.DataFrame:
    index = levels.index
    a, b = window
    lo, hi = window_bounds(index, pos, window, ev.index)
    raw = xe[hi] - xe[lo]  # (K, S)
    if missing == "raise" and np.isnan(raw).any():
        k, j = np.argwhere(np.isnan(raw))[0]
        raise EventOutsideData(
            f"event {ev.index[k]!r}, series {levels.columns[j]!r}: no close on {index[lo[k]]:%Y-%m-%d} or "
            f"{index[hi[k]]:%Y-%m-%d} (window ({a}, {b})); use missing='nan' or missing='last'"
        )
    days = pos[:, None] + np.arange(a, b + 1)[None, :]
    complete = ~np.isnan(d[days]).any(axis=1)  # (K, S)
    st = (stale[lo] | stale[hi]) & ~np.isnan(raw)
    K, S = raw.shape
    return pd.DataFrame(
        {
            "event_id": np.repeat(ev.index.to_numpy(), S),
            "reaction_date": np.repeat(ev.to_numpy(), S),
            "series_id": np.tile(levels.columns.to_numpy(), K),
            "window_start": a,
            "window_end": b,
            "start_close": np.repeat(index[lo].to_numpy(), S),
            "end_close": np.repeat(index[hi].to_numpy(), S),
            "n_days": b - a + 1,
            "raw_change": raw.ravel(),
            "unit": np.tile([units[c] for c in levels.columns], K),
            "complete": complete.ravel(),
            "stale_endpoint": st.ravel(),
        }
    )
