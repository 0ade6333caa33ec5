"""Tests of treasurycard.book.robustness: variants of the event studies on synthetic data with planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.book import robustness as rb
from treasurycard.data.calendar import EVENT_COLUMNS
from treasurycard.errors import TreasuryCardError

EVENT_DAY = pd.Timestamp("2009-06-10")  # a Wednesday
QUIET_DAY = pd.Timestamp("2009-09-16")


@pytest.fixture(scope="module")
def synthetic():
    """Two yields (percent) on business days 2004-2010, daily noise sd 3 bp, and planted effects on
    EVENT_DAY: DGS10 -40 bp, DGS2 +40 bp. QUIET_DAY and the day after it do not move."""
    rng = np.random.default_rng(20250402)
    idx = pd.bdate_range("2004-01-01", "2010-12-31", name="date")
    d = rng.normal(0.0, 3.0, size=(len(idx), 2))
    k = idx.get_loc(EVENT_DAY)
    d[k] = [-40.0, 40.0]
    q = idx.get_loc(QUIET_DAY)
    d[q : q + 2] = 0.0  # the quiet day and the next: no change at all
    levels = pd.DataFrame(4.0 + np.cumsum(d, axis=0) / 100.0, index=idx, columns=["DGS10", "DGS2"])
    events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    events = rb.add_event_days(events, {"planted": EVENT_DAY, "quiet": QUIET_DAY})
    return levels, events


CLAIMS = [
    rb.Claim("10-year fell (placebo)", "planted", "DGS10", "placebo", -1),
    rb.Claim("2-year rose (HAC)", "planted", "DGS2", "hac", +1),
    rb.Claim("2-year fell (HAC)", "planted", "DGS2", "hac", -1),
    rb.Claim("quiet day ordinary (HAC p > 0.10)", "quiet", "DGS10", "hac", 0, 0.10, significant=False),
    rb.Claim("quiet day unusual (placebo)", "quiet", "DGS10", "placebo", 0),
]


def test_planted_effects_hold_and_wrong_claims_fail(synthetic):
    levels, events = synthetic
    variants = [rb.Variant("baseline", "baseline"), rb.Variant("[0,1]", "event window", window=(0, 1)),
                rb.Variant("40 days", "estimation window", engine_kwargs={"estimation_length": 40})]
    long = rb.run_variants(levels, events, ["planted", "quiet"], CLAIMS, variants, base_kwargs={"placebo_start": "2005-01-01"})
    assert list(long.columns) == ["study"] + rb.LONG_COLUMNS
    assert len(long) == len(CLAIMS) * len(variants)
    h = long.set_index(["claim", "variant"])["holds"]
    for v in ("baseline", "[0,1]", "40 days"):
        assert h[("10-year fell (placebo)", v)] and h[("2-year rose (HAC)", v)]
        assert not h[("2-year fell (HAC)", v)]  # right p-value, wrong sign
        assert not h[("quiet day unusual (placebo)", v)]
    base = long.set_index(["claim", "variant"]).loc[("10-year fell (placebo)", "baseline")]
    # a -40 bp day against sd 3 bp noise: larger than every placebo day, so p = 1 / (1 + N)
    assert_allclose(base["pvalue"], 1.0 / (1.0 + base["n_reference"]), rtol=0, atol=1e-12)
    assert_allclose(base["change"], -40.0, atol=1e-9)
    assert not long.set_index(["claim", "variant"]).loc[("2-year fell (HAC)", "baseline"), "direction_ok"]


def test_event_set_variants(synthetic):
    levels, events = synthetic
    variants = [rb.Variant("baseline", "baseline"),
                rb.Variant("drop quiet", "event set", drop_events=("quiet",)),
                rb.Variant("add day", "event set", add_days={"extra": "2009-06-11"})]
    long = rb.run_variants(levels, events, ["planted", "quiet"], CLAIMS[:2] + CLAIMS[3:4], variants)
    t = long.set_index(["claim", "variant"])
    assert not t.loc[("quiet day ordinary (HAC p > 0.10)", "drop quiet"), "applies"]
    assert pd.isna(t.loc[("quiet day ordinary (HAC p > 0.10)", "drop quiet"), "holds"])
    # an extra event day next to the planted one leaves the planted day's CAR and HAC p-value unchanged:
    # each day dummy fits its own day and the constant is estimated before the first event
    assert_allclose(t.loc[("2-year rose (HAC)", "add day"), ["change", "pvalue"]].to_numpy(float),
                    t.loc[("2-year rose (HAC)", "baseline"), ["change", "pvalue"]].to_numpy(float), rtol=1e-10)
    with pytest.raises(TreasuryCardError, match="already"):
        rb.add_event_days(events, {"planted": "2009-06-11"})


def test_placebo_period_variant_restricts_reference_dates(synthetic):
    levels, events = synthetic
    ref = pd.bdate_range("2005-01-07", "2010-12-31", freq="WOM-1FRI")  # monthly "release" days
    claim = [rb.Claim("ordinary on release days", "planted", "DGS10", "cond_placebo", 0, 0.10, significant=False)]
    variants = [rb.Variant("baseline", "baseline"),
                rb.Variant("2008", "placebo", engine_kwargs={"placebo_start": "2008-01-01", "placebo_end": "2008-12-31"})]
    long = rb.run_variants(levels, events, ["planted"], claim, variants, reference_dates=ref,
                           base_kwargs={"placebo_start": "2005-01-01"})
    n = long.set_index("variant")["n_reference"]
    assert n["baseline"] == len(ref) and n["2008"] == 12
    assert not long["holds"].any()  # the planted move is the largest: p = 1/(1+N) <= 0.10


def test_standardized_weekly_changes_by_hand():
    # daily changes alternate +1, -1 bp (sd of any even-length window = sqrt(n/(n-1))), then one week of +4 bp/day
    idx = pd.bdate_range("2020-01-06", periods=200, name="date")  # starts on a Monday
    d = np.tile([1.0, -1.0], 100)
    d[150:155] = 4.0  # Monday to Friday of one week
    levels = pd.DataFrame({"DGS10": 2.0 + np.cumsum(d) / 100.0}, index=idx)
    z = rb.standardized_weekly_changes(levels, length=40, gap=5)["DGS10"]
    week = idx[154]
    sd = np.std(np.tile([1.0, -1.0], 20), ddof=1)  # the 40 changes ending 5 days before the week: all +-1
    assert_allclose(z.loc[week], 20.0 / (sd * np.sqrt(5)), rtol=1e-12)
    claim = rb.WeeklyClaim("big week", "DGS10", f"{week:%Y-%m-%d}", "up", 0.05)
    long = rb.weekly_variants(levels, claim, [rb.WeeklyVariant("raw", "baseline"),
                                              rb.WeeklyVariant("std", "placebo", standardize=40, gap=5)])
    assert long["holds"].all()
    assert long["note"].str.startswith("rank 1 of").all()


def test_summary_table_cells():
    row = {"change": np.nan, "unit": "bp", "mde": np.nan, "baseline_mde": np.nan, "n_reference": np.nan}
    long = pd.DataFrame([
        {**row, "claim": "a", "variant": "v1", "group": "g", "applies": True, "change": -14.0, "pvalue": 0.0224,
         "direction_ok": True, "holds": True, "verdict": "holds"},
        {**row, "claim": "a", "variant": "v2", "group": "h", "applies": True, "change": 20.0, "pvalue": 0.1,
         "direction_ok": False, "holds": False, "verdict": "fails"},
        {**row, "claim": "a", "variant": "v3", "group": "h", "applies": True, "change": -3.0, "pvalue": 0.08,
         "direction_ok": True, "holds": False, "verdict": "fails"},
        {**row, "claim": "b", "variant": "v1", "group": "g", "applies": True, "change": 1.0, "pvalue": 0.0004,
         "direction_ok": True, "holds": True, "verdict": "holds"},
        {**row, "claim": "b", "variant": "v2", "group": "h", "applies": False, "unit": None,
         "pvalue": np.nan, "direction_ok": np.nan, "holds": np.nan, "verdict": np.nan},
        {**row, "claim": "b", "variant": "v3", "group": "h", "applies": True, "change": 2.0, "pvalue": 0.3,
         "direction_ok": True, "holds": True, "verdict": "holds"},
        # a null claim: holds with the baseline's power, uninformative with a noisier test or too few days
        {**row, "claim": "n", "variant": "v1", "group": "g", "applies": True, "change": 8.0, "pvalue": 0.326,
         "direction_ok": True, "holds": True, "mde": 22.0, "baseline_mde": 22.0, "verdict": "holds"},
        {**row, "claim": "n", "variant": "v2", "group": "h", "applies": True, "change": 8.0, "pvalue": 0.41,
         "direction_ok": True, "holds": True, "mde": 24.4, "baseline_mde": 17.0, "verdict": "uninformative"},
        {**row, "claim": "n", "variant": "v3", "group": "h", "applies": True, "change": 8.0, "pvalue": 0.692,
         "direction_ok": True, "holds": True, "mde": np.inf, "baseline_mde": 22.0, "n_reference": 12,
         "verdict": "uninformative"},
    ])
    wide = rb.summary_table(long)
    assert wide.loc["a", ("g", "v1")] == "0.022 ✓"
    assert wide.loc["a", ("h", "v2")] == "+20 bp ✗"
    assert wide.loc["a", ("h", "v3")] == "0.080 ✗"
    assert wide.loc["b", ("g", "v1")] == "<0.001 ✓"
    assert wide.loc["b", ("h", "v2")] == "–"
    assert wide.loc["n", ("g", "v1")] == "0.326 ✓ (MDE 22 bp)"
    assert wide.loc["n", ("h", "v2")] == "0.410, uninformative (MDE 24 bp vs 17 bp)"
    assert wide.loc["n", ("h", "v3")] == "0.692, uninformative (12 days cannot give p < 0.05)"
    assert list(wide[rb.COUNT_COLUMN]) == ["1 hold, 0 uninformative, 2 fail", "2 hold, 0 uninformative, 0 fail",
                                           "1 hold, 2 uninformative, 0 fail"]


RELEASES = pd.bdate_range("2005-01-07", "2010-12-31", freq="WOM-1FRI")  # monthly "release" days
NULL_CLAIMS = [
    rb.Claim("quiet day ordinary (HAC p > 0.10)", "quiet", "DGS10", "hac", 0, 0.10, significant=False),
    rb.Claim("quiet day ordinary on release days", "quiet", "DGS10", "cond_placebo", 0, 0.10, significant=False),
]


def test_a_noisier_variant_of_a_null_claim_is_uninformative_an_equally_powered_one_holds(synthetic):
    levels, events = synthetic
    variants = [
        rb.Variant("baseline", "baseline"),
        rb.Variant("0 lags", "HAC lags", engine_kwargs={"hac_maxlags": 0}),  # same noise, same power
        rb.Variant("[0,5]", "event window", window=(0, 5)),  # six days of noise
        rb.Variant("2008", "placebo", engine_kwargs={"placebo_start": "2008-01-01", "placebo_end": "2008-12-31"}),
    ]
    long = rb.run_variants(levels, events, ["planted", "quiet"], CLAIMS[:1] + NULL_CLAIMS, variants,
                           reference_dates=RELEASES, base_kwargs={"placebo_start": "2005-01-01"})
    t = long.set_index(["claim", "variant"])
    hac, cond = (c.label for c in NULL_CLAIMS)
    assert t.loc[[(c, v) for c in (hac, cond) for v in t.index.levels[1]], "holds"].all()  # every p > 0.10
    base_hac, base_cond = t.loc[(hac, "baseline"), "mde"], t.loc[(cond, "baseline"), "mde"]
    # the HAC test's MDE is 2.80 standard errors: about 2.8 * 3 bp for one day, sqrt(6) times that over [0,5]
    assert 7.5 < base_hac < 9.5
    assert_allclose(t.loc[(hac, "[0,5]"), "mde"] / base_hac, np.sqrt(6), rtol=0.1)
    assert t.loc[(hac, "[0,5]"), "verdict"] == "uninformative" and t.loc[(cond, "[0,5]"), "verdict"] == "uninformative"
    assert t.loc[(hac, "0 lags"), "verdict"] == "holds" and t.loc[(cond, "0 lags"), "verdict"] == "holds"
    assert t.loc[(cond, "0 lags"), "mde"] == base_cond  # the lags do not touch the placebo distribution
    # twelve release days cannot give a p-value below 5%: no power at all
    assert t.loc[(cond, "2008"), "n_reference"] == 12 and np.isinf(t.loc[(cond, "2008"), "mde"])
    assert t.loc[(cond, "2008"), "verdict"] == "uninformative"
    assert (t.loc[(cond, "2008"), "baseline_mde"], t.loc[(hac, "2008"), "baseline_mde"]) == (base_cond, base_hac)
    # the significant claim: no MDE, and its verdict is its test's
    sig = long[long["claim"] == CLAIMS[0].label]
    assert sig["mde"].isna().all() and list(sig["verdict"]) == ["holds"] * len(variants)
    wide = rb.summary_table(long)
    assert wide.loc[cond, rb.COUNT_COLUMN] == "2 hold, 2 uninformative, 0 fail"
    assert "uninformative (12 days cannot give p < 0.05)" in wide.loc[cond, ("placebo", "2008")]


def test_significant_claims_keep_their_verdicts(synthetic):
    levels, events = synthetic
    variants = [rb.Variant("baseline", "baseline"), rb.Variant("[0,5]", "event window", window=(0, 5))]
    long = rb.run_variants(levels, events, ["planted", "quiet"], CLAIMS, variants,
                           base_kwargs={"placebo_start": "2005-01-01"})
    significant = {c.label for c in CLAIMS if c.significant}
    judged = long[long["applies"] & long["claim"].isin(significant)]
    assert len(judged) == 2 * len(significant)
    assert list(judged["verdict"]) == ["holds" if h else "fails" for h in judged["holds"]]
    assert judged["mde"].isna().all()
    # the one null claim among them: the [0,5] window's six days of noise make its "holds" uninformative
    null = long.set_index(["claim", "variant"]).loc["quiet day ordinary (HAC p > 0.10)"]
    assert null.loc["baseline", "verdict"] == "holds" and null.loc["[0,5]", "verdict"] == "uninformative"


def test_sandwich_over_rejects_stationary_does_not():
    out = rb.hac_event_variance_size(5.0, n_draws=80, seed=3).set_index("event_variance")
    assert out.loc["sandwich", "rejection_rate"] > 0.6
    assert out.loc["stationary", "rejection_rate"] < 0.15
    assert out.loc["sandwich", "mean_se_bp"] < 0.5 * out.loc["stationary", "mean_se_bp"]


def test_claim_checks_its_test():
    with pytest.raises(TreasuryCardError, match="Claim.test"):
        rb.Claim("x", "e", "DGS10", "t_test")


def test_baseline_reproduces_the_book_on_real_data(shared_data, tmp_path):
    from treasurycard.data import calendar
    from treasurycard.book import study
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    levels = store.fred(study.APRIL_SERIES, start=study.STUDY_START, end=study.STUDY_END)
    events = calendar.read_events(study.EVENTS_CSV)
    long = rb.run_variants(levels, events, study.APRIL_EVENTS, rb.APRIL_CLAIMS,
                           [rb.Variant("baseline", "baseline")], base_kwargs={"placebo_start": study.PLACEBO_START})
    book = study.april_study(store, windows=[(0, 0)]).to_frame().set_index(["event_id", "series_id"])
    for _, r in long.iterrows():
        col = {"placebo": "placebo_pvalue", "hac": "hac_pvalue"}[r["test"]]
        assert_allclose(r["pvalue"], book.loc[(r["event_id"], r["series_id"]), col], rtol=1e-12)
    assert long["holds"].all()  # the April chapter's baseline conclusions
    assert (long["verdict"] == "holds").all() and long["mde"].isna().all()  # significant claims: power aside


def test_kato_2024_only_comparison_set_on_real_data(shared_data, tmp_path):
    """The 2024-only comparison set of the Kato null claim: the jobs-report days of 2024 are too few for a
    p-value below 5%, so its MDE is infinite and the claim's "holds" there is uninformative; the HAC claim,
    which that choice does not touch, keeps the baseline's power and holds."""
    from treasurycard.data import calendar
    from treasurycard.book import study
    from treasurycard.book.claims import placebo_mde
    from treasurycard.data.store import DataStore

    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    levels = store.fred(study.KATO_SERIES, start=study.STUDY_START, end=study.STUDY_END)
    events = calendar.read_events(study.EVENTS_CSV)
    variants = [v for v in rb.kato_variants() if v.label in ("baseline", "2024 only", "standardized")]
    long = rb.run_variants(levels, events, study.KATO_EVENTS, rb.KATO_CLAIMS, variants,
                           reference_dates=study.jobs_report_days(store),
                           base_kwargs={"placebo_start": study.PLACEBO_START}, study="kato")
    t = long.set_index(["claim", "variant"])
    cp, hac = (c.label for c in rb.KATO_CLAIMS)
    # the baseline MDE is the placebo MDE of the jobs-day changes the p-value ranks against
    res = study.kato_study(store, windows=[(0, 0)])
    ref = res.placebo_distribution("DGS10", (0, 0), conditioned=True)
    assert len(ref) == t.loc[(cp, "baseline"), "n_reference"]
    assert_allclose(t.loc[(cp, "baseline"), "mde"], placebo_mde(ref))
    assert 10 < t.loc[(cp, "baseline"), "mde"] < 40  # about 2.8 jobs-day standard deviations of 7 bp
    n24, mde24 = t.loc[(cp, "2024 only"), ["n_reference", "mde"]]
    assert n24 < 19 and np.isinf(mde24)  # (1 + 0) / (1 + n) >= 0.05: no 5% rejection possible
    assert t.loc[(cp, "2024 only"), "holds"] and t.loc[(cp, "2024 only"), "verdict"] == "uninformative"
    assert t.loc[(hac, "2024 only"), "mde"] == t.loc[(hac, "baseline"), "mde"]
    assert t.loc[(hac, "2024 only"), "verdict"] == "holds"
    for c in (cp, hac):
        r = t.loc[(c, "standardized")]
        want = "uninformative" if r["mde"] > (1 + rb.MDE_TOLERANCE) * r["baseline_mde"] else "holds"
        assert r["verdict"] == (want if r["holds"] else "fails")
