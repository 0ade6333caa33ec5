"""Where a move ranks in history: weekly changes, ranks against every comparable period, rolling correlation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .changes import daily_changes, resolve_units, scaled_levels
from ..errors import EventOutsideData


def weekly_changes(levels: pd.DataFrame, units=None, week_end: str = "FRI") -> pd.DataFrame:
    """Close-to-close weekly changes, in basis points for rates and log percent otherwise.

    The change of week w runs from the last close of week w-1 to the last close of week w, using each
    series' own last available close in each week (a holiday Friday uses Thursday's close). Weeks are
    calendar weeks ending on ``week_end`` and labelled by that day's date. A week in which a series has no
    close, or follows one without a close, is NaN for that series: nothing is filled.

    Parameters
    ----------
    levels : pandas.DataFrame
        Daily levels on a DatetimeIndex of trading days, one column per FRED id (yields in percent).
    units : mapping, optional
        Overrides of the catalogue's change units (``"bp"`` or ``"%"``).
    week_end : str
        Weekday that ends a week (pandas anchor, default ``"FRI"``).

    Returns
    -------
    pandas.DataFrame
        Indexed by week-end date (named ``week``); ``.attrs["units"]`` holds the units; column
        ``n_days`` counts the trading days (rows of ``levels``) in each week.
    """
    u = resolve_units(levels.columns, units, levels.attrs)
    scaled = pd.DataFrame(scaled_levels(levels, u), index=levels.index, columns=levels.columns)
    weekly = scaled.resample(f"W-{week_end}").last()  # last non-NaN close of each week, per column
    out = weekly.diff()
    out.index.name = "week"
    out["n_days"] = levels.resample(f"W-{week_end}").size().astype(int)
    out = out.iloc[1:]
    out.attrs["units"] = u
    return out


@dataclass(frozen=True)
class HistoryRank:
    """Rank of one period's change among all comparable periods.

    ``rank`` 1 is the largest (in the direction asked for); ``n`` counts the periods with a value;
    ``share_at_least`` is the share of periods with a change at least as large (an empirical p-value,
    one-sided); ``previous_larger`` is the latest earlier period with a larger change (or None).
    """

    series_id: str
    period: pd.Timestamp
    value: float
    unit: str
    direction: str
    rank: int
    n: int
    share_at_least: float
    first_period: pd.Timestamp
    previous_larger: pd.Timestamp | None
    previous_larger_value: float | None

    def to_series(self) -> pd.Series:
        return pd.Series(self.__dict__)


def rank_in_history(changes: pd.Series, period, direction: str = "up", unit: str = "") -> HistoryRank:
    """Rank the change at ``period`` among all non-missing changes of the same series.

    Parameters
    ----------
    changes : pandas.Series
        Changes per period (days or weeks), indexed by date.
    period : date-like
        The period to rank; must be in the index with a value.
    direction : {"up", "down", "abs"}
        Rank rises (largest first), falls (most negative first), or absolute moves.
    unit : str
        Unit of ``changes`` (for the record).
    """
    key = {"up": lambda v: v, "down": lambda v: -v, "abs": np.abs}[direction]
    values = changes.dropna()
    period = pd.Timestamp(period)
    if period not in values.index:
        raise EventOutsideData(
            f"{changes.name}: no change for {period:%Y-%m-%d} (data cover "
            f"{values.index[0]:%Y-%m-%d} to {values.index[-1]:%Y-%m-%d}, or the value is missing)"
        )
    score = key(values)
    own = score.loc[period]
    at_least = int((score >= own).sum())
    larger = score[(score > own) & (score.index < period)]
    prev = larger.index[-1] if len(larger) else None
    return HistoryRank(
        series_id=str(changes.name), period=period, value=float(values.loc[period]), unit=unit,
        direction=direction, rank=int((score > own).sum()) + 1, n=len(values),
        share_at_least=at_least / len(values), first_period=values.index[0], previous_larger=prev,
        previous_larger_value=None if prev is None else float(values.loc[prev]),
    )


def rolling_correlation(levels: pd.DataFrame, x: str, y: str, window: int = 20, min_periods: int | None = None,
                        units=None) -> pd.Series:
    """Rolling correlation of the daily changes of two series over ``window`` trading days.

    Changes are bp for rates and log percent otherwise (see :func:`treasurycard.changes.daily_changes`);
    days on which either change is missing are left out of each window, and a window needs
    ``min_periods`` (default: 3/4 of ``window``) complete days.
    """
    d = daily_changes(levels[[x, y]], units=units)
    min_periods = min_periods or int(np.ceil(0.75 * window))
    corr = d[x].rolling(window, min_periods=min_periods).corr(d[y])
    corr.name = f"corr({x},{y}),{window}d"
    return corr
