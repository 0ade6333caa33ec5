"""Arithmetic on TIC Table 3 and weekly custody holdings: who bought and sold, and how much was valuation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..eventstudy.history import HistoryRank, rank_in_history

__all__ = [
    "EXPORT_COLUMNS",
    "flows_wide",
    "rank_month",
    "movers",
    "decompose_change",
    "valuation_bound",
    "weekly_custody_changes",
]

#: Columns of ``exports/tables/tic_flows.csv``: billions of dollars; net purchases positive = foreigners bought.
EXPORT_COLUMNS = ["month", "country", "holdings_bn", "net_purchases_bn", "lt_valuation_bn"]


def _month_index(months) -> pd.DatetimeIndex:
    return pd.to_datetime(pd.Index(months) + "-01")


def flows_wide(table3: pd.DataFrame, column: str = "net_purchases_bn", countries=None) -> pd.DataFrame:
    """One column of Table 3 as a month x label table.

    Parameters
    ----------
    table3 : pandas.DataFrame
        The tidy Table 3 (:meth:`treasurycard.data.store.DataStore.tic_flows`).
    column : str
        E.g. ``"net_purchases_bn"`` (billions of dollars, positive = foreigners bought) or ``"holdings_bn"``.
    countries : list of str, optional
        Labels to keep, in that order (all by default).

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (``YYYY-MM``, oldest first), one column per label; NaN where the file has ``n.a.``.
    """
    wide = table3.pivot(index="month", columns="country", values=column).sort_index()
    wide.columns.name = None
    if countries is not None:
        missing = [c for c in countries if c not in wide.columns]
        if missing:
            raise KeyError(f"TIC Table 3 has no row labelled {missing}; labels are the Treasury's, e.g. 'China, Mainland'")
        wide = wide[list(countries)]
    return wide


def rank_month(table3: pd.DataFrame, country: str, month: str, column: str = "net_purchases_bn",
               direction: str = "down") -> HistoryRank:
    """Rank one month's figure among every month the table has it for (net sales first by default).

    Parameters
    ----------
    table3 : pandas.DataFrame
        The tidy Table 3.
    country : str
        The Treasury's label, e.g. ``"Grand Total"``.
    month : str
        ``YYYY-MM``.
    column : str
        The column to rank (billions of dollars).
    direction : {"down", "up", "abs"}
        ``"down"``: the most negative first (the largest net sale); ``"up"``: the largest first.

    Returns
    -------
    treasurycard.eventstudy.history.HistoryRank
        ``rank`` (1 = most extreme), ``n`` (months with a figure), ``first_period`` (first such month, as
        the first day of the month), ``value`` (billions of dollars), ``previous_larger``.
    """
    s = flows_wide(table3, column, [country])[country]
    s.index = _month_index(s.index)
    return rank_in_history(s.rename(country), f"{month}-01", direction=direction, unit="bn USD")


def movers(table3: pd.DataFrame, months, column: str = "net_purchases_bn", kinds=("country",)) -> pd.DataFrame:
    """Every listed country's figures in the given months, sorted by the first month's net purchases.

    Parameters
    ----------
    table3 : pandas.DataFrame
        The tidy Table 3.
    months : list of str
        ``YYYY-MM`` months; the result is sorted by the first (largest net sale first).
    column : str
        The column to sort by.
    kinds : tuple of str
        Row kinds to include (``"country"``: single economies, not regional totals).

    Returns
    -------
    pandas.DataFrame
        One row per country: ``country``, ``region``, then per month ``<column>_<month>``; NaN-sorted last.
    """
    months = list(months)
    sub = table3[table3["kind"].isin(kinds) & table3["month"].isin(months)]
    wide = sub.pivot(index="country", columns="month", values=column)[months]
    wide.columns = [f"{column}_{m}" for m in months]
    region = sub.drop_duplicates("country").set_index("country")["region"]
    out = wide.join(region).reset_index()
    return out.sort_values(f"{column}_{months[0]}", na_position="last", kind="stable", ignore_index=True)


def decompose_change(table3: pd.DataFrame, country: str) -> pd.DataFrame:
    """A holder's monthly change in holdings split into net purchases, valuation and the rest.

    Parameters
    ----------
    table3 : pandas.DataFrame
        The tidy Table 3.
    country : str
        The Treasury's label.

    Returns
    -------
    pandas.DataFrame
        Index ``month``; columns in billions of dollars: ``holdings_bn`` (end of month), ``change_bn``
        (this month minus the previous), ``net_purchases_bn`` (bought minus sold during the month),
        ``valuation_bn`` (the estimated change in market value of long-term holdings; bills are given
        none) and ``other_bn = change - net purchases - valuation``: what the two published parts leave
        unexplained (custodians re-attributing holdings to another country, reporting changes and rounding).
        NaN where a part is ``n.a.`` (before flows were published).
    """
    sub = table3[table3["country"] == country].set_index("month").sort_index()
    if sub.empty:
        raise KeyError(f"TIC Table 3 has no row labelled {country!r}")
    full = pd.period_range(sub.index[0], sub.index[-1], freq="M").strftime("%Y-%m")
    sub = sub.reindex(full)
    out = pd.DataFrame({"holdings_bn": sub["holdings_bn"]})
    out["change_bn"] = out["holdings_bn"].diff()
    out["net_purchases_bn"] = sub["net_purchases_bn"]
    out["valuation_bn"] = sub["lt_valuation_bn"]
    out["other_bn"] = out["change_bn"] - out["net_purchases_bn"] - out["valuation_bn"]
    out.index.name = "month"
    return out


def valuation_bound(holdings_bn: float, yield_change_bp: float, durations=(4.0, 7.0)) -> dict[str, float]:
    """The change in market value that a yield change alone would cause, for a range of durations.

    Parameters
    ----------
    holdings_bn : float
        Market value at the start, billions of dollars.
    yield_change_bp : float
        Change in the yield over the period, basis points (a rise lowers prices).
    durations : tuple of float
        Modified durations, years, bracketing the portfolio's (an assumption; state it).

    Returns
    -------
    dict
        ``{duration: change_bn}``: the first-order price effect ``-D * dy * holdings`` in billions of
        dollars (negative for a yield rise), keyed by each duration.

    Notes
    -----
    First order only (no convexity, no coupon income, no roll-down); a bound on valuation under the
    stated durations, not an estimate of it.
    """
    if not (np.isfinite(holdings_bn) and holdings_bn > 0 and np.isfinite(yield_change_bp)):
        raise ValueError(f"need positive holdings and a finite yield change, got {holdings_bn} and {yield_change_bp}")
    if any(not (d > 0) for d in durations):
        raise ValueError(f"durations are positive years, got {durations}")
    return {float(d): -d * yield_change_bp / 1e4 * holdings_bn for d in durations}


def weekly_custody_changes(custody: pd.Series) -> pd.Series:
    """Week-on-week changes of a weekly level (Wednesday to Wednesday), billions of dollars.

    Only consecutive weeks (7 days apart) are differenced; a gap leaves the later week's change NaN.
    """
    s = custody.dropna().sort_index()
    change = s.diff()
    gap = s.index.to_series().diff() != pd.Timedelta(days=7)
    change[gap.to_numpy()] = np.nan
    return change.rename(custody.name)
