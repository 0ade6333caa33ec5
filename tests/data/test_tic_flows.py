"""Tests of the TIC Table 3 reader and the holdings splice, on the real files and on damaged copies."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.data.sources.tic import read_mfh_history, read_slt_table5
from treasurycard.data.sources.tic_flows import (
    REGIONS,
    TABLE3_COLUMNS,
    compare_with_major_holders,
    continue_holdings,
    read_slt_table3,
)
from treasurycard.data.store import DataStore
from treasurycard.errors import DataFormatError, DataValidationError

FILE_COLUMNS = ["country", "country_code", "date", "for_treas_pos", "for_treas_net", "for_lt_treas_pos",
                "for_lt_treas_net", "for_lt_treas_valchg", "for_st_treas_pos", "for_st_treas_net"]


@pytest.fixture(scope="module")
def t3_path(shared_data):
    return shared_data / "tic" / "slt_table3.txt"


@pytest.fixture(scope="module")
def table3(t3_path):
    return read_slt_table3(t3_path)


@pytest.fixture(scope="module")
def lines(t3_path):
    """The real file's lines with their CRLF ends; lines[k] is line k + 1."""
    return t3_path.read_bytes().decode("utf-8").splitlines(keepends=True)


def _row(lines, country, month):
    """Index (0-based) and cells of the file's row for one country and month, found by plain text search."""
    hits = [(k, ln.rstrip("\r\n").split("\t")) for k, ln in enumerate(lines)
            if ln.startswith(f"{country}\t") and ln.split("\t")[2] == month]
    assert len(hits) == 1, (country, month, len(hits))
    return hits[0]


def _write(tmp_path, lines, name="slt_table3.txt"):
    path = tmp_path / name
    path.write_bytes("".join(lines).encode("utf-8"))
    return path


# ------------------------------------------------------------------------------------------ real file


def test_columns_and_units(table3):
    assert list(table3.columns) == TABLE3_COLUMNS
    assert table3.attrs["unit"] == "bn USD" and table3.attrs["format"] == "slt_table3"
    assert "positive number for net U.S. sales to foreigners" in table3.attrs["sign_convention"]
    assert not table3.duplicated(["month", "country"]).any()


@pytest.mark.parametrize("country", ["Japan", "Grand Total", "China, Mainland", "Of Which: Foreign Official"])
@pytest.mark.parametrize("month", ["2025-04", "2025-05", "2023-02"])
def test_figures_are_the_file_cells_in_billions(table3, lines, country, month):
    # reference: the file's own cells, found by text search (not by the parser), divided by 1,000
    _, cells = _row(lines, country, month)
    row = table3[(table3["country"] == country) & (table3["month"] == month)].iloc[0]
    raw = dict(zip(FILE_COLUMNS, cells))
    for src, dst in [("for_treas_pos", "holdings_bn"), ("for_treas_net", "net_purchases_bn"),
                     ("for_lt_treas_valchg", "lt_valuation_bn"), ("for_st_treas_net", "st_net_purchases_bn")]:
        assert_allclose(row[dst], float(raw[src]) / 1000, rtol=0, atol=1e-12)


def test_na_is_missing_and_flows_start_later(table3, lines):
    _, cells = _row(lines, "Greece", "2025-04")
    assert cells[3] == "n.a."
    greece = table3[(table3["country"] == "Greece") & (table3["month"] == "2025-04")].iloc[0]
    assert np.isnan(greece["holdings_bn"]) and not np.isnan(greece["lt_holdings_bn"])
    first = table3.attrs["first_flow_month"]
    total = table3[table3["country"] == "Grand Total"].set_index("month")
    assert total.loc[:first, "net_purchases_bn"].iloc[:-1].isna().all()
    assert total.loc[first:, "net_purchases_bn"].notna().all()
    assert total["holdings_bn"].notna().all()


def test_regions_add_up_and_countries_are_placed(table3):
    wide = table3.pivot(index="month", columns="country", values="holdings_bn")
    assert_allclose(wide[list(REGIONS)].sum(axis=1), wide["All Countries"], atol=0.004)
    regions = table3.drop_duplicates("country").set_index("country")["region"]
    assert regions["Japan"] == "Total Asia" and regions["Cayman Islands"] == "Total Caribbean"
    assert regions["Grand Total"] == ""


def test_agrees_with_table5_of_the_same_release(table3, shared_data):
    check = compare_with_major_holders(table3, read_slt_table5(shared_data / "tic" / "slt_table5.txt"))
    assert {"Japan", "Grand Total", "For. Official"} <= set(check["country"])
    assert (check["difference_bn"].abs() <= 0.05 + 1e-9).all()


# ------------------------------------------------------------------------------------------ damaged copies


def test_dropped_country_row_is_refused(tmp_path, lines):
    k, _ = _row(lines, "Japan", "2025-04")
    with pytest.raises(DataFormatError, match=r"a row for 'Japan' in each of the 76 months.*2025-04"):
        read_slt_table3(_write(tmp_path, lines[:k] + lines[k + 1:]))


def test_flipped_sign_in_a_total_is_refused(tmp_path, lines):
    k, cells = _row(lines, "Grand Total", "2025-04")
    cells[4] = cells[4].lstrip("-")  # -70434 -> 70434
    damaged = lines[:k] + ["\t".join(cells) + "\r\n"] + lines[k + 1:]
    with pytest.raises(DataFormatError, match=rf"line {k + 1}: expected 'Grand Total' for_treas_net for 2025-04"):
        read_slt_table3(_write(tmp_path, damaged))


def test_text_in_a_number_is_refused(tmp_path, lines):
    k, cells = _row(lines, "Japan", "2025-05")
    cells[4] = "11,065"
    damaged = lines[:k] + ["\t".join(cells) + "\r\n"] + lines[k + 1:]
    with pytest.raises(DataFormatError, match=rf"line {k + 1}: expected a whole number .* 'for_treas_net'"):
        read_slt_table3(_write(tmp_path, damaged))


def test_lt_plus_st_must_make_the_total(tmp_path, lines):
    k, cells = _row(lines, "Japan", "2024-06")
    cells[3] = str(int(cells[3]) + 5000)
    damaged = lines[:k] + ["\t".join(cells) + "\r\n"] + lines[k + 1:]
    with pytest.raises(DataFormatError, match=rf"line {k + 1}: expected for_treas_pos = for_lt_treas_pos"):
        read_slt_table3(_write(tmp_path, damaged))


def test_missing_sign_line_and_truncation_are_refused(tmp_path, lines):
    with pytest.raises(DataFormatError, match="sign convention"):
        read_slt_table3(_write(tmp_path, lines[:2] + ["\r\n"] + lines[3:]))
    cut = next(k for k, ln in enumerate(lines) if ln.startswith("Notes:"))
    with pytest.raises(DataFormatError, match="Notes:"):
        read_slt_table3(_write(tmp_path, lines[:cut - 1]))


def test_duplicated_row_is_refused(tmp_path, lines):
    k, _ = _row(lines, "Canada", "2025-04")
    with pytest.raises(DataFormatError, match=r"'Canada' 2025-04 is already on line"):
        read_slt_table3(_write(tmp_path, lines[:k + 1] + [lines[k]] + lines[k + 1:]))


def test_country_dropped_from_every_month_is_caught_by_table5(tmp_path, lines, shared_data):
    kept = [ln for ln in lines if not ln.startswith("Japan\t")]
    table = read_slt_table3(_write(tmp_path, kept))  # the regional totals still add up
    with pytest.raises(DataValidationError, match="no row for Japan in 2025-04"):
        compare_with_major_holders(table, read_slt_table5(shared_data / "tic" / "slt_table5.txt"))


def test_store_refuses_a_damaged_table3_in_the_mirror(tmp_path, lines, shared_data):
    mirror = tmp_path / "mirror"
    (mirror / "tic").mkdir(parents=True)
    shutil.copy(shared_data / "tic" / "slt_table5.txt", mirror / "tic")
    kept = [ln for ln in lines if not ln.startswith("China, Mainland\t")]
    (mirror / "tic" / "slt_table3.txt").write_bytes("".join(kept).encode())
    store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True)
    with pytest.raises(DataValidationError, match="China, Mainland"):
        store.tic_flows()


# ------------------------------------------------------------------------------------------ holdings splice


def test_history_continued_by_table5(shared_data):
    hist = read_mfh_history(shared_data / "tic" / "mfhhis01.txt")
    cur = read_slt_table5(shared_data / "tic" / "slt_table5.txt")
    out = continue_holdings(hist, cur)
    assert out["month"].max() == cur["month"].max()
    assert out.attrs["continued_from"] > hist["month"].max()
    vint = out.drop_duplicates("month").set_index("month")["vintage"]
    assert (vint.loc[: hist["month"].max()] == "mfhhis01").all()
    assert (vint.loc[out.attrs["continued_from"]:] == "slt_table5").all()
    newest = out[(out["country"] == "Japan") & (out["month"] == cur["month"].max())]["holdings_bn"].iloc[0]
    assert newest == cur[(cur["country"] == "Japan") & (cur["month"] == cur["month"].max())]["holdings_bn"].iloc[0]
    rev = out.attrs["revisions"]
    assert set(rev["month"]) <= set(out.attrs["overlap"]) and "All Other" not in set(rev["country"])


def test_splice_refuses_a_figure_beyond_a_revision(shared_data):
    hist = read_mfh_history(shared_data / "tic" / "mfhhis01.txt")
    cur = read_slt_table5(shared_data / "tic" / "slt_table5.txt")
    month = sorted(set(hist["month"]) & set(cur["month"]))[0]
    bad = cur.copy()
    bad.loc[(bad["country"] == "Japan") & (bad["month"] == month), "holdings_bn"] *= 1.10
    with pytest.raises(DataValidationError, match=f"Japan in {month}"):
        continue_holdings(hist, bad)


def test_splice_refuses_a_gap(shared_data):
    hist = read_mfh_history(shared_data / "tic" / "mfhhis01.txt")
    cur = read_slt_table5(shared_data / "tic" / "slt_table5.txt")
    late = cur[cur["month"] > (pd.Period(hist["month"].max(), "M") + 1).strftime("%Y-%m")]
    with pytest.raises(DataValidationError, match="in neither file"):
        continue_holdings(hist, late)
