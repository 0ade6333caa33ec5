"""The book's headline conclusions rerun under alternative choices, returned as tidy tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import calendar
from ..eventstudy.changes import daily_changes
from ..errors import TreasuryCardError
from ..eventstudy.estimate import dummy_regression
from ..eventstudy.history import rank_in_history, weekly_changes
from ..data.series import change_units, series_info
from .claims import MDE_TOLERANCE, Claim, WeeklyClaim, mde_of_test, power_verdict  # noqa: F401 (MDE_TOLERANCE re-exported)
from .study import (
    APRIL_EVENTS,
    APRIL_SERIES,
    EVENTS_CSV,
    KATO_EVENTS,
    KATO_SERIES,
    PLACEBO_START,
    STUDY_END,
    STUDY_START,
    jobs_report_days,
    run_study,
)

__all__ = [
    "Claim",
    "Variant",
    "WeeklyClaim",
    "WeeklyVariant",
    "add_event_days",
    "run_variants",
    "standardized_weekly_changes",
    "weekly_variants",
    "summary_table",
    "verdict_cell",
    "mde_text",
    "hac_event_variance_size",
    "APRIL_CLAIMS",
    "KATO_CLAIMS",
    "WEEK_CLAIM",
    "april_variants",
    "kato_variants",
    "week_variants",
    "headline_robustness",
]

#: Columns of the long tables returned by :func:`run_variants` and :func:`weekly_variants`.
LONG_COLUMNS = [
    "claim", "short", "variant", "group", "applies", "event_id", "series_id", "window", "test", "change", "unit",
    "pvalue", "threshold", "direction_ok", "holds", "mde", "baseline_mde", "verdict", "n_reference", "note",
]

@dataclass(frozen=True)
class Variant:
    """One alternative choice for the event studies.

    Attributes
    ----------
    label, group : str
        Column label and the kind of choice (``"estimation window"``, ``"event window"``, ...).
    window : (int, int)
        Event window in trading days relative to the reaction day (default the reaction day alone).
    engine_kwargs : dict
        Overrides of :func:`treasurycard.estimate.event_study` arguments (``estimation_length``,
        ``estimation_end``, ``hac_maxlags``, ``placebo_start``, ``placebo_end``, ``placebo_statistic``...).
    drop_events : tuple of str
        Events removed from the study's event set.
    add_days : dict of str to str
        Extra event days, ``event_id -> "YYYY-MM-DD"`` (added as events at 09:00 New York time, so they
        react that day on both clocks).
    """

    label: str
    group: str
    window: tuple = (0, 0)
    engine_kwargs: dict = field(default_factory=dict)
    drop_events: tuple = ()
    add_days: dict = field(default_factory=dict)


@dataclass(frozen=True)
class WeeklyVariant:
    """How the weekly ranking is done: comparison weeks from ``start``, raw or volatility-standardized.

    ``standardize``: ``None`` ranks the change in basis points; an integer ranks the change divided by
    the standard deviation of daily changes over that many trading days ending ``gap`` days before the
    week, times the square root of the week's trading days (see :func:`standardized_weekly_changes`).
    """

    label: str
    group: str
    start: str | None = None
    standardize: int | None = None
    gap: int = 10


def add_event_days(events: pd.DataFrame, days) -> pd.DataFrame:
    """The events table with extra event days appended (for "adding adjacent event days").

    Parameters
    ----------
    events : pandas.DataFrame
        As :func:`treasurycard.calendar.read_events` returns it.
    days : mapping of str to date-like
        ``event_id -> date``; each is added at 09:00 New York time, before the noon fixing and the close.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for eid, day in dict(days).items():
        if eid in set(events["event_id"]):
            raise TreasuryCardError(f"event {eid!r} is already in the events table")
        rows.append({
            "event_id": eid, "local_datetime": f"{pd.Timestamp(day):%Y-%m-%d}T09:00", "timezone": "America/New_York",
            "time_note": "added for a robustness check", "description": "adjacent trading day treated as an event",
            "source_url": "", "source_name": "", "time_source_url": "", "confounders": "",
        })
    return pd.concat([events, pd.DataFrame(rows, columns=events.columns)], ignore_index=True) if rows else events.copy()


# --------------------------------------------------------------------------------------------------------------
# Running the variants
# --------------------------------------------------------------------------------------------------------------


def run_variants(levels: pd.DataFrame, events: pd.DataFrame, event_ids, claims, variants, *,
                 reference_dates=None, base_kwargs=None, study: str = "", baseline: str = "baseline",
                 tolerance: float = MDE_TOLERANCE) -> pd.DataFrame:
    """Rerun an event study under each variant and judge each claim.

    Parameters
    ----------
    levels : pandas.DataFrame
        Daily levels (FRED ids as columns; yields in percent). Only the observation-time groups that hold a
        claimed series are run (a group's trading days are those of its own columns, as in
        :func:`treasurycard.study.run_study`).
    events : pandas.DataFrame
        The events table (:func:`treasurycard.calendar.read_events`).
    event_ids : sequence of str
        The baseline event set.
    claims : sequence of Claim
    variants : sequence of Variant
        The first is usually the baseline (``Variant("baseline", "")``).
    reference_dates : sequence of dates, optional
        Release dates for the conditioned placebo (passed to :func:`treasurycard.study.run_study`). A variant
        that sets ``placebo_start`` or ``placebo_end`` also restricts them to that period (the engine itself
        does not restrict the conditioned placebo set to the placebo period).
    base_kwargs : dict, optional
        Engine arguments shared by every variant (a variant's ``engine_kwargs`` override them).
    study : str
        Name recorded in the ``study`` column.
    baseline : str
        Label of the variant the others' power is measured against (default ``"baseline"``; the first
        variant if no variant has this label).
    tolerance : float
        How much larger than the baseline's a null claim's MDE may be before the variant is uninformative
        (:func:`treasurycard.book.claims.power_verdict`).

    Returns
    -------
    pandas.DataFrame
        One row per (claim, variant), columns :data:`LONG_COLUMNS` plus ``study``: the window change
        (``change``, in ``unit``: the raw change for placebo tests, the HAC CAR for the HAC test), the
        p-value, whether the direction is right, whether the claim passes its test (``holds``) and the
        ``verdict``: ``"holds"``, ``"fails"`` or, for a null claim (``significant=False``), ``"uninformative"``
        when the variant's test is less powerful than the baseline's. For null claims ``mde`` is the minimum
        detectable effect (80% power, 5% two-sided, in ``unit``) of the variant's own test
        (:func:`treasurycard.book.claims.mde_of_test`: from the HAC standard error, or from the reference
        distribution the placebo p-value ranks against) and ``baseline_mde`` the baseline's; NaN for
        significant claims, whose verdict power does not change. A claim whose event a variant drops has
        ``applies = False``.
    """
    base_kwargs = dict(base_kwargs or {})
    groups = {series_info(c.series_id).observed_at for c in claims}
    cols = [s for s in levels.columns if series_info(s).observed_at in groups]
    lv = levels[cols]
    rows = []
    for v in variants:
        ids = [e for e in event_ids if e not in v.drop_events] + list(v.add_days)
        ev = add_event_days(events, v.add_days)
        kw = {**base_kwargs, **v.engine_kwargs}
        # a variant that moves the placebo period moves the conditioned placebo set with it: event_study
        # keeps only reference days within placebo_start..placebo_end
        res = run_study(lv, ev, ids, [tuple(v.window)], reference_dates=reference_dates, **kw)
        table = res.window_frame(tuple(v.window))
        for c in claims:
            row = {"study": study, "claim": c.label, "short": c.short or c.label, "variant": v.label, "group": v.group, "event_id": c.event_id,
                   "series_id": c.series_id, "window": f"[{v.window[0]},{v.window[1]}]", "test": c.test,
                   "threshold": c.threshold, "note": ""}
            if c.event_id not in ids:
                rows.append({**row, "applies": False, "note": f"{c.event_id} dropped"})
                continue
            r = table.loc[(c.event_id, c.series_id)]
            mde = np.nan
            if not c.significant and c.test != "direction":
                ref = None
                if c.test in ("placebo", "cond_placebo"):
                    ref = res.placebo_distribution(c.series_id, tuple(v.window), c.test == "cond_placebo", c.event_id)
                mde = mde_of_test(r, c.test, ref)
            rows.append({**row, "applies": True, "unit": r["unit"], **c.evaluate(r), "mde": mde})
    out = pd.DataFrame(rows, columns=["study"] + LONG_COLUMNS)
    labels = [v.label for v in variants]
    base_label = baseline if baseline in labels else labels[0]
    base = out[out["variant"] == base_label].set_index("claim")["mde"]
    out["baseline_mde"] = out["claim"].map(base).astype(float)
    sig = {c.label: c.significant for c in claims}
    out["verdict"] = [power_verdict(h, sig[c], m, b, tolerance) if a else np.nan
                      for h, c, m, b, a in zip(out["holds"], out["claim"], out["mde"], out["baseline_mde"], out["applies"])]
    return out


def standardized_weekly_changes(levels: pd.DataFrame, length: int = 250, gap: int = 10) -> pd.DataFrame:
    """Weekly changes divided by the volatility expected for them from a trailing window.

    Parameters
    ----------
    levels : pandas.DataFrame
        Daily levels on trading days, one column per FRED id.
    length : int
        Trading days (daily changes) in the trailing window.
    gap : int
        The trailing window ends this many trading days before the week's first trading day.

    Returns
    -------
    pandas.DataFrame
        Indexed by week (as :func:`treasurycard.history.weekly_changes`): the weekly change (basis points or
        percent) over ``s * sqrt(n)``, with ``s`` the standard deviation (ddof 1) of daily changes in the
        trailing window and ``n`` the week's trading days; unit-free. NaN where the trailing window has
        fewer than ``3/4`` of ``length`` valid changes.

    Notes
    -----
    This is the weekly analogue of the engine's ``placebo_statistic="standardized"``: a 50 bp week in
    1981, when yields moved 20 bp a day, counts for less than a 50 bp week in a calm year.
    """
    wk = weekly_changes(levels, units=change_units(levels.columns))
    d = daily_changes(levels, units=change_units(levels.columns))
    out = pd.DataFrame(index=wk.index)
    for s in levels.columns:
        ds = d[s].dropna()
        # sd of the `length` daily changes ending `gap` trading days before each day
        sd = ds.rolling(length, min_periods=int(np.ceil(0.75 * length))).std().shift(gap)
        week = ds.index.to_period("W-FRI").end_time.normalize()
        first = ~week.duplicated()  # each week's first trading day
        first_sd = pd.Series(sd.to_numpy()[first], index=week[first])
        n = pd.Series(1, index=week).groupby(level=0).size()
        out[s] = wk[s] / (first_sd.reindex(wk.index) * np.sqrt(n.reindex(wk.index)))
    out.index.name = "week"
    return out


def weekly_variants(levels: pd.DataFrame, claim: WeeklyClaim, variants, study: str = "") -> pd.DataFrame:
    """Rank one week's move under each :class:`WeeklyVariant`; the same long format as :func:`run_variants`.

    ``pvalue`` is the share of comparison weeks with a move at least as large (the week itself included),
    ``n_reference`` the number of comparison weeks; the claim holds if the share is at most
    ``claim.threshold`` and the move is in ``claim.direction``.
    """
    lv = levels[[claim.series_id]].dropna()
    raw = weekly_changes(lv, units=change_units(lv.columns))[claim.series_id]
    rows = []
    for v in variants:
        series = raw if v.standardize is None else standardized_weekly_changes(lv, v.standardize, v.gap)[claim.series_id]
        if v.start is not None:
            series = series.loc[pd.Timestamp(v.start):]
        r = rank_in_history(series.rename(claim.series_id), claim.week, claim.direction)
        rows.append({
            "study": study, "claim": claim.label, "short": claim.short or claim.label, "variant": v.label, "group": v.group, "applies": True,
            "event_id": f"week to {pd.Timestamp(claim.week):%Y-%m-%d}", "series_id": claim.series_id,
            "window": "week", "test": "rank" if v.standardize is None else f"rank of standardized ({v.standardize} d)",
            "unit": "bp" if v.standardize is None else "sd", "threshold": claim.threshold, **claim.evaluate(r),
            "note": f"rank {r.rank} of {r.n} weeks since {r.first_period:%Y-%m-%d}",
        })
        rows[-1]["verdict"] = power_verdict(rows[-1]["holds"], True)
    return pd.DataFrame(rows, columns=["study"] + LONG_COLUMNS)


def mde_text(mde, unit) -> str:
    """An MDE as the table shows it: ``"21 bp"``, ``"0.8%"``."""
    return f"{mde:.0f} bp" if unit == "bp" else f"{mde:.1f}{unit if unit == '%' else ' ' + str(unit)}"


def verdict_cell(r) -> str:
    """One cell of :func:`summary_table` from a row of the long table.

    ``"0.022 ✓"`` (holds) or ``"0.063 ✗"`` (fails); a null claim's cell adds its test's minimum detectable
    effect, ``"0.326 ✓ (MDE 21 bp)"``, and a null claim that passes only with a less powerful test reads
    ``"0.692, uninformative (MDE 33 bp vs 21 bp)"`` (or, when the comparison set is too small for any
    p-value below 5%, ``"0.692, uninformative (12 days cannot give p < 0.05)"``); a move of the wrong sign
    shows the move (``"+20 bp ✗"``); ``"–"`` where the variant does not apply.
    """
    v = r.get("verdict", np.nan)
    if not r["applies"] or not isinstance(v, str):
        return "–"
    mark = "✗" if v == "fails" else "✓"
    if not r["direction_ok"]:
        return f"{r['change']:+.0f} {r['unit']} {mark}"
    p = r["pvalue"]
    ptext = "<0.001" if p < 0.001 else f"{p:.3f}"
    mde, base = r.get("mde", np.nan), r.get("baseline_mde", np.nan)
    if v == "uninformative":
        if not np.isfinite(mde):
            return f"{ptext}, uninformative ({int(r['n_reference'])} days cannot give p < 0.05)"
        return f"{ptext}, uninformative (MDE {mde_text(mde, r['unit'])} vs {mde_text(base, r['unit'])})"
    if isinstance(mde, float) and np.isfinite(mde):
        return f"{ptext} {mark} (MDE {mde_text(mde, r['unit'])})"
    return f"{ptext} {mark}"


#: Label of :func:`summary_table`'s count column.
COUNT_COLUMN = ("", "hold / uninformative / fail")


def summary_table(long: pd.DataFrame, claims_order=None, variants_order=None) -> pd.DataFrame:
    """The compact display: rows = claims (their short labels), columns = (group, variant), cells = verdicts
    (:func:`verdict_cell`).

    The last column (:data:`COUNT_COLUMN`) counts the choices under which the claim holds, those under
    which it passes only with a less powerful test (``"uninformative"``, never counted as support) and those
    under which it fails, e.g. ``"9 hold, 3 uninformative, 2 fail"``.
    """
    t = long.assign(cell=long.apply(verdict_cell, axis=1))
    if "short" in t:  # label rows by the short names
        t["claim"] = t["short"].where(t["short"].notna() & (t["short"] != ""), t["claim"])
    claims_order = claims_order or list(dict.fromkeys(t["claim"]))
    variants_order = variants_order or list(dict.fromkeys(t["variant"]))
    group_of = dict(zip(t["variant"], t["group"]))
    wide = t.pivot(index="claim", columns="variant", values="cell").reindex(index=claims_order, columns=variants_order)
    wide = wide.fillna("–")
    judged = t[t["applies"] & t["verdict"].isin(["holds", "uninformative", "fails"])]
    counts = judged.groupby("claim")["verdict"].agg(
        lambda v: f"{(v == 'holds').sum()} hold, {(v == 'uninformative').sum()} uninformative, {(v == 'fails').sum()} fail")
    wide.columns = pd.MultiIndex.from_tuples([(group_of[v], v) for v in variants_order])
    wide[COUNT_COLUMN] = counts.reindex(claims_order).to_numpy()
    wide.index.name = "conclusion"
    return wide


def hac_event_variance_size(sigma_bp: float, n_draws: int = 400, estimation_length: int = 250, gap: int = 10,
                            alpha: float = 0.05, maxlags=None, seed: int = 0) -> pd.DataFrame:
    """Size of the HAC dummy-regression test of a one-day event, with each ``event_variance`` option.

    Simulates normal, independent daily changes with standard deviation ``sigma_bp`` (basis points): an
    estimation window of ``estimation_length`` days and, ``gap`` days later, one event day with no effect;
    fits :func:`treasurycard.estimate.dummy_regression` with ``event_variance="stationary"`` and
    ``"sandwich"`` on the same draws and counts rejections at ``alpha``.

    Returns
    -------
    pandas.DataFrame
        One row per option: ``event_variance, rejection_rate, mc_se, mean_se_bp, n_draws, alpha, sigma_bp``;
        ``mean_se_bp`` is the average standard error of the event-day coefficient (basis points).
    """
    rng = np.random.default_rng(seed)
    n = estimation_length + gap
    idx = pd.bdate_range("2001-01-01", periods=n)
    day = idx[-1]
    out = {ev: [0, 0.0] for ev in ("stationary", "sandwich")}
    for _ in range(n_draws):
        y = pd.Series(sigma_bp * rng.standard_normal(n), index=idx)
        y.iloc[estimation_length:-1] = np.nan
        for ev in out:
            t = dummy_regression(y, [day], maxlags=maxlags, event_variance=ev).car(f"{day:%Y-%m-%d}")
            out[ev][0] += t.pvalue < alpha
            out[ev][1] += t.extra["se"]
    rows = []
    for ev, (k, se) in out.items():
        r = k / n_draws
        rows.append({"event_variance": ev, "rejection_rate": r, "mc_se": np.sqrt(r * (1 - r) / n_draws),
                     "mean_se_bp": se / n_draws, "n_draws": n_draws, "alpha": alpha, "sigma_bp": sigma_bp})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------------------
# The book's headline conclusions and the alternatives the robustness chapter reports
# --------------------------------------------------------------------------------------------------------------

APRIL_CLAIMS = [
    Claim("10-year fell on the announcement day (placebo p < 0.05)", "tariff_announcement", "DGS10", "placebo", -1,
          short="10-year, announcement: placebo"),
    Claim("10-year fell on the announcement day (HAC p < 0.05)", "tariff_announcement", "DGS10", "hac", -1,
          short="10-year, announcement: HAC"),
    Claim("2-year rose on the pause day (placebo p < 0.05)", "tariff_pause", "DGS2", "placebo", +1,
          short="2-year, pause: placebo"),
    Claim("2-year rose on the pause day (HAC p < 0.05)", "tariff_pause", "DGS2", "hac", +1,
          short="2-year, pause: HAC"),
]
KATO_CLAIMS = [
    Claim("Kato day's 10-year move is ordinary among jobs-report days (conditioned placebo p > 0.10)",
          "kato_remark", "DGS10", "cond_placebo", 0, 0.10, significant=False,
          short="10-year, Kato day: jobs-day placebo"),
    Claim("Kato day's 10-year move is not significant (HAC p > 0.10)", "kato_remark", "DGS10", "hac", 0, 0.10,
          significant=False, short="10-year, Kato day: HAC"),
]
WEEK_CLAIM = WeeklyClaim("the week of 7-11 April is in the top 1% of weekly 10-year rises since 1962", "DGS10",
                         "2025-04-11", "up", 0.01, short="10-year, week of 7-11 April: rank")

#: Column labels shared by the two event studies.
EST, WIN, HAC, SET, PLA = "estimation window", "event window", "HAC lags", "event set", "placebo"


def _common_variants():
    return [
        Variant("baseline", ""),
        Variant("120 days", EST, engine_kwargs={"estimation_length": 120}),
        Variant("500 days", EST, engine_kwargs={"estimation_length": 500}),
        Variant("ends 2024", EST, engine_kwargs={"estimation_end": "2024-12-31"}),
        Variant("[0,1]", WIN, window=(0, 1)),
        Variant("[-1,1]", WIN, window=(-1, 1)),
        Variant("[0,5]", WIN, window=(0, 5)),
        Variant("0 lags", HAC, engine_kwargs={"hac_maxlags": 0}),
        Variant("10 lags", HAC, engine_kwargs={"hac_maxlags": 10}),
    ]


def _placebo_variants():
    return [
        Variant("2024 only", PLA, engine_kwargs={"placebo_start": "2024-01-01", "placebo_end": "2024-12-31"}),
        Variant("standardized", PLA, engine_kwargs={"placebo_statistic": "standardized"}),
    ]


def april_variants() -> list[Variant]:
    """Baseline, estimation windows, event windows, HAC lags, event sets and placebo sets for the April study."""
    return _common_variants() + [
        Variant("drop neighbour", SET, drop_events=("china_retaliation",)),
        Variant("add 7-8 April", SET, add_days={"monday_7_april": "2025-04-07", "tuesday_8_april": "2025-04-08"}),
    ] + _placebo_variants()


def kato_variants() -> list[Variant]:
    """As :func:`april_variants` for the Kato study; the event-set variant drops the walk-back."""
    return _common_variants() + [
        Variant("drop neighbour", SET, drop_events=("kato_walkback",)),
    ] + _placebo_variants()


def week_variants() -> list[WeeklyVariant]:
    """The weekly ranking's alternatives: volatility-standardized with 120, 250, 500-day windows."""
    return [
        WeeklyVariant("baseline", ""),
        WeeklyVariant("120 days", EST, standardize=120),
        WeeklyVariant("500 days", EST, standardize=500),
        WeeklyVariant("standardized", PLA, standardize=250),
    ]


def headline_robustness(store) -> pd.DataFrame:
    """Every headline conclusion under every alternative: the long table of the robustness chapter.

    Parameters
    ----------
    store : treasurycard.store.DataStore

    Returns
    -------
    pandas.DataFrame
        :func:`run_variants` for the April and Kato studies and :func:`weekly_variants` for the week of
        7-11 April, stacked.
    """
    events = calendar.read_events(EVENTS_CSV)
    april_levels = store.fred(APRIL_SERIES, start=STUDY_START, end=STUDY_END)
    kato_levels = store.fred(KATO_SERIES, start=STUDY_START, end=STUDY_END)
    long_levels = store.fred([WEEK_CLAIM.series_id], start="1962-01-01", end=STUDY_END)
    base = {"placebo_start": PLACEBO_START}
    return pd.concat([
        run_variants(april_levels, events, APRIL_EVENTS, APRIL_CLAIMS, april_variants(), base_kwargs=base,
                     study="april"),
        weekly_variants(long_levels, WEEK_CLAIM, week_variants(), study="april"),
        run_variants(kato_levels, events, KATO_EVENTS, KATO_CLAIMS, kato_variants(), base_kwargs=base,
                     reference_dates=jobs_report_days(store), study="kato"),
    ], ignore_index=True)
