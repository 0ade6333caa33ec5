"""Read, write and fetch FRED series in FRED's own CSV format (``observation_date,SERIES``)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataFormatError, FetchError

#: FRED's CSV download address; ``?id=SERIES`` selects the series.
FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
#: Header names FRED has used for the date column (current, then legacy).
DATE_HEADERS = ("observation_date", "DATE")


def fred_url(series_id: str) -> str:
    """The public CSV address of one FRED series (no API key involved)."""
    return f"{FRED_CSV_URL}?id={series_id}"


def parse_fred_csv(text: str, series_id: str, source: str = "<text>") -> pd.Series:
    """Parse FRED CSV text into a float Series indexed by date.

    Parameters
    ----------
    text : str
        The CSV text: a header ``observation_date,SERIES`` (or the legacy ``DATE,SERIES``), then one
        ``YYYY-MM-DD,value`` line per observation. Empty values and FRED's ``.`` are missing.
    series_id : str
        The FRED id the header must name.
    source : str
        File name or URL, used in error messages.

    Returns
    -------
    pandas.Series
        Float values in the series' own unit (percent for yields, currency units for exchange rates),
        named ``series_id``, with a ``DatetimeIndex`` named ``date``; NaN where FRED has no value.

    Raises
    ------
    DataFormatError
        Naming the source and line when the header, a date or a value is not what FRED writes.
    """
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DataFormatError(source, 1, f"a FRED CSV header 'observation_date,{series_id}'", "an empty file")
    header = [h.strip().strip('"') for h in lines[0].lstrip("\ufeff").split(",")]
    if len(header) != 2 or header[0] not in DATE_HEADERS or header[1] != series_id:
        raise DataFormatError(source, 1, f"the FRED CSV header 'observation_date,{series_id}'", lines[0][:80])
    dates, values = [], []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split(",")
        if len(cells) != 2:
            raise DataFormatError(source, lineno, "two comma-separated cells 'date,value'", line[:80])
        raw_date, raw_value = cells[0].strip(), cells[1].strip()
        try:
            date = pd.Timestamp(raw_date)
        except (ValueError, TypeError):
            raise DataFormatError(source, lineno, "a date 'YYYY-MM-DD'", raw_date) from None
        if raw_value in ("", "."):
            value = np.nan
        else:
            try:
                value = float(raw_value)
            except ValueError:
                raise DataFormatError(source, lineno, f"a number or an empty cell for {series_id}", raw_value) from None
            if not np.isfinite(value):
                raise DataFormatError(source, lineno, f"a finite number for {series_id}", raw_value)
        dates.append(date)
        values.append(value)
    index = pd.DatetimeIndex(dates, name="date")
    return pd.Series(np.asarray(values, dtype=float), index=index, name=series_id)


def read_fred_csv(path: str | Path, series_id: str | None = None) -> pd.Series:
    """Read one FRED CSV file; ``series_id`` defaults to the file's stem (``DGS10.csv`` -> ``DGS10``)."""
    path = Path(path)
    series_id = series_id or path.stem
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataFormatError(path, None, "UTF-8 text as FRED serves it", "undecodable bytes") from None
    return parse_fred_csv(text, series_id, source=str(path))


def format_fred_csv(series: pd.Series) -> str:
    """Render a Series in FRED's CSV format: header ``observation_date,NAME``, empty cells for NaN."""
    if series.name is None:
        raise ValueError("the Series needs a name (its FRED id) to write a FRED CSV header")
    out = io.StringIO()
    out.write(f"observation_date,{series.name}\n")
    for date, value in zip(series.index, series.to_numpy(dtype=float)):
        cell = "" if np.isnan(value) else repr(float(value))
        out.write(f"{pd.Timestamp(date):%Y-%m-%d},{cell}\n")
    return out.getvalue()


def fetch_fred_csv(series_id: str, *, session=None, timeout: float = 30.0, retry_count: int = 3,
                   pause: float = 0.5) -> str:
    """Download one series' CSV text from FRED through pandas-datareader's HTTP layer.

    The whole history is fetched (callers slice by date), so the cached file is what FRED served.
    ``session`` is a ``requests.Session``-like object (tests pass a fake one). Transient failures are
    retried ``retry_count`` times, ``pause`` seconds apart.

    Raises
    ------
    FetchError
        Naming the series and URL, when the download fails or returns no data.
    """
    from pandas_datareader.fred import FredReader

    url = fred_url(series_id)
    reader = FredReader(series_id, session=session, timeout=timeout, retry_count=retry_count, pause=pause)
    try:
        return reader._read_url_as_StringIO(url).getvalue()
    except Exception as exc:  # pandas-datareader raises RemoteDataError, OSError or requests' errors
        raise FetchError(
            f"could not download FRED series {series_id} from {url}: {exc}. Check the series id and the "
            "network, or point TREASURYCARD_MIRROR at an offline copy of the data"
        ) from exc
    finally:
        reader.close()
