"""Pure computations over the tidy TIC "Major Foreign Holders" table: shares, rankings, monthly changes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "TOTAL",
    "Overtake",
    "compare_quarterly",
    "holdings_wide",
    "month_label",
    "month_end_yields",
    "monthly_changes",
    "months_matching",
    "overtake",
    "share_of_total",
    "spells_above",
]

#: The label of the row holding all foreign holdings in the Treasury's table.
TOTAL = "Grand Total"


def _month_range(first: str, last: str) -> pd.Index:
    """Every calendar month from ``first`` to ``last`` (``YYYY-MM`` strings), inclusive."""
    periods = pd.period_range(first, last, freq="M")
    return pd.Index(periods.strftime("%Y-%m"), name="month")


def month_label(month: str) -> str:
    """``"2025-02"`` -> ``"February 2025"``, for prose and captions."""
    return pd.Period(month, freq="M").strftime("%B %Y")


def holdings_wide(tic: pd.DataFrame, countries=None) -> pd.DataFrame:
    """One column per row label, one row per calendar month.

    Parameters
    ----------
    tic : pandas.DataFrame
        The tidy TIC table (``month`` as ``YYYY-MM``, ``country``, ``holdings_bn``), as returned by
        :meth:`treasurycard.store.DataStore.tic`.
    countries : list of str, optional
        Row labels to keep, in this order (the Treasury's labels, e.g. ``"China, Mainland"`` or
        ``"Grand Total"``). Default: all labels, sorted.

    Returns
    -------
    pandas.DataFrame
        Holdings in billions of dollars, end of month. Index ``month`` (``YYYY-MM`` strings) runs over
        every calendar month from the table's first to its last, so a month the table lacks is a row
        of NaN rather than a silent gap; NaN also where the file says ``n.a.`` or a label is absent.

    Raises
    ------
    KeyError
        If a requested label never occurs in the table.
    """
    wide = tic.pivot(index="month", columns="country", values="holdings_bn")
    wide = wide.reindex(_month_range(wide.index.min(), wide.index.max()))
    wide.columns.name = None
    if countries is not None:
        countries = list(countries)
        missing = [c for c in countries if c not in wide.columns]
        if missing:
            raise KeyError(f"{missing} not in the TIC table; labels are the Treasury's, e.g. 'China, Mainland'")
        wide = wide[countries]
    return wide


def share_of_total(tic: pd.DataFrame, country: str, total: str = TOTAL) -> pd.Series:
    """A holder's share of all foreign holdings, month by month.

    Parameters
    ----------
    tic : pandas.DataFrame
        The tidy TIC table.
    country : str
        The Treasury's label, e.g. ``"Japan"``.
    total : str, default ``"Grand Total"``
        The label of the denominator row.

    Returns
    -------
    pandas.Series
        ``100 * holdings(country) / holdings(total)``, in percent, indexed by ``month`` (``YYYY-MM``),
        named ``share_pct``. Both numerator and denominator are end-of-month market values in billions
        of dollars, each rounded to 0.1 bn in the source, so the share is exact to about 0.01 points.
    """
    wide = holdings_wide(tic, [country, total])
    share = 100.0 * wide[country] / wide[total]
    return share.rename("share_pct")


def _above(tic: pd.DataFrame, challenger: str, incumbent: str) -> pd.DataFrame:
    if challenger == incumbent:
        raise ValueError(f"compare two different holders, not {challenger!r} with itself")
    wide = holdings_wide(tic, [challenger, incumbent]).dropna()
    gap = (wide[challenger] - wide[incumbent]).round(1)  # both published to 0.1 bn
    return pd.DataFrame({"gap_bn": gap, "above": gap > 0})


def spells_above(tic: pd.DataFrame, challenger: str, incumbent: str) -> pd.DataFrame:
    """The runs of consecutive months in which one holder's holdings exceed another's.

    Parameters
    ----------
    tic : pandas.DataFrame
        The tidy TIC table.
    challenger, incumbent : str
        The Treasury's labels, e.g. ``"United Kingdom"`` and ``"China, Mainland"``.

    Returns
    -------
    pandas.DataFrame
        One row per spell, oldest first, with ``start`` and ``end`` (``YYYY-MM``, inclusive),
        ``n_months`` (int), ``from_start`` (True if the spell begins in the first month both holders
        have data, so the table cannot say when it began) and ``ongoing`` (True if it lasts to the
        last such month). Empty if the challenger is never above.

    Notes
    -----
    "Above" is strict: ``holdings(challenger) > holdings(incumbent)``, both in billions of dollars at
    the end of the month as published (to 0.1 bn). Months where either holder has no figure are
    skipped, so a spell runs over the months the two can be compared.
    """
    cmp_ = _above(tic, challenger, incumbent)
    above = cmp_["above"]
    cols = ["start", "end", "n_months", "from_start", "ongoing"]
    if not above.any():
        return pd.DataFrame(columns=cols)
    run = (above != above.shift()).cumsum()
    rows = []
    for _, block in above[above].groupby(run[above]):
        rows.append({
            "start": block.index[0], "end": block.index[-1], "n_months": len(block),
            "from_start": block.index[0] == above.index[0], "ongoing": block.index[-1] == above.index[-1],
        })
    return pd.DataFrame(rows, columns=cols)


@dataclass(frozen=True, repr=False)
class Overtake:
    """When one holder last moved above another, and whether it stayed there.

    Attributes
    ----------
    challenger, incumbent : str
        The Treasury's labels.
    month : str or None
        The latest month (``YYYY-MM``) in which the challenger's holdings exceed the incumbent's after
        not exceeding them the month before; None if that never happens in the table.
    gap_bn : float
        Challenger minus incumbent in ``month``, billions of dollars rounded to 0.1 bn as published
        (NaN if ``month`` is None).
    stayed_above : bool
        True if the challenger is above in every comparable month from ``month`` to ``last_month``.
    months_above : int
        Number of comparable months from ``month`` to ``last_month`` in which the challenger is above.
    last_month : str
        The last month both holders have data.
    last_gap_bn : float
        Challenger minus incumbent in ``last_month``, billions of dollars.
    first_month_above : str or None
        The first month in the table with the challenger above (possibly an earlier spell).
    """

    challenger: str
    incumbent: str
    month: str | None
    gap_bn: float
    stayed_above: bool
    months_above: int
    last_month: str
    last_gap_bn: float
    first_month_above: str | None

    def __repr__(self) -> str:
        head = f"Overtake: {self.challenger} above {self.incumbent}"
        if self.month is None:
            return f"{head}\n  overtook in   never (first month above: {self.first_month_above})"
        return "\n".join([
            head,
            f"  overtook in   {self.month} (gap {self.gap_bn:+,.1f} bn USD)",
            f"  stayed above  {self.stayed_above} ({self.months_above} months to {self.last_month}, "
            f"gap then {self.last_gap_bn:+,.1f} bn USD)",
            f"  first above   {self.first_month_above}",
        ])


def overtake(tic: pd.DataFrame, challenger: str, incumbent: str) -> Overtake:
    """The latest month one holder overtook another, and whether it has stayed ahead since.

    Parameters
    ----------
    tic : pandas.DataFrame
        The tidy TIC table.
    challenger, incumbent : str
        The Treasury's labels, e.g. ``"United Kingdom"`` and ``"China, Mainland"``.

    Returns
    -------
    Overtake
        See :class:`Overtake`. "Overtook in month m" means: challenger above incumbent in m (strictly,
        end-of-month holdings in billions of dollars) and not above in the previous comparable month.
        A spell that starts in the table's first month is not an overtaking (the table cannot see it
        begin), but it does set ``first_month_above``.
    """
    cmp_ = _above(tic, challenger, incumbent)
    above = cmp_["above"]
    crossed = above & ~above.shift(fill_value=True)
    first_above = above.index[above.argmax()] if above.any() else None
    last = above.index[-1]
    if not crossed.any():
        return Overtake(challenger, incumbent, None, float("nan"), False, 0, last,
                        float(cmp_["gap_bn"].iloc[-1]), first_above)
    month = crossed.index[crossed.to_numpy().nonzero()[0][-1]]
    since = above.loc[month:]
    return Overtake(
        challenger, incumbent, month, float(cmp_.loc[month, "gap_bn"]), bool(since.all()), int(since.sum()),
        last, float(cmp_["gap_bn"].iloc[-1]), first_above,
    )


def monthly_changes(tic: pd.DataFrame, country: str, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """A holder's end-of-month holdings and their change from the month before.

    Parameters
    ----------
    tic : pandas.DataFrame
        The tidy TIC table; its ``attrs["series_breaks"]`` (from the history-file reader) is used to
        flag changes that cross a series break.
    country : str
        The Treasury's label.
    start, end : str, optional
        First and last month (``YYYY-MM``) to return, inclusive. The change for ``start`` still uses
        the month before it.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (``YYYY-MM``); columns ``holdings_bn`` (billions of dollars, end of month),
        ``change_bn`` (this month minus the previous calendar month, billions of dollars; NaN if
        either is missing), ``change_pct`` (``100 * change_bn / previous holdings``, percent) and
        ``series_break`` (True if this month starts a new TIC series, so the change mixes two series).

    Notes
    -----
    A change in holdings is a change in market value. It is the sum of net purchases, price changes
    of the securities held (valuation), and any change in which country the reporting custodians
    attribute them to. The table alone cannot separate these.
    """
    level = holdings_wide(tic, [country])[country]
    prev = level.shift(1)
    out = pd.DataFrame({
        "holdings_bn": level,
        "change_bn": level - prev,
        "change_pct": 100.0 * (level - prev) / prev,
    })
    breaks = {b["month"] for b in tic.attrs.get("series_breaks", [])}
    out["series_break"] = out.index.isin(sorted(breaks))
    return out.loc[start:end]


def months_matching(tic: pd.DataFrame, country: str, figure_bn: float, rounding_bn: float) -> pd.DataFrame:
    """The months whose published holdings round to a quoted figure.

    Parameters
    ----------
    tic : pandas.DataFrame
        The tidy TIC table.
    country : str
        The Treasury's label.
    figure_bn : float
        The quoted figure in billions of dollars, e.g. ``1130`` for "$1.13 trillion".
    rounding_bn : float
        The precision of the quoted figure in billions of dollars, e.g. ``10`` for a figure given to
        two decimals in trillions.

    Returns
    -------
    pandas.DataFrame
        Index ``month``; columns ``holdings_bn`` and ``distance_bn`` (holdings minus the quoted
        figure, billions of dollars), for the months with ``figure - rounding/2 <= holdings <
        figure + rounding/2`` (round half up), oldest first. Empty if none matches.
    """
    level = holdings_wide(tic, [country])[country].dropna()
    lo, hi = figure_bn - rounding_bn / 2, figure_bn + rounding_bn / 2
    hit = level[(level >= lo) & (level < hi)]
    return pd.DataFrame({"holdings_bn": hit, "distance_bn": hit - figure_bn})


def month_end_yields(daily: pd.Series) -> pd.DataFrame:
    """Month-end levels of a daily yield, their change over each month, and the month's range.

    Parameters
    ----------
    daily : pandas.Series
        A daily yield in percent (e.g. FRED ``DGS10``) on a ``DatetimeIndex``; NaN on holidays.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (``YYYY-MM``); columns ``date`` (the last day of the month with a value),
        ``level_pct`` (the yield on that day, percent), ``change_bp`` (this month-end minus the previous
        month-end, basis points; NaN for the first month), ``high_pct`` and ``low_pct`` (the highest
        and lowest daily values within the month, percent) and ``high_date`` (the first day the
        high was reached).

    Notes
    -----
    TIC holdings are end-of-month snapshots, so the month-end yield is the one that prices them. A
    move within the month that reverses by its end leaves no trace in either.
    """
    s = daily.dropna()
    if not isinstance(s.index, pd.DatetimeIndex):
        raise TypeError("month_end_yields needs a daily series on a DatetimeIndex")
    month = pd.Index(s.index.strftime("%Y-%m"), name="month")
    g = s.groupby(month)
    out = pd.DataFrame({
        "date": g.apply(lambda x: x.index[-1]),
        "level_pct": g.last(),
        "high_pct": g.max(),
        "low_pct": g.min(),
        "high_date": g.apply(lambda x: x.idxmax()),
    })
    full = _month_range(out.index.min(), out.index.max())
    if len(full) != len(out):
        missing = sorted(set(full) - set(out.index))
        raise ValueError(f"month_end_yields: no observation in {missing}; month-end changes would skip them")
    out.insert(2, "change_bp", 100.0 * out["level_pct"].diff())
    out["change_bp"] = out["change_bp"].round(6)
    return out


def compare_quarterly(tic: pd.DataFrame, quarterly: pd.Series, label: str = TOTAL) -> pd.DataFrame:
    """Put a quarterly series (FRED style, dated at quarter start) beside the TIC figure for that quarter's end.

    Parameters
    ----------
    tic : pandas.DataFrame
        The tidy TIC table.
    quarterly : pandas.Series
        Billions of dollars on a ``DatetimeIndex`` of quarter-start dates, FRED's convention for an
        end-of-quarter stock (e.g. ``FDHBFIN``: 2025-01-01 stands for the end of March 2025).
    label : str, default ``"Grand Total"``
        The TIC row to compare with.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (``YYYY-MM``, the quarter's last month), for the quarters both cover; columns
        ``tic_bn``, ``other_bn`` and ``difference_bn`` (other minus TIC, billions of dollars, rounded
        to 0.1 bn as both sources are).
    """
    q = quarterly.dropna()
    months = (q.index + pd.offsets.QuarterEnd(0)).strftime("%Y-%m")
    other = pd.Series(q.to_numpy(dtype=float), index=pd.Index(months, name="month"))
    tic_level = holdings_wide(tic, [label])[label]
    both = pd.DataFrame({"tic_bn": tic_level.reindex(other.index), "other_bn": other}).dropna()
    both["difference_bn"] = np.round(both["other_bn"] - both["tic_bn"], 1)
    return both


def largest_fall(tic: pd.DataFrame, country: str) -> dict:
    """The largest monthly fall in a holder's holdings, leaving out changes that cross a series break.

    Parameters
    ----------
    tic : pandas.DataFrame
        The tidy TIC holdings table (with ``attrs["series_breaks"]`` from the history file).
    country : str
        The Treasury's label.

    Returns
    -------
    dict
        ``month`` (``YYYY-MM`` of the fall), ``fall_bn`` (positive billions of dollars: the previous month's
        holdings minus this month's), ``first_month`` (the first month with a change, i.e. where the
        search starts) and ``n`` (changes searched).
    """
    ch = monthly_changes(tic, country)
    ch = ch[~ch["series_break"]].dropna(subset=["change_bn"])
    if ch.empty:
        raise ValueError(f"{country}: no monthly change outside series breaks in the table")
    worst = ch["change_bn"].idxmin()
    return {"month": worst, "fall_bn": float(-ch.loc[worst, "change_bn"]), "first_month": ch.index[0], "n": len(ch)}
