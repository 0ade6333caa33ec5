"""Reliability, failure class 2: bad files. Damaged copies of the real FRED and TIC files, made in tmp_path.

Each damage either parses to the file's own numbers or raises the documented
:class:`~treasurycard.errors.DataFormatError` naming the file and the line. Property-based tests (hypothesis,
derandomised so that every run tries the same cases) mutate the real files at random and check, with an
independent reading of the mutated file, that the parsers never return a number the file does not state at
that place, and never raise anything but the documented error.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from treasurycard.errors import DataFormatError, DataValidationError
from treasurycard.data.sources.fred import parse_fred_csv, read_fred_csv
from treasurycard.data.sources.tic import normalise_country, read_major_foreign_holders, read_mfh_history
from treasurycard.data.store import DataStore

MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)}
#: Real FRED files the property tests mutate: two dailies of ~2,600 lines, a monthly and a quarterly one.
FRED_FILES = ["DGS7.csv", "SP500.csv", "IRLTLT01JPM156N.csv", "FDHBFIN.csv"]
PROPERTY = settings(max_examples=50, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def n_lines(raw: bytes) -> int:
    """How many lines an editor shows for ``raw``: a final line end does not open another line."""
    return max(1, raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1))


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def raises_at(path: Path, line: int, words: str, reader=read_fred_csv) -> DataFormatError:
    with pytest.raises(DataFormatError) as info:
        reader(path)
    msg = str(info.value)
    assert info.value.line == line, msg
    assert msg.startswith(f"{path}, line {line}: expected "), msg
    assert words in msg, msg
    return info.value


# =============================================================================================== FRED


@pytest.fixture(scope="module")
def dgs10_text(shared_data) -> str:
    """The real DGS10.csv from 2015 on (its header and its last 2,900-odd lines, byte for byte), to stay fast."""
    text = (shared_data / "fred" / "DGS10.csv").read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    return header + "\n" + body[body.index("2015-01-02,"):]


@pytest.fixture(scope="module")
def dgs10(dgs10_text) -> pd.Series:
    return parse_fred_csv(dgs10_text, "DGS10")


def _line_of(text: str, prefix: str) -> int:
    return next(k for k, line in enumerate(text.split("\n"), start=1) if line.startswith(prefix))


@pytest.mark.parametrize(
    "old, new, words",
    [("observation_date,DGS10", "date,DGS10", "header 'observation_date,DGS10', found 'date,DGS10'"),
     ("observation_date,DGS10", "Date,DGS10", "found 'Date,DGS10'"),
     ("observation_date,DGS10", "observation_date,value", "found 'observation_date,value'"),
     ("observation_date,DGS10", "observation_date;DGS10", "found 'observation_date;DGS10'")],
    ids=["date", "Date", "value-column", "semicolon"],
)
def test_fred_renamed_columns(tmp_path, dgs10_text, old, new, words):
    raises_at(write(tmp_path, "DGS10.csv", dgs10_text.replace(old, new, 1)), 1, words)


def test_fred_legacy_date_header_parses_the_same(tmp_path, dgs10_text, dgs10):
    s = read_fred_csv(write(tmp_path, "DGS10.csv", dgs10_text.replace("observation_date", "DATE", 1)))
    pd.testing.assert_series_equal(s, dgs10)


@pytest.mark.parametrize(
    "cell, words",
    [("N/A", "a number or an empty cell for DGS10, found 'N/A'"), ("4.4O", "found '4.4O'"),
     ("4,48", "two comma-separated cells"), ("nan", "found 'nan'"), ("inf", "found 'inf'"),
     ("1_0", "found '1_0'"), ("4.48%", "found '4.48%'"), ("#N/A", "found '#N/A'")],
    ids=["N/A", "letter-O", "decimal-comma", "nan", "inf", "underscore", "percent", "excel-NA"],
)
def test_fred_non_numeric_cells(tmp_path, dgs10_text, cell, words):
    line = _line_of(dgs10_text, "2025-04-11,")
    raises_at(write(tmp_path, "DGS10.csv", dgs10_text.replace("2025-04-11,4.48", f"2025-04-11,{cell}", 1)), line, words)


def test_fred_duplicated_date(tmp_path, dgs10_text):
    row = "2025-04-11,4.48\n"
    line = _line_of(dgs10_text, "2025-04-11,")
    path = write(tmp_path, "DGS10.csv", dgs10_text.replace(row, row + row, 1))
    raises_at(path, line + 1, f"each date once; 2025-04-11 is already on line {line}")
    # a second vintage pasted below the first: the first repeated date is named
    head, body = dgs10_text.split("\n", 1)
    path = write(tmp_path, "DGS10.csv", dgs10_text + body[:200])
    raises_at(path, dgs10_text.count("\n") + 1, "each date once; 2015-01-02 is already on line 2")


def test_fred_unsorted_dates(tmp_path, dgs10_text):
    a, b = "2025-04-10,4.40\n", "2025-04-11,4.48\n"
    assert a + b in dgs10_text
    line = _line_of(dgs10_text, "2025-04-10,")
    path = write(tmp_path, "DGS10.csv", dgs10_text.replace(a + b, b + a, 1))
    raises_at(path, line + 1, f"dates in ascending order: a date after 2025-04-11 (line {line})")


@pytest.mark.parametrize(
    "old, new, words",
    [("2025-04-11,", "04/11/2025,", "a date 'YYYY-MM-DD', found '04/11/2025'"),
     ("2025-04-11,", "2025-4-11,", "found '2025-4-11'"),
     ("2025-04-11,", "20250411,", "found '20250411'"),
     ("2025-04-11,", "2025-02-30,", "a date 'YYYY-MM-DD' on the calendar, found '2025-02-30'"),
     ("2025-04-11,", "2025-04-1,", "found '2025-04-1'")],
    ids=["us-format", "no-padding", "compact", "not-on-calendar", "cut-date"],
)
def test_fred_dates_in_other_formats(tmp_path, dgs10_text, old, new, words):
    line = _line_of(dgs10_text, old)
    raises_at(write(tmp_path, "DGS10.csv", dgs10_text.replace(old, new, 1)), line, words)


@pytest.mark.parametrize(
    "transform",
    [lambda t: t.replace("\n", "\r\n").encode(), lambda t: ("\ufeff" + t).encode(), lambda t: (t + "\n\n").encode(),
     lambda t: t.encode("latin-1"), lambda t: t.replace("2025-04-11,4.48", "2025-04-11, 4.480 ").encode()],
    ids=["crlf", "bom", "trailing-blank-lines", "latin-1-ascii", "padded-number"],
)
def test_fred_harmless_variants_parse_the_same(tmp_path, dgs10_text, dgs10, transform):
    pd.testing.assert_series_equal(read_fred_csv(write(tmp_path, "DGS10.csv", transform(dgs10_text))), dgs10)


@pytest.mark.parametrize(
    "encode, line",
    [(lambda t: t.encode("utf-16"), 1),
     (lambda t: t.replace("2025-04-11,4.48", "2025-04-11,4.48\u00a0").encode("cp1252"), None)],
    ids=["utf-16", "cp1252-nbsp"],
)
def test_fred_other_encodings_name_the_line(tmp_path, dgs10_text, encode, line):
    line = line or _line_of(dgs10_text, "2025-04-11,")
    raises_at(write(tmp_path, "DGS10.csv", encode(dgs10_text)), line, "UTF-8 text as FRED serves it")


def test_fred_damaged_mirror_file_fails_the_store_naming_file_and_line(tmp_path, dgs10_text):
    mirror = tmp_path / "mirror"
    write(mirror, "fred/DGS10.csv", dgs10_text.replace("2025-04-11,4.48", "2025-04-11,4.4B", 1))
    write(mirror, "fred/DEXJPUS.csv", "observation_date,DEXJPUS\n2025-04-11,143.5\n")  # made up: format only
    store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True)
    with pytest.raises(DataFormatError, match=r"mirror/fred/DGS10\.csv, line \d+: .*'4\.4B'"):
        store.fred(["DEXJPUS", "DGS10"], "2025-01-01", "2025-06-30")
    assert "fred/DGS10.csv" not in set(store.provenance()["key"])


# ----------------------------------------------------------------------------- FRED: a missing row


def test_fred_deleted_weekday_row_names_file_date_and_remedy(tmp_path, dgs10_text):
    # FRED lists every weekday (holidays as empty cells). Without the 8 April row, the 9 April "one-day
    # change" would silently span two days.
    line = _line_of(dgs10_text, "2025-04-08,")
    text = dgs10_text.replace(dgs10_text.split("\n")[line - 1] + "\n", "", 1)
    path = write(tmp_path, "DGS10.csv", text)
    err = raises_at(path, line, "no row for 2025-04-08 (Tuesday) between 2025-04-07 and 2025-04-09",
                    reader=lambda p: read_fred_csv(p, rows="weekdays"))
    assert err.found == "2025-04-09" and "refresh=True" in str(err) and "mirror" in str(err)
    read_fred_csv(path)  # without a listing to check, the reader itself stays permissive


def test_fred_deleted_weekday_row_fails_the_store(tmp_path, dgs10_text):
    line = _line_of(dgs10_text, "2025-04-08,")
    text = dgs10_text.replace(dgs10_text.split("\n")[line - 1] + "\n", "", 1)
    mirror = tmp_path / "mirror"
    write(mirror, "fred/DGS10.csv", text)
    store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True)
    with pytest.raises(DataFormatError, match=rf"mirror/fred/DGS10\.csv, line {line}: .*no row for 2025-04-08"):
        store.fred("DGS10", "2025-01-01", "2025-06-30")


def test_fred_holiday_rows_and_a_late_start_are_fine(tmp_path):
    # made-up values, FRED's layout: an empty holiday row (Good Friday 2025-04-18) is a row; rows before the
    # first observation and after the last may be absent (a series that starts late or stops early)
    text = ("observation_date,DGS10\n2025-04-16,\n2025-04-17,4.33\n2025-04-18,\n2025-04-21,4.40\n"
            "2025-04-22,4.39\n")
    s = read_fred_csv(write(tmp_path, "DGS10.csv", text), rows="weekdays")
    assert len(s) == 5


def test_fred_weekly_series_missing_a_week(tmp_path):
    # made-up Wednesday levels: 2025-01-15 is missing, so the next weekly change would span two weeks
    text = "observation_date,WMTSECL1\n2025-01-01,100\n2025-01-08,101\n2025-01-22,102\n2025-01-29,103\n"
    path = write(tmp_path, "WMTSECL1.csv", text)
    raises_at(path, 4, "one row a week for WMTSECL1: no row for 2025-01-15 (Wednesday)",
              reader=lambda p: read_fred_csv(p, rows="weekly"))


def test_fred_seven_day_series_missing_a_day(tmp_path):
    text = "observation_date,DFF\n2025-01-03,4.33\n2025-01-04,4.33\n2025-01-06,4.33\n"  # made up; no 5 January
    raises_at(write(tmp_path, "DFF.csv", text), 4, "every calendar day for DFF: no row for 2025-01-05 (Sunday)",
              reader=lambda p: read_fred_csv(p, rows="every day"))


def test_every_catalogued_snapshot_file_passes_its_listing_check(tmp_path, shared_data):
    from treasurycard.data.series import CATALOGUE

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    checked = []
    for sid, info in CATALOGUE.items():
        if (shared_data / "fred" / f"{sid}.csv").exists():
            store.fred_series(sid)
            checked.append(info.row_calendar)
    assert checked.count("weekdays") >= 15 and "every day" in checked
    weekly = shared_data / "fred" / "WMTSECL1.csv"
    if weekly.exists():  # a weekly series of the snapshot, checked as one
        assert len(read_fred_csv(weekly, rows="weekly")) > 1000


# ----------------------------------------------------------------------------- FRED: property tests


def fred_file_says(text: str) -> dict[str, str]:
    """An independent reading of a FRED CSV: date text -> value text, one entry per non-blank data line."""
    says = {}
    for line in text.split("\n")[1:]:
        line = line.rstrip("\r")
        if line.strip():
            date, value = line.split(",")  # a file the parser accepted must have two cells a line
            assert date.strip() not in says, f"the parser accepted a repeated date {date}"
            says[date.strip()] = value.strip()
    return says


def same_number(value: float, text: str) -> bool:
    if text in ("", "."):
        return math.isnan(value)
    return not math.isnan(value) and float(text) == value


_JUNK = st.sampled_from(["", " ", ".", "abc", "1.5", "-0.25", "1e-05", "N/A", "4,5", "2025-13-01", "2025-04-31",
                         "<html>", "\t", '"', "observation_date", "1.0.0", "--1", "+2", "١٢", "\u00a0", "9" * 30])


@st.composite
def text_mutations(draw, n_lines: int, sep: str):
    """One to three edits of a text file's lines, as (kind, args) tuples applied by :func:`mutate`."""
    kinds = st.sampled_from(["delete", "duplicate", "swap", "insert", "cell", "separator", "truncate", "char"])
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(kinds)
        k = draw(st.integers(0, n_lines - 1))
        if kind == "swap":
            out.append((kind, k, min(n_lines - 1, k + draw(st.integers(1, 40)))))
        elif kind == "insert":
            cells = draw(st.lists(_JUNK, min_size=1, max_size=4))
            out.append((kind, k, sep.join(cells)))
        elif kind == "cell":
            out.append((kind, k, draw(st.integers(0, 14)), draw(_JUNK)))
        elif kind == "separator":
            out.append((kind, k, draw(st.integers(0, 200)), draw(st.booleans())))
        elif kind in ("truncate", "char"):
            out.append((kind, k, draw(st.integers(0, 200)), draw(st.sampled_from(["\r", "\x00", "\xe9", "\ufeff", "\x0c"]))))
        else:
            out.append((kind, k))
    return out


def mutate(lines: list[str], edits, sep: str) -> str:
    """Apply :func:`text_mutations` edits to a list of lines (each with its line end) and join them."""
    lines = list(lines)
    for kind, k, *args in edits:
        k = min(k, len(lines) - 1)
        if kind == "delete" and len(lines) > 1:
            del lines[k]
        elif kind == "duplicate":
            lines.insert(k, lines[k])
        elif kind == "swap":
            j = min(args[0], len(lines) - 1)
            lines[k], lines[j] = lines[j], lines[k]
        elif kind == "insert":
            lines.insert(k, args[0] + "\n")
        elif kind == "cell":
            body, end = lines[k].rstrip("\n"), lines[k][len(lines[k].rstrip("\n")):]
            cells = body.split(sep)
            cells[min(args[0], len(cells) - 1)] = args[1]
            lines[k] = sep.join(cells) + end
        elif kind == "separator":
            pos = min(args[0], len(lines[k]))
            if args[1]:
                lines[k] = lines[k][:pos] + sep + lines[k][pos:]
            else:
                at = lines[k].find(sep, pos)
                if at >= 0:
                    lines[k] = lines[k][:at] + lines[k][at + 1:]
        elif kind == "truncate":
            cut = sum(len(x) for x in lines[:k]) + min(args[0], len(lines[k]))
            text = "".join(lines)[:cut]
            lines = text.splitlines(keepends=True) or [""]
        elif kind == "char":
            pos = min(args[0], len(lines[k]))
            lines[k] = lines[k][:pos] + args[1] + lines[k][pos:]
    return "".join(lines)


@pytest.fixture(scope="module")
def fred_texts(shared_data) -> dict[str, str]:
    return {name: (shared_data / "fred" / name).read_text(encoding="utf-8") for name in FRED_FILES}


@PROPERTY
@given(data=st.data())
def test_fred_parser_never_disagrees_with_the_file(tmp_path_factory, fred_texts, data):
    name = data.draw(st.sampled_from(FRED_FILES), label="file")
    lines = fred_texts[name].splitlines(keepends=True)
    edits = data.draw(text_mutations(len(lines), ","), label="edits")
    text = mutate(lines, edits, ",")
    path = write(tmp_path_factory.mktemp("fred"), name, text)
    try:
        series = read_fred_csv(path)
    except DataFormatError as err:  # the documented error, naming the file and a line of it
        assert str(err).startswith(f"{path}, line "), str(err)
        assert 1 <= err.line <= n_lines(text.encode()), (err.line, n_lines(text.encode()))
        return
    says = fred_file_says(text)
    assert len(series) == len(says)
    for date, value in zip(series.index.strftime("%Y-%m-%d"), series.to_numpy()):
        assert date in says and same_number(value, says[date]), (date, value, says.get(date))
    assert series.index.is_monotonic_increasing and series.index.is_unique


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_store_on_a_mutated_mirror_raises_only_documented_errors(tmp_path_factory, fred_texts, data):
    name = data.draw(st.sampled_from(FRED_FILES[:2]), label="file")
    lines = fred_texts[name].splitlines(keepends=True)
    text = mutate(lines, data.draw(text_mutations(len(lines), ","), label="edits"), ",")
    root = tmp_path_factory.mktemp("store")
    write(root / "mirror", f"fred/{name}", text)
    store = DataStore(cache_dir=root / "cache", mirror=root / "mirror", offline=True)
    sid = name[:-4]
    try:
        frame = store.fred(sid, "1900-01-01", "2100-12-31")
    except (DataFormatError, DataValidationError) as err:
        assert f"{name}" in str(err)
        return
    says = fred_file_says(text)
    for date, value in frame[sid].items():
        assert same_number(value, says[f"{date:%Y-%m-%d}"])


# ================================================================================================ TIC


@pytest.fixture(scope="module")
def mfh_lines(shared_data) -> list[str]:
    return (shared_data / "tic" / "mfhhis01.txt").read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture(scope="module")
def mfh(shared_data) -> pd.DataFrame:
    return read_mfh_history(shared_data / "tic" / "mfhhis01.txt")


def cells_of(line: str) -> list[str]:
    return line.rstrip("\r\n").split("\t")


def edit_block(lines, first: int, last: int, change) -> list[str]:
    """Apply ``change(line_number, cells)`` (returning new cells) to 1-based lines first..last."""
    out = list(lines)
    for n in range(first, last + 1):
        end = out[n - 1][len(out[n - 1].rstrip("\r\n")):]
        out[n - 1] = "\t".join(change(n, cells_of(out[n - 1]))) + end
    return out


def mfh_at(tmp_path, lines, encoding="utf-8") -> Path:
    return write(tmp_path, "mfhhis01.txt", "".join(lines).encode(encoding))


def tic_raises_at(path, line, words):
    return raises_at(path, line, words, reader=read_major_foreign_holders)


# 2025 block of the real file: month row line 6, 'Country' row 7, rule 8, Japan 10 ... All Other 46,
# Grand Total 47, 'Of which:' 49, memo rows 50-52; the 2024 block's month row is line 55.


def test_tic_missing_month_column(tmp_path, mfh_lines):
    # 'Jan 2025' (column 13) removed from the whole 2025 block: the next block does not follow Feb 2025.
    lines = edit_block(mfh_lines, 6, 52, lambda n, c: c[:12] + c[13:])
    tic_raises_at(mfh_at(tmp_path, lines), 55, "months newest first without gaps: Jan 2025 after Feb 2025")
    # only the month name lost: the year row no longer lines up with the months
    lines = edit_block(mfh_lines, 6, 6, lambda n, c: c[:12] + c[13:])
    tic_raises_at(mfh_at(tmp_path, lines), 7, "a four-digit year under each of the 11 months")


def test_tic_extra_month_column(tmp_path, mfh_lines):
    # figures for a 13th month in the data rows, without a month for them: a shifted column
    lines = edit_block(mfh_lines, 10, 46, lambda n, c: c[:13] + ["1.0"] + c[13:])
    tic_raises_at(mfh_at(tmp_path, lines), 10, "nothing after the last month column (column 13); is a column shifted?")
    # a whole 'Dec 2024' column appended to the 2025 block: it clashes with the 2024 block
    extra = {6: "Dec", 7: "2024", 8: "------"}
    lines = edit_block(mfh_lines, 6, 52, lambda n, c: c[:13] + [extra.get(n, c[12] if n > 9 else "")] + c[13:])
    tic_raises_at(mfh_at(tmp_path, lines), 55, "months newest first without gaps")


def test_tic_new_country_row_is_read_when_the_total_still_adds_up(tmp_path, mfh_lines, mfh):
    new_row = "Narnia\t" + "\t".join(["50.0"] * 12) + "\t\n"  # a made-up economy, 50 bn every month
    less_other = edit_block(mfh_lines, 46, 46, lambda n, c: [c[0]] + [f"{float(v) - 50:.1f}" for v in c[1:13]] + c[13:])
    lines = less_other[:45] + [new_row] + less_other[45:]
    got = read_major_foreign_holders(mfh_at(tmp_path, lines))
    narnia = got[got["country"] == "Narnia"]
    assert len(narnia) == 12 and set(narnia["month"]) == {f"2025-{m:02d}" for m in range(1, 13)}
    assert_allclose(narnia["holdings_bn"], 50.0, rtol=0, atol=0)
    assert (narnia["kind"] == "country").all()
    # every other figure is unchanged, except All Other, which lost the 50 bn
    same = got[~got["country"].isin(["Narnia", "All Other"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(same, mfh[mfh["country"] != "All Other"].reset_index(drop=True), check_like=True)


def test_tic_new_country_row_that_breaks_the_total_names_the_total_line(tmp_path, mfh_lines):
    lines = mfh_lines[:45] + ["Narnia\t" + "\t".join(["50.0"] * 12) + "\t\n"] + mfh_lines[45:]
    tic_raises_at(mfh_at(tmp_path, lines), 48, "to add up to 'Grand Total' 9271.0 for Dec 2025")


def test_tic_footnotes(tmp_path, mfh_lines, mfh):
    trailer = next(k for k, ln in enumerate(mfh_lines) if ln.startswith("Department of the Treasury"))
    # a new footnote below the trailer, and a new marker on a country label: same figures
    lines = list(mfh_lines)
    lines.insert(trailer + 1, "18/   A new footnote about a later series break.\t\t\t\n")
    lines[9] = lines[9].replace("Japan\t", "Japan 18/\t", 1)
    got = read_major_foreign_holders(mfh_at(tmp_path, lines))
    pd.testing.assert_frame_equal(got, mfh, check_like=True)
    assert got.attrs["footnotes"]["Japan"] == ["18/"]
    # a footnote line between two blocks, or inside a block: named by its line
    between = mfh_lines[:53] + ["18/  A new footnote between blocks.\n"] + mfh_lines[53:]
    tic_raises_at(mfh_at(tmp_path, between), 54, "the next year block")
    inside = mfh_lines[:46] + ["18/  A new footnote inside a block.\n"] + mfh_lines[46:]
    tic_raises_at(mfh_at(tmp_path, inside), 47, "a holding in billions of dollars")


@pytest.mark.parametrize("keep, words", [(55, "the 'Country' row"), (56, "a '------' rule"),
                                         (54, "the trailer"), (744, "roman series numerals")])
def test_tic_file_cut_inside_a_block_header_names_its_last_line(tmp_path, mfh_lines, keep, words):
    # Found by the property test below: the error named line keep + 1, which the cut file does not have.
    text = "".join(mfh_lines[:keep])[:-1]  # cut after line `keep`, without its line end
    tic_raises_at(write(tmp_path, "mfhhis01.txt", text), keep, words)


@pytest.mark.parametrize(
    "cell, words",
    [("1l30.8", "'1l30.8'"), ("1,130.8", "'1,130.8'"), ("(D)", "'(D)'"), ("-", "found '-'"), ("n/a", "'n/a'")],
    ids=["letter-l", "thousands-comma", "suppressed", "dash", "n/a"],
)
def test_tic_text_in_number_cells(tmp_path, mfh_lines, cell, words):
    lines = edit_block(mfh_lines, 10, 10, lambda n, c: c[:10] + [cell] + c[11:])
    tic_raises_at(mfh_at(tmp_path, lines), 10, words)


@pytest.mark.parametrize(
    "encoding, edit, line",
    [("utf-16", None, 1), ("latin-1", (21, "Singapore", "Cura\u00e7ao"), 21),
     ("cp1252", (12, '"China, Mainland"', "\u201cChina, Mainland\u201d"), 12)],
    ids=["utf-16", "latin-1", "cp1252"],
)
def test_tic_other_encodings_name_the_line(tmp_path, mfh_lines, encoding, edit, line):
    lines = list(mfh_lines)
    if edit:
        n, old, new = edit
        lines[n - 1] = lines[n - 1].replace(old, new, 1)
    tic_raises_at(mfh_at(tmp_path, lines, encoding), line, "UTF-8 (or ASCII) text")


@pytest.mark.parametrize("variant", ["utf-8-sig", "crlf", "utf-8-non-ascii-label"])
def test_tic_harmless_variants_parse_the_same(tmp_path, mfh_lines, mfh, variant):
    lines = list(mfh_lines)
    if variant == "crlf":
        lines = [ln.replace("\n", "\r\n") for ln in lines]
    if variant == "utf-8-non-ascii-label":  # a label with an accent, in UTF-8: read, and only that label changes
        lines[20] = lines[20].replace("Singapore", "Singapour\u00e9", 1)
    got = read_major_foreign_holders(mfh_at(tmp_path, lines, "utf-8-sig" if variant == "utf-8-sig" else "utf-8"))
    if variant == "utf-8-non-ascii-label":
        got = got.assign(country=got["country"].replace("Singapour\u00e9", "Singapore"))
        got = got.sort_values(["month", "country"], kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(got, mfh, check_like=True)


# ------------------------------------------------------------------------- TIC: the post-2023 table format


def table5_from_history(mfh_lines) -> str:
    """An ``slt_table5.txt``-shaped file whose every figure is the 2025 block of the real mfhhis01.txt.

    The layout is the one :func:`treasurycard.data.sources.tic.read_slt_table5` documents (title, unit and link
    lines padded with tabs, CRLF, a ``Country`` row of ``YYYY-MM`` months newest first, ``Of Which:`` memo
    rows, a ``Notes:`` trailer). Figures come from lines 10-47 and 50-52, written with one decimal.
    """
    memo = {"For. Official": "Of Which: Foreign Official", "Treasury Bills": "Of Which: Foreign Official Treasury Bills",
            "T-Bonds & Notes": "Of Which: Foreign Official T-Bonds & Notes"}
    out = ["Table 5: Major Foreign Holders of Treasury Securities\t\t\t", "Holdings at end of time period\t\t\t",
           "Billions of dollars\t\t\t",
           "Link: https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/slt_table5.txt\t\t\t",
           "\t\t\t", "\t".join(["Country"] + [f"2025-{m:02d}" for m in range(12, 0, -1)])]
    for n in list(range(10, 48)) + [50, 51, 52]:
        c = cells_of(mfh_lines[n - 1])
        label = c[0].strip().strip('"')
        out.append("\t".join([memo.get(label, label)] + [f"{float(v):.1f}" for v in c[1:13]]))
    out += ["", "Notes:", "The data in this table are collected primarily from U.S.-based custodians."]
    return "\r\n".join(out) + "\r\n"


def test_tic_post_2023_format_reads_the_same_numbers(tmp_path, mfh_lines, mfh):
    path = write(tmp_path, "slt_table5.txt", table5_from_history(mfh_lines))
    t5 = read_major_foreign_holders(path)
    assert t5.attrs["format"] == "slt_table5"
    expected = mfh[mfh["month"].str.startswith("2025")].reset_index(drop=True)
    pd.testing.assert_frame_equal(t5, expected, check_exact=False, rtol=0, atol=1e-12)


def test_tic_post_2023_format_through_the_store(tmp_path, mfh_lines, mfh):
    write(tmp_path / "mirror", "tic/slt_table5.txt", table5_from_history(mfh_lines))
    store = DataStore(cache_dir=tmp_path / "cache", mirror=tmp_path / "mirror", offline=True)
    t5 = store.tic("slt_table5.txt")
    assert_allclose(t5.set_index(["month", "country"]).loc[("2025-03", "Japan"), "holdings_bn"], 1130.8, rtol=0, atol=0)
    prov = store.provenance().iloc[0]
    assert (prov["first_date"], prov["last_date"]) == ("2025-01", "2025-12")


@pytest.mark.parametrize(
    "edit, line, words",
    [(lambda ls: ls.__setitem__(5, ls[5].rsplit("\t", 1)[0] + "\r\n"), 7, "nothing after the last month column"),
     (lambda ls: ls.__setitem__(5, ls[5].rstrip("\r\n") + "\t2024-12\r\n"), 7, "in column 14 (2024-12)"),
     (lambda ls: ls.__setitem__(6, ls[6].replace("\t1130.8\t", "\t1,130.8\t")), 7, "'1,130.8'"),
     (lambda ls: ls.insert(8, "Narnia\t" + "\t".join(["50.0"] * 12) + "\r\n"), 45, "to add up to 'Grand Total'"),
     (lambda ls: ls.insert(7, "* Less than $500,000.\r\n"), 8, "a holding in billions of dollars")],
    ids=["missing-month", "extra-month", "text-in-number", "new-country-breaks-total", "footnote-in-table"],
)
def test_tic_post_2023_format_damage(tmp_path, mfh_lines, edit, line, words):
    lines = table5_from_history(mfh_lines).splitlines(keepends=True)
    edit(lines)
    tic_raises_at(write(tmp_path, "slt_table5.txt", "".join(lines)), line, words)


# ---------------------------------------------------------------------------- TIC: property tests


_OFFICIAL = {"Treasury Bills": "For. Official: Treasury Bills", "T-Bonds & Notes": "For. Official: T-Bonds & Notes",
             "Of Which: Foreign Official": "For. Official",
             "Of Which: Foreign Official Treasury Bills": "For. Official: Treasury Bills",
             "Of Which: Foreign Official T-Bonds & Notes": "For. Official: T-Bonds & Notes"}


def _label(cell: str) -> str:
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        cell = cell[1:-1].replace('""', '"')
    name = normalise_country(cell)[0]
    return _OFFICIAL.get(name, name)


def tic_file_says(text: str) -> dict[tuple[str, str], set[str]]:
    """An independent reading of a TIC file by position: (month, label) -> the cell texts found there.

    A data row's cell in column j belongs to the month of column j of the nearest 'Country' row above it
    (history file: month name in the row just above 'Country', year in the 'Country' row; at a month shown
    twice, the left column; Table 5: ``YYYY-MM`` in the 'Country' row itself).
    """
    rows = [line.rstrip("\r").split("\t") for line in text.lstrip("\ufeff").split("\n")]
    says: dict[tuple[str, str], set[str]] = defaultdict(set)
    header: dict[int, str] | None = None
    for k, cells in enumerate(rows):
        first = cells[0].strip()
        if first == "Country":
            header = {}
            above = rows[k - 1] if k else []
            for j, c in enumerate(cells):
                c = c.strip()
                if not j or not c:
                    continue
                if re.fullmatch(r"\d{4}-\d{2}", c):
                    month = c
                elif j < len(above) and above[j].strip() in MONTHS:
                    month = f"{c}-{MONTHS[above[j].strip()]:02d}"
                else:
                    continue
                if month not in header.values():
                    header[j] = month
            continue
        if header and first:
            for j, month in header.items():
                if j < len(cells):
                    says[(month, _label(cells[0]))].add(cells[j].strip())
    return says


def same_holding(value: float, texts: set[str]) -> bool:
    for t in texts:
        if t == "n.a." and math.isnan(value) or t == "*" and value == 0.0:
            return True
        try:
            if float(t) == value:
                return True
        except ValueError:
            pass
    return False


@settings(max_examples=35, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_tic_parser_never_disagrees_with_the_file(tmp_path_factory, mfh_lines, data):
    kind = data.draw(st.sampled_from(["mfhhis01.txt", "slt_table5.txt"]), label="format")
    lines = mfh_lines if kind == "mfhhis01.txt" else table5_from_history(mfh_lines).splitlines(keepends=True)
    # Half the edits fall in the first two year blocks (lines 1-110), where a change is most likely to
    # survive to the sum checks; the rest anywhere.
    n = data.draw(st.sampled_from([min(110, len(lines)), len(lines)]), label="span")
    text = mutate(lines, data.draw(text_mutations(n, "\t"), label="edits"), "\t")
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1"]), label="encoding")
    raw = text.encode(encoding, errors="replace")
    path = write(tmp_path_factory.mktemp("tic"), kind, raw)
    try:
        table = read_major_foreign_holders(path)
    except DataFormatError as err:
        assert str(err).startswith(f"{path}, line "), str(err)
        assert err.line is not None and 1 <= err.line <= n_lines(raw), (err.line, n_lines(raw))
        return
    says = tic_file_says(raw.decode("utf-8-sig"))
    for month, country, value in table[["month", "country", "holdings_bn"]].itertuples(index=False):
        assert same_holding(value, says.get((month, country), set())), (month, country, value, says.get((month, country)))
    assert not table.duplicated(["month", "country"]).any()
    assert np.isfinite(table["holdings_bn"].dropna()).all()
