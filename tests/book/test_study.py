"""Per-observation-time event studies (treasurycard.book.study)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.data import calendar
from treasurycard.errors import TreasuryCardError

from treasurycard.book import study
from treasurycard.book.study import run_study


def synthetic_levels(seed=3, n=400):
    """Random-walk yield (percent) and yen rate on business days, with a planted jump (synthetic data)."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2024-01-01", periods=n, name="date")
    y = 4.0 + np.cumsum(rng.normal(0, 0.05, n))
    fx = 150 * np.exp(np.cumsum(rng.normal(0, 0.005, n)))
    return pd.DataFrame({"DGS10": y, "DEXJPUS": fx}, index=idx)


def events_at(local_datetime, tz="America/New_York"):
    return pd.DataFrame({"event_id": ["news"], "local_datetime": [local_datetime], "timezone": [tz]})


def test_afternoon_news_reaches_noon_fx_next_day():
    lv = synthetic_levels()
    day = lv.index[350]
    res = run_study(lv, events_at(f"{day:%Y-%m-%d}T13:18"), ["news"], [(0, 0)], placebo_start=lv.index[0])
    rd = res.reaction_days.set_index("market")["reaction_date"]
    assert rd["bonds"] == day and rd["fx"] == lv.index[351]
    table = res.to_frame().set_index("series_id")
    # the window change is the one of each series' own reaction day
    assert_allclose(table.loc["DGS10", "raw_change"], 100 * (lv["DGS10"].iloc[350] - lv["DGS10"].iloc[349]), rtol=1e-12)
    fx = lv["DEXJPUS"]
    assert_allclose(table.loc["DEXJPUS", "raw_change"], 100 * np.log(fx.iloc[351] / fx.iloc[350]), rtol=1e-12)
    assert set(table["observed_at"]) == {"16:00", "12:00"} and set(table["market"]) == {"bonds", "fx"}


def test_bond_holiday_does_not_cost_stocks_a_day():
    """Columbus Day: stocks trade, bonds do not. Each market's windows use its own trading days."""
    lv = synthetic_levels()
    lv["SP500"] = 5000 * np.exp(np.cumsum(np.random.default_rng(5).normal(0, 0.01, len(lv))))
    holiday = lv.index[340]
    lv.loc[holiday, "DGS10"] = np.nan
    day = lv.index[341]
    res = run_study(lv, events_at(f"{day:%Y-%m-%d}T10:00"), ["news"], [(-1, 0)], placebo_start=lv.index[0])
    table = res.to_frame().set_index("series_id")
    # bonds: the window [-1, 0] starts after the close of the last bond trading day before the holiday
    assert_allclose(table.loc["DGS10", "raw_change"], 100 * (lv["DGS10"].iloc[341] - lv["DGS10"].iloc[338]), rtol=1e-12)
    assert table.loc["DGS10", "complete"]
    sp = lv["SP500"]
    assert_allclose(table.loc["SP500", "raw_change"], 100 * np.log(sp.iloc[341] / sp.iloc[339]), rtol=1e-12)


def test_morning_news_same_day_for_both_clocks():
    lv = synthetic_levels()
    day = lv.index[300]
    res = run_study(lv, events_at(f"{day:%Y-%m-%d}T08:30"), ["news"], [(0, 1)], placebo_start=lv.index[0])
    assert set(res.reaction_days["reaction_date"]) == {day}
    assert list(res.to_frame()["series_id"]) == ["DGS10", "DEXJPUS"]  # the levels' column order
    with pytest.raises(KeyError):
        res.row("news", "DGS10", (0, 0))


def test_book_studies_on_real_data(shared_data, tmp_path):
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    res = study.kato_study(store)
    row = res.row("kato_remark", "DGS10")
    raw = pd.read_csv(shared_data / "fred" / "DGS10.csv", index_col=0, parse_dates=True)["DGS10"]
    assert row["reaction_date"] == pd.Timestamp("2025-05-02")
    assert_allclose(row["raw_change"], 100 * (raw.loc["2025-05-02"] - raw.loc["2025-05-01"]), rtol=1e-9)
    assert 0 < row["cond_placebo_n"] < row["placebo_n"]


def test_tariff_week_on_real_data(shared_data, tmp_path):
    """The week ending 2025-04-11: change and rank from the real DGS10 file's own closes."""
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    weekly, ranks = study.tariff_week(store, ["DGS10"])
    raw = pd.read_csv(shared_data / "fred" / "DGS10.csv", index_col=0, parse_dates=True)["DGS10"]
    r = ranks["DGS10"]
    assert_allclose(r.value, 100 * (raw.loc["2025-04-11"] - raw.loc["2025-04-04"]), rtol=0, atol=1e-9)
    assert r.unit == "bp" and r.first_period.year == 1962
    assert r.rank == int((weekly["DGS10"].dropna() > r.value).sum()) + 1


def test_window_frame_is_the_day0_selection_chapters_need():
    lv = synthetic_levels()
    day = lv.index[300]
    res = run_study(lv, events_at(f"{day:%Y-%m-%d}T08:30"), ["news"], [(0, 0), (0, 1)], placebo_start=lv.index[0])
    d0 = res.window_frame()
    assert d0.index.names == ["event_id", "series_id"] and len(d0) == 2
    assert (d0["window_end"] == 0).all()
    assert d0.loc[("news", "DGS10"), "raw_change"] == res.row("news", "DGS10")["raw_change"]
    assert (res.window_frame((0, 1))["window_end"] == 1).all()
    with pytest.raises(KeyError, match="has windows"):
        res.window_frame((0, 5))


def test_known_event_days_cover_every_listed_event_and_skip_those_after_the_data():
    lv = synthetic_levels()
    events = pd.DataFrame({
        "event_id": ["a", "b", "late"],
        "local_datetime": [f"{lv.index[100]:%Y-%m-%d}T10:00", f"{lv.index[200]:%Y-%m-%d}T17:00", "2031-01-02T10:00"],
        "timezone": ["America/New_York"] * 3,
    })
    days = study.known_event_days(events, lv.index, "16:00", (0, 2))
    # a reacts the same day (rows 100-102); b after the close, the next day (rows 201-203); late is skipped
    assert list(days) == list(lv.index[[100, 101, 102, 201, 202, 203]])


def test_book_studies_skip_every_known_event_in_their_estimation_windows(shared_data, tmp_path):
    """The Kato study's window (ending mid-April 2025) skips the tariff week's event windows; it reaches
    back one trading day for every day it skips, and data/events.csv decides which days those are."""
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    res = study.kato_study(store, windows=[(0, 0)])
    est = res.estimation.set_index(["event_id", "series_id"]).loc[("kato_remark", "DGS10")]
    skipped = study.known_event_days(calendar.read_events(study.EVENTS_CSV),
                                     store.fred(study.KATO_SERIES, start=study.STUDY_START, end=study.STUDY_END).index)
    inside = skipped[(skipped >= est["estimation_start"]) & (skipped <= est["estimation_end"])]
    assert pd.Timestamp("2025-04-09") in inside and pd.Timestamp("2025-04-03") in inside
    assert est["n_excluded"] == len(inside) and est["n_est"] == 250
    plain = study.kato_study(store, windows=[(0, 0)], exclude_window=None)
    est0 = plain.estimation.set_index(["event_id", "series_id"]).loc[("kato_remark", "DGS10")]
    assert est0["n_excluded"] == 0 and est0["estimation_start"] > est["estimation_start"]


def test_pooled_tests_on_the_april_and_kato_studies(shared_data, tmp_path):
    """The referee's numbers: DGS10 over the three April events, window [0, 5], overlapping windows (Patell
    p about 0.06, not 0.007); DGS10 over the two Kato events: two members, NaN with the reason, never inf."""
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    april = study.april_study(store, windows=[(0, 5)])
    p = april.pooled_tests(by="series_id").set_index(["series_id", "test"])
    assert 0.03 < p.loc[("DGS10", "patell"), "pvalue"] < 0.10
    assert p.loc[("DGS10", "patell"), "n"] == 3 and p.loc[("DGS10", "patell"), "note"] == ""
    with pytest.raises(TreasuryCardError, match="explicit direction"):
        april.pooled_tests(by="event_id")  # yields, the dollar, the VIX and the S&P 500 in one pool
    kato = study.kato_study(store, windows=[(0, 5)])
    k = kato.pooled_tests(by="series_id").set_index(["series_id", "test"]).loc["DGS10"]
    assert k["statistic"].isna().all() and (k["note"] == "fewer than 3 members").all()
