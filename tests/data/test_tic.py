"""Tests of the TIC "Major Foreign Holders" readers on the real mfhhis01.txt and on damaged copies of it."""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from treasurycard.errors import DataFormatError
from treasurycard.data.sources.tic import (
    KINDS,
    normalise_country,
    read_major_foreign_holders,
    read_mfh_history,
    read_slt_table5,
)

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
NUMBER = re.compile(r"\d+(\.\d+)?")


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def mfh_path(shared_data):
    return shared_data / "tic" / "mfhhis01.txt"


@pytest.fixture(scope="module")
def raw_lines(mfh_path):
    """The real file's lines, with their line ends; raw_lines[k] is line k + 1."""
    return mfh_path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture(scope="module")
def mfh(mfh_path):
    return read_mfh_history(mfh_path)


def cells(line: str) -> list[str]:
    return [c.strip().strip('"') for c in line.rstrip("\r\n").split("\t")]


def line_no(raw_lines, first_cell: str, after: int = 0) -> int:
    """1-based number of the first line at or after line ``after`` whose first cell is ``first_cell``."""
    for k in range(after, len(raw_lines)):
        if cells(raw_lines[k])[0] == first_cell:
            return k + 1
    raise AssertionError(f"{first_cell!r} not in the file")


def raw_value(raw_lines, year: int, month: str, label: str, occurrence: int = 0) -> str:
    """The cell the file gives for ``label`` in ``month`` of ``year`` (``occurrence`` 1: a break's 2nd column)."""
    country_row = next(k for k, ln in enumerate(raw_lines) if cells(ln)[:2] == ["Country", str(year)])
    months = cells(raw_lines[country_row - 1])
    col = [c for c, m in enumerate(months) if m == month][occurrence]
    return cells(raw_lines[line_no(raw_lines, label, after=country_row) - 1])[col]


def damaged(tmp_path, raw_lines, edit, name="mfhhis01.txt"):
    """Write a copy of the real file with ``edit(lines)`` applied to its list of lines; return the path."""
    lines = list(raw_lines)
    edit(lines)
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def swap(line: int, old: str, new: str):
    """An edit for :func:`damaged`: replace ``old`` by ``new`` once on 1-based ``line``."""
    def edit(lines):
        assert old in lines[line - 1]
        lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return edit


def holding(df, month, country):
    rows = df[(df["month"] == month) & (df["country"] == country)]
    assert len(rows) == 1, (month, country, len(rows))
    return float(rows["holdings_bn"].iloc[0])


# ------------------------------------------------------------------------------------- the real file


def test_japan_march_2025_is_the_files_figure(mfh, raw_lines):
    # Expected value read from the file's own line (mfhhis01.txt line 10, column "Mar 2025": 1130.8).
    expected = float(raw_value(raw_lines, 2025, "Mar", "Japan"))
    assert_allclose(holding(mfh, "2025-03", "Japan"), expected, rtol=0, atol=1e-12)
    assert_allclose(expected, 1130.8, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "month, country, expected",
    [
        # Provenance: mfhhis01.txt lines 10-12 and 47 (2025 block), as quoted in ../shared/data/PROVENANCE.md.
        ("2025-03", "China, Mainland", 765.4),
        ("2025-03", "United Kingdom", 779.3),
        ("2025-03", "Grand Total", 9054.2),
        ("2025-03", "For. Official", 3935.6),
        ("2025-01", "Japan", 1079.3),
        ("2025-06", "Japan", 1147.9),
        # 2002 block, line 1144: "United Kingdom 2/" becomes "United Kingdom".
        ("2002-12", "United Kingdom", 80.8),
    ],
)
def test_spot_values(mfh, month, country, expected):
    assert_allclose(holding(mfh, month, country), expected, rtol=0, atol=1e-12)


def test_uk_overtook_china_in_march_2025(mfh):
    assert holding(mfh, "2025-02", "China, Mainland") > holding(mfh, "2025-02", "United Kingdom")
    assert holding(mfh, "2025-03", "United Kingdom") > holding(mfh, "2025-03", "China, Mainland")


def test_shape_and_order(mfh):
    assert list(mfh.columns) == ["month", "country", "holdings_bn", "kind"]
    assert mfh["holdings_bn"].dtype == np.float64
    assert set(mfh["kind"]) == set(KINDS)
    months = pd.period_range("2000-03", "2025-12", freq="M").strftime("%Y-%m").tolist()
    assert sorted(mfh["month"].unique()) == months
    assert not mfh.duplicated(["month", "country"]).any()
    assert mfh.equals(mfh.sort_values(["month", "country"], ignore_index=True))
    per_month = mfh.groupby("month")["kind"].value_counts().unstack()
    assert (per_month[["total", "other"]] == 1).all().all()
    assert (per_month["official"] == 3).all()
    assert mfh.attrs["format"] == "mfhhis01" and mfh.attrs["unit"] == "bn USD"


def test_every_month_adds_up_within_rounding(mfh):
    parts = mfh[mfh["kind"].isin(["country", "aggregate", "other"])].dropna(subset=["holdings_bn"])
    sums = parts.groupby("month")["holdings_bn"].agg(["sum", "size"])
    total = mfh[mfh["kind"] == "total"].set_index("month")["holdings_bn"]
    residual = (sums["sum"] - total).abs()
    bound = 0.05 * (sums["size"] + 1)
    assert (residual <= bound + 1e-9).all()
    # The largest gap in the real file is 0.5 bn, about a quarter of the rounding bound (0.05 * 37 terms).
    assert_allclose(residual.max(), 0.5, rtol=0, atol=1e-6)
    assert_allclose(mfh.attrs["max_sum_residual_bn"], 0.5, rtol=0, atol=1e-6)


def test_official_rows_are_not_in_the_country_sum(mfh):
    m = mfh[mfh["month"] == "2025-03"].set_index("country")["holdings_bn"]
    assert_allclose(m["For. Official"], 3935.6, rtol=0, atol=1e-12)
    # mfhhis01.txt lines 50-52: Treasury Bills 419.8 + T-Bonds & Notes 3515.8 = For. Official 3935.6.
    assert_allclose(m["For. Official: Treasury Bills"] + m["For. Official: T-Bonds & Notes"], m["For. Official"],
                    rtol=0, atol=0.15)


@pytest.mark.parametrize(
    "year, month, label",
    [(2011, "Jun", "Japan"), (2011, "Jun", "United Kingdom 2/"), (2006, "Jun", "Japan"),
     (2000, "Mar", "Japan"), (2000, "Mar", "United Kingdom 2/"), (2002, "Jun", "Belgium  5/")],
)
def test_break_month_takes_the_new_series_first_column(mfh, raw_lines, year, month, label):
    first = float(raw_value(raw_lines, year, month, label, occurrence=0))
    second = float(raw_value(raw_lines, year, month, label, occurrence=1))
    assert first != second  # the cases are chosen so that the two series differ
    got = holding(mfh, f"{year}-{MONTHS.index(month) + 1:02d}", normalise_country(label)[0])
    assert_allclose(got, first, rtol=0, atol=1e-12)


def test_series_breaks_are_recorded(mfh):
    breaks = {b["month"]: b for b in mfh.attrs["series_breaks"]}
    assert breaks["2011-06"] == {"month": "2011-06", "series": "XII", "previous_series": "XI", "footnote": "16/",
                                 "line": 746, "comparison_dropped": True}
    assert breaks["2011-12"]["series"] == "XIII" and not breaks["2011-12"]["comparison_dropped"]
    assert breaks["2000-03"]["series"] == "II" and breaks["2000-03"]["previous_series"] == "I"
    dropped = sorted(m for m, b in breaks.items() if b["comparison_dropped"])
    assert dropped == ["2000-03"] + [f"{y}-06" for y in range(2002, 2012)]


def test_na_is_missing(mfh):
    # mfhhis01.txt line 1155: Luxembourg is "n.a." for Jan-May 2002 (Belgium 5/ then includes it).
    lux = mfh[mfh["country"] == "Luxembourg"].set_index("month")["holdings_bn"]
    assert lux.loc["2002-01":"2002-05"].isna().all()
    assert_allclose(lux["2002-06"], 23.1, rtol=0, atol=1e-12)
    assert mfh["holdings_bn"].isna().sum() == 5


def test_labels_are_normalised(mfh):
    labels = set(mfh["country"])
    for label in labels:
        assert label == label.strip() and "  " not in label and '"' not in label
        assert not re.search(r"\d+/$", label), label
    assert {"China, Mainland", "Korea, South", "Spain", "Belgium-Luxembourg", "United Kingdom", "Belgium"} <= labels
    assert not {"Korea, South ", "Spain ", "United Kingdom 2/", "Belgium  5/", "Oil Exporters 3/"} & labels
    kinds = mfh.drop_duplicates("country").set_index("country")["kind"]
    assert kinds["Oil Exporters"] == kinds["Carib Bnkng Ctrs"] == kinds["Belgium-Luxembourg"] == "aggregate"
    assert (kinds["All Other"], kinds["Grand Total"], kinds["For. Official"]) == ("other", "total", "official")
    assert kinds["For. Official: Treasury Bills"] == kinds["For. Official: T-Bonds & Notes"] == "official"
    assert kinds["Japan"] == kinds["China, Mainland"] == "country"
    assert mfh.attrs["footnotes"]["United Kingdom"] == ["2/"]


@pytest.mark.parametrize(
    "label, expected",
    [("United Kingdom 2/", ("United Kingdom", "2/")), ("Belgium  5/", ("Belgium", "5/")),
     ("Korea, South ", ("Korea, South", None)), ("China, Mainland", ("China, Mainland", None)),
     ("Carib Bnkng Ctrs 4/", ("Carib Bnkng Ctrs", "4/")), ("  For. Official", ("For. Official", None))],
)
def test_normalise_country(label, expected):
    assert normalise_country(label) == expected


def test_dispatch_reads_the_history_file(mfh, mfh_path):
    pd.testing.assert_frame_equal(read_major_foreign_holders(mfh_path), mfh)


# ---------------------------------------------------------------------------------- damaged copies


_shift_right = swap(10, "Japan\t", "Japan\t\t")  # an extra tab after "Japan" pushes its figures right
_shift_left = swap(10, "\t1185.5", "")  # a figure lost on line 10 pulls the rest one column left
_text_in_number = swap(10, "\t1130.8\t", "\t1l30.8\t")
_shifted_year_row = swap(56, "Country\t", "Country\t\t")


def _no_title(lines):
    for k in range(3):
        lines[k] = "\t" * 13 + "\n"


def _no_month_row(lines):  # the 2024 block's "Dec Nov ... Jan" row (line 55) blanked
    lines[54] = "\t" * 13 + "\n"


def _no_year_row(lines):  # the 2024 block's "Country 2024 ..." row (line 56) blanked
    lines[55] = "\t" * 13 + "\n"


def _no_series_labels(lines):  # the 2011 block's "Series 17/ ..." rows (lines 744-745) blanked
    lines[743] = lines[744] = "\t" * 13 + "\n"


@pytest.mark.parametrize(
    "edit, line, words",
    [
        (_shift_right, 10, "is a column shifted?, found '1079.3'"),
        (_shift_left, 10, "column 13 (Jan 2025)"),
        (_text_in_number, 10, "1l30.8"),
        (_no_title, 1, "MAJOR FOREIGN HOLDERS OF TREASURY SECURITIES"),
        (_no_month_row, 56, "month row"),
        (_no_year_row, 56, "'Country' row"),
        (_shifted_year_row, 56, "year under each"),
        (_no_series_labels, 746, "series break"),
    ],
    ids=["shifted-right", "shifted-left", "text-in-number", "missing-title", "missing-month-row",
         "missing-year-row", "shifted-year-row", "missing-series-labels"],
)
def test_damaged_copy_raises_naming_file_and_line(tmp_path, raw_lines, edit, line, words):
    path = damaged(tmp_path, raw_lines, edit)
    with pytest.raises(DataFormatError) as info:
        read_mfh_history(path)
    message = str(info.value)
    assert str(path) in message and "mfhhis01.txt" in message
    assert f"line {line}:" in message
    assert info.value.line == line
    assert words in message


def test_changed_number_fails_the_sum_check(tmp_path, raw_lines):
    # Japan Mar 2025 1130.8 -> 1140.8 (a typo of one digit); the 2025 Grand Total is on line 47.
    path = damaged(tmp_path, raw_lines, swap(10, "\t1130.8\t", "\t1140.8\t"))
    with pytest.raises(DataFormatError, match=r"mfhhis01\.txt, line 47: .*Grand Total' 9054\.2 for Mar 2025") as info:
        read_mfh_history(path)
    assert "lines 10-46" in str(info.value) and "off by +10.0" in str(info.value)


def test_change_beyond_rounding_is_caught_but_not_within_it(tmp_path, raw_lines):
    # 2025-03 adds up exactly (37 terms, bound 0.05 * 38 = 1.9 bn): Japan +1.8 still passes, +2.0 fails.
    ok = damaged(tmp_path, raw_lines, swap(10, "\t1130.8\t", "\t1132.6\t"))
    assert_allclose(holding(read_mfh_history(ok), "2025-03", "Japan"), 1132.6, rtol=0, atol=1e-12)
    bad = damaged(tmp_path, raw_lines, swap(10, "\t1130.8\t", "\t1132.8\t"))
    with pytest.raises(DataFormatError, match="line 47"):
        read_mfh_history(bad)


@pytest.mark.parametrize("keep, line", [(600, 600), (53, 53), (1245, 1245)],
                         ids=["mid-block", "after-first-block", "before-trailer"])
def test_truncated_file_raises(tmp_path, raw_lines, keep, line):
    def cut(lines):
        del lines[keep:]

    path = damaged(tmp_path, raw_lines, cut)
    with pytest.raises(DataFormatError, match=rf"mfhhis01\.txt, line {line}: .*truncated"):
        read_mfh_history(path)


def test_dispatch_rejects_an_unknown_file(tmp_path):
    path = tmp_path / "holders.txt"
    path.write_text("Country\tJapan\n2025\t1.0\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"holders\.txt, line 1: .*slt_table5"):
        read_major_foreign_holders(path)


# -------------------------------------------------------------------------------- property: one cell


def _data_cells(raw_lines):
    """(line index, column) of every figure in the file's data rows (memo rows included)."""
    out = []
    for k, line in enumerate(raw_lines):
        c = cells(line)
        if c[0] and c[0] not in ("Country", "Of which:") and len(c) > 1 and (NUMBER.fullmatch(c[1]) or c[1] == "n.a."):
            out.extend((k, j) for j in range(1, len(c)) if c[j])
    return out


_GARBAGE = st.text(alphabet=string.ascii_letters + string.punctuation.replace('"', "") + " ", min_size=0, max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutating_one_cell_raises_or_changes_nothing(tmp_path_factory, raw_lines, mfh, data):
    """Replace one figure by text (must raise, naming its line) or by the same number written differently
    (``1130.80``, ``01130.8``, padded with spaces; the table must come out identical)."""
    k, j = data.draw(st.sampled_from(_data_cells(raw_lines)), label="cell")
    original = cells(raw_lines[k])[j]
    same = [] if original == "n.a." else [f"{float(original):.2f}", "0" + original, f" {original} "]
    garbage = _GARBAGE.filter(lambda s: not NUMBER.fullmatch(s.strip()) and s.strip() not in ("n.a.", "*"))
    new = data.draw(st.one_of(garbage, st.sampled_from(same)) if same else garbage, label="new")
    parts = raw_lines[k].rstrip("\n").split("\t")
    parts[j] = new
    path = tmp_path_factory.mktemp("prop") / "mfhhis01.txt"
    path.write_text("".join(raw_lines[:k] + ["\t".join(parts) + "\n"] + raw_lines[k + 1:]), encoding="utf-8")
    if new in same:
        pd.testing.assert_frame_equal(read_mfh_history(path), mfh)
    else:
        with pytest.raises(DataFormatError) as info:
            read_mfh_history(path)
        assert info.value.line == k + 1 and "mfhhis01.txt" in str(info.value)


# ------------------------------------------------------------------------------------- SLT Table 5


def _table5_from_history(raw_lines) -> str:
    """An slt_table5.txt-shaped file whose every figure is the 2025 block of the real mfhhis01.txt.

    Layout as described in read_slt_table5's Notes (title, units and Link lines padded with tabs, CRLF
    line ends, one ``Country`` row of ``YYYY-MM`` months newest first, ``Of Which:`` memo rows, a
    ``Notes:`` trailer). Figures are copied from lines 10-47 and 50-52, rewritten with one decimal as
    Table 5 prints them (``1200`` -> ``1200.0``); only the 12 months of 2025 are used (the real Table 5
    shows 13), so that no figure comes from another block. The real Table 5 lists ~25 countries with a
    larger ``All Other``; here every country of the history block is kept, so ``All Other`` stays the
    file's own. Table 5 has no net-sales or valuation columns, so none are made up.
    """
    start = line_no(raw_lines, "Country")  # line 7: "Country 2025 ... 2025"
    months = [f"2025-{m:02d}" for m in range(12, 0, -1)]
    memo = {"For. Official": "Of Which: Foreign Official",
            "Treasury Bills": "Of Which: Foreign Official Treasury Bills",
            "T-Bonds & Notes": "Of Which: Foreign Official T-Bonds & Notes"}
    out = ["Table 5: Major Foreign Holders of Treasury Securities\t\t\t", "Holdings at end of time period\t\t\t",
           "Billions of dollars\t\t\t",
           "Link: https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/slt_table5.txt\t\t\t",
           "\t\t\t", "\t".join(["Country"] + months)]
    for line in raw_lines[start + 1: line_no(raw_lines, "T-Bonds & Notes")]:
        c = cells(line)
        if not c[0] or c[0] == "Of which:" or not NUMBER.fullmatch(c[1]):
            continue
        out.append("\t".join([memo.get(c[0], c[0])] + [f"{float(v):.1f}" for v in c[1:13]]))
    out += ["", "Notes:", "The data in this table are collected primarily from U.S.-based custodians."]
    return "\r\n".join(out) + "\r\n"


@pytest.fixture()
def table5_path(tmp_path, raw_lines):
    path = tmp_path / "slt_table5.txt"
    path.write_text(_table5_from_history(raw_lines), encoding="utf-8", newline="")
    return path


def test_table5_matches_the_history_figures(table5_path, mfh):
    t5 = read_slt_table5(table5_path)
    expected = mfh[mfh["month"].str.startswith("2025")].reset_index(drop=True)
    pd.testing.assert_frame_equal(t5, expected, check_like=False, check_exact=False, rtol=0, atol=1e-12)
    assert t5.attrs["format"] == "slt_table5"
    assert_allclose(holding(t5, "2025-03", "Japan"), 1130.8, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(read_major_foreign_holders(table5_path), t5)


def _edit_table5(path, line, old, new):
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\r\n".join(lines), encoding="utf-8", newline="")


@pytest.mark.parametrize(
    "line, old, new, words, err_line",
    [
        (7, "\t1130.8\t", "\tabc\t", "'abc'", 7),          # Japan, text in a number cell
        (7, "Japan\t", "Japan\t\t", "is a column shifted?", 7),  # shifted column
        (6, "Country\t", "Countries\t", "'Country' header row", 7),  # header row lost
        (6, "2025-03", "2025-13", "YYYY-MM month", 6),
        (7, "\t1130.8\t", "\t1140.8\t", "Grand Total' 9054.2 for Mar 2025", 44),  # broken sum, names Grand Total
        (1, "Table 5", "Table 6", "Table 5: Major Foreign Holders", 1),
    ],
    ids=["text-in-number", "shifted-column", "missing-header", "bad-month", "sum", "title"],
)
def test_damaged_table5_raises(table5_path, line, old, new, words, err_line):
    _edit_table5(table5_path, line, old, new)
    with pytest.raises(DataFormatError) as info:
        read_slt_table5(table5_path)
    message = str(info.value)
    assert "slt_table5.txt" in message and f"line {err_line}:" in message and words in message
