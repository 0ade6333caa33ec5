"""Read the European Central Bank's euro foreign exchange reference rates (``eurofxref-hist.csv``).

The ECB sets the rates at about 14:15 CET each TARGET business day (8:15 am in New York) as units of a
currency per euro. The history file has the header ``Date,USD,JPY,...`` (each line ends with a comma),
one row per business day, newest first, and ``N/A`` where a currency is not quoted. The ECB serves it
zipped (:data:`ECB_URL`); :func:`unzip_history` takes the CSV out of the archive.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd

from ...errors import DataFormatError

__all__ = ["ECB_URL", "SERIES", "cross_rate", "parse_eurofxref", "unzip_history"]

#: The ECB's address of the full history (a zip holding ``eurofxref-hist.csv``).
ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"

#: The book's ids of rates at the ECB fixing: id -> (base, quote), the rate being units of quote per base.
SERIES = {"ECBJPYUSD": ("USD", "JPY")}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^(\d+(\.\d*)?|\.\d+)$")
_CODE = re.compile(r"^[A-Z]{3}$")


def unzip_history(data: bytes, url: str = ECB_URL) -> str:
    """The text of ``eurofxref-hist.csv`` inside the ECB's zip; :class:`DataFormatError` if it is not there."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n for n in zf.namelist() if n.endswith(".csv")]
            if len(names) != 1:
                raise DataFormatError(url, None, "a zip holding one CSV (eurofxref-hist.csv)", ", ".join(zf.namelist()))
            return zf.read(names[0]).decode("utf-8")
    except (zipfile.BadZipFile, UnicodeDecodeError) as err:
        raise DataFormatError(url, None, "a zip archive holding the UTF-8 CSV eurofxref-hist.csv", str(err)[:80]) from None


def parse_eurofxref(data: bytes, source="<bytes>") -> pd.DataFrame:
    """Parse the ECB reference-rate history into a frame of rates per euro.

    Parameters
    ----------
    data : bytes
        ``eurofxref-hist.csv`` (UTF-8; a trailing comma on every line, as the ECB writes it).
    source : str or pathlib.Path
        Named in error messages.

    Returns
    -------
    pandas.DataFrame
        ``DatetimeIndex`` named ``date`` (TARGET business days, ascending: the file's order is reversed),
        one float column per currency code (``USD``, ``JPY``, ...): units of the currency per euro at the
        14:15 CET fixing; NaN where the file has ``N/A`` or an empty cell.

    Raises
    ------
    DataFormatError
        Naming the file and line: bytes that are not UTF-8, a header not starting ``Date,USD,JPY`` or with a
        field that is not a currency code, a row with the wrong number of fields, a date not YYYY-MM-DD, a
        cell that is neither a positive number nor ``N/A``, or dates that are repeated or out of order.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DataFormatError(source, line, "UTF-8 text as the ECB publishes it", data[err.start: err.start + 8]) from None
    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        raise DataFormatError(source, 1, "the header Date,USD,JPY,...", "an empty file")
    header = [h.strip() for h in lines[0].rstrip(",").split(",")]
    if header[:3] != ["Date", "USD", "JPY"] or not all(_CODE.match(c) for c in header[1:]):
        raise DataFormatError(source, 1, "the header Date,USD,JPY,... (three-letter currency codes)", lines[0][:80])
    n = len(header)
    dates, rows = [], []
    for k, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        cells = [c.strip() for c in raw.rstrip(",").split(",")]
        if len(cells) != n:
            raise DataFormatError(source, k, f"{n} fields (Date and {n - 1} currencies)", f"{len(cells)} fields")
        if not _DATE.match(cells[0]):
            raise DataFormatError(source, k, "a date as YYYY-MM-DD", cells[0])
        values = []
        for cell in cells[1:]:
            if cell in ("N/A", ""):
                values.append(np.nan)
            elif _NUMBER.match(cell) and float(cell) > 0:
                values.append(float(cell))
            else:
                raise DataFormatError(source, k, "a positive rate per euro or N/A", cell)
        date = pd.Timestamp(cells[0])
        if dates and date >= dates[-1]:
            raise DataFormatError(source, k, f"dates newest first and unique (before {dates[-1]:%Y-%m-%d})", cells[0])
        dates.append(date)
        rows.append(values)
    if not rows:
        raise DataFormatError(source, 2, "at least one row of rates", "no rows")
    frame = pd.DataFrame(rows, columns=header[1:], index=pd.DatetimeIndex(dates, name="date"))
    return frame.iloc[::-1]


def cross_rate(rates: pd.DataFrame, base: str, quote: str) -> pd.Series:
    """Units of ``quote`` per unit of ``base`` from rates per euro: ``rates[quote] / rates[base]``.

    For example ``cross_rate(rates, "USD", "JPY")`` is yen per US dollar at the 14:15 CET fixing. NaN
    where either rate is missing.
    """
    for code in (base, quote):
        if code not in rates.columns:
            raise KeyError(f"currency {code!r} is not in the ECB reference rates (columns: {', '.join(rates.columns)})")
    return rates[quote] / rates[base]
