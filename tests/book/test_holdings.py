"""Tests of the computations over the tidy TIC table: logic on small hand-made tables, facts on the real file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.book import holdings
from treasurycard.data.sources.tic import read_mfh_history


def tidy(values: dict[str, list[float]], first: str = "2025-01", breaks=()) -> pd.DataFrame:
    """A tidy TIC-like table: one list of monthly holdings (bn USD) per label, from month ``first`` on."""
    n = len(next(iter(values.values())))
    months = pd.period_range(first, periods=n, freq="M").strftime("%Y-%m")
    rows = [(m, c, v) for c, vals in values.items() for m, v in zip(months, vals)]
    frame = pd.DataFrame(rows, columns=["month", "country", "holdings_bn"])
    frame.attrs["series_breaks"] = [{"month": b} for b in breaks]
    return frame


# ------------------------------------------------------------------------------- hand-made tables


def test_holdings_wide_fills_missing_months_with_nan():
    frame = tidy({"A": [1.0, 2.0, 3.0]}).query("month != '2025-02'")
    wide = holdings.holdings_wide(frame)
    assert list(wide.index) == ["2025-01", "2025-02", "2025-03"]
    assert np.isnan(wide.loc["2025-02", "A"])


def test_holdings_wide_unknown_label_names_it():
    with pytest.raises(KeyError, match="China"):
        holdings.holdings_wide(tidy({"A": [1.0]}), ["China"])


def test_share_of_total_in_percent():
    frame = tidy({"Japan": [25.0, 30.0], "Grand Total": [100.0, 120.0]})
    assert_allclose(holdings.share_of_total(frame, "Japan").to_numpy(), [25.0, 25.0], rtol=0, atol=1e-12)


@pytest.fixture
def race():
    # B is above A in months 1-2 (from the start), not in 3-4 (4 is a tie), above again in 5-6.
    return tidy({"A": [10.0, 10.0, 10.0, 10.0, 10.0, 10.0], "B": [11.0, 12.0, 9.0, 10.0, 10.5, 11.0]})


def test_spells_above_strict_and_flags(race):
    spells = holdings.spells_above(race, "B", "A")
    assert spells[["start", "end", "n_months"]].values.tolist() == [["2025-01", "2025-02", 2], ["2025-05", "2025-06", 2]]
    assert spells["from_start"].tolist() == [True, False]
    assert spells["ongoing"].tolist() == [False, True]


def test_spells_above_empty_when_never_above():
    assert holdings.spells_above(tidy({"A": [1.0, 2.0], "B": [1.0, 3.0]}), "A", "B").empty


def test_comparing_a_holder_with_itself_is_refused(race):
    with pytest.raises(ValueError, match="two different"):
        holdings.overtake(race, "A", "A")


def test_overtake_latest_crossing_and_stayed(race):
    result = holdings.overtake(race, "B", "A")
    assert result.month == "2025-05"
    assert_allclose(result.gap_bn, 0.5, rtol=0, atol=1e-12)
    assert result.stayed_above and result.months_above == 2
    assert result.last_month == "2025-06" and result.first_month_above == "2025-01"
    assert "2025-05" in repr(result)


def test_overtake_that_did_not_last():
    frame = tidy({"A": [10.0, 10.0, 10.0], "B": [9.0, 11.0, 9.0]})
    result = holdings.overtake(frame, "B", "A")
    assert result.month == "2025-02" and not result.stayed_above and result.months_above == 1


def test_overtake_spell_from_first_month_is_not_an_overtaking():
    result = holdings.overtake(tidy({"A": [1.0, 1.0], "B": [2.0, 3.0]}), "B", "A")
    assert result.month is None and np.isnan(result.gap_bn) and result.first_month_above == "2025-01"


def test_overtake_skips_months_without_a_figure():
    frame = tidy({"A": [10.0, np.nan, 10.0], "B": [9.0, 20.0, 11.0]})
    assert holdings.overtake(frame, "B", "A").month == "2025-03"


def test_monthly_changes_units_breaks_and_window():
    frame = tidy({"J": [100.0, 110.0, 99.0]}, breaks=["2025-03"])
    out = holdings.monthly_changes(frame, "J", start="2025-02")
    assert list(out.index) == ["2025-02", "2025-03"]
    assert_allclose(out["change_bn"].to_numpy(), [10.0, -11.0], rtol=0, atol=1e-12)
    assert_allclose(out["change_pct"].to_numpy(), [10.0, -10.0], rtol=0, atol=1e-12)
    assert out["series_break"].tolist() == [False, True]


@pytest.mark.parametrize("value, matched", [(1124.9, False), (1125.0, True), (1134.9, True), (1135.0, False)])
def test_months_matching_half_open_band(value, matched):
    frame = tidy({"Japan": [value]})
    assert (len(holdings.months_matching(frame, "Japan", 1130, 10)) == 1) is matched


def test_month_end_yields_last_valid_day_and_change():
    days = pd.to_datetime(["2025-03-28", "2025-03-31", "2025-04-10", "2025-04-29", "2025-04-30"])
    daily = pd.Series([4.2, 4.23, 4.5, 4.17, np.nan], index=days)  # 30 April a holiday (NaN)
    out = holdings.month_end_yields(daily)
    assert out.loc["2025-04", "date"] == pd.Timestamp("2025-04-29")
    assert_allclose(out.loc["2025-04", "change_bp"], -6.0, rtol=0, atol=1e-9)
    assert out.loc["2025-04", "high_date"] == pd.Timestamp("2025-04-10")
    assert np.isnan(out.loc["2025-03", "change_bp"])


def test_month_end_yields_refuses_a_missing_month():
    daily = pd.Series([4.0, 4.1], index=pd.to_datetime(["2025-01-31", "2025-03-31"]))
    with pytest.raises(ValueError, match="2025-02"):
        holdings.month_end_yields(daily)


def test_compare_quarterly_maps_quarter_start_to_quarter_end():
    frame = tidy({"Grand Total": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    fred = pd.Series([3.0, 6.5], index=pd.to_datetime(["2025-01-01", "2025-04-01"]))
    out = holdings.compare_quarterly(frame, fred)
    assert list(out.index) == ["2025-03", "2025-06"]
    assert_allclose(out["difference_bn"].to_numpy(), [0.0, 0.5], rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------------- the real file
# Reference values are the figures of tic/mfhhis01.txt (2025 block, sha256 adc9faf1eee0...) as printed
# in the file, read by eye; DGS10 values are those of fred/DGS10.csv in the same snapshot.


@pytest.fixture(scope="module")
def real(shared_data):
    return read_mfh_history(shared_data / "tic" / "mfhhis01.txt")


def test_real_uk_overtook_china_in_march_2025_and_stayed(real):
    # Feb 2025: UK 750.3 < China 784.3; Mar 2025: UK 779.3 > China 765.4.
    result = holdings.overtake(real, "United Kingdom", "China, Mainland")
    assert result.month == "2025-03"
    assert_allclose(result.gap_bn, 779.3 - 765.4, rtol=0, atol=1e-9)
    assert result.stayed_above and result.last_month == "2025-12"
    assert result.first_month_above == "2000-03"  # the UK (with Channel Islands, Isle of Man) led in early 2000


def test_real_japan_february_2025_rounds_to_113_trillion(real):
    matches = holdings.months_matching(real, "Japan", 1130, 10)
    assert {"2025-02", "2025-03", "2025-04"} <= set(matches.index)
    assert "2025-05" not in matches.index  # 1135.0 rounds to 1.14 trillion
    assert_allclose(matches.loc["2025-02", "holdings_bn"], 1125.9, rtol=0, atol=1e-9)
    share = holdings.share_of_total(real, "Japan")
    assert_allclose(share.loc["2025-02"], 100 * 1125.9 / 8900.0, rtol=1e-12, atol=0)


def test_real_japan_changes_after_april_2025(real):
    out = holdings.monthly_changes(real, "Japan", start="2025-04", end="2025-06")
    assert_allclose(out["change_bn"].to_numpy(), [1134.5 - 1130.8, 1135.0 - 1134.5, 1147.9 - 1135.0],
                    rtol=0, atol=1e-9)
    assert not out["series_break"].any()


def test_real_series_break_flagged(real):
    assert holdings.monthly_changes(real, "Japan").loc["2011-12", "series_break"]


def test_real_dgs10_april_2025(shared_data):
    dgs10 = pd.read_csv(shared_data / "fred" / "DGS10.csv", index_col=0, parse_dates=True)["DGS10"]
    out = holdings.month_end_yields(dgs10.loc["2025-03-01":"2025-05-31"])
    april = out.loc["2025-04"]
    assert april["date"] == pd.Timestamp("2025-04-30")
    assert_allclose([april["level_pct"], april["change_bp"], april["high_pct"]], [4.17, -6.0, 4.48], rtol=0, atol=1e-9)
    assert april["high_date"] == pd.Timestamp("2025-04-11")


def test_largest_fall_skips_series_breaks():
    from treasurycard.book.holdings import largest_fall

    # hand-made: the 2021-03 drop of 50 crosses a series break and is left out; the largest other fall is 7
    tic = pd.DataFrame({"month": ["2021-01", "2021-02", "2021-03", "2021-04", "2021-05"], "country": "X",
                        "holdings_bn": [100.0, 93.0, 43.0, 45.0, 40.0], "kind": "country"})
    tic.attrs["series_breaks"] = [{"month": "2021-03"}]
    out = largest_fall(tic, "X")
    assert out == {"month": "2021-02", "fall_bn": 7.0, "first_month": "2021-02", "n": 3}
