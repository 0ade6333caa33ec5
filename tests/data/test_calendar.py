"""Tests of treasurycard.data.calendar: the reaction-day rule, the events file and the jobs-report calendar."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from treasurycard.data.calendar import (
    RELEASE_DATES_CSV,
    EVENT_COLUMNS,
    RULE_AFTER_CLOSE,
    RULE_NON_TRADING_DAY,
    RULE_SAME_DAY,
    reaction_day,
    reaction_days,
    read_events,
    read_release_dates,
    release_reaction_days,
    trading_days_from,
)
from treasurycard.errors import DataFormatError, DataValidationError, EventOutsideData

EVENTS_CSV = Path(__file__).resolve().parents[2] / "data" / "events.csv"
EVENT_IDS = [
    "tariff_announcement",
    "china_retaliation",
    "tariff_pause",
    "kato_remark",
    "kato_walkback",
    "geneva_truce",
    "moodys_downgrade",
    "us_japan_deal",
    "hashimoto_remark",
]

#: A synthetic market calendar: weekdays 3 Mar - 30 May 2025 with one holiday removed (Good Friday, 18 Apr).
HOLIDAY = pd.Timestamp("2025-04-18")
SYNTHETIC_DAYS = pd.bdate_range("2025-03-03", "2025-05-30").drop(HOLIDAY)


def _day(event_time, tz):
    return reaction_day(event_time, tz, SYNTHETIC_DAYS)


def _one(event_time, tz, event_id="e"):
    """The reaction_days() row of a single event on the synthetic calendar."""
    events = pd.DataFrame({"event_id": [event_id], "local_datetime": [event_time], "timezone": [tz]})
    return reaction_days(events, SYNTHETIC_DAYS).loc[event_id]


# ------------------------------------------------------------------------------- the reaction-day rule

# key: (local time, zone, expected reaction day, expected rule)
RULE_CASES = {
    "before close: same day": ("2025-04-09T13:18", "America/New_York", "2025-04-09", RULE_SAME_DAY),
    "one minute before close: same day": ("2025-04-09T15:59", "America/New_York", "2025-04-09", RULE_SAME_DAY),
    "exactly 16:00 ET: next day": ("2025-04-09T16:00", "America/New_York", "2025-04-10", RULE_AFTER_CLOSE),
    "after close: next day": ("2025-04-02T16:15", "America/New_York", "2025-04-03", RULE_AFTER_CLOSE),
    "Friday after close: Monday": ("2025-05-16T17:00", "America/New_York", "2025-05-19", RULE_AFTER_CLOSE),
    "after close before a holiday: skips it": ("2025-04-17T18:00", "America/New_York", "2025-04-21", RULE_AFTER_CLOSE),
    "on a holiday: next trading day": ("2025-04-18T10:00", "America/New_York", "2025-04-21", RULE_NON_TRADING_DAY),
    "Saturday: Monday": ("2025-04-05T12:00", "America/New_York", "2025-04-07", RULE_NON_TRADING_DAY),
    "Tokyo Friday 09:00 JST: same US Friday": ("2025-05-02T09:00", "Asia/Tokyo", "2025-05-02", RULE_AFTER_CLOSE),
    "Tokyo Friday 06:30 JST: same US Friday": ("2025-05-02T06:30", "Asia/Tokyo", "2025-05-02", RULE_AFTER_CLOSE),
    "Tokyo Monday morning: US Monday": ("2025-05-12T08:00", "Asia/Tokyo", "2025-05-12", RULE_NON_TRADING_DAY),
    "Milan Sunday: Monday": ("2025-05-04T18:00", "Europe/Rome", "2025-05-05", RULE_NON_TRADING_DAY),
    "Milan Sunday 23:30: Monday": ("2025-05-04T23:30", "Europe/Rome", "2025-05-05", RULE_NON_TRADING_DAY),
    "Beijing Friday evening: same US Friday": ("2025-04-04T18:20", "Asia/Shanghai", "2025-04-04", RULE_SAME_DAY),
    "Geneva Monday morning: same US Monday": ("2025-05-12T09:00", "Europe/Zurich", "2025-05-12", RULE_SAME_DAY),
}


@pytest.mark.parametrize("key", list(RULE_CASES))
def test_reaction_day_rules(key):
    local, tz, expected, rule = RULE_CASES[key]
    assert _day(local, tz) == pd.Timestamp(expected)
    row = _one(local, tz)
    assert row["rule"] == rule
    assert row["reaction_date"] == pd.Timestamp(expected)


# key: (local time, zone, expected New York time, expected reaction day). US clocks changed on 9 Mar 2025 and
# European ones on 30 Mar, so for three weeks Milan is 5 hours ahead of New York, not 6; Tokyo (no DST) moves
# from 14 to 13 hours ahead on 9 Mar.
DST_CASES = {
    "Milan 21:30 before both changes: 15:30 EST, same day": (
        "2025-03-06T21:30", "Europe/Rome", "2025-03-06 15:30", "2025-03-06"),
    "Milan 21:30 between the changes: 16:30 EDT, next day": (
        "2025-03-20T21:30", "Europe/Rome", "2025-03-20 16:30", "2025-03-21"),
    "Milan 21:30 after both changes: 15:30 EDT, same day": (
        "2025-04-01T21:30", "Europe/Rome", "2025-04-01 15:30", "2025-04-01"),
    "Tokyo Friday 05:30 in EST: Thursday 15:30, Thursday": (
        "2025-03-07T05:30", "Asia/Tokyo", "2025-03-06 15:30", "2025-03-06"),
    "Tokyo Friday 05:30 in EDT: Thursday 16:30, Friday": (
        "2025-03-14T05:30", "Asia/Tokyo", "2025-03-13 16:30", "2025-03-14"),
}


@pytest.mark.parametrize("key", list(DST_CASES))
def test_reaction_day_follows_daylight_saving(key):
    local, tz, et, expected = DST_CASES[key]
    row = _one(local, tz)
    assert row["event_time_et"] == pd.Timestamp(et, tz="America/New_York")
    assert row["reaction_date"] == pd.Timestamp(expected)


def test_reaction_day_accepts_aware_timestamp():
    aware = pd.Timestamp("2025-05-01T20:00", tz="UTC")  # 16:00 EDT exactly
    assert reaction_day(aware, None, SYNTHETIC_DAYS) == pd.Timestamp("2025-05-02")


def test_reaction_day_rejects_a_time_skipped_by_daylight_saving():
    with pytest.raises(DataValidationError, match="daylight-saving"):
        _day("2025-03-09T02:30", "America/New_York")


def test_reaction_day_rejects_an_unknown_zone():
    with pytest.raises(ValueError, match="time zone"):
        _day("2025-04-09T12:00", "Mars/Olympus_Mons")


OUTSIDE_CASES = {
    "before the first trading day": "2025-03-01T12:00",
    "after the close of the last trading day": "2025-05-30T16:30",
    "weekend after the last trading day": "2025-05-31T12:00",
}


@pytest.mark.parametrize("key", list(OUTSIDE_CASES))
def test_reaction_day_outside_data(key):
    with pytest.raises(EventOutsideData, match="load a longer series"):
        _day(OUTSIDE_CASES[key], "America/New_York")


def test_last_trading_day_before_close_is_inside():
    assert _day("2025-05-30T10:00", "America/New_York") == pd.Timestamp("2025-05-30")


def test_reaction_days_names_the_event_outside_data():
    with pytest.raises(EventOutsideData, match="'late'"):
        _one("2025-07-22T19:12", "America/New_York", event_id="late")


def test_trading_days_from_drops_missing_values():
    series = pd.Series([4.2, float("nan"), 4.3], index=pd.to_datetime(["2025-04-17", "2025-04-18", "2025-04-21"]))
    days = trading_days_from(series)
    assert list(days) == [pd.Timestamp("2025-04-17"), pd.Timestamp("2025-04-21")]
    assert reaction_day("2025-04-17T16:30", "America/New_York", days) == pd.Timestamp("2025-04-21")


# ------------------------------------------------------------------------------------- read_events checks

GOOD_ROW = "e1,2025-05-02T06:30,Asia/Tokyo,about,what,https://example.org/a,Name,,none"


def _write(tmp_path, *rows, header=",".join(EVENT_COLUMNS)):
    path = tmp_path / "events.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


BAD_FILES = {
    "duplicate id": ([GOOD_ROW, GOOD_ROW], 3, "unique event_id"),
    "id not snake_case": ([GOOD_ROW.replace("e1", "Kato-Remark")], 2, "snake_case"),
    "time without minutes": ([GOOD_ROW.replace("T06:30", "")], 2, "YYYY-MM-DDTHH:MM"),
    "unknown zone": ([GOOD_ROW.replace("Asia/Tokyo", "JST")], 2, "IANA time zone"),
    "time skipped by DST": ([GOOD_ROW.replace("2025-05-02T06:30,Asia/Tokyo", "2025-03-30T02:30,Europe/Rome")],
                            2, "daylight-saving"),
    "URL not http": ([GOOD_ROW.replace("https://example.org/a", "example.org/a")], 2, "http"),
    "missing description": ([GOOD_ROW.replace(",what,", ",,")], 2, "'description'"),
    "wrong field count": ([GOOD_ROW + ",extra"], 2, "9 fields"),
}


@pytest.mark.parametrize("key", list(BAD_FILES))
def test_read_events_names_file_and_line(tmp_path, key):
    rows, line, message = BAD_FILES[key]
    path = _write(tmp_path, *rows)
    with pytest.raises(DataFormatError, match=message) as info:
        read_events(path)
    assert info.value.line == line
    assert info.value.path == str(path)


def test_read_events_counts_lines_across_quoted_newlines(tmp_path):
    multi = 'e0,2025-05-02T06:30,Asia/Tokyo,"two\nlines",what,https://example.org/a,Name,,none'
    path = _write(tmp_path, multi, GOOD_ROW.replace("Asia/Tokyo", "Asia/Tokio"))
    with pytest.raises(DataFormatError) as info:
        read_events(path)
    assert info.value.line == 4


def test_read_events_rejects_wrong_header(tmp_path):
    path = _write(tmp_path, GOOD_ROW, header="event_id,when,zone")
    with pytest.raises(DataFormatError, match="header") as info:
        read_events(path)
    assert info.value.line == 1


# -------------------------------------------------------------------------------- the real events file


@pytest.fixture(scope="module")
def events():
    return read_events(EVENTS_CSV)


@pytest.fixture(scope="module")
def dgs10_days(shared_data):
    dgs10 = pd.read_csv(shared_data / "fred" / "DGS10.csv", index_col="observation_date", parse_dates=True)["DGS10"]
    return trading_days_from(dgs10)


def test_events_file_has_the_nine_events(events):
    assert list(events["event_id"]) == EVENT_IDS
    assert events["source_url"].str.match(r"^https?://").all()
    assert (events["time_note"].str.len() > 20).all()


def test_kato_remark_records_the_jobs_report(events):
    confounders = events.set_index("event_id").loc["kato_remark", "confounders"]
    assert "employment report" in confounders
    assert "8:30 am ET" in confounders


def test_kato_walkback_is_dated_by_milan_time(events):
    row = events.set_index("event_id").loc["kato_walkback"]
    assert row["timezone"] == "Europe/Rome"
    assert row["local_datetime"].startswith("2025-05-04")
    assert "Milan local time" in row["time_note"]


EXPECTED_REACTION = {
    "tariff_announcement": ("2025-04-03", RULE_AFTER_CLOSE),
    "china_retaliation": ("2025-04-04", RULE_SAME_DAY),
    "tariff_pause": ("2025-04-09", RULE_SAME_DAY),
    "kato_remark": ("2025-05-02", RULE_AFTER_CLOSE),  # Tokyo Friday morning = US Thursday evening
    "kato_walkback": ("2025-05-05", RULE_NON_TRADING_DAY),  # Sunday in Milan
    "geneva_truce": ("2025-05-12", RULE_SAME_DAY),  # Monday morning in Geneva, before the US open
    "moodys_downgrade": ("2025-05-19", RULE_AFTER_CLOSE),
    "us_japan_deal": ("2025-07-23", RULE_AFTER_CLOSE),
    "hashimoto_remark": ("1997-06-23", RULE_SAME_DAY),  # New York afternoon, before the close
}


def test_real_events_map_to_expected_reaction_days(events, dgs10_days):
    table = reaction_days(events, dgs10_days)
    assert list(table.index) == EVENT_IDS
    for event_id, (date, rule) in EXPECTED_REACTION.items():
        assert table.loc[event_id, "reaction_date"] == pd.Timestamp(date), event_id
        assert table.loc[event_id, "rule"] == rule, event_id
    assert set(table["reaction_date"]) <= set(dgs10_days)


# ------------------------------------------------------------------------------ jobs-report release dates


@pytest.fixture(scope="module")
def release_csv():
    """The project's own calendar (no mirror needed)."""
    return RELEASE_DATES_CSV


def _mirror_release_dates(path: Path) -> tuple[set, set]:
    """(monthly report days, ALFRED's vintage-only days) of the mirror's documented calendar file."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"release_date", "reference_month", "sources", "alfred_extra_vintage"}
    keep = {pd.Timestamp(r["release_date"]) for r in rows if r["alfred_extra_vintage"] == "0"}
    extra = {pd.Timestamp(r["release_date"]) for r in rows if r["alfred_extra_vintage"] == "1"}
    return keep, extra


def test_release_dates_have_a_source_on_every_row(release_csv):
    table = pd.read_csv(release_csv, dtype=str, keep_default_na=False)
    assert (table["source"].str.len() > 0).all()
    assert table["source_url"].str.startswith("https://").all()
    # ALFRED's list from 2011, Bloomberg's for 2010 (the only source for that year)
    year = table["release_date"].str[:4].astype(int)
    assert table.loc[year >= 2011, "source"].str.startswith("ALFRED").all()
    assert table.loc[year == 2010, "source"].str.startswith("Bloomberg").all()
    dates = read_release_dates(release_csv)
    assert dates.is_monotonic_increasing and dates.is_unique and len(dates) == len(table)
    assert pd.Timestamp("2025-05-02") in dates and pd.Timestamp("2025-04-04") in dates


def test_release_dates_match_the_mirror_without_vintage_only_days(release_csv, shared_data):
    mirror = shared_data / "calendars" / "employment_situation_release_dates.csv"
    if not mirror.is_file():
        pytest.skip(f"{mirror} is not in this mirror")
    keep, extra = _mirror_release_dates(mirror)
    dates = set(read_release_dates(release_csv))
    assert extra and not dates & extra          # ALFRED's vintage-only days are out
    assert dates == keep                        # every monthly report day of the mirror, nothing else
    # the reference months the mirror knows are carried over
    table = pd.read_csv(release_csv, dtype=str, keep_default_na=False).set_index("release_date")
    with mirror.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["alfred_extra_vintage"] == "0":
                assert table.loc[row["release_date"], "reference_month"] == row["reference_month"]


def test_jobs_report_reacts_same_day_and_confounds_kato(release_csv, events, dgs10_days):
    reactions = release_reaction_days(read_release_dates(release_csv), dgs10_days, errors="drop")
    assert reactions.loc[pd.Timestamp("2025-05-02")] == pd.Timestamp("2025-05-02")
    assert reactions.loc[pd.Timestamp("2025-04-04")] == pd.Timestamp("2025-04-04")
    kato = reaction_days(events, dgs10_days).loc["kato_remark", "reaction_date"]
    assert kato in set(reactions)


def test_release_on_a_non_trading_day_moves_to_the_next():
    reactions = release_reaction_days(pd.to_datetime(["2025-04-18", "2025-05-02"]), SYNTHETIC_DAYS)
    assert list(reactions) == [pd.Timestamp("2025-04-21"), pd.Timestamp("2025-05-02")]
    with pytest.raises(EventOutsideData):
        release_reaction_days(pd.to_datetime(["2025-07-03"]), SYNTHETIC_DAYS)
    assert release_reaction_days(pd.to_datetime(["2025-07-03"]), SYNTHETIC_DAYS, errors="drop").empty


HEADER = "release_date,reference_month,source,source_url,also_listed_by"
SOURCE = "ALFRED,https://alfred.stlouisfed.org/release/downloaddates?rid=50,"


@pytest.mark.parametrize("body, line, match", [
    (f"2025-05-02,2025-04,{SOURCE}\n2025-13-01,,{SOURCE}\n", 3, "YYYY-MM-DD"),
    (f"2025-05-02,2025-4,{SOURCE}\n", 2, "YYYY-MM"),
    ("2025-05-02,,,,\n", 2, "source"),
    (f"2025-06-06,,{SOURCE}\n2025-05-02,,{SOURCE}\n", 3, "ascending"),
    (f"2025-05-02,,{SOURCE}\n2025-05-02,,{SOURCE}\n", 3, "once each"),
    ("2025-05-02,,ALFRED\n", 2, "5 fields"),
])
def test_read_release_dates_names_bad_line(tmp_path, body, line, match):
    path = tmp_path / "releases.csv"
    path.write_text(f"{HEADER}\n{body}", encoding="utf-8")
    with pytest.raises(DataFormatError, match=match) as info:
        read_release_dates(path)
    assert info.value.line == line


def test_read_release_dates_refuses_the_mirror_layout(tmp_path):
    path = tmp_path / "releases.csv"
    path.write_text("release_date,reference_month,sources,alfred_extra_vintage\n2025-05-02,,alfred,0\n")
    with pytest.raises(DataFormatError, match="source_url") as info:
        read_release_dates(path)
    assert info.value.line == 1


# ------------------------------------------------------------------------------ same-day news (confounders)

from treasurycard.data.calendar import NEWS_COLUMNS, read_same_day_news  # noqa: E402

_NEWS_HEADER = ",".join(NEWS_COLUMNS)


def _news(tmp_path, *rows):
    path = tmp_path / "same_day_news.csv"
    path.write_text("\n".join([_NEWS_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_same_day_news_converts_local_times_and_allows_no_time(tmp_path):
    path = _news(tmp_path,
                 "ev,2025-05-01,12:14,Asia/Tokyo,note,what,https://a.example/x,name",
                 "ev,2025-04-09,,Asia/Shanghai,no time given,what,https://a.example/y,name")
    news = read_same_day_news(path, ["ev"])
    assert news.loc[0, "time_et"] == pd.Timestamp("2025-04-30 23:14", tz="America/New_York")
    assert pd.isna(news.loc[1, "local"]) and pd.isna(news.loc[1, "time_et"])


@pytest.mark.parametrize("row, fragment", [
    ("other,2025-05-01,12:14,Asia/Tokyo,n,d,https://a.example/x,s", "event_id"),
    ("ev,2025-05-01,25:00,Asia/Tokyo,n,d,https://a.example/x,s", "local_time"),
    ("ev,2025-05-01,12:14,Mars/Olympus,n,d,https://a.example/x,s", "IANA"),
    ("ev,2025-05-01,12:14,Asia/Tokyo,n,d,not a url,s", "http"),
    ("ev,2025-05-01,12:14,Asia/Tokyo,n,d,https://a.example/x,", "source_name"),
])
def test_same_day_news_bad_rows_name_the_line(tmp_path, row, fragment):
    with pytest.raises(DataFormatError) as err:
        read_same_day_news(_news(tmp_path, row), ["ev"])
    assert err.value.line == 2 and fragment in err.value.expected


def test_book_same_day_news_names_known_events_with_sources():
    from treasurycard.book.study import EVENTS_CSV, SAME_DAY_NEWS_CSV

    news = read_same_day_news(SAME_DAY_NEWS_CSV, read_events(EVENTS_CSV)["event_id"])
    assert {"tariff_pause", "kato_remark"} <= set(news["event_id"])
    assert news["source_url"].str.startswith("http").all()


def test_release_reaction_days_on_the_tokyo_clock():
    # an 8:30 am ET release on Friday 2 May reaches the Tokyo close only on the next Tokyo trading day
    tokyo_days = pd.DatetimeIndex(["2025-05-01", "2025-05-02", "2025-05-07"])
    out = release_reaction_days(["2025-05-02"], tokyo_days, close="15:00", market_tz="Asia/Tokyo")
    assert out.iloc[0] == pd.Timestamp("2025-05-07")
    assert release_reaction_days(["2025-05-02"], tokyo_days).iloc[0] == pd.Timestamp("2025-05-02")


def test_kato_remark_on_the_tokyo_and_ecb_clocks(events):
    # Tokyo: 06:30 JST on Fri 2 May is before the 15:00 Tokyo close of that day.
    tokyo = pd.DatetimeIndex(["2025-05-01", "2025-05-02", "2025-05-07"])
    row = events.set_index("event_id").loc[["kato_remark"]].reset_index()
    out = reaction_days(row, tokyo, close="15:00", market_tz="Asia/Tokyo")
    assert out.loc["kato_remark", "reaction_date"] == pd.Timestamp("2025-05-02")
    assert out.loc["kato_remark", "rule"] == RULE_SAME_DAY
    # ECB: 06:30 JST is 23:30 CEST on Thu 1 May, a TARGET holiday; the next fixing is Fri 2 May.
    target = pd.DatetimeIndex(["2025-04-30", "2025-05-02", "2025-05-05"])
    out = reaction_days(row, target, close="14:15", market_tz="Europe/Berlin")
    assert out.loc["kato_remark", "reaction_date"] == pd.Timestamp("2025-05-02")
    assert out.loc["kato_remark", "rule"] == RULE_NON_TRADING_DAY


def test_same_day_news_refuses_an_extra_field_naming_the_line(tmp_path):
    # a stray comma would shift every later column; the shared row reader refuses it (DictReader kept it quietly)
    path = _news(tmp_path, "ev,2025-05-01,12:14,Asia/Tokyo,note,what,https://a.example/x,name,extra")
    with pytest.raises(DataFormatError) as err:
        read_same_day_news(path, ["ev"])
    assert err.value.line == 2 and err.value.expected == f"{len(NEWS_COLUMNS)} fields"


def test_every_project_calendar_refuses_an_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    for read in (read_events, read_release_dates, read_same_day_news):
        with pytest.raises(DataFormatError, match="an empty file") as err:
            read(empty)
        assert err.value.line == 1
