"""Tests of the TIC Table 3 and custody arithmetic (treasurycard.book.flows) on small hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.book import flows


def _table(rows):
    cols = ["month", "country", "region", "kind", "holdings_bn", "net_purchases_bn", "lt_valuation_bn"]
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture
def t3():
    # hand-made: A sells 5 in 2025-04 while its bonds gain 2; B buys 3; the total has a gap-free history
    return _table([
        ("2025-03", "A", "Asia", "country", 100.0, 1.0, 0.5),
        ("2025-04", "A", "Asia", "country", 98.0, -5.0, 2.0),
        ("2025-05", "A", "Asia", "country", 99.5, 2.0, -1.0),
        ("2025-03", "B", "Europe", "country", 50.0, np.nan, np.nan),
        ("2025-04", "B", "Europe", "country", 53.0, 3.0, 0.0),
        ("2025-05", "B", "Europe", "country", 52.0, -1.0, 0.0),
        ("2025-03", "Grand Total", "", "total", 150.0, -2.0, 0.5),
        ("2025-04", "Grand Total", "", "total", 151.0, -9.0, 2.0),
        ("2025-05", "Grand Total", "", "total", 151.5, 1.0, -1.0),
    ])


def test_decompose_change_adds_up(t3):
    out = flows.decompose_change(t3, "A")
    assert_allclose(out.loc["2025-04", ["change_bn", "net_purchases_bn", "valuation_bn", "other_bn"]].to_numpy(float),
                    [-2.0, -5.0, 2.0, 1.0])  # -2 = -5 + 2 + 1
    assert np.isnan(out.loc["2025-03", "change_bn"])
    with pytest.raises(KeyError, match="no row labelled 'C'"):
        flows.decompose_change(t3, "C")


def test_rank_month_counts_only_months_with_flows(t3):
    r = flows.rank_month(t3, "Grand Total", "2025-04")
    assert (r.rank, r.n, r.value) == (1, 3, -9.0)
    rb = flows.rank_month(t3, "B", "2025-05")
    assert (rb.rank, rb.n) == (1, 2)  # B's March flow is n.a., so only two months rank
    assert flows.rank_month(t3, "Grand Total", "2025-05", direction="up").rank == 1


def test_movers_sorted_by_first_month_and_countries_only(t3):
    m = flows.movers(t3, ["2025-04", "2025-05"])
    assert m["country"].tolist() == ["A", "B"]
    assert m.loc[0, "net_purchases_bn_2025-05"] == 2.0 and m.loc[0, "region"] == "Asia"


def test_flows_wide_names_a_missing_label(t3):
    with pytest.raises(KeyError, match="Japan"):
        flows.flows_wide(t3, countries=["Japan"])


def test_valuation_bound_first_order():
    # 100 bp on $1,000bn with duration 5 is -$50bn (hand computation: 5 * 0.01 * 1000)
    out = flows.valuation_bound(1000.0, 100.0, durations=(5.0, 2.0))
    assert_allclose([out[5.0], out[2.0]], [-50.0, -20.0])
    assert flows.valuation_bound(1000.0, -50.0, durations=(4.0,))[4.0] == pytest.approx(20.0)
    with pytest.raises(ValueError):
        flows.valuation_bound(-1.0, 10.0)
    with pytest.raises(ValueError):
        flows.valuation_bound(10.0, 10.0, durations=(0.0,))


def test_weekly_changes_skip_gaps():
    idx = pd.to_datetime(["2025-04-02", "2025-04-09", "2025-04-23", "2025-04-30"])
    s = pd.Series([10.0, 12.0, 11.0, 15.0], index=idx, name="WMTSECL1")
    out = flows.weekly_custody_changes(s)
    assert np.isnan(out.iloc[0]) and np.isnan(out.iloc[2])  # first week, and the week after a missing one
    assert out.iloc[1] == 2.0 and out.iloc[3] == 4.0
