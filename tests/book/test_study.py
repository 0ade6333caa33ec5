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


def test_tokyo_series_react_on_the_tokyo_clock():
    # a 06:30 JST remark reaches that day's 15:00 Tokyo close; the same instant is the previous US evening
    lv = synthetic_levels()
    lv = lv.rename(columns={"DGS10": "JGB10Y", "DEXJPUS": "ECBJPYUSD"})
    day = lv.index[350]
    res = run_study(lv, events_at(f"{day:%Y-%m-%d}T06:30", "Asia/Tokyo"), ["news"], [(0, 0)],
                    placebo_start=lv.index[0])
    rd = res.reaction_days.set_index("market")["reaction_date"]
    assert rd["tokyo"] == day                  # before the Tokyo close of that day
    assert rd["ecb"] == day                    # 23:30 CET of the day before: the next fixing is that day's
    assert set(res.to_frame()["observed_at"]) == {"15:00", "14:15"}


def test_load_levels_joins_publishers_and_units(shared_data, tmp_path):
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    lv = study.load_levels(store, ["DGS10", "JGB10Y", "ECBJPYUSD"], "2025-04-28", "2025-05-09")
    assert lv.attrs["units"] == {"DGS10": "bp", "JGB10Y": "bp", "ECBJPYUSD": "%"}
    # 1 May: Tokyo and New York trade, the ECB does not (TARGET holiday); 6 May: Tokyo closed (Golden Week)
    assert np.isnan(lv.loc["2025-05-01", "ECBJPYUSD"]) and lv.loc["2025-05-01", ["DGS10", "JGB10Y"]].notna().all()
    assert np.isnan(lv.loc["2025-05-06", "JGB10Y"])


def test_later_2025_hashimoto_and_hours_on_real_data(shared_data, tmp_path):
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    hours = study.kato_hours_study(store).to_frame()
    day0 = hours[(hours["window_start"] == 0) & (hours["window_end"] == 0)].set_index(["event_id", "series_id"])
    # from the snapshot (PROVENANCE.md): JGB 10y 1.291 -> 1.283, 30y 2.653 -> 2.693; yen per dollar at the ECB
    # fixing 143.04 (30 Apr) -> 144.52 (2 May, the first fixing after the remark: 1 May was a TARGET holiday)
    assert_allclose(day0.loc[("kato_remark", "JGB10Y"), "raw_change"], -0.8, atol=1e-9)
    assert_allclose(day0.loc[("kato_remark", "JGB30Y"), "raw_change"], 4.0, atol=1e-9)
    assert_allclose(day0.loc[("kato_remark", "ECBJPYUSD"), "raw_change"], 100 * np.log(144.52 / 143.04), atol=0.01)
    assert (day0.xs("kato_remark")["reaction_date"] == pd.Timestamp("2025-05-02")).all()
    later = study.later_study(store, windows=[(0, 0)]).reaction_days.set_index(["event_id", "market"])["reaction_date"]
    assert later[("moodys_downgrade", "bonds")] == pd.Timestamp("2025-05-19")
    assert later[("us_japan_deal", "fx")] == pd.Timestamp("2025-07-23")
    hs = study.hashimoto_study(store, windows=[(0, 0)])
    rd = hs.reaction_days.set_index("market")["reaction_date"]
    assert rd["bonds"] == pd.Timestamp("1997-06-23") and rd["fx"] == pd.Timestamp("1997-06-24")


def test_jobs_day_pattern_and_sell_america_on_real_data(shared_data, tmp_path):
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    pat = study.jobs_day_pattern(store)
    # 2 May 2025 is in the changes (flagged) but not in the comparison set; fred/DGS2.csv: 3.70 (1 May), 3.83 (2 May)
    assert pat.changes["event"].sum() == 1 and pat.n_reference == len(pat.changes) - 1
    assert_allclose(pat.changes.loc["2025-05-02", "DGS2"], 13.0, atol=1e-9)
    assert pat.n_reference < pat.n_release_dates
    assert set(pat.test["series_id"]) == set(study.SHAPE_YS)
    sa = study.sell_america(store)
    assert set(sa.correlations["pair"]) == {"yield-dollar", "stock-dollar"}
    assert (sa.correlations["n"] == sa.correlations["n"].iloc[0]).all()
    assert pd.Timestamp(study.TARIFF_WEEK) in set(sa.joint_weeks["week"])
    # PROVENANCE.md: DGS10 4.20 (2 Apr), 4.01 (4 Apr), 4.48 (11 Apr)
    assert_allclose(sa.tariff_week.loc["DGS10", list(study.TARIFF_WEEK_BASES)].to_numpy(dtype=float), [28.0, 47.0], atol=1e-9)
    tp = study.term_premia_monthly(store)
    assert tp.loc["2025-06", "ACMTP10"] == pytest.approx(0.640849, abs=1e-6) and np.isnan(tp.loc["2025-07", "ACMTP10"])


def test_sell_america_later_peak_on_real_data(shared_data, tmp_path):
    from treasurycard.data.store import DataStore

    sa = study.sell_america(DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True))
    later = sa.later.set_index("pair")
    assert set(later.index) == {"yield-dollar", "stock-dollar"}
    assert (later["peak_date"] > pd.Timestamp(study.SELLOFF_END)).all()
    assert ((later["share_below"] >= 0) & (later["share_below"] <= 1)).all()
    assert (later["n_above_p95"] <= later["n_later"]).all()


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
