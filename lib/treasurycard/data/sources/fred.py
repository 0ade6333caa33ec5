"""Read, write and fetch FRED series in FRED's own CSV format (``observation_date,SERIES``)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataFormatError, FetchError, redact_secrets
from ..settings import live_url

#: FRED's public CSV download address; ``?id=SERIES`` selects the series. The address used is
#: :func:`fred_url`, whose base is ``TREASURYCARD_FRED_BASE_URL`` if set (see :mod:`treasurycard.data.settings`).
FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
#: Header names FRED has used for the date column (current, then legacy).
DATE_HEADERS = ("observation_date", "DATE")
#: HTTP statuses worth retrying: request timeout, too early, too many requests, server errors.
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
#: Upper bound on ``retry_count``: a live fetch is never retried more often than this.
MAX_RETRIES = 6
#: Upper bound, in seconds, on any single pause between retries (including a server's ``Retry-After``).
MAX_PAUSE = 8.0

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def fred_url(series_id: str) -> str:
    """The CSV address of one FRED series (no API key involved): :data:`FRED_CSV_URL` ``?id=SERIES``, on the
    base ``TREASURYCARD_FRED_BASE_URL`` instead of FRED's site when that is set."""
    return live_url(f"fred/{series_id}.csv")


def fred_page(series_id: str) -> str:
    """The FRED web page of one series, where a reader can check that the id exists."""
    return f"https://fred.stlouisfed.org/series/{series_id}"


# ------------------------------------------------------------------------------------------ parsing


#: Listings :func:`check_rows` knows: what rows a FRED file must have between its first and last observation.
ROW_CALENDARS = ("weekdays", "every day", "weekly")

_ROW_REMEDY = ("A line is missing from the file (a deleted row or a truncated merge), so the next observation's "
               "one-period change would silently span two periods. Restore the file: copy it again from the "
               "mirror, or delete it from the cache (data/cache) and fetch it again (DataStore.fred(..., "
               "refresh=True)); if FRED itself has stopped listing these dates, set SeriesInfo.rows for the "
               "series in treasurycard.data.series")


def check_rows(dates: pd.DatetimeIndex, values: np.ndarray, calendar: str | None, source: str, series_id: str,
               lines=None) -> None:
    """Raise :class:`DataFormatError` if a FRED file lacks a row its listing requires.

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        The file's dates, ascending.
    values : numpy.ndarray
        Its values (NaN for empty cells); only the span from the first to the last observation is checked,
        so a series that starts late or stops early is fine.
    calendar : {"weekdays", "every day", "weekly"} or None
        What FRED lists: every weekday (holidays as empty cells), every calendar day, or one row a week.
        None checks nothing.
    source, series_id : str
        Named in the error.
    lines : sequence of int, optional
        The 1-based line of each date in the file (default: the row number plus one, after the header).
    """
    if calendar is None:
        return
    if calendar not in ROW_CALENDARS:
        raise ValueError(f"row calendar must be one of {ROW_CALENDARS} or None, got {calendar!r}")
    obs = np.flatnonzero(~np.isnan(values))
    if obs.size < 2:
        return
    span = dates[obs[0]: obs[-1] + 1]
    if calendar == "weekly":
        step = np.asarray((span[1:] - span[:-1]).days)
        gaps = np.flatnonzero(step > 7)
        if not gaps.size:
            return
        i = int(gaps[0])
        missing = pd.DatetimeIndex([span[i] + pd.Timedelta(days=7)])
        count = int(sum(s // 7 - (s % 7 == 0) for s in step[gaps]))
        what = "one row a week"
    else:
        full = (pd.bdate_range(span[0], span[-1]) if calendar == "weekdays" else pd.date_range(span[0], span[-1]))
        missing = full.difference(span)
        if not len(missing):
            return
        count = len(missing)
        i = int(span.searchsorted(missing[0])) - 1
        what = "a row for every weekday (FRED lists holidays as empty cells)" if calendar == "weekdays" else             "a row for every calendar day"
    after = obs[0] + i + 1  # the row that follows the gap
    line = (lines[after] if lines is not None else after + 2)
    more = f" ({count} missing in all)" if count > 1 else ""
    raise DataFormatError(
        source, line,
        f"{what} for {series_id}: no row for {missing[0]:%Y-%m-%d} ({missing[0]:%A}) between "
        f"{span[i]:%Y-%m-%d} and {span[i + 1]:%Y-%m-%d}{more}",
        f"{span[i + 1]:%Y-%m-%d}", remedy=_ROW_REMEDY,
    )


def parse_fred_csv(text: str, series_id: str, source: str = "<text>", rows: str | None = None) -> pd.Series:
    """Parse FRED CSV text into a float Series indexed by date.

    Parameters
    ----------
    text : str
        The CSV text: a header ``observation_date,SERIES`` (or the legacy ``DATE,SERIES``), then one
        ``YYYY-MM-DD,value`` line per observation, dates strictly ascending. Empty values and FRED's
        ``.`` are missing. Blank lines are skipped; ``\\r\\n`` line ends and a UTF-8 byte-order mark are
        accepted.
    series_id : str
        The FRED id the header must name.
    source : str
        File name or URL, used in error messages.
    rows : {"weekdays", "every day", "weekly"} or None
        The dates FRED lists for the series between its first and last observation (see
        :func:`check_rows`); None (default) checks nothing. The store passes the catalogue's
        :attr:`treasurycard.data.series.SeriesInfo.row_calendar`.

    Returns
    -------
    pandas.Series
        Float values in the series' own unit (percent for yields, currency units for exchange rates),
        named ``series_id``, with a ``DatetimeIndex`` named ``date``; NaN where FRED has no value.
        Every value is the number written on its line: nothing is filled, reordered or dropped.

    Raises
    ------
    DataFormatError
        Naming the source and the 1-based line (lines are counted at ``\\n``, as an editor does) when the
        header, a date or a value is not what FRED writes: a renamed date column or another series' id,
        a date not written ``YYYY-MM-DD`` or not on the calendar, a date repeated or out of order, a
        cell that is not a plain decimal number (``1.5``, ``-0.25``, ``.5``, ``1e-05``), or a third cell.
    """
    lines = text.split("\n")
    header_line = lines[0].rstrip("\r").lstrip("\ufeff")
    if not header_line.strip():
        found = "an empty file" if not text.strip() else "an empty first line"
        raise DataFormatError(source, 1, f"a FRED CSV header 'observation_date,{series_id}'", found)
    header = [h.strip().strip('"') for h in header_line.split(",")]
    if len(header) != 2 or header[0] not in DATE_HEADERS or header[1] != series_id:
        raise DataFormatError(source, 1, f"the FRED CSV header 'observation_date,{series_id}'", header_line[:80])
    dates: list[str] = []
    values: list[float] = []
    linenos: list[int] = []
    seen: dict[str, int] = {}
    prev, prev_line = "", 0
    for lineno, line in enumerate(lines[1:], start=2):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        cells = line.split(",")
        if len(cells) != 2:
            raise DataFormatError(source, lineno, "two comma-separated cells 'date,value'", line[:80])
        raw_date, raw_value = cells[0].strip(), cells[1].strip()
        if not _DATE.fullmatch(raw_date):
            raise DataFormatError(source, lineno, "a date 'YYYY-MM-DD'", raw_date)
        try:
            dt.date.fromisoformat(raw_date)
        except ValueError:
            raise DataFormatError(source, lineno, "a date 'YYYY-MM-DD' on the calendar", raw_date) from None
        if raw_date in seen:
            raise DataFormatError(source, lineno, f"each date once; {raw_date} is already on line {seen[raw_date]}",
                                  raw_date)
        if raw_date < prev:
            raise DataFormatError(source, lineno, f"dates in ascending order: a date after {prev} (line {prev_line})",
                                  raw_date)
        seen[raw_date] = lineno
        prev, prev_line = raw_date, lineno
        if raw_value in ("", "."):
            value = np.nan
        else:
            if not _NUMBER.fullmatch(raw_value):
                raise DataFormatError(source, lineno, f"a number or an empty cell for {series_id}", raw_value)
            value = float(raw_value)
            if not np.isfinite(value):
                raise DataFormatError(source, lineno, f"a finite number for {series_id}", raw_value)
        dates.append(raw_date)
        values.append(value)
        linenos.append(lineno)
    index = pd.DatetimeIndex(pd.to_datetime(dates, format="%Y-%m-%d") if dates else [], name="date")
    arr = np.asarray(values, dtype=float)
    check_rows(index, arr, rows, source, series_id, linenos)
    return pd.Series(arr, index=index, name=series_id)


def read_fred_csv(path: str | Path, series_id: str | None = None, rows: str | None = None) -> pd.Series:
    """Read one FRED CSV file; ``series_id`` defaults to the file's stem (``DGS10.csv`` -> ``DGS10``).

    ``rows`` checks the listing as in :func:`parse_fred_csv`. Raises :class:`DataFormatError` naming the
    file and line, also for bytes that are not UTF-8.
    """
    path = Path(path)
    series_id = series_id or path.stem
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataFormatError(path, line, "UTF-8 text as FRED serves it", raw[err.start: err.start + 8]) from None
    return parse_fred_csv(text, series_id, source=str(path), rows=rows)


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


# ------------------------------------------------------------------------------------------ fetching


def backoff_pauses(pause: float, retry_count: int, max_pause: float = MAX_PAUSE) -> list[float]:
    """Seconds to wait before each retry: ``pause``, doubling each time, each at most ``max_pause``.

    ``backoff_pauses(0.5, 3)`` is ``[0.5, 1.0, 2.0]``: three retries after the first attempt.
    """
    return [min(pause * 2.0 ** k, max_pause) for k in range(retry_count)]


@dataclass(frozen=True)
class Fault:
    """Why one download attempt failed: a short reason, whether a retry may help, and the remedy."""

    reason: str
    transient: bool
    remedy: str
    wait: float = 0.0  # the server's Retry-After, in seconds, if it sent one


_LATER = ("FRED or the network is failing; try again later, or point TREASURYCARD_MIRROR at an offline copy "
          "of the data (TREASURYCARD_OFFLINE=1 then keeps the build off the network)")


def check_download(response, what: str, line_end: bool = False) -> Fault | None:
    """Inspect one HTTP response that carries a data file; return the fault, or None if it looks whole.

    Checks, in order: the status (transient: :data:`TRANSIENT_STATUS`; 404: unknown id or moved file;
    other non-200: permanent); the body length against ``Content-Length`` when the body is not
    content-encoded; an empty body; an HTML page (``<`` first, or an ``text/html`` content type) instead
    of data; bytes that are not UTF-8; with ``line_end``, a body whose last line has no line end (FRED
    ends every CSV with one; the Treasury's ``mfhhis01.txt`` does not, and its parser checks for the
    file's closing lines instead).

    Notes
    -----
    What a truncated download looks like, and what can be detected:

    - a connection cut before ``Content-Length`` bytes arrived: usually raised by urllib3 already; if
      not, the length check here catches it (only without ``Content-Encoding``: a compressed body's
      length cannot be compared to the decompressed content);
    - a cut in the middle of a line: caught by the missing final line end (FRED ends every CSV with
      one); for a TIC file, by the parser, which requires the file's trailer lines;
    - a cut exactly at a line end, with no ``Content-Length``: not detectable from the body alone. The
      store catches it when it refreshes a file it already holds, because the new copy then ends
      earlier than the stored one; a first download cut this way is only caught if the chapter asks
      for dates beyond its end (``DataStore.fred(..., complete=True)``).
    """
    status = getattr(response, "status_code", None)
    if status != 200:
        wait = 0.0
        retry_after = str((getattr(response, "headers", None) or {}).get("Retry-After", "")).strip()
        if retry_after.isdigit():
            wait = float(retry_after)
        if status in TRANSIENT_STATUS:
            return Fault(f"HTTP {status}", True, _LATER, wait)
        if status == 404:
            return Fault("HTTP 404 (not found)", False, "")
        return Fault(f"HTTP {status}", False, f"the server refused the request; check the address of {what}")
    headers = getattr(response, "headers", None) or {}
    body = response.content or b""
    declared = str(headers.get("Content-Length", "")).strip()
    encoding = str(headers.get("Content-Encoding", "")).strip().lower()
    if declared.isdigit() and encoding in ("", "identity") and len(body) < int(declared):
        return Fault(f"a truncated download ({len(body)} of {declared} bytes arrived)", True, _LATER)
    if not body.strip():
        return Fault("an empty body instead of data", True, _LATER)
    ctype = str(headers.get("Content-Type", "")).lower()
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" or "text/html" in ctype:
        title = re.search(rb"<title>(.{0,80}?)</title>", body[:4000], re.I | re.S)
        shown = f" titled {title.group(1).decode('utf-8', 'replace').strip()!r}" if title else ""
        return Fault(f"an HTML page{shown} instead of data", False, "")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        line = body[: err.start].count(b"\n") + 1
        return Fault(f"bytes that are not UTF-8 text (line {line})", False,
                     f"the source's format may have changed; check {what} by hand")
    if line_end and not text.endswith("\n"):
        last = text.rsplit("\n", 1)[-1]
        return Fault(f"a truncated download (the last line {last[:40]!r} has no line end)", True, _LATER)
    return None


@functools.lru_cache(maxsize=1)
def _pdr_reader():
    from pandas_datareader.fred import FredReader

    class _OneShotFredReader(FredReader):
        """pandas-datareader's FRED reader, made to try once and keep a failed response for inspection.

        Retries and backoff are :func:`fetch_fred_csv`'s job, so that they are bounded and testable.
        """

        failed_response = None

        def _output_error(self, out):
            self.failed_response = out
            return True

    return _OneShotFredReader


def _attempt(series_id: str, url: str, session, timeout: float) -> str | Fault:
    """One download of a FRED CSV through pandas-datareader's HTTP layer: the text, or a Fault."""
    from pandas_datareader._utils import RemoteDataError

    reader = _pdr_reader()(series_id, session=session, timeout=timeout, retry_count=0, pause=0.0)
    what = f"FRED series {series_id} ({fred_page(series_id)})"
    try:
        try:
            response = reader._get_response(url)
        except RemoteDataError as exc:
            if reader.failed_response is not None:
                fault = check_download(reader.failed_response, what)
                return fault or Fault("an unreadable reply", False, "")
            detail = str(exc).split("Exception:", 1)[-1].strip().splitlines()
            return Fault(f"no reply ({detail[0][:200] if detail else 'network error'})", True, _LATER)
        except OSError as exc:  # a transport below requests (timeouts, resets) that requests did not wrap
            return Fault(f"no reply ({type(exc).__name__}: {str(exc)[:200]})", True, _LATER)
        except Exception as exc:  # a reply pandas-datareader could not handle (e.g. a response missing fields)
            return Fault(f"an unreadable reply ({type(exc).__name__}: {str(exc)[:200]})", False,
                         "the HTTP layer returned something that is not a proper response; check the session "
                         "passed to the store")
        fault = check_download(response, what, line_end=True)
        return fault if fault is not None else response.content.decode("utf-8")
    finally:
        reader.close()


def fetch_fred_csv(series_id: str, *, session=None, timeout: float = 30.0, retry_count: int = 3,
                   pause: float = 0.5, max_pause: float = MAX_PAUSE, sleep=time.sleep) -> str:
    """Download one series' CSV text from FRED through pandas-datareader's HTTP layer.

    The whole history is fetched (callers slice by date), so the cached file is what FRED served.

    Parameters
    ----------
    series_id : str
        The FRED id, e.g. ``"DGS10"``.
    session : requests.Session, optional
        The HTTP session (tests pass a fake one that serves canned responses).
    timeout : float
        Seconds to wait for each attempt's reply.
    retry_count : int
        Retries after the first attempt, at most :data:`MAX_RETRIES`; only transient faults (no reply,
        a timeout, HTTP 408/425/429/5xx, an empty or truncated body) are retried.
    pause : float
        Seconds before the first retry; doubled before each further one (exponential backoff), each
        pause at most ``max_pause`` seconds, or the server's ``Retry-After`` if longer (same cap).
    sleep : callable
        ``time.sleep``, injectable for tests.

    Returns
    -------
    str
        The CSV text as FRED served it, ending with a line end. Its content is checked only for being a
        whole text file here; :func:`parse_fred_csv` checks the layout.

    Raises
    ------
    FetchError
        Naming the series, its URL, what was received on each attempt and what to do. Unknown ids
        (HTTP 404, or an HTML page instead of CSV) and other permanent faults are not retried. The
        message never holds an API key (see :func:`treasurycard.errors.redact_secrets`), and the
        underlying exception is not chained, so a traceback cannot leak one either.

    Notes
    -----
    At most ``retry_count + 1`` requests are made and at most ``sum(backoff_pauses(...))`` seconds are
    spent waiting (3.5 s with the defaults), on top of ``timeout`` per attempt. What a truncated download
    looks like and what can be detected is listed in :func:`check_download`.
    """
    if not isinstance(retry_count, int) or not 0 <= retry_count <= MAX_RETRIES:
        raise ValueError(f"retry_count must be an integer from 0 to {MAX_RETRIES}, not {retry_count!r}")
    url = fred_url(series_id)
    pauses = backoff_pauses(pause, retry_count, max_pause)
    faults: list[Fault] = []
    for attempt in range(retry_count + 1):
        outcome = _attempt(series_id, url, session, timeout)
        if isinstance(outcome, str):
            return outcome
        faults.append(outcome)
        if not outcome.transient or attempt == retry_count:
            break
        sleep(min(max(pauses[attempt], outcome.wait), max_pause))
    last = faults[-1]
    if not last.transient:
        remedy = last.remedy or (
            f"FRED does not seem to know the id {series_id!r}: check it at {fred_page(series_id)} and in "
            "treasurycard.series.CATALOGUE; if the id is right, FRED may have moved its CSV download "
            f"(update FRED_CSV_URL in treasurycard.sources.fred, now {FRED_CSV_URL})")
    else:
        remedy = last.remedy
    tried = "; ".join(f"attempt {k + 1}: {f.reason}" for k, f in enumerate(faults))
    raise FetchError(redact_secrets(
        f"could not download FRED series {series_id} from {url}: {tried}. {remedy}. Nothing was written to "
        "the cache"
    ))


def reported_from_first_nonzero(series: pd.Series) -> pd.Series:
    """A FRED series that publishes 0 for the periods before it was reported, with those zeros set to NaN.

    Some H.4.1 series (e.g. ``WMTSECL1``, custody holdings for foreign official accounts) are 0 before their
    first reported week. Those leading zeros mean "not reported", not "none held".

    Parameters
    ----------
    series : pandas.Series
        The series as parsed (any unit); missing values stay missing.

    Returns
    -------
    pandas.Series
        The same series with every value before the first non-zero one set to NaN.

    Raises
    ------
    DataValidationError
        If the series has no non-zero value, or a zero after its first non-zero value (a zero there is not
        the "not reported" convention and would be read as a sale of everything), naming the date.
    """
    from ...errors import DataValidationError

    nonzero = series[series.fillna(0) != 0]
    if nonzero.empty:
        raise DataValidationError(f"series {series.name}: no non-zero value at all; the file is damaged: refetch it")
    first = nonzero.index[0]
    later_zero = series[(series.index > first) & (series == 0)]
    if len(later_zero):
        raise DataValidationError(
            f"series {series.name}: 0 on {later_zero.index[0]:%Y-%m-%d}, after its first reported value on "
            f"{first:%Y-%m-%d}; zeros are read as 'not reported' only before the first report: the file is damaged, "
            "refetch it (refresh=True)")
    out = series.astype(float).copy()
    out[out.index < first] = np.nan
    return out
