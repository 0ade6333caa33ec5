"""Read Japan's Ministry of Finance JGB yield file (``jgbcm_all.csv``: Shift_JIS, Japanese-era dates).

The Ministry publishes constant-maturity JGB yields (percent, end of day in Tokyo) for 1 to 40 years in one
CSV: line 1 is a title (``国債金利情報`` ... ``(単位 : %)``), line 2 the header ``基準日,1年,...,40年``, then one
row per Tokyo business day, oldest first, dated in the Japanese era notation (``S49.9.24`` = Showa 49 =
1974-09-24, ``H1.1.9`` = 1989-01-09, ``R7.5.2`` = 2025-05-02). ``-`` marks a tenor not quoted that day.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from ...errors import DataFormatError

__all__ = ["ERAS", "JGB_URL", "TENORS", "era_to_date", "parse_jgbcm", "series_id"]

#: The Ministry's address of the full history (the current month is in ``jgbcm.csv`` beside it).
JGB_URL = "https://www.mof.go.jp/jgbs/reference/interest_rate/data/jgbcm_all.csv"

#: Japanese eras in the file: letter -> (name, first day, last day). Year 1 of an era is the year of its
#: first day; an era's last year ends on the day before the next era began.
ERAS = {
    "S": ("Showa", dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    "H": ("Heisei", dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    "R": ("Reiwa", dt.date(2019, 5, 1), dt.date(9999, 12, 31)),
}

#: Tenors in years, in the header's order.
TENORS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40)

_HEADER = ["基準日"] + [f"{t}年" for t in TENORS]
_ERA_DATE = re.compile(r"^([SHR])(\d{1,2})\.(\d{1,2})\.(\d{1,2})$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")


def series_id(tenor: int) -> str:
    """The book's id of the JGB yield of ``tenor`` years, e.g. ``JGB10Y``."""
    return f"JGB{int(tenor)}Y"


def era_to_date(text: str) -> dt.date:
    """Convert an era date such as ``R7.5.2`` to a Gregorian date (here 2025-05-02).

    Raises
    ------
    ValueError
        If ``text`` is not ``<S|H|R><year>.<month>.<day>``, is not a calendar date, or falls outside its
        era (``H31.5.1`` is Reiwa, not Heisei; ``S64.1.8`` is Heisei 1).
    """
    m = _ERA_DATE.match(text.strip())
    if m is None:
        raise ValueError(f"{text!r} is not an era date like R7.5.2 (era letter S, H or R, year.month.day)")
    era, year, month, day = m.group(1), *(int(g) for g in m.groups()[1:])
    name, first, last = ERAS[era]
    if year < 1:
        raise ValueError(f"{text!r}: era years start at 1")
    date = dt.date(first.year + year - 1, month, day)  # ValueError for 2 Feb 30 and the like
    if not first <= date <= last:
        raise ValueError(f"{text!r} = {date} lies outside the {name} era ({first} to {last})")
    return date


def _decode(data: bytes, source) -> tuple[str, str]:
    """Text of the file and the encoding it was in: Shift_JIS as published, or UTF-8 (the cache's copy)."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "shift_jis"
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DataFormatError(source, line, "Shift_JIS text as the Ministry of Finance publishes it",
                              data[err.start: err.start + 8]) from None


def parse_jgbcm(data: bytes, source="<bytes>") -> pd.DataFrame:
    """Parse ``jgbcm_all.csv`` into a frame of JGB yields.

    Parameters
    ----------
    data : bytes
        The file as published (Shift_JIS, CRLF) or re-encoded as UTF-8 (how the store caches a download).
    source : str or pathlib.Path
        Named in error messages.

    Returns
    -------
    pandas.DataFrame
        ``DatetimeIndex`` named ``date`` (Tokyo business days, ascending), one float column per tenor
        named ``JGB1Y`` ... ``JGB40Y``: yields in percent at the Tokyo close; NaN where the file has ``-``.

    Raises
    ------
    DataFormatError
        Naming the file and line: an encoding that is neither Shift_JIS nor UTF-8, a missing title or a
        changed header, a row with the wrong number of fields, a date that is not a valid era date, a cell
        that is neither a number nor ``-``, or dates that are repeated or not ascending.
    """
    text, _ = _decode(data, source)
    lines = text.lstrip("\ufeff").splitlines()
    if len(lines) < 3 or "単位" not in lines[0]:
        raise DataFormatError(source, 1, "the title line of the MoF file (国債金利情報 ... (単位 : %))",
                              lines[0][:60] if lines else "")
    header = [h.strip() for h in lines[1].split(",")]
    if header != _HEADER:
        raise DataFormatError(source, 2, "the header " + ",".join(_HEADER), ",".join(header)[:120])
    dates, rows = [], []
    for k, raw in enumerate(lines[2:], start=3):
        if not raw.strip():
            continue
        cells = [c.strip() for c in raw.split(",")]
        if len(cells) != len(_HEADER):
            raise DataFormatError(source, k, f"{len(_HEADER)} fields (date and {len(TENORS)} tenors)",
                                  f"{len(cells)} fields")
        try:
            date = era_to_date(cells[0])
        except ValueError as err:
            raise DataFormatError(source, k, "an era date such as R7.5.2 within its era", f"{cells[0]} ({err})") from None
        values = []
        for cell in cells[1:]:
            if cell == "-":
                values.append(np.nan)
            elif _NUMBER.match(cell):
                values.append(float(cell))
            else:
                raise DataFormatError(source, k, "a yield in percent or '-' (not quoted)", cell)
        if dates and date <= dates[-1][0]:
            raise DataFormatError(source, k, f"dates ascending and unique (after {dates[-1][0]})", cells[0])
        dates.append((date, k))
        rows.append(values)
    if not rows:
        raise DataFormatError(source, 3, "at least one row of yields", "no rows")
    frame = pd.DataFrame(rows, columns=[series_id(t) for t in TENORS],
                         index=pd.DatetimeIndex([d for d, _ in dates], name="date"))
    return frame
