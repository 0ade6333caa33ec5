"""Read the New York Fed's ACM term-structure estimates (monthly sheet saved as CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pandas as pd

from ...errors import DataFormatError

__all__ = ["ACM_URL", "parse_acm_monthly"]

#: The New York Fed's workbook; its "ACM Monthly" sheet is what ``nyfed/ACMTermPremium_monthly.csv`` holds.
ACM_URL = "https://www.newyorkfed.org/medialibrary/media/research/data_indicators/ACMTermPremium.xls"

_COLUMN = re.compile(r"^ACM(Y|TP|RNY)(0[1-9]|10)$")


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
