"""Read the New York Fed's ACM term-structure estimates (monthly sheet saved as CSV).

The New York Fed publishes the estimates as an Excel workbook (:data:`ACM_URL`, the old ``.xls`` format);
its sheet "ACM Monthly" holds one row per month end: ``DATE`` (text such as ``30-Jun-1961``) and fitted
yields, term premia and risk-neutral yields for 1 to 10 years in percent. The book stores that sheet as CSV
(``nyfed/ACMTermPremium_monthly.csv``) in the layout R's ``write.csv`` gave the mirror's copy: header and
dates quoted, numbers to 15 significant digits, ``\n`` line ends. :func:`workbook_to_csv` turns a downloaded
workbook into that CSV (reading the sheet with :func:`pandas.read_excel` and its ``calamine`` engine, which reads ``.xls``);
:func:`parse_acm_monthly` reads the CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import numpy as np
import pandas as pd

from ...errors import DataFormatError

__all__ = ["ACM_COLUMNS", "ACM_SHEET", "ACM_URL", "parse_acm_monthly", "sheet_to_csv", "workbook_to_csv"]

#: The New York Fed's workbook; its "ACM Monthly" sheet is what ``nyfed/ACMTermPremium_monthly.csv`` holds.
ACM_URL = "https://www.newyorkfed.org/medialibrary/media/research/data_indicators/ACMTermPremium.xls"

#: The workbook's sheet the CSV holds.
ACM_SHEET = "ACM Monthly"

#: The CSV's columns, in order: the date, then fitted yields, term premia and risk-neutral yields, 1 to 10 years.
ACM_COLUMNS = ("DATE", *[f"ACM{kind}{n:02d}" for kind in ("Y", "TP", "RNY") for n in range(1, 11)])

_COLUMN = re.compile(r"^ACM(Y|TP|RNY)(0[1-9]|10)$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _date_text(cell) -> str | None:
    """A DATE cell as ``30-Jun-1961``: text in that form (the workbook's), or a date cell; else None."""
    if isinstance(cell, str):
        text = cell.strip()
        try:
            dt.datetime.strptime(text, "%d-%b-%Y")
        except ValueError:
            return None
        return text
    if isinstance(cell, (dt.date, pd.Timestamp)) and not pd.isna(cell):
        stamp = pd.Timestamp(cell)
        if stamp != stamp.normalize():
            return None
        return f"{stamp.day:02d}-{_MONTHS[stamp.month - 1]}-{stamp.year:04d}"  # not %b: locale-independent
    return None


def sheet_to_csv(sheet: pd.DataFrame, source="<sheet>") -> bytes:
    """The "ACM Monthly" sheet, as :func:`pandas.read_excel` returns it, as the CSV the book stores.

    Parameters
    ----------
    sheet : pandas.DataFrame
        The sheet read with its first row as the header: a ``DATE`` column (text like ``30-Jun-1961``, or
        dates) and the 30 columns of :data:`ACM_COLUMNS` (numbers), in any order. Rows with every cell
        empty are dropped (a sheet's blank trailing rows).
    source : str
        Named in error messages (the workbook's URL).

    Returns
    -------
    bytes
        UTF-8 CSV: the header ``"DATE","ACMY01",...,"ACMRNY10"``, then one row per month with the date
        quoted (``"30-Jun-1961"``) and each number to 15 significant digits, ``\n`` line ends; the layout
        of the mirror's ``nyfed/ACMTermPremium_monthly.csv``, which :func:`parse_acm_monthly` reads.

    Raises
    ------
    DataFormatError
        Naming the sheet and its row (row 1 is the header): a column missing or one not in
        :data:`ACM_COLUMNS`, a date that is neither ``dd-Mon-yyyy`` text nor a date, an empty or
        non-numeric value.
    """
    where = f"{source} (sheet {ACM_SHEET!r})"
    columns = [str(c).strip() for c in sheet.columns]
    missing = [c for c in ACM_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in ACM_COLUMNS]
    if missing or extra or len(set(columns)) != len(columns):
        found = "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                      f"unexpected {', '.join(extra)}" if extra else "",
                                      "repeated names" if len(set(columns)) != len(columns) else "") if p)
        raise DataFormatError(where, 1, "the header DATE, ACMY01..ACMY10, ACMTP01..ACMTP10, ACMRNY01..ACMRNY10",
                              found)
    frame = sheet.set_axis(columns, axis=1)[list(ACM_COLUMNS)]
    out = io.StringIO()
    out.write(",".join(f'"{c}"' for c in ACM_COLUMNS) + "\n")
    rows = 0
    for k, record in enumerate(frame.itertuples(index=False, name=None)):
        row = k + 2  # the sheet's row: 1 is the header
        if all(pd.isna(v) or (isinstance(v, str) and not v.strip()) for v in record):
            continue
        date = _date_text(record[0])
        if date is None:
            raise DataFormatError(where, row, "a DATE like 30-Jun-1961 (text or a date)", record[0])
        values = []
        for name, value in zip(ACM_COLUMNS[1:], record[1:]):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or pd.isna(value):
                raise DataFormatError(where, row, f"a number in percent in {name}", value)
            values.append(format(float(value), ".15g"))
        out.write(f'"{date}",' + ",".join(values) + "\n")
        rows += 1
    if not rows:
        raise DataFormatError(where, 2, "at least one month", "no rows")
    return out.getvalue().encode("utf-8")


def workbook_to_csv(data: bytes, source="<bytes>") -> bytes:
    """The "ACM Monthly" sheet of the New York Fed's workbook (``.xls`` bytes) as the CSV the book stores.

    Reads the sheet with :func:`pandas.read_excel` and the ``calamine`` engine (``python-calamine``, which reads
    ``.xls`` as well as ``.xlsx``; pandas 3 deprecates its ``xlrd`` engine) and converts it with
    :func:`sheet_to_csv`.

    Raises
    ------
    DataFormatError
        Naming ``source``: bytes that are not an Excel workbook, a workbook without the sheet, or a sheet
        :func:`sheet_to_csv` refuses.
    """
    from python_calamine import CalamineError

    try:
        sheet = pd.read_excel(io.BytesIO(data), sheet_name=ACM_SHEET, engine="calamine")
    except (CalamineError, ValueError) as err:
        raise DataFormatError(source, None, f"an Excel workbook (.xls) with the sheet {ACM_SHEET!r}",
                              f"{type(err).__name__}: {str(err)[:160]}") from None
    return sheet_to_csv(sheet, source)


def parse_acm_monthly(data: bytes, source="<bytes>") -> pd.DataFrame:
    """Parse the ACM monthly CSV: ``DATE`` (``30-Jun-1961``) and ``ACMY01`` ... ``ACMRNY10`` (percent).

    Returns
    -------
    pandas.DataFrame
        ``DatetimeIndex`` named ``date`` (month ends, ascending), float columns in percent: fitted yields
        (``ACMY``), term premia (``ACMTP``) and risk-neutral yields (``ACMRNY``) for 1 to 10 years.

    Raises
    ------
    DataFormatError
        Naming the file and line: text that is not UTF-8, a header other than ``DATE`` and ACM columns, a row
        with the wrong number of fields, a date not like ``30-Jun-1961``, an empty or non-numeric cell, or
        dates that are repeated or not ascending.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataFormatError(source, data[: err.start].count(b"\n") + 1, "UTF-8 text", data[err.start: err.start + 8]) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if not header or header[0] != "DATE" or not all(_COLUMN.match(c) for c in header[1:]) or len(header) < 2:
        raise DataFormatError(source, 1, "the header DATE,ACMY01,...,ACMRNY10", ",".join(header)[:80])
    dates, rows = [], []
    for record in reader:
        line = reader.line_num
        if not any(f.strip() for f in record):
            continue
        if len(record) != len(header):
            raise DataFormatError(source, line, f"{len(header)} fields", f"{len(record)} fields")
        try:
            date = dt.datetime.strptime(record[0], "%d-%b-%Y")
        except ValueError:
            raise DataFormatError(source, line, "a date like 30-Jun-1961", record[0]) from None
        try:
            values = [float(v) for v in record[1:]]
        except ValueError:
            raise DataFormatError(source, line, "numbers in percent in every ACM column", ",".join(record[1:4])) from None
        if dates and date <= dates[-1]:
            raise DataFormatError(source, line, f"dates ascending and unique (after {dates[-1]:%Y-%m-%d})", record[0])
        dates.append(date)
        rows.append(values)
    if not rows:
        raise DataFormatError(source, 2, "at least one month", "no rows")
    return pd.DataFrame(rows, columns=header[1:], index=pd.DatetimeIndex(dates, name="date"))
