"""Parse the Treasury's "Major Foreign Holders of Treasury Securities" files into one tidy table."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataFormatError

__all__ = [
    "KINDS",
    "ROUNDING_BN",
    "normalise_country",
    "read_major_foreign_holders",
    "read_mfh_history",
    "read_slt_table5",
]

#: Row kinds of the tidy table. ``country``: one economy as the Treasury labels it; ``aggregate``: a
#: row standing for several economies (``Oil Exporters``, ``Carib Bnkng Ctrs``, ``Belgium-Luxembourg``);
#: ``other``: ``All Other``; ``total``: ``Grand Total``; ``official``: the "of which" memo rows
#: (``For. Official``, ``For. Official: Treasury Bills``, ``For. Official: T-Bonds & Notes``).
#: ``country`` + ``aggregate`` + ``other`` add up to ``total``; ``official`` rows are part of the total.
KINDS = ("country", "aggregate", "other", "total", "official")

#: Every published figure is rounded to this many billions of dollars (one decimal).
ROUNDING_BN = 0.1

_COLUMNS = ["month", "country", "holdings_bn", "kind"]
_MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)}
_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")
_FOOTNOTE = re.compile(r"\s*\b\d{1,2}/$")
_AGGREGATES = {"Oil Exporters", "Carib Bnkng Ctrs", "Belgium-Luxembourg"}
_HISTORY_TITLE = "MAJOR FOREIGN HOLDERS OF TREASURY SECURITIES"
_TABLE5_TITLE = "Table 5: Major Foreign Holders of Treasury Securities"
_HISTORY_TRAILER = "Department of the Treasury/Federal Reserve Board"
#: The "of which" rows: history-file label -> tidy label, and SLT Table 5 label -> tidy label.
_OFFICIAL_HISTORY = {
    "For. Official": "For. Official",
    "Treasury Bills": "For. Official: Treasury Bills",
    "T-Bonds & Notes": "For. Official: T-Bonds & Notes",
}
_OFFICIAL_TABLE5 = {
    "Of Which: Foreign Official": "For. Official",
    "Of Which: Foreign Official Treasury Bills": "For. Official: Treasury Bills",
    "Of Which: Foreign Official T-Bonds & Notes": "For. Official: T-Bonds & Notes",
}


# --------------------------------------------------------------------------------------------- helpers


def _read_lines(path) -> list[list[str]]:
    """The file's lines split on tabs, cells unquoted; index i holds line i + 1."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataFormatError(path, line, "UTF-8 (or ASCII) text", found=raw[err.start: err.start + 8]) from None
    if text.endswith("\n"):
        text = text[:-1]
    return [[_unquote(c) for c in line.rstrip("\r").split("\t")] for line in text.split("\n")]


def _unquote(cell: str) -> str:
    if len(cell) >= 2 and cell[0] == '"' and cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


def _blank(cells: list[str]) -> bool:
    return all(not c.strip() for c in cells)


def normalise_country(label: str) -> tuple[str, str | None]:
    """Tidy a row label the way the Treasury names it, and return its footnote marker.

    Parameters
    ----------
    label : str
        The first cell of a row, as in the file (quotes already removed).

    Returns
    -------
    tuple of (str, str or None)
        The label without surrounding or doubled spaces and without a trailing footnote marker
        (``"United Kingdom 2/"`` -> ``("United Kingdom", "2/")``, ``"Korea, South "`` ->
        ``("Korea, South", None)``). ``"China, Mainland"`` stays as the Treasury writes it.
    """
    text = " ".join(label.split())
    marker = None
    m = _FOOTNOTE.search(text)
    if m and m.start() > 0:
        marker = m.group(0).strip()
        text = text[: m.start()].rstrip()
    return text, marker


def _kind(country: str) -> str:
    if country == "Grand Total":
        return "total"
    if country == "All Other":
        return "other"
    if country in _AGGREGATES:
        return "aggregate"
    if country.startswith("For. Official"):
        return "official"
    return "country"


def _value(path, line: int, cell: str, where: str) -> float:
    text = cell.strip()
    if text == "n.a.":
        return np.nan
    if text == "*":  # the file's own footnote: "Less than $50 million", i.e. 0.0 after rounding
        return 0.0
    if _NUMBER.fullmatch(text):
        return float(text)
    raise DataFormatError(path, line, f"a holding in billions of dollars (a number, 'n.a.' or '*') {where}",
                          found=cell)


def _month_label(month: str) -> str:
    """``"2025-03"`` -> ``"Mar 2025"``, as the history file names months."""
    return f"{list(_MONTHS)[int(month[5:]) - 1]} {month[:4]}"


def _previous(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return f"{year:04d}-{mon:02d}"


@dataclass
class _Row:
    """One parsed row of a block: tidy label, kind, line, and one value per kept column."""

    country: str
    kind: str
    line: int
    values: list[float] = field(default_factory=list)


def _check_sums(path, months: list[str], rows: list[_Row], total_line: int) -> float:
    """Raise unless countries + aggregates + All Other equal Grand Total within rounding, per month.

    Returns the largest absolute residual, in billions of dollars.
    """
    parts = [r for r in rows if r.kind in ("country", "aggregate", "other")]
    total = next(r for r in rows if r.kind == "total")
    worst = 0.0
    for j, month in enumerate(months):
        terms = [r.values[j] for r in parts if not np.isnan(r.values[j])]
        grand = total.values[j]
        if np.isnan(grand):
            raise DataFormatError(path, total_line, f"a number for 'Grand Total' in {_month_label(month)}",
                                  found="n.a.")
        residual = sum(terms) - grand
        # Every figure (each term and the total) is rounded to 0.1 bn, so rounding alone moves the sum of
        # n terms away from the rounded total by at most 0.05 * (n + 1).
        tolerance = ROUNDING_BN / 2 * (len(terms) + 1) + 1e-9
        if abs(residual) > tolerance:
            first, last = min(r.line for r in parts), max(r.line for r in parts)
            raise DataFormatError(
                path, total_line,
                f"the {len(terms)} rows on lines {first}-{last} (countries, aggregates and 'All Other') to add up "
                f"to 'Grand Total' {grand:.1f} for {_month_label(month)} within rounding (+/- {tolerance:.2f} bn); "
                f"they add up to {sum(terms):.1f} (off by {residual:+.1f} bn), so a figure of that month is wrong",
            )
        worst = max(worst, abs(residual))
    return worst


def _frame(records: list[tuple[str, str, float, str]], attrs: dict) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records, columns=_COLUMNS)
    df["holdings_bn"] = df["holdings_bn"].astype("float64")
    df = df.sort_values(["month", "country"], kind="stable", ignore_index=True)
    df.attrs.update(attrs)
    return df


# ------------------------------------------------------------------------------------- history file


def _claim_row(path, i: int, country: str, raw: str, where: dict, cells: list[str], last: int, rule: str) -> None:
    """Record ``country``'s line (0-based ``i``) in ``where``; a repeated label or a cell past the last month
    column is a :class:`DataFormatError` naming the line."""
    if country in where:
        raise DataFormatError(path, i + 1, f"{rule}; '{country}' is already on line {where[country]}", found=raw)
    where[country] = i + 1
    for c in range(last + 1, len(cells)):
        if cells[c].strip():
            raise DataFormatError(path, i + 1, f"nothing after the last month column (column {last + 1}); "
                                  "is a column shifted?", found=cells[c])


def read_mfh_history(path: str | os.PathLike) -> pd.DataFrame:
    """Read the Treasury's history file ``mfhhis01.txt`` into a tidy table.

    Parameters
    ----------
    path : str or os.PathLike
        The tab-delimited history file "MAJOR FOREIGN HOLDERS OF TREASURY SECURITIES (in billions of
        dollars), HOLDINGS AT END OF PERIOD": one block per year, newest first.

    Returns
    -------
    pandas.DataFrame
        One row per month and row label, sorted by ``month`` then ``country``:

        - ``month`` (str, ``YYYY-MM``): the month whose end the holding is measured at;
        - ``country`` (str): the Treasury's label, footnote markers and stray spaces removed;
        - ``holdings_bn`` (float): holdings in billions of dollars, end of month; NaN where the file
          says ``n.a.``;
        - ``kind`` (str): one of :data:`KINDS`.

        ``attrs`` records ``source`` (the path), ``format`` (``"mfhhis01"``), ``unit`` (``"bn USD"``),
        ``series_breaks`` (one dict per break: ``month``, ``series``, ``previous_series``, ``footnote``,
        ``line``, ``comparison_dropped``), ``footnotes`` (tidy label -> markers seen, e.g.
        ``{"United Kingdom": ["2/"]}``) and ``max_sum_residual_bn``.

    Raises
    ------
    DataFormatError
        On any departure from the layout below; the message names the file, the 1-based line and what
        was expected there.

    Notes
    -----
    Layout read (from the real file, Mar 2000 - Dec 2025): a preamble holding the title and
    "(in billions of dollars)"; then per year, optionally two series-label rows (``Series 16/``,
    ``Series`` over roman numerals ``XII``, ``XI``), a month row (``Dec``, ``Nov``, ... ``Jan``), a
    ``Country`` row with the year under each month, a ``------`` row, the country rows (including the
    aggregates ``Oil Exporters 3/`` and ``Carib Bnkng Ctrs 4/`` of older years), ``All Other``,
    ``Grand Total``, then ``Of which:`` with ``For. Official``, ``Treasury Bills`` and
    ``T-Bonds & Notes``; after the last block the trailer ``Department of the Treasury/Federal Reserve
    Board`` and footnotes. Months must run newest first without gaps, within and across blocks.

    A month shown twice marks a series break (footnotes 6/-17/ of the file): the left-hand column is the
    new series and is kept; the right-hand one is "shown for comparison only" and is dropped (its
    cells are still checked to be numbers). ``Treasury Bills`` and ``T-Bonds & Notes`` are the split of
    ``For. Official`` and are labelled ``For. Official: Treasury Bills`` and
    ``For. Official: T-Bonds & Notes``.

    Every kept month is checked: countries, aggregates and ``All Other`` must add up to ``Grand Total``
    within :math:`0.05\\,(n + 1)` bn, the most that rounding each of the :math:`n` terms and the total to
    0.1 bn can explain. In the real file the largest residual is 0.5 bn (n = 36), a quarter of the bound.
    The dropped comparison column for June 2006 (Series VI) is off by 2.5 bn and would fail.

    Caveat on labels: ``United Kingdom 2/`` (to Feb 2016) includes the Channel Islands and the Isle of
    Man and ``United Kingdom`` afterwards does not; ``Belgium 5/`` before June 2002 includes
    Luxembourg (whose own row is ``n.a.`` then). Both become one tidy label; ``attrs["footnotes"]``
    keeps the markers.
    """
    lines = _read_lines(path)
    n = len(lines)
    i = 0
    # Preamble: the title and the unit must come before the first block.
    while i < n and not _month_row(lines[i]) and not _series_row(lines[i]) and _first(lines[i]) != "Country":
        i += 1
    preamble = " ".join(" ".join(c.strip() for c in cells) for cells in lines[:i])
    if _HISTORY_TITLE.lower() not in preamble.lower():
        raise DataFormatError(path, 1, f"the title '{_HISTORY_TITLE}' before the first year block",
                              found=" ".join(lines[0]).strip() if lines else "")
    if "billions of dollars" not in preamble.lower():
        raise DataFormatError(path, 1, "the unit line '(in billions of dollars)' before the first year block")

    records: list[tuple[str, str, float, str]] = []
    breaks: list[dict] = []
    footnotes: dict[str, set[str]] = {}
    last_month: str | None = None
    worst = 0.0
    blocks = 0
    while True:
        # Between blocks: blank lines, then a block (series rows or month row) or the trailer.
        while i < n and _blank(lines[i]):
            i += 1
        if i >= n:
            raise DataFormatError(path, n, f"the trailer line '{_HISTORY_TRAILER}' after the last year block "
                                  "(is the file truncated?)", found="<end of file>")
        first = _first(lines[i])
        if first == _HISTORY_TRAILER:
            break
        if first == "Country":
            above = " ".join(lines[i - 1]).strip() if i else ""
            raise DataFormatError(path, i + 1, "a month row (Dec, Nov, ... Jan) just above the 'Country' row",
                                  found=above or None)
        if not (_month_row(lines[i]) or _series_row(lines[i])):
            what = "the next year block (a month row: Dec, Nov, ... Jan)" if blocks else "the first year block"
            raise DataFormatError(path, i + 1, f"{what} or the trailer '{_HISTORY_TRAILER}'",
                                  found=first or "\t".join(lines[i]).strip())
        i, block = _read_block(path, lines, i)
        blocks += 1
        breaks.extend(block["breaks"])
        for month, line in zip(block["months"], block["month_lines"]):
            if last_month is not None and month != _previous(last_month):
                raise DataFormatError(
                    path, line, f"months newest first without gaps: {_month_label(_previous(last_month))} "
                    f"after {_month_label(last_month)}", found=_month_label(month))
            last_month = month
        worst = max(worst, _check_sums(path, block["months"], block["rows"], block["total_line"]))
        for row in block["rows"]:
            for month, value in zip(block["months"], row.values):
                records.append((month, row.country, value, row.kind))
        for label, marker in block["footnotes"]:
            footnotes.setdefault(label, set()).add(marker)

    attrs = {
        "source": str(path),
        "format": "mfhhis01",
        "unit": "bn USD",
        "series_breaks": breaks,
        "footnotes": {k: sorted(v) for k, v in sorted(footnotes.items())},
        "max_sum_residual_bn": round(worst, 6),
    }
    return _frame(records, attrs)


def _first(cells: list[str]) -> str:
    return cells[0].strip() if cells else ""


def _month_row(cells: list[str]) -> bool:
    rest = [c.strip() for c in cells[1:] if c.strip()]
    return not _first(cells) and bool(rest) and all(c in _MONTHS for c in rest)


def _series_row(cells: list[str]) -> bool:
    rest = [c.strip() for c in cells[1:] if c.strip()]
    return not _first(cells) and bool(rest) and all(c.startswith("Series") for c in rest)


def _read_block(path, lines: list[list[str]], i: int) -> tuple[int, dict]:
    """Parse one year block starting at index ``i``; return the index after it and its contents."""
    n = len(lines)
    series_cells: list[str] | None = None
    numeral_cells: list[str] | None = None
    series_line = 0
    if _series_row(lines[i]):
        series_cells, series_line = lines[i], i + 1
        numeral_cells = lines[i + 1] if i + 1 < n else []
        if not all(re.fullmatch(r"[IVXLC]+", numeral_cells[c].strip() if c < len(numeral_cells) else "")
                   for c, s in enumerate(series_cells) if c and s.strip()):
            raise DataFormatError(path, min(i + 2, n), "roman series numerals (e.g. 'XII') under each 'Series' label",
                                  found="\t".join(numeral_cells).strip())
        i += 2
    if i >= n or not _month_row(lines[i]):
        raise DataFormatError(path, min(i + 1, n), "a month row (Dec, Nov, ... Jan) starting a year block",
                              found="\t".join(lines[i]).strip() if i < n else "<end of file>")
    month_line = i + 1
    month_cells = lines[i]
    cols = [c for c, v in enumerate(month_cells) if c and v.strip()]
    if cols != list(range(1, len(cols) + 1)):
        raise DataFormatError(path, month_line, "month names in consecutive columns from the second column on",
                              found="\t".join(month_cells))
    # The year row: 'Country' and a year under every month, nothing elsewhere.
    year_cells = lines[i + 1] if i + 1 < n else []
    if _first(year_cells) != "Country":
        raise DataFormatError(path, min(i + 2, n), "the 'Country' row with a year under each month",
                              found="\t".join(year_cells).strip() if year_cells else "<end of file>")
    year_cols = [c for c, v in enumerate(year_cells) if c and v.strip()]
    if year_cols != cols or not all(re.fullmatch(r"(19|20)\d\d", year_cells[c].strip()) for c in cols):
        raise DataFormatError(path, i + 2, f"a four-digit year under each of the {len(cols)} months, "
                              "in the same columns", found="\t".join(year_cells))
    dash_cells = lines[i + 2] if i + 2 < n else []
    if [c for c, v in enumerate(dash_cells) if c and v.strip()] != cols or \
            not all(set(dash_cells[c].strip()) == {"-"} for c in cols):
        raise DataFormatError(path, min(i + 3, n), "a '------' rule under each month",
                              found="\t".join(dash_cells) if dash_cells else "<end of file>")
    months = [f"{year_cells[c].strip()}-{_MONTHS[month_cells[c].strip()]:02d}" for c in cols]

    # Series breaks: a month shown twice, side by side; the left column is the new series.
    labels = {}
    if series_cells is not None:
        for c, s in enumerate(series_cells):
            if c and s.strip():
                if c not in cols:
                    raise DataFormatError(path, series_line, "'Series' labels above month columns only",
                                          found="\t".join(series_cells))
                labels[c] = (s.strip(), numeral_cells[c].strip())
    keep = []
    breaks = []
    for k, c in enumerate(cols):
        if k and months[k] == months[k - 1]:
            prev = cols[k - 1]
            if prev not in labels or c not in labels:
                raise DataFormatError(path, month_line, f"'Series' labels above both {_month_label(months[k])} "
                                      "columns (a month shown twice is a series break)")
            continue
        if k and months[k] != _previous(months[k - 1]):
            raise DataFormatError(path, month_line, f"months newest first without gaps: "
                                  f"{_month_label(_previous(months[k - 1]))} after {_month_label(months[k - 1])}",
                                  found=_month_label(months[k]))
        keep.append(k)
    for c, (label, numeral) in labels.items():
        if label == "Series":
            continue  # the previous series, named next to the new one
        k = cols.index(c)
        nxt = cols[k + 1] if k + 1 < len(cols) else None
        previous = labels.get(nxt, ("", None))[1] if nxt is not None else None
        footnote = label.removeprefix("Series").strip() or None
        breaks.append({
            "month": months[k], "series": numeral, "previous_series": previous, "footnote": footnote,
            "line": month_line, "comparison_dropped": nxt is not None and months[k + 1] == months[k],
        })

    # Country rows through 'Grand Total', then the 'Of which:' memo rows.
    i += 3
    rows: list[_Row] = []
    where: dict[str, int] = {}
    footnotes = []
    total_line = None
    official = list(_OFFICIAL_HISTORY)
    stage = "countries"
    last = max(cols)
    while True:
        if i >= n:
            need = "a 'Grand Total' row" if stage == "countries" else f"the '{official[0]}' row"
            raise DataFormatError(path, n, f"{need} to close the {months[0][:4]} block (is the file truncated?)",
                                  found="<end of file>")
        cells = lines[i]
        if _blank(cells):
            i += 1
            continue
        raw = _first(cells)
        if stage == "of_which":
            if raw != "Of which:":
                raise DataFormatError(path, i + 1, "the 'Of which:' line after 'Grand Total'", found=raw)
            stage = "official"
            i += 1
            continue
        if _month_row(cells) or _series_row(cells) or raw in ("Country", "Of which:") or not raw:
            need = "a 'Grand Total' row" if stage == "countries" else f"the '{official[0]}' row"
            raise DataFormatError(path, i + 1, f"{need} to close the {months[0][:4]} block",
                                  found=raw or "\t".join(cells).strip())
        country, marker = normalise_country(raw)
        if stage == "official":
            if country != official[0]:
                raise DataFormatError(path, i + 1, f"the '{official[0]}' row of the 'Of which:' section", found=raw)
            country = _OFFICIAL_HISTORY[official.pop(0)]
        if marker:
            footnotes.append((country, marker))
        _claim_row(path, i, country, raw, where, cells, last, "each row label once per block")
        values = []
        for k, c in enumerate(cols):
            cell = cells[c] if c < len(cells) else ""
            value = _value(path, i + 1, cell, f"in column {c + 1} ({_month_label(months[k])})")
            if k in keep:
                values.append(value)
        rows.append(_Row(country, _kind(country), i + 1, values))
        i += 1
        if stage == "countries" and country == "Grand Total":
            total_line = i
            if "All Other" not in where:
                raise DataFormatError(path, total_line, "an 'All Other' row before 'Grand Total'", found=raw)
            stage = "of_which"
        elif stage == "official" and not official:
            break
    kept = [months[k] for k in keep]
    return i, {
        "months": kept, "month_lines": [month_line] * len(kept), "rows": rows, "total_line": total_line,
        "breaks": breaks, "footnotes": footnotes,
    }


# ------------------------------------------------------------------------------------- SLT Table 5


def read_slt_table5(path: str | os.PathLike) -> pd.DataFrame:
    """Read the current "Table 5: Major Foreign Holders of Treasury Securities" download (``slt_table5.txt``).

    Parameters
    ----------
    path : str or os.PathLike
        The tab-delimited text download of SLT Table 5 (published since the March 2023 move of the
        major-foreign-holders table into the SLT release; about 13 months, newest first).

    Returns
    -------
    pandas.DataFrame
        The same contract as :func:`read_mfh_history`: ``month`` (``YYYY-MM``), ``country``,
        ``holdings_bn`` (billions of dollars, end of month; NaN for ``n.a.``) and ``kind``, sorted by
        month then country. The ``Of Which:`` rows get the history file's labels: ``For. Official``,
        ``For. Official: Treasury Bills``, ``For. Official: T-Bonds & Notes``. ``attrs`` records
        ``source``, ``format`` (``"slt_table5"``), ``unit`` and ``max_sum_residual_bn``.

    Raises
    ------
    DataFormatError
        On any departure from the layout below, naming the file, the 1-based line and what was expected.

    Notes
    -----
    Layout supported::

        Table 5: Major Foreign Holders of Treasury Securities
        Holdings at end of time period
        Billions of dollars
        Link: https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/slt_table5.txt
        <blank>
        Country<TAB>2026-02<TAB>2026-01<TAB>...<TAB>2025-02
        Japan<TAB>1239.3<TAB>...
        ... (about 20-25 country rows, "China, Mainland" and "Korea, South" unquoted)
        All Other<TAB>...
        Grand Total<TAB>...
        Of Which: Foreign Official<TAB>...
        Of Which: Foreign Official Treasury Bills<TAB>...
        Of Which: Foreign Official T-Bonds & Notes<TAB>...
        <blank>
        Notes: ... (free text, ignored)

    No copy of the Treasury's file was available offline. The layout was learnt from public code that
    reads the live file, found with the project's code search: a debugging note quoting the file's
    head as fetched on 2026-04-30 (header lines, ``Country`` row with ``YYYY-MM`` months, ``All Other``,
    ``Grand Total``, three ``Of Which:`` rows, a trailing ``Notes:`` block), test fixtures described as
    trimmed copies of the real file (with ``\\t`` padding on the title lines and CRLF line ends), and
    strict validators of the same URL (title on the first line, ``Billions of dollars`` within the
    first six lines, exactly one ``Country`` row, unique descending ``YYYY-MM`` months, one decimal).

    Table 5 carries holdings only. Net U.S. sales and valuation changes by country are in SLT
    Table 3 (``slt_table3.txt``, millions of dollars, columns ``for_treas_pos``, ``for_treas_net``,
    ``for_lt_treas_valchg`` ...), a different file not read here; so no ``net_sales_bn`` or
    ``valuation_change_bn`` columns are returned.

    The same sum check as for the history file applies: countries plus ``All Other`` must equal
    ``Grand Total`` within :math:`0.05\\,(n + 1)` bn in every month.
    """
    lines = _read_lines(path)
    n = len(lines)
    first_text = next((i for i, cells in enumerate(lines) if not _blank(cells)), None)
    if first_text is None or _TABLE5_TITLE.lower() not in _first(lines[first_text]).lower():
        line = 1 if first_text is None else first_text + 1
        raise DataFormatError(path, line, f"the title '{_TABLE5_TITLE}' on the first line",
                              found=_first(lines[first_text]) if first_text is not None else "<empty file>")
    headers = [i for i, cells in enumerate(lines) if _first(cells) == "Country"]
    if not headers:
        data = next((i for i, cells in enumerate(lines)
                     if _first(cells) and len(cells) > 1 and _NUMBER.fullmatch(cells[1].strip())), first_text)
        raise DataFormatError(path, data + 1, "the 'Country' header row with YYYY-MM months above the first "
                              "row of figures", found=_first(lines[data]))
    if len(headers) > 1:
        raise DataFormatError(path, headers[1] + 1, "only one 'Country' header row; the first is on line "
                              f"{headers[0] + 1}", found=_first(lines[headers[1]]))
    h = headers[0]
    if not any("billions of dollars" in " ".join(cells).lower() for cells in lines[:h]):
        raise DataFormatError(path, first_text + 1, "the unit line 'Billions of dollars' above the 'Country' row")
    header = lines[h]
    last = max(c for c, v in enumerate(header) if v.strip())
    if last == 0:
        raise DataFormatError(path, h + 1, "YYYY-MM months after 'Country'", found="\t".join(header))
    cols = list(range(1, last + 1))
    months = [header[c].strip() for c in cols]
    for c, month in zip(cols, months):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise DataFormatError(path, h + 1, f"a YYYY-MM month in column {c + 1} of the 'Country' row",
                                  found=header[c])
    for k in range(1, len(months)):
        if months[k] != _previous(months[k - 1]):
            raise DataFormatError(path, h + 1, f"months newest first without gaps: {_previous(months[k - 1])} "
                                  f"after {months[k - 1]}", found=months[k])

    rows: list[_Row] = []
    where: dict[str, int] = {}
    i = h + 1
    while i < n and not _blank(lines[i]) and not _first(lines[i]).startswith("Notes"):
        cells = lines[i]
        raw = _first(cells)
        if not raw:
            raise DataFormatError(path, i + 1, "a row label in the first column (is a column shifted?)",
                                  found="\t".join(cells))
        country, _ = normalise_country(raw)
        country = _OFFICIAL_TABLE5.get(country, country)
        _claim_row(path, i, country, raw, where, cells, last, "each row label once")
        values = [_value(path, i + 1, cells[c] if c < len(cells) else "", f"in column {c + 1} ({m})")
                  for c, m in zip(cols, months)]
        rows.append(_Row(country, _kind(country), i + 1, values))
        i += 1
    end = i + 1
    for label in ("All Other", "Grand Total"):
        if label not in where:
            raise DataFormatError(path, min(end, n), f"an '{label}' row in the table under the 'Country' row",
                                  found="<end of table>")
    worst = _check_sums(path, months, rows, where["Grand Total"])
    records = [(m, r.country, v, r.kind) for r in rows for m, v in zip(months, r.values)]
    return _frame(records, {"source": str(path), "format": "slt_table5", "unit": "bn USD",
                            "max_sum_residual_bn": round(worst, 6)})


# ------------------------------------------------------------------------------------------ dispatch


def read_major_foreign_holders(path: str | os.PathLike) -> pd.DataFrame:
    """Read either Treasury "Major Foreign Holders" layout, recognised from the file's own title.

    Parameters
    ----------
    path : str or os.PathLike
        ``mfhhis01.txt`` (history, title "MAJOR FOREIGN HOLDERS OF TREASURY SECURITIES") or
        ``slt_table5.txt`` (current, title "Table 5: Major Foreign Holders of Treasury Securities").

    Returns
    -------
    pandas.DataFrame
        ``month``, ``country``, ``holdings_bn`` (billions of dollars, end of month) and ``kind``;
        see :func:`read_mfh_history` and :func:`read_slt_table5`. ``attrs["format"]`` says which
        layout was read.

    Raises
    ------
    DataFormatError
        If the file is in neither layout, or fails the chosen reader's checks.
    """
    lines = _read_lines(path)
    head = [" ".join(c.strip() for c in cells).strip() for cells in lines[:12]]
    for text in head:
        if _TABLE5_TITLE.lower() in text.lower():
            return read_slt_table5(path)
        if _HISTORY_TITLE.lower() in text.lower():
            return read_mfh_history(path)
    found = next((t for t in head if t), "<empty file>")
    raise DataFormatError(path, 1, f"a TIC major-foreign-holders file: the title '{_HISTORY_TITLE}' "
                          f"(history file mfhhis01.txt) or '{_TABLE5_TITLE}' (slt_table5.txt) in the first lines",
                          found=found)
