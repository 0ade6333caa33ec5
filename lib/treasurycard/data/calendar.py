"""Event calendar: read ``events.csv`` and map each event to its reaction day in the US Treasury market."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from ..errors import DataFormatError, DataValidationError, EventOutsideData

__all__ = [
    "EVENT_COLUMNS",
    "MARKET_CLOSE",
    "MARKET_TZ",
    "RULE_AFTER_CLOSE",
    "RULE_NON_TRADING_DAY",
    "RULE_SAME_DAY",
    "read_events",
    "reaction_day",
    "reaction_days",
    "read_release_dates",
    "read_same_day_news",
    "release_reaction_days",
    "trading_days_from",
]

#: Columns every events file must have, in this order (``time_source_url`` may be left empty).
EVENT_COLUMNS = (
    "event_id",
    "local_datetime",
    "timezone",
    "time_note",
    "description",
    "source_url",
    "source_name",
    "time_source_url",
    "confounders",
)
#: Columns that may not be empty.
_REQUIRED_VALUES = ("event_id", "local_datetime", "timezone", "time_note", "description", "source_url", "source_name")

#: The US Treasury cash market's close used for the reaction-day rule (New York time).
MARKET_CLOSE = "16:00"
MARKET_TZ = "America/New_York"

RULE_SAME_DAY = "before close: same day"
RULE_AFTER_CLOSE = "after close: next trading day"
RULE_NON_TRADING_DAY = "non-trading day: next trading day"

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_EVENT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RELEASE_COLUMNS = ("release_date", "reference_month", "source", "source_url", "also_listed_by")
#: The project's curated calendar of US employment-report (Employment Situation) release dates.
RELEASE_DATES_CSV = Path(__file__).resolve().parents[3] / "data" / "employment_report_dates.csv"


# --------------------------------------------------------------------------------------------- helpers


def _zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``; raise ``ValueError`` for an unknown one."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"not an IANA time zone name: {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r}") from exc


def _parse_close(close: str) -> dt.time:
    try:
        return dt.datetime.strptime(close, "%H:%M").time()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"close must be 'HH:MM' (24-hour clock), got {close!r}") from exc


def _localize(local_datetime, tz: str | None) -> pd.Timestamp:
    """Attach ``tz`` to a naive local wall-clock time; refuse times a DST change makes ambiguous or absent."""
    if isinstance(local_datetime, str):
        local = pd.Timestamp(dt.datetime.strptime(local_datetime, _LOCAL_FORMAT))
    else:
        local = pd.Timestamp(local_datetime)
    if local.tzinfo is not None:
        if tz is not None and str(local.tzinfo) != tz:
            raise ValueError(f"{local} already carries time zone {local.tzinfo}; pass tz=None or a naive time")
        return local
    if tz is None:
        raise ValueError(f"{local} is a naive time: give its IANA time zone")
    zone = _zone(tz)
    try:
        return local.tz_localize(zone, ambiguous="raise", nonexistent="raise")
    except ValueError as exc:  # pandas: "nonexistent time" / "Cannot infer dst time"
        raise DataValidationError(
            f"{local:%Y-%m-%d %H:%M} in {tz} falls in a daylight-saving change (ambiguous or skipped "
            "wall-clock time); record the event's time in UTC or in a zone without the change"
        ) from exc


def _as_trading_days(trading_days) -> pd.DatetimeIndex:
    """Sorted, unique, tz-naive normalised dates."""
    days = pd.DatetimeIndex(trading_days)
    if days.tz is not None:
        days = days.tz_localize(None)
    days = days.normalize().unique().sort_values()
    if len(days) == 0:
        raise EventOutsideData("no trading days given: pass the dates on which the market series has values")
    return days


def _map_to_trading_day(local, tz, days: pd.DatetimeIndex, close: str, market_tz: str):
    """Return ``(reaction_date, event_time_et, rule)`` for one event; ``days`` already cleaned."""
    close_time = _parse_close(close)
    event_et = _localize(local, tz).tz_convert(_zone(market_tz))
    et_date = pd.Timestamp(event_et.date())
    first, last = days[0], days[-1]
    if et_date < first:
        raise EventOutsideData(
            f"event at {event_et:%Y-%m-%d %H:%M %Z} precedes the first trading day in the data "
            f"({first:%Y-%m-%d}); load a longer series"
        )
    if et_date not in days:
        rule = RULE_NON_TRADING_DAY
        pos = days.searchsorted(et_date, side="left")
    elif event_et.time() >= close_time:
        rule = RULE_AFTER_CLOSE
        pos = days.searchsorted(et_date, side="right")
    else:
        rule = RULE_SAME_DAY
        pos = days.searchsorted(et_date, side="left")
    if pos >= len(days):
        raise EventOutsideData(
            f"event at {event_et:%Y-%m-%d %H:%M %Z} ({rule}) has no trading day after it in the data, "
            f"which ends on {last:%Y-%m-%d}; load a longer series"
        )
    return days[pos], event_et, rule


# ------------------------------------------------------------------------------------------- public API


def trading_days_from(data) -> pd.DatetimeIndex:
    """Trading days as the data have them: the dates on which a series has a value.

    Parameters
    ----------
    data : pandas.Series or pandas.DataFrame
        A daily series indexed by date (for example FRED ``DGS10``, yields in percent), with missing values
        (``NaN``) on days the market was closed. For a DataFrame a date counts if any column has a value.

    Returns
    -------
    pandas.DatetimeIndex
        Sorted, unique, tz-naive dates named ``date``.
    """
    if isinstance(data, pd.DataFrame):
        index = data.index[data.notna().any(axis=1)]
    elif isinstance(data, pd.Series):
        index = data.index[data.notna()]
    else:
        raise TypeError(f"expected a pandas Series or DataFrame indexed by date, got {type(data).__name__}")
    days = _as_trading_days(pd.DatetimeIndex(index))
    days.name = "date"
    return days


def reaction_day(
    local_datetime,
    tz: str | None,
    trading_days,
    close: str = MARKET_CLOSE,
    market_tz: str = MARKET_TZ,
) -> pd.Timestamp:
    """The first US Treasury trading day on which the market can react to an event.

    Parameters
    ----------
    local_datetime : str, datetime.datetime or pandas.Timestamp
        The event's local wall-clock time, ``'YYYY-MM-DDTHH:MM'`` if a string.
    tz : str or None
        IANA zone of ``local_datetime`` (``'Asia/Tokyo'``); ``None`` if ``local_datetime`` is tz-aware.
    trading_days : pandas.DatetimeIndex or iterable of dates
        The market's actual trading days, taken from the data (see :func:`trading_days_from`).
    close : str, default ``'16:00'``
        Market close, ``'HH:MM'`` in ``market_tz``.
    market_tz : str, default ``'America/New_York'``

    Returns
    -------
    pandas.Timestamp
        The reaction date, tz-naive and normalised (midnight).

    Raises
    ------
    EventOutsideData
        The event precedes the first trading day, or no trading day at or after it is in ``trading_days``.

    Notes
    -----
    The event time is converted to New York time with the IANA rules of both zones (so daylight saving in
    either place is handled). Then:

    * on a trading day before the close: that same day (``'before close: same day'``);
    * on a trading day at or after the close (16:00 ET exactly counts as after): the next trading day
      (``'after close: next trading day'``);
    * on a date that is not a trading day (weekend, holiday): the next trading day
      (``'non-trading day: next trading day'``).

    "Next trading day" is the next date in ``trading_days``, never a guess at weekends or holidays.
    Tokyo morning is the previous US evening: TV Tokyo at 06:30 JST on Friday is 17:30 EDT on Thursday, after
    the close, so it reacts on the US Friday. A Sunday remark in Milan reacts on Monday.
    """
    days = _as_trading_days(trading_days)
    return _map_to_trading_day(local_datetime, tz, days, close, market_tz)[0]


def _csv_rows(path: Path, columns: tuple[str, ...]):
    """Yield ``(line, row)`` for each non-blank record of a project CSV whose header must be ``columns``.

    ``line`` is the file line the record starts on; ``row`` maps each column to its text. Raises
    :class:`DataFormatError` naming the file and line for an empty file, another header, or a record with
    another number of fields (a missing or extra comma), so no reader has to check these itself.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DataFormatError(path, 1, "a header row " + ",".join(columns), "an empty file") from None
        if tuple(header) != columns:
            raise DataFormatError(path, 1, "the header " + ",".join(columns), ",".join(header))
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(field.strip() for field in record):
                continue
            if len(record) != len(columns):
                raise DataFormatError(path, line, f"{len(columns)} fields", f"{len(record)} fields")
            yield line, dict(zip(columns, record))


def read_events(path) -> pd.DataFrame:
    """Read and check an events file (``data/events.csv``).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with the columns of :data:`EVENT_COLUMNS`: ``event_id`` (snake_case, unique), ``local_datetime``
        (local wall-clock time, ``'YYYY-MM-DDTHH:MM'``), ``timezone`` (IANA), ``time_note`` (how precise the
        time is and from where), ``description``, ``source_url`` (http/https), ``source_name``,
        ``time_source_url`` (may be empty), ``confounders`` (same-day news; may be empty).

    Returns
    -------
    pandas.DataFrame
        One row per event, the columns above as text, in file order.

    Raises
    ------
    DataFormatError
        Naming the file and line of a wrong header, a missing value, a duplicate or malformed id, a
        time not in ``'YYYY-MM-DDTHH:MM'``, an unknown time zone, a local time made ambiguous or absent by a
        daylight-saving change, or a source URL that is not http(s).
    """
    path = Path(path)
    rows, seen = [], {}
    for line, row in _csv_rows(path, EVENT_COLUMNS):
        _check_event_row(path, line, row, seen)
        seen[row["event_id"]] = line
        rows.append(row)
    if not rows:
        raise DataFormatError(path, 2, "at least one event row", "none")
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


def _check_event_row(path: Path, line: int, row: dict, seen: dict) -> None:
    for column in _REQUIRED_VALUES:
        if not row[column].strip():
            raise DataFormatError(path, line, f"a value in column {column!r}", "")
    event_id = row["event_id"]
    if not _EVENT_ID.match(event_id):
        raise DataFormatError(path, line, "an event_id in snake_case ([a-z][a-z0-9_]*)", event_id)
    if event_id in seen:
        raise DataFormatError(path, line, f"a unique event_id ({event_id!r} is already on line {seen[event_id]})")
    try:
        dt.datetime.strptime(row["local_datetime"], _LOCAL_FORMAT)
    except ValueError:
        raise DataFormatError(path, line, "local_datetime as 'YYYY-MM-DDTHH:MM'", row["local_datetime"]) from None
    try:
        _zone(row["timezone"])
    except ValueError:
        raise DataFormatError(path, line, "an IANA time zone such as 'Asia/Tokyo'", row["timezone"]) from None
    try:
        _localize(row["local_datetime"], row["timezone"])
    except DataValidationError:
        raise DataFormatError(
            path, line, "a local time that exists once in its zone (not inside a daylight-saving change)",
            f"{row['local_datetime']} {row['timezone']}",
        ) from None
    for column in ("source_url", "time_source_url"):
        url = row[column].strip()
        if url and not re.match(r"^https?://\S+$", url):
            raise DataFormatError(path, line, f"{column} as an http(s) URL without spaces", url)


def reaction_days(
    events: pd.DataFrame,
    trading_days,
    close: str = MARKET_CLOSE,
    market_tz: str = MARKET_TZ,
) -> pd.DataFrame:
    """Map every event to its US Treasury reaction day.

    Parameters
    ----------
    events : pandas.DataFrame
        As returned by :func:`read_events` (at least ``event_id``, ``local_datetime``, ``timezone``).
    trading_days : pandas.DatetimeIndex or iterable of dates
        The market's actual trading days from the data (see :func:`trading_days_from`).
    close, market_tz : str
        As in :func:`reaction_day`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``event_id``, with ``reaction_date`` (tz-naive date), ``event_time_et`` (tz-aware
        timestamp in ``market_tz``), ``rule`` (which case of :func:`reaction_day` applied) and the input columns.

    Raises
    ------
    EventOutsideData
        Naming the event whose reaction day the trading days do not cover.
    """
    missing = [c for c in ("event_id", "local_datetime", "timezone") if c not in events.columns]
    if missing:
        raise DataValidationError(f"events table lacks column(s) {missing}; read it with read_events()")
    days = _as_trading_days(trading_days)
    out = []
    for row in events.itertuples(index=False):
        try:
            date, event_et, rule = _map_to_trading_day(row.local_datetime, row.timezone, days, close, market_tz)
        except EventOutsideData as exc:
            raise EventOutsideData(f"event {row.event_id!r}: {exc}") from exc
        out.append({"reaction_date": date, "event_time_et": event_et, "rule": rule})
    result = pd.DataFrame(out, index=pd.Index(events["event_id"], name="event_id"))
    result["reaction_date"] = pd.DatetimeIndex(result["reaction_date"])
    return result.join(events.set_index("event_id"))


def read_release_dates(path=RELEASE_DATES_CSV) -> pd.DatetimeIndex:
    """US employment-report (Employment Situation) release dates from the project's curated calendar.

    Parameters
    ----------
    path : str or pathlib.Path, default :data:`RELEASE_DATES_CSV` (``data/employment_report_dates.csv``)
        CSV with columns ``release_date`` (YYYY-MM-DD), ``reference_month`` (YYYY-MM, or empty where no
        source gives it), ``source`` and ``source_url`` (where the date comes from; required on every
        row) and ``also_listed_by`` (independent lists that have the same date, or empty).

    Returns
    -------
    pandas.DatetimeIndex
        Release dates in ascending order, named ``release_date``. The report is published at 8:30 am ET.

    Raises
    ------
    DataFormatError
        Naming the file and line of a wrong header, a wrong number of fields, an unparseable date or
        month, a row without a source, or a date repeated or out of order.

    Notes
    -----
    The dates are ALFRED's release-date list for the Employment Situation (2011 onward) without the
    days on which ALFRED recorded only a new vintage, and Bloomberg's release dates for 2010; the
    offline mirror's ``calendars/employment_situation_release_dates.csv`` documents the derivation and
    ``tests/data/test_calendar.py`` checks the two agree.
    """
    path = Path(path)
    dates = []
    for line, row in _csv_rows(path, _RELEASE_COLUMNS):
        raw_date, month, source, url = (row[c] for c in _RELEASE_COLUMNS[:4])
        try:
            date = pd.Timestamp(dt.datetime.strptime(raw_date, "%Y-%m-%d"))
        except ValueError:
            raise DataFormatError(path, line, "release_date as YYYY-MM-DD", raw_date) from None
        if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise DataFormatError(path, line, "reference_month as YYYY-MM or empty", month)
        if not source.strip() or not url.strip().startswith(("https://", "http://")):
            raise DataFormatError(path, line, "a source and its address (source, source_url) on every row",
                                  f"source={source!r}, source_url={url!r}")
        if dates and date <= dates[-1]:
            raise DataFormatError(path, line, f"release dates once each, ascending (after {dates[-1]:%Y-%m-%d})",
                                  raw_date)
        dates.append(date)
    return pd.DatetimeIndex(dates, name="release_date")


def release_reaction_days(
    dates: Iterable,
    trading_days,
    release_time: str = "08:30",
    tz: str = MARKET_TZ,
    errors: str = "raise",
    close: str = MARKET_CLOSE,
    market_tz: str = MARKET_TZ,
) -> pd.Series:
    """Reaction days of scheduled releases (by default the 8:30 am ET jobs report).

    Parameters
    ----------
    dates : pandas.DatetimeIndex or iterable of dates
        Release dates (for example from :func:`read_release_dates`).
    trading_days : pandas.DatetimeIndex or iterable of dates
        The market's actual trading days from the data.
    release_time : str, default ``'08:30'``
        Release time, ``'HH:MM'`` in ``tz``.
    tz : str, default ``'America/New_York'``
    errors : {'raise', 'drop'}
        What to do with a release whose reaction day the trading days do not cover.
    close, market_tz : str
        The market's observation time and its zone, as in :func:`reaction_day` (default the New York
        close). A jobs report at 8:30 am ET reacts in Tokyo (close ``'15:00'``, ``'Asia/Tokyo'``) on the
        next Tokyo trading day.

    Returns
    -------
    pandas.Series
        ``reaction_date`` indexed by ``release_date``. An 8:30 ET release on a trading day reacts that day;
        one on a non-trading day reacts on the next trading day.
    """
    if errors not in ("raise", "drop"):
        raise ValueError(f"errors must be 'raise' or 'drop', got {errors!r}")
    release_clock = _parse_close(release_time)
    days = _as_trading_days(trading_days)
    index, values = [], []
    for date in pd.DatetimeIndex(dates):
        local = dt.datetime.combine(date.date(), release_clock)
        try:
            reaction = _map_to_trading_day(local, tz, days, close, market_tz)[0]
        except EventOutsideData:
            if errors == "raise":
                raise
            continue
        index.append(date.normalize())
        values.append(reaction)
    return pd.Series(
        pd.DatetimeIndex(values), index=pd.DatetimeIndex(index, name="release_date"), name="reaction_date"
    )


#: Columns of ``data/same_day_news.csv``: other news on an event's reaction day, one sourced row each.
NEWS_COLUMNS = ("event_id", "date", "local_time", "timezone", "time_note", "description", "source_url", "source_name")


def read_same_day_news(path, event_ids=None) -> pd.DataFrame:
    """Read and check ``data/same_day_news.csv``: news that shares an event's reaction day (its confounders).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with the columns :data:`NEWS_COLUMNS`. ``local_time`` (``HH:MM``) may be empty when the source
        gives no time of day; every other field is required, ``source_url`` an http(s) URL.
    event_ids : iterable of str, optional
        The known events (e.g. ``read_events(...)["event_id"]``); a row naming another event is an error.

    Returns
    -------
    pandas.DataFrame
        The rows in file order, with ``local`` (a tz-aware timestamp in the row's zone, NaT without a time)
        and ``time_et`` (the same instant in New York time, NaT without a time).

    Raises
    ------
    DataFormatError
        Naming the file and line of a wrong header, an empty required field, a bad date, time, zone or URL,
        or an unknown event.
    """
    path = Path(path)
    known = None if event_ids is None else set(event_ids)
    rows = []
    for line, row in _csv_rows(path, NEWS_COLUMNS):
        empty = [c for c in NEWS_COLUMNS if c != "local_time" and not row[c].strip()]
        if empty:
            raise DataFormatError(path, line, f"a value in {', '.join(empty)}", "")
        if known is not None and row["event_id"] not in known:
            raise DataFormatError(path, line, "an event_id of data/events.csv", row["event_id"])
        try:
            date = dt.datetime.strptime(row["date"], "%Y-%m-%d")
            clock = dt.datetime.strptime(row["local_time"], "%H:%M").time() if row["local_time"] else None
            zone = _zone(row["timezone"])
        except (ValueError, EventOutsideData, DataValidationError, DataFormatError) as err:
            raise DataFormatError(path, line, "date YYYY-MM-DD, local_time HH:MM or empty, an IANA zone",
                                  f"{row['date']} {row['local_time']} {row['timezone']} ({err})") from None
        if not re.match(r"^https?://\S+$", row["source_url"].strip()):
            raise DataFormatError(path, line, "source_url as an http(s) URL without spaces", row["source_url"])
        local = pd.NaT if clock is None else pd.Timestamp(dt.datetime.combine(date.date(), clock), tz=zone)
        rows.append({**row, "local": local,
                     "time_et": pd.NaT if clock is None else local.tz_convert(_zone(MARKET_TZ))})
    return pd.DataFrame(rows, columns=[*NEWS_COLUMNS, "local", "time_et"])
