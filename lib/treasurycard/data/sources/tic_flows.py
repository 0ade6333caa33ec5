"""Parse the Treasury's TIC "Table 3" (holdings, net purchases and valuation by country) and splice the
"Major Foreign Holders" history with its current Table 5."""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from ...errors import DataFormatError, DataValidationError
from .tic import ROUNDING_BN, _read_lines, normalise_country

__all__ = [
    "TABLE3_COLUMNS",
    "TABLE3_KINDS",
    "REGIONS",
    "SIGN_CONVENTION",
    "read_slt_table3",
    "continue_holdings",
    "compare_with_major_holders",
]

_TITLE = "Table 3: U.S. Treasury Securities Held by Foreign Residents"
#: The file's own sign convention (its third line). Positive = foreigners bought, on net.
SIGN_CONVENTION = "A positive number for net U.S. sales to foreigners denotes an increase in a foreign position"
_MACHINE = ["country", "country_code", "date", "for_treas_pos", "for_treas_net", "for_lt_treas_pos",
            "for_lt_treas_net", "for_lt_treas_valchg", "for_st_treas_pos", "for_st_treas_net"]
#: File column -> tidy column (billions of dollars).
_RENAME = {
    "for_treas_pos": "holdings_bn", "for_treas_net": "net_purchases_bn",
    "for_lt_treas_pos": "lt_holdings_bn", "for_lt_treas_net": "lt_net_purchases_bn",
    "for_lt_treas_valchg": "lt_valuation_bn",
    "for_st_treas_pos": "st_holdings_bn", "for_st_treas_net": "st_net_purchases_bn",
}
TABLE3_COLUMNS = ["month", "country", "country_code", "region", "kind", *_RENAME.values()]
#: The seven rows that add up to ``All Countries`` (Canada is a region of its own in the table).
REGIONS = ("Total Europe", "Canada", "Total Latin America", "Total Caribbean", "Total Asia", "Total Africa",
           "Total Other")
#: Row kinds: ``country`` (one economy, or ``International``'s peers inside a region), ``region`` (a
#: ``Total ...`` row or Canada's), ``all_countries``, ``iro`` (international and regional organisations:
#: ``International``, ``Total Regional Orgs.``, ``Total IROs``), ``total`` (``Grand Total``), ``official``
#: (``Of Which: Foreign Official`` / ``Non-Official``, a split of the grand total) and ``memo`` (``Memo:``
#: rows, overlapping groupings such as the euro area).
TABLE3_KINDS = ("country", "region", "all_countries", "iro", "total", "official", "memo")
_IRO = ("International", "Total Regional Orgs.", "Total IROs")
_OFFICIAL = ("Of Which: Foreign Official", "Of Which: Foreign Non-Official")
#: Identities checked in every month and every column: (what, terms, total).
_IDENTITIES = (
    ("the seven regions", REGIONS, "All Countries"),
    ("'All Countries' and 'Total IROs'", ("All Countries", "Total IROs"), "Grand Total"),
    ("'International' and 'Total Regional Orgs.'", ("International", "Total Regional Orgs."), "Total IROs"),
    ("foreign official and non-official holders", _OFFICIAL, "Grand Total"),
)
_INT = re.compile(r"-?\d+")
_MONTH = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])")


def _kind(country: str) -> str:
    if country == "Grand Total":
        return "total"
    if country == "All Countries":
        return "all_countries"
    if country in _IRO:
        return "iro"
    if country in _OFFICIAL:
        return "official"
    if country.startswith("Memo:"):
        return "memo"
    if country in REGIONS:
        return "region"
    return "country"


def _millions(path, line: int, cell: str, column: str) -> float:
    text = cell.strip()
    if text in ("n.a.", ""):
        return np.nan
    if _INT.fullmatch(text):
        return float(text)
    raise DataFormatError(path, line, f"a whole number of millions of dollars (or 'n.a.') in column '{column}'",
                          found=cell)


def _header(path, lines: list[list[str]]) -> int:
    """Check title, sign convention, unit and the machine-name row; return the index of that row."""
    head = [" ".join(c.strip() for c in cells).strip() for cells in lines[:12]]
    if not head or _TITLE.lower() not in head[0].lower():
        raise DataFormatError(path, 1, f"the title '{_TITLE}' on the first line", found=head[0] if head else "")
    if not any(SIGN_CONVENTION.lower() in h.lower() for h in head):
        raise DataFormatError(path, 3, f"the sign convention '{SIGN_CONVENTION}' in the header (without it the "
                              "sign of net purchases is unknown)")
    if not any(h.lower() == "millions of dollars" for h in head):
        raise DataFormatError(path, 4, "the unit line 'Millions of dollars' in the header")
    for i, cells in enumerate(lines[:12]):
        if cells and cells[0].strip() == "country":
            names = [c.strip() for c in cells]
            if names[:len(_MACHINE)] != _MACHINE or any(names[len(_MACHINE):]):
                raise DataFormatError(path, i + 1, "the column names " + ", ".join(_MACHINE), found="\t".join(names))
            return i
    raise DataFormatError(path, 9, "the row of column names starting 'country, country_code, date'")


def _rows(path, lines: list[list[str]], start: int) -> tuple[list[tuple], int]:
    """Parse the data rows after the column-name row, up to the blank line before ``Notes:``."""
    records = []
    i = start
    n = len(lines)
    while i < n and not all(not c.strip() for c in lines[i]):
        cells = lines[i]
        line = i + 1
        if len(cells) < len(_MACHINE) or any(c.strip() for c in cells[len(_MACHINE):]):
            raise DataFormatError(path, line, f"{len(_MACHINE)} tab-separated cells (is a column shifted or "
                                  "missing?)", found="\t".join(cells))
        country, _ = normalise_country(cells[0])
        if not country:
            raise DataFormatError(path, line, "a country label in the first column", found="\t".join(cells))
        code, month = cells[1].strip(), cells[2].strip()
        if not code.isdigit():
            raise DataFormatError(path, line, "a numeric TIC country code in column 'country_code'", found=cells[1])
        if not _MONTH.fullmatch(month):
            raise DataFormatError(path, line, "a YYYY-MM month in column 'date'", found=cells[2])
        values = [_millions(path, line, cells[k], _MACHINE[k]) for k in range(3, len(_MACHINE))]
        records.append((line, country, int(code), month, *values))
        i += 1
    if not records:
        raise DataFormatError(path, start + 1, "rows of figures under the column names", found="<no rows>")
    j = i
    while j < n and all(not c.strip() for c in lines[j]):
        j += 1
    if j >= n or not lines[j][0].strip().startswith("Notes"):
        raise DataFormatError(path, min(j + 1, n), "the 'Notes:' block after the last row of figures (is the "
                              "file truncated?)", found=lines[j][0] if j < n else "<end of file>")
    return records, i


def _check_panel(path, raw: pd.DataFrame) -> list[str]:
    """Every label once per month, every month present, one code per label; return the months, oldest first."""
    dup = raw[raw.duplicated(["country", "month"], keep="first")]
    if len(dup):
        r = dup.iloc[0]
        first = raw[(raw["country"] == r["country"]) & (raw["month"] == r["month"])]["line"].iloc[0]
        raise DataFormatError(path, int(r["line"]), f"each country once per month; '{r['country']}' {r['month']} "
                              f"is already on line {first}", found=r["country"])
    codes = raw.groupby("country")["country_code"].nunique()
    if (codes > 1).any():
        name = codes[codes > 1].index[0]
        rows = raw[raw["country"] == name]
        bad = rows[rows["country_code"] != rows["country_code"].iloc[0]].iloc[0]
        raise DataFormatError(path, int(bad["line"]), f"one country code for '{name}' "
                              f"({rows['country_code'].iloc[0]}, as on line {rows['line'].iloc[0]})",
                              found=str(bad["country_code"]))
    months = sorted(raw["month"].unique())
    full = pd.period_range(months[0], months[-1], freq="M").strftime("%Y-%m").tolist()
    if months != full:
        gap = sorted(set(full) - set(months))[0]
        raise DataFormatError(path, None, f"every month from {months[0]} to {months[-1]}; no row at all for {gap}")
    for name, rows in raw.groupby("country", sort=False):
        missing = sorted(set(months) - set(rows["month"]))
        if missing:
            raise DataFormatError(
                path, int(rows["line"].max()), f"a row for '{name}' in each of the {len(months)} months, as every "
                f"other label has; none for {', '.join(missing[:3])} (a dropped row?)", found=name)
    for label in ("Grand Total", "All Countries", *REGIONS, *_IRO, *_OFFICIAL):
        if label not in set(raw["country"]):
            raise DataFormatError(path, None, f"a '{label}' row (needed for the table's sum checks)")
    return months


def _check_identities(path, raw: pd.DataFrame) -> float:
    """Raise unless the table's own sums hold in every month and column; return the largest residual, millions."""
    worst = 0.0
    line = raw.set_index(["country", "month"])["line"]
    for col in _MACHINE[3:]:
        wide = raw.pivot(index="month", columns="country", values=col)
        for what, terms, total in _IDENTITIES:
            parts = wide[list(terms)]
            ok = parts.notna().all(axis=1) & wide[total].notna()
            residual = (parts.sum(axis=1) - wide[total])[ok]
            # each published figure is rounded to $1 million: n terms and the total, 0.5 each at most
            tol = 0.5 * (len(terms) + 1) + 1e-9
            bad = residual[residual.abs() > tol]
            if len(bad):
                month = bad.index[0]
                raise DataFormatError(
                    path, int(line[(total, month)]),
                    f"'{total}' {col} for {month} to equal the sum of {what} within rounding (+/- {tol:g} million); "
                    f"they add up to {parts.loc[month].sum():,.0f} against {wide.loc[month, total]:,.0f} (off by "
                    f"{bad.iloc[0]:+,.0f}): a figure or a sign in that month is wrong", found=f"{wide.loc[month, total]:,.0f}")
            worst = max(worst, float(residual.abs().max()) if len(residual) else 0.0)
    for tot, lt, st in (("for_treas_pos", "for_lt_treas_pos", "for_st_treas_pos"),
                        ("for_treas_net", "for_lt_treas_net", "for_st_treas_net")):
        residual = raw[lt] + raw[st] - raw[tot]
        bad = raw[residual.abs() > 1.0 + 1e-9]
        if len(bad):
            r = bad.iloc[0]
            raise DataFormatError(path, int(r["line"]), f"{tot} = {lt} + {st} within rounding (+/- 1 million) for "
                                  f"'{r['country']}' {r['month']} (the file's own column definitions)",
                                  found=f"{r[tot]:,.0f} vs {r[lt]:,.0f} + {r[st]:,.0f}")
    return worst


def _regions(raw: pd.DataFrame) -> pd.Series:
    """Each label's region from the file's order: the countries listed before a region's ``Total`` row."""
    order = list(dict.fromkeys(raw["country"]))
    region, pending = {}, []
    for name in order:
        kind = _kind(name)
        if kind == "region":
            for p in pending:
                region[p] = name
            region[name] = name
            pending = []
        elif kind == "country" and name != "International":
            pending.append(name)
        else:
            region[name] = ""
    for p in pending:
        region[p] = ""
    return raw["country"].map(region)


def read_slt_table3(path: str | os.PathLike) -> pd.DataFrame:
    """Read TIC "Table 3: U.S. Treasury Securities Held by Foreign Residents" (``slt_table3.txt``).

    Parameters
    ----------
    path : str or os.PathLike
        The tab-separated download: a title, scope, the sign convention, ``Millions of dollars``, a link,
        two label rows, the machine-name row (``country, country_code, date, for_treas_pos, ...``), one row
        per country and month (newest first within each country), a blank line and a ``Notes:`` block.

    Returns
    -------
    pandas.DataFrame
        One row per month and row label, sorted by ``month`` then ``country``, columns
        :data:`TABLE3_COLUMNS`:

        - ``month`` (``YYYY-MM``), ``country`` (the Treasury's label), ``country_code`` (TIC code),
          ``region`` (the ``Total ...`` row a country is listed under; ``""`` for other rows) and
          ``kind`` (one of :data:`TABLE3_KINDS`);
        - ``holdings_bn``: holdings of all Treasury securities at the end of the month, billions of dollars;
        - ``net_purchases_bn``: net purchases by foreign residents during the month, billions of dollars.
          The file calls the column "Net U.S. Sales" and states "a positive number for net U.S. sales to
          foreigners denotes an increase in a foreign position": **positive = foreigners bought, on net;
          negative = foreigners sold**. The sign is kept as published;
        - ``lt_holdings_bn``, ``lt_net_purchases_bn``, ``lt_valuation_bn``: the same for long-term
          securities (bonds and notes) and the estimated change in their market value during the month;
        - ``st_holdings_bn``, ``st_net_purchases_bn``: short-term (bills); the file estimates bill net
          purchases as the month's change in holdings, with no valuation change.

        Figures are the file's millions divided by 1,000, unrounded (``-4176`` -> ``-4.176``). ``n.a.``
        and empty cells are NaN: flows start later than holdings (in the 2026 file, in February 2023),
        and some countries' short-term holdings are suppressed. ``attrs``: ``source``, ``format``
        (``"slt_table3"``), ``unit`` (``"bn USD"``), ``sign_convention`` (the file's sentence),
        ``first_flow_month`` and ``max_identity_residual_mn``.

    Raises
    ------
    DataFormatError
        Naming the file and line, on a layout change (title, sign line, unit, column names, a shifted
        cell, a missing ``Notes:`` block), text in a number, a repeated or dropped country-month row,
        or a month in which the table's own sums fail (see Notes).

    Notes
    -----
    The table lists about 70 countries, not all: each region's ``Total`` row includes countries not listed,
    so countries do not add up to the grand total. What is checked, in every month and each of the seven
    figures, within rounding (each figure is rounded to $1 million, so n terms and their total may differ
    by at most 0.5 (n + 1) million): the seven regions (Europe, Canada, Latin America, Caribbean, Asia,
    Africa, Other) add up to ``All Countries``; ``All Countries`` plus ``Total IROs`` to ``Grand Total``;
    ``International`` plus ``Total Regional Orgs.`` to ``Total IROs``; foreign official plus non-official
    to ``Grand Total``; and, in every row, long-term plus short-term to the total (within $1 million). In
    the real file every regional sum holds exactly. A country row dropped from one month fails the panel
    check (every label in every month); a country dropped from every month is caught only by the
    comparison with the Major Foreign Holders table (:func:`compare_with_major_holders`).
    """
    lines = _read_lines(path)
    names_row = _header(path, lines)
    records, _ = _rows(path, lines, names_row + 1)
    raw = pd.DataFrame.from_records(records, columns=["line", "country", "country_code", "month", *_MACHINE[3:]])
    months = _check_panel(path, raw)
    worst = _check_identities(path, raw)
    tidy = pd.DataFrame({"month": raw["month"], "country": raw["country"], "country_code": raw["country_code"],
                         "region": _regions(raw), "kind": raw["country"].map(_kind)})
    for src, dst in _RENAME.items():
        tidy[dst] = raw[src] / 1000.0
    tidy = tidy.sort_values(["month", "country"], kind="stable", ignore_index=True)
    flows = tidy.loc[(tidy["country"] == "Grand Total") & tidy["net_purchases_bn"].notna(), "month"]
    tidy.attrs.update({
        "source": str(path), "format": "slt_table3", "unit": "bn USD", "sign_convention": SIGN_CONVENTION,
        "first_month": months[0], "last_month": months[-1],
        "first_flow_month": flows.min() if len(flows) else None, "max_identity_residual_mn": worst,
    })
    return tidy


# ------------------------------------------------------------------------------ holdings across files


def continue_holdings(history: pd.DataFrame, current: pd.DataFrame, revision_pct: float = 2.0) -> pd.DataFrame:
    """Splice the Major Foreign Holders history (``mfhhis01.txt``) and the current Table 5 into one table.

    Parameters
    ----------
    history, current : pandas.DataFrame
        Tidy tables from :func:`~treasurycard.data.sources.tic.read_mfh_history` and
        :func:`~treasurycard.data.sources.tic.read_slt_table5` (billions of dollars, end of month).
    revision_pct : float
        Largest difference, in percent of the history's figure, allowed between the two files in a month
        both hold. The Treasury revises recent months from release to release (in the 2026 files by up to
        about 1%, e.g. the United Kingdom in November 2025), so equal figures are not required; a larger
        gap means a damaged file or a mismatched row.

    Returns
    -------
    pandas.DataFrame
        The history's rows for every month it holds (one vintage per month, so that its ``All Other``
        stays the residual of its own list of countries), then Table 5's rows for the months after the
        history ends, with a ``vintage`` column naming the file each figure comes from (``"mfhhis01"`` or
        ``"slt_table5"``). ``attrs`` keeps the history's (``series_breaks``, ``footnotes``), plus ``overlap``
        (months both files hold), ``revisions`` (a table of every figure that differs between them: month,
        country, both figures and the difference in billions), ``continued_from`` (the first month taken from
        Table 5) and ``sources``.

    Raises
    ------
    DataValidationError
        If a row label in both files (other than ``All Other``, a residual over each file's own list of
        countries: Table 5 lists fewer) differs by more than ``revision_pct`` in a shared month, naming the
        label, the month and both figures; or if the files leave a month between them uncovered.
    """
    h_last, c_first = history["month"].max(), current["month"].min()
    shared = sorted(set(history["month"]) & set(current["month"]))
    if not shared and (pd.Period(h_last, "M") + 1).strftime("%Y-%m") != c_first:
        raise DataValidationError(f"TIC holdings: the history ends {h_last} and Table 5 starts {c_first}; the months "
                                  "between are in neither file: fetch a newer history file")
    a = history[history["month"].isin(shared) & (history["kind"] != "other")].set_index(["month", "country"])["holdings_bn"]
    b = current[current["month"].isin(shared) & (current["kind"] != "other")].set_index(["month", "country"])["holdings_bn"]
    both = pd.concat({"history_bn": a, "table5_bn": b}, axis=1, join="inner").dropna()
    both["revision_bn"] = both["table5_bn"] - both["history_bn"]
    too_far = both[both["revision_bn"].abs() > revision_pct / 100 * both["history_bn"].abs() + ROUNDING_BN / 2 + 1e-9]
    if len(too_far):
        (month, country), row = too_far.index[0], too_far.iloc[0]
        raise DataValidationError(
            f"TIC holdings: {country} in {month} is {row['history_bn']:.1f} bn in the history file "
            f"({history.attrs.get('source', 'mfhhis01.txt')}) but {row['table5_bn']:.1f} bn in Table 5 "
            f"({current.attrs.get('source', 'slt_table5.txt')}), more apart than a revision (> {revision_pct:g}%): "
            "one file is damaged or a row is mislabelled: refetch both (refresh=True)")
    revisions = both[both["revision_bn"].abs() > 1e-9].reset_index()
    later = current[current["month"] > h_last]
    out = pd.concat([history.assign(vintage="mfhhis01"), later.assign(vintage="slt_table5")], ignore_index=True)
    out = out.sort_values(["month", "country"], kind="stable", ignore_index=True)
    out.attrs.update(history.attrs)
    out.attrs.update({"overlap": shared, "revisions": revisions,
                      "continued_from": later["month"].min() if len(later) else None,
                      "sources": [history.attrs.get("source"), current.attrs.get("source")], "format": "mfh+table5"})
    return out


def compare_with_major_holders(table3: pd.DataFrame, holders: pd.DataFrame, revision_pct: float = 0.0,
                               require_rows: bool = True) -> pd.DataFrame:
    """Check Table 3's holdings against a Major Foreign Holders table in the months and rows both have.

    Parameters
    ----------
    table3 : pandas.DataFrame
        From :func:`read_slt_table3` (billions, unrounded).
    holders : pandas.DataFrame
        A Major Foreign Holders table (billions, one decimal): Table 5 of the same release (which must agree
        to rounding), or the history file (an earlier release: allow ``revision_pct``).
    revision_pct : float
        Revisions allowed between releases, percent of the holders' figure (0: same release).
    require_rows : bool
        Require a Table 3 row for every country of ``holders`` (True for Table 5 of the same release, whose
        20 countries Table 3 lists; False for the history file, which lists some countries Table 3 does not,
        e.g. Vietnam: only countries in both are compared).

    Returns
    -------
    pandas.DataFrame
        One row per shared month and label: ``month``, ``country``, ``table3_bn``, ``holders_bn``,
        ``difference_bn``. Labels compared: the holders' countries, ``Grand Total`` and ``For. Official``
        (Table 3's ``Of Which: Foreign Official``). A country whose Table 3 figure is ``n.a.`` (suppressed;
        e.g. Poland's total before its bills were published) is skipped.

    Raises
    ------
    DataValidationError
        If a figure differs by more than rounding to one decimal (0.05 bn) plus ``revision_pct``, or if a
        country of the holders table has no row at all in Table 3 in a shared month (a dropped row).
    """
    t3 = table3.assign(country=table3["country"].replace({"Of Which: Foreign Official": "For. Official"}))
    months = sorted(set(t3["month"]) & set(holders["month"]))
    if not months:
        raise DataValidationError("TIC Table 3 and the Major Foreign Holders table share no month: check the files' dates")
    h = holders[holders["month"].isin(months) & holders["kind"].isin(["country", "total", "official"])]
    h = h[~h["country"].str.startswith("For. Official:")]
    merged = h[["month", "country", "holdings_bn"]].merge(
        t3[["month", "country", "holdings_bn"]], on=["month", "country"], how="left", suffixes=("_h", "_3"),
        indicator=True)
    lost = merged[(merged["_merge"] == "left_only") & merged["holdings_bn_h"].notna()]
    if len(lost) and require_rows:
        r = lost.iloc[0]
        raise DataValidationError(f"TIC Table 3 ({table3.attrs.get('source')}) has no row for {r['country']} in "
                                  f"{r['month']}, which the Major Foreign Holders table lists at {r['holdings_bn_h']:.1f} "
                                  "bn: a row was dropped or renamed; refetch the file (refresh=True)")
    merged = merged.dropna(subset=["holdings_bn_h", "holdings_bn_3"]).drop(columns="_merge")
    merged["difference_bn"] = merged["holdings_bn_3"] - merged["holdings_bn_h"]
    limit = ROUNDING_BN / 2 + revision_pct / 100 * merged["holdings_bn_h"].abs() + 1e-9
    bad = merged[merged["difference_bn"].abs() > limit]
    if len(bad):
        r = bad.iloc[0]
        raise DataValidationError(
            f"TIC holdings of {r['country']} in {r['month']}: {r['holdings_bn_3']:.3f} bn in Table 3 "
            f"({table3.attrs.get('source')}) but {r['holdings_bn_h']:.1f} bn in the Major Foreign Holders table "
            f"({holders.attrs.get('source')}): more apart than rounding"
            + (f" and a {revision_pct:g}% revision" if revision_pct else "")
            + ", so one file is damaged or of another vintage; refetch both (refresh=True)")
    return merged.rename(columns={"holdings_bn_3": "table3_bn", "holdings_bn_h": "holders_bn"})[
        ["month", "country", "table3_bn", "holders_bn", "difference_bn"]].reset_index(drop=True)
