"""The book's event studies: align each series to its own market's clock and calendar, then run the engine.

Treasury yields are end-of-day, but the Federal Reserve's H.10 exchange rates and the broad dollar index
are noon New York rates (:attr:`treasurycard.series.SeriesInfo.observed_at`). An announcement at 1:18 pm ET
moves yields that day but noon exchange rates only the next trading day. Markets also keep different
holidays: the bond market closes on Columbus Day and Veterans Day, the stock market does not
(:attr:`~treasurycard.series.SeriesInfo.market`). :func:`run_study` therefore groups series by market and
observation time, maps each event to its reaction day on that group's own trading days
(:func:`treasurycard.calendar.reaction_days` with ``close`` = the observation time), runs
:func:`treasurycard.estimate.event_study` per group, and stacks the tidy results.

Estimation windows are per event (each ends :data:`ESTIMATION_GAP` trading days before its own event) and
skip the days of every event in ``data/events.csv`` (:func:`known_event_days`): the reaction day and the
trading days after it up to :data:`EXCLUDE_WINDOW`, so that one event's turbulence does not become the
"normal" volatility another event is measured against.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data import calendar
from ..eventstudy.estimate import EventStudyResult, event_study
from ..eventstudy.history import HistoryRank, rank_in_history, weekly_changes
from ..data.series import change_unit, change_units, series_info
from ..data.store import PROJECT_ROOT, DataStore
from ..errors import EventOutsideData

#: The project's own event calendar (one row an event, with its local time, time zone and source).
EVENTS_CSV = PROJECT_ROOT / "data" / "events.csv"
#: Other news on the events' reaction days (their confounders), one sourced row each.
SAME_DAY_NEWS_CSV = PROJECT_ROOT / "data" / "same_day_news.csv"
#: The project's curated calendar of US employment-report (Employment Situation) release dates.
JOBS_CALENDAR = calendar.RELEASE_DATES_CSV


@dataclass
class StudyResult:
    """Per-observation-time results of :func:`run_study`.

    Attributes
    ----------
    results : dict of (str, str) to EventStudyResult
        Keyed by (market, observation time), e.g. ``("bonds", "16:00")``, ``("fx", "12:00")``.
    reaction_days : pandas.DataFrame
        One row per (event_id, market, observed_at): the reaction date and the rule that produced it.
    """

    results: dict[tuple[str, str], EventStudyResult]
    reaction_days: pd.DataFrame
    series_order: list[str]
    event_order: list[str]

    def _stack(self, frames: dict[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
        return pd.concat([f.assign(market=m, observed_at=t) for (m, t), f in frames.items()], ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """The engine's tidy table for every series, event and window, plus ``market`` and ``observed_at``."""
        out = self._stack({t: r.to_frame() for t, r in self.results.items()})
        out["_e"] = out["event_id"].map({e: i for i, e in enumerate(self.event_order)})
        out["_s"] = out["series_id"].map({s: i for i, s in enumerate(self.series_order)})
        out = out.sort_values(["_e", "window_start", "window_end", "_s"]).drop(columns=["_e", "_s"])
        return out.reset_index(drop=True)

    def pooled_tests(self, by: str | None = None, direction=None) -> pd.DataFrame:
        """Cross-sectional tests within each (market, observation time) group (see ``EventStudyResult.pooled_tests``;
        ``direction`` gives each pooled series' sign, e.g. ``{"DGS10": 1, "SP500": -1}``)."""
        def sub(r):
            if isinstance(direction, dict):
                return {s: direction[s] for s in r.settings["series_ids"] if s in direction}
            return direction
        return self._stack({t: r.pooled_tests(by=by, direction=sub(r)) for t, r in self.results.items()})

    def wald_tests(self) -> pd.DataFrame:
        """Joint HAC Wald tests across events, per series and window."""
        return self._stack({t: r.wald_tests() for t, r in self.results.items()})

    def window_frame(self, window=(0, 0)) -> pd.DataFrame:
        """The rows of :meth:`to_frame` for one window, indexed by ``(event_id, series_id)``.

        ``window_frame()`` is the reaction day alone (window ``[0, 0]``); ``.loc[("kato_remark", "DGS10")]``
        is then one row.
        """
        t = self.to_frame()
        hit = t[(t["window_start"] == window[0]) & (t["window_end"] == window[1])]
        if hit.empty:
            have = sorted(set(zip(t["window_start"], t["window_end"])))
            raise KeyError(f"no results for window {tuple(window)}; the study has windows {have}")
        return hit.set_index(["event_id", "series_id"])

    def row(self, event_id: str, series_id: str, window=(0, 0)) -> pd.Series:
        """One row of :meth:`to_frame` (one event, series and window)."""
        try:
            return self.window_frame(window).loc[(event_id, series_id)]
        except KeyError:
            raise KeyError(f"no result for {event_id}, {series_id}, window {window}") from None

    def placebo_distribution(self, series_id: str, window=(0, 0), conditioned: bool = False,
                             event_id: str | None = None) -> pd.Series:
        """The placebo statistics a series' placebo p-value ranks against, from its own group's study
        (see ``EventStudyResult.placebo_distribution``; ``event_id`` puts a standardized statistic on that
        event's scale, in the series' unit)."""
        info = series_info(series_id)
        return self.results[(info.market, info.observed_at)].placebo_distribution(series_id, window, conditioned,
                                                                                  event_id)

    @property
    def estimation(self) -> pd.DataFrame:
        """Every group's estimation windows (one row per event and series), with ``market`` and ``observed_at``,
        as ``EventStudyResult.estimation``."""
        return self._stack({t: r.estimation for t, r in self.results.items()})


#: Days of every known event (``data/events.csv``) that no estimation window uses: the reaction day and the
#: five trading days after it, the longest event window the book reports.
EXCLUDE_WINDOW = (0, 5)


def known_event_days(events: pd.DataFrame, trading_days, close: str = "16:00", window=EXCLUDE_WINDOW) -> pd.DatetimeIndex:
    """The trading days covered by every event of ``events``: reaction day + ``window`` on these trading days.

    Parameters
    ----------
    events : pandas.DataFrame
        The events table (:func:`treasurycard.calendar.read_events`): every row counts, whatever study runs.
    trading_days : pandas.DatetimeIndex
        The group's own trading days.
    close : str
        The group's observation time, for the reaction-day rule.
    window : (int, int)
        Days relative to each reaction day (default :data:`EXCLUDE_WINDOW`).

    Returns
    -------
    pandas.DatetimeIndex
        Sorted, unique trading days. Events whose reaction day the trading days do not cover (after the data
        end) are skipped: they cannot touch an estimation window.
    """
    days = pd.DatetimeIndex(trading_days)
    out = []
    for i in range(len(events)):
        try:
            rd = calendar.reaction_days(events.iloc[[i]], days, close=close)["reaction_date"].iloc[0]
        except EventOutsideData:
            continue
        p = days.get_loc(rd)
        out.extend(days[max(p + window[0], 0): min(p + window[1], len(days) - 1) + 1])
    return pd.DatetimeIndex(sorted(set(out)))


def run_study(levels: pd.DataFrame, events: pd.DataFrame, event_ids, windows=((0, 0),), *,
              reference_dates=None, exclude_window=EXCLUDE_WINDOW, exclude_dates=None,
              **engine_kwargs) -> StudyResult:
    """Event study of ``event_ids`` on every column of ``levels``, each series on its own clock.

    Parameters
    ----------
    levels : pandas.DataFrame
        Daily levels (FRED ids as columns; yields in percent), NaN where a series has no value.
    events : pandas.DataFrame
        The events table from :func:`treasurycard.calendar.read_events` (local times and time zones).
    event_ids : sequence of str
        Which events to study, in the order results are reported.
    windows : sequence of (int, int)
        Event windows in trading days relative to the reaction day.
    reference_dates : sequence of dates, optional
        Release dates for the conditioned placebo (e.g. jobs-report days, released 8:30 am ET); each is
        mapped to its reaction day on each group's trading days.
    exclude_window : (int, int) or None
        Estimation windows skip the days ``exclude_window`` around every event of ``events``
        (:func:`known_event_days`); default :data:`EXCLUDE_WINDOW`. ``None`` excludes only the study's own
        event windows (the engine always does that).
    exclude_dates : sequence of dates, optional
        Further days no estimation window uses (those that are trading days of a group).
    **engine_kwargs
        Passed to :func:`treasurycard.estimate.event_study` (estimation window, placebo period, HAC lags...).
    """
    event_ids = list(event_ids)
    chosen = events.set_index("event_id").loc[event_ids].reset_index()
    groups: dict[tuple[str, str], list[str]] = {}
    for sid in levels.columns:
        info = series_info(sid)
        groups.setdefault((info.market, info.observed_at), []).append(sid)
    results, days = {}, []
    for (market, observed_at), cols in groups.items():
        lv = levels[cols].dropna(how="all")
        zone = series_info(cols[0]).timezone  # one market keeps one clock (New York, Tokyo, Frankfurt)
        rd = calendar.reaction_days(chosen, lv.index, close=observed_at, market_tz=zone)
        days.append(rd[["reaction_date", "rule"]].assign(market=market, observed_at=observed_at).reset_index())
        excl = pd.DatetimeIndex([]) if exclude_window is None else known_event_days(events, lv.index, observed_at, exclude_window)
        if exclude_dates is not None:
            excl = excl.union(pd.DatetimeIndex(pd.to_datetime(exclude_dates)).intersection(lv.index))
        kw = {"units": change_units(cols), "exclude_dates": excl, **engine_kwargs}
        if reference_dates is not None:
            ref = calendar.release_reaction_days(reference_dates, lv.index, errors="drop", close=observed_at,
                                                 market_tz=zone)
            kw["reference_dates"] = pd.DatetimeIndex(ref.unique())
        results[(market, observed_at)] = event_study(lv, rd["reaction_date"], windows, **kw)
    return StudyResult(results, pd.concat(days, ignore_index=True), list(levels.columns), event_ids)


# ---------------------------------------------------------------------------------------------- the book's studies

#: The Treasury curve from 3 months to 30 years (constant-maturity yields, percent).
CURVE = ["DGS3MO", "DGS2", "DGS5", "DGS10", "DGS30"]
#: Everything the April chapter studies: curve, real yield and breakeven, term premium, dollar, yen, VIX, S&P 500.
APRIL_SERIES = CURVE + ["DFII10", "T10YIE", "THREEFYTP10", "DTWEXBGS", "DEXJPUS", "VIXCLS", "SP500"]
APRIL_EVENTS = ["tariff_announcement", "china_retaliation", "tariff_pause"]
KATO_SERIES = ["DGS10", "DGS30", "DEXJPUS", "DTWEXBGS"]
KATO_EVENTS = ["kato_remark", "kato_walkback"]
#: The windows reported in the core chapters (trading days relative to the reaction day).
CORE_WINDOWS = [(0, 0), (0, 1), (0, 5)]
#: Data span loaded for studies: enough for the estimation window and a placebo history from 2005.
STUDY_START, STUDY_END = "2004-01-01", "2025-12-31"
#: Placebo windows are drawn from this date on (all windows of the same length, event days excluded).
PLACEBO_START = "2005-01-01"


def april_study(store: DataStore, windows=CORE_WINDOWS, **engine_kwargs) -> StudyResult:
    """The April chapter's study: :data:`APRIL_SERIES` around :data:`APRIL_EVENTS`."""
    levels = store.fred(APRIL_SERIES, start=STUDY_START, end=STUDY_END)
    kw = {"placebo_start": PLACEBO_START, **engine_kwargs}
    return run_study(levels, calendar.read_events(EVENTS_CSV), APRIL_EVENTS, windows, **kw)


def jobs_report_days(store: DataStore) -> pd.DatetimeIndex:
    """US employment-report release dates (8:30 am ET) from the project's calendar :data:`JOBS_CALENDAR`.

    ``store`` is not read (the calendar is part of the project, not fetched data); it is kept so that the
    chapters' calls stay the same.
    """
    return calendar.read_release_dates(JOBS_CALENDAR)


def kato_study(store: DataStore, windows=((0, 0), (0, 1)), **engine_kwargs) -> StudyResult:
    """The Kato chapter's study: :data:`KATO_SERIES` around :data:`KATO_EVENTS`, with the placebo also
    conditioned on employment-report days."""
    levels = store.fred(KATO_SERIES, start=STUDY_START, end=STUDY_END)
    kw = {"placebo_start": PLACEBO_START, "reference_dates": jobs_report_days(store), **engine_kwargs}
    return run_study(levels, calendar.read_events(EVENTS_CSV), KATO_EVENTS, windows, **kw)


#: The week of the sell-off, labelled by its last day (Friday 11 April 2025), and where its history starts.
TARIFF_WEEK = "2025-04-11"
HISTORY_START = "1962-01-01"


def tariff_week(store: DataStore, series_ids=("DGS10",)) -> tuple[pd.DataFrame, dict[str, HistoryRank]]:
    """Weekly close-to-close changes of ``series_ids`` since :data:`HISTORY_START` (or each series' start),
    and the rank of the rise in the week ending :data:`TARIFF_WEEK` among all weeks of each series."""
    weekly = weekly_changes(store.fred(list(series_ids), start=HISTORY_START, end=STUDY_END),
                            units=change_units(series_ids))
    ranks = {s: rank_in_history(weekly[s], TARIFF_WEEK, "up", unit=change_unit(s)) for s in series_ids}
    return weekly, ranks


# ------------------------------------------------------------------------------- other publishers' clocks and 2025

#: Kato's remark in Tokyo and European hours: JGB yields at the Tokyo close (Ministry of Finance) and the yen
#: per dollar at the ECB's 14:15 CET fixing, both before the 8:30 am ET US employment report of 2 May.
HOURS_SERIES = ["JGB10Y", "JGB30Y", "ECBJPYUSD"]
#: The curve-shape comparison: a payroll surprise moves the 2-year most; a threat to sell long bonds should
#: show in the long end and the term premium.
SHAPE_X, SHAPE_YS = "DGS2", ["DGS10", "DGS30", "THREEFYTP10"]
#: The rest of 2025: the events no earlier chapter studies, on the curve, the term premium, dollar and yen.
LATER_EVENTS = ["geneva_truce", "moodys_downgrade", "us_japan_deal"]
LATER_SERIES = CURVE + ["THREEFYTP10", "DTWEXBGS", "DEXJPUS"]
#: The 1997 precedent: Hashimoto's remark in New York, on the long end and the yen.
HASHIMOTO_SERIES = ["DGS10", "DGS30", "DEXJPUS"]
#: Placebo windows for 1997 are drawn from all days since 1990 (the 2005 start of the 2025 studies would
#: leave 1997 outside its own comparison set).
HASHIMOTO_PLACEBO_START = "1990-01-01"


#: Readers see events by name, not id (ids stay in the CSV exports).
EVENT_NAMES = {
    "tariff_announcement": "Tariff announcement (2 Apr 2025)",
    "china_retaliation": "China's retaliation (4 Apr 2025)",
    "tariff_pause": "Tariff pause (9 Apr 2025)",
    "kato_remark": "Kato's remark (2 May 2025)",
    "kato_walkback": "Kato's walk-back (4 May 2025)",
    "geneva_truce": "Geneva truce (12 May 2025)",
    "moodys_downgrade": "Moody's downgrade (16 May 2025)",
    "us_japan_deal": "US-Japan deal (22 Jul 2025)",
    "hashimoto_remark": "Hashimoto's remark (23 Jun 1997)",
}


def load_levels(store: DataStore, series_ids, start, end) -> pd.DataFrame:
    """Levels of catalogued series from their publishers (FRED, the MoF's JGB file, the ECB's fixings).

    Returns one frame on the union of the series' dates (NaN where a series' market was closed), with
    ``attrs["units"]`` for every column, as :meth:`DataStore.fred` does for FRED series alone.
    """
    ids = list(series_ids)
    by_publisher: dict[str, list[str]] = {}
    for sid in ids:
        by_publisher.setdefault(series_info(sid).source, []).append(sid)
    readers = {"FRED": store.fred, "MoF": store.jgb, "ECB": store.ecb}
    unknown = set(by_publisher) - set(readers)
    if unknown:
        raise ValueError(f"no reader for publisher(s) {sorted(unknown)} of {ids}")
    frames = [readers[p](cols, start=start, end=end) for p, cols in by_publisher.items()]
    levels = pd.concat(frames, axis=1, join="outer", sort=True)[ids]
    levels.index.name = "date"
    levels.attrs["units"] = change_units(ids)
    return levels


def kato_hours_study(store: DataStore, windows=((0, 0), (0, 1)), **engine_kwargs) -> StudyResult:
    """Kato's remark and walk-back on the Tokyo close (JGB 10- and 30-year yields) and the ECB fixing (yen per
    dollar): each series on its own market's days and clock, placebo against all days since 2005."""
    levels = load_levels(store, HOURS_SERIES, STUDY_START, STUDY_END)
    kw = {"placebo_start": PLACEBO_START, **engine_kwargs}
    return run_study(levels, calendar.read_events(EVENTS_CSV), KATO_EVENTS, windows, **kw)


@dataclass
class JobsDayPattern:
    """2 May 2025 set against every employment-report day: see :func:`jobs_day_pattern`.

    Attributes
    ----------
    changes : pandas.DataFrame
        Daily changes (bp) of :data:`SHAPE_X` and :data:`SHAPE_YS` on the employment-report reaction days,
        with a boolean column ``event`` marking the event day.
    test : pandas.DataFrame
        :func:`treasurycard.eventstudy.pattern.conditional_pattern_test` of the long end given the 2-year.
    noise : pandas.DataFrame
        :func:`treasurycard.eventstudy.pattern.reference_noise`: each series' standard deviation on
        employment-report days (the event day left out) and the one-day effect detectable against it.
    n_release_dates : int
        Release dates in the calendar (without ALFRED's extra vintages).
    n_reference : int
        Of these, the reaction days with a change in every series, the event day left out: the comparison set.
    """

    changes: pd.DataFrame
    test: pd.DataFrame
    noise: pd.DataFrame
    n_release_dates: int
    n_reference: int


def jobs_day_pattern(store: DataStore, event_date="2025-05-02") -> JobsDayPattern:
    """Compare the curve's moves on ``event_date`` with those of every US employment-report day.

    The 10-, 30-year yields and the Kim-Wright term premium are regressed on the 2-year yield across
    employment-report days; ``event_date``'s residuals say whether its long end moved more than a jobs day
    with its 2-year move would bring (see :func:`treasurycard.eventstudy.pattern.conditional_pattern_test`).
    """
    from ..eventstudy.changes import daily_changes
    from ..eventstudy.pattern import conditional_pattern_test, reference_noise

    cols = [SHAPE_X, *SHAPE_YS]
    levels = store.fred(cols, start=STUDY_START, end=STUDY_END)
    changes = daily_changes(levels)
    releases = jobs_report_days(store)
    ref = calendar.release_reaction_days(releases, calendar.trading_days_from(levels[SHAPE_X]), errors="drop")
    ref_days = pd.DatetimeIndex(ref.unique())
    event = pd.Timestamp(event_date)
    test = conditional_pattern_test(changes, event, ref_days, SHAPE_X, SHAPE_YS)
    noise = reference_noise(changes[cols], ref_days, event_date=event)
    on_days = changes.loc[ref_days.intersection(changes.index), cols].dropna()
    on_days["event"] = on_days.index == event
    return JobsDayPattern(on_days, test, noise, len(releases), int(test["n"].iloc[0]))


def later_study(store: DataStore, windows=CORE_WINDOWS, **engine_kwargs) -> StudyResult:
    """The rest of 2025: :data:`LATER_SERIES` around :data:`LATER_EVENTS`, placebo against all days since 2005."""
    levels = store.fred(LATER_SERIES, start=STUDY_START, end=STUDY_END)
    kw = {"placebo_start": PLACEBO_START, **engine_kwargs}
    return run_study(levels, calendar.read_events(EVENTS_CSV), LATER_EVENTS, windows, **kw)


def hashimoto_study(store: DataStore, windows=((0, 0), (0, 1)), **engine_kwargs) -> StudyResult:
    """Hashimoto's remark of 23 June 1997: :data:`HASHIMOTO_SERIES`, placebo against all days since 1990."""
    levels = store.fred(HASHIMOTO_SERIES, start="1988-01-01", end=STUDY_END)
    kw = {"placebo_start": HASHIMOTO_PLACEBO_START, **engine_kwargs}
    return run_study(levels, calendar.read_events(EVENTS_CSV), ["hashimoto_remark"], windows, **kw)


# ------------------------------------------------------------------------------------------------ "sell America"

#: The month after the flight to safety: from the first trading day after China's retaliation to Kato's Friday.
SELLOFF_START, SELLOFF_END = "2025-04-07", "2025-05-02"
#: The history the window is ranked against (the broad dollar index starts in 2006).
COMOVE_HISTORY = ("2006-01-01", "2024-12-31")
#: The joint weekly move that would mark "sell America": the 10-year up at least this much, the dollar down at least.
JOINT_WEEK_BP, JOINT_WEEK_PCT = 25.0, -1.0
#: The tariff week, measured from the close before the announcement and from the low after China's retaliation.
TARIFF_WEEK_BASES = {"from the 2 April close": "2025-04-02", "from the 4 April close": "2025-04-04"}
SELL_AMERICA_SERIES = CURVE + ["THREEFYTP10", "DTWEXBGS", "DEXJPUS", "SP500"]


@dataclass
class SellAmerica:
    """The four "sell America" measures of the April chapter (see :func:`sell_america`).

    Attributes
    ----------
    correlations : pandas.DataFrame
        One row per measure (``pair``: ``yield-dollar`` or ``stock-dollar``; ``horizon``: 1, 2 or 5 common
        days): the window's correlation, its changes, the history's median and windows, and ``share_below``.
    joint_weeks : pandas.DataFrame
        Every week since 2006 in which the 10-year yield rose at least :data:`JOINT_WEEK_BP` bp and the
        broad dollar fell at least 1%: ``week`` (its Friday), ``DGS10`` (bp) and ``DTWEXBGS`` (%).
    n_weeks : int
        Weeks with both changes since 2006.
    tariff_week : pandas.DataFrame
        Changes to the close of 11 April 2025 from each base in :data:`TARIFF_WEEK_BASES` (columns), one row
        per series (bp for rates, % for the dollar index, yen and stocks), with a ``unit`` column.
    later : pandas.DataFrame
        For each pair, the rolling two-day-change correlation (windows as long as the sell-off window) after
        :data:`SELLOFF_END` to the end of 2025: its peak (``peak_date``, ``peak``), the share of history
        windows below the peak, and how many later windows exceed the history's 95th percentile.
    """

    correlations: pd.DataFrame
    joint_weeks: pd.DataFrame
    n_weeks: int
    tariff_week: pd.DataFrame
    later: pd.DataFrame


def sell_america(store: DataStore) -> SellAmerica:
    """The April chapter's "sell America" measures, each on matched clocks and windows.

    The yield-dollar and stock-dollar correlations use changes between the same two days for both series
    (noon dollar rates against 4 pm closes, so the ends differ by four hours; two- and five-day changes
    shrink that share), over the trading days :data:`SELLOFF_START` to :data:`SELLOFF_END`, ranked among all
    windows of as many changes in :data:`COMOVE_HISTORY`.
    """
    from ..eventstudy.comovement import rolling_paired_correlation, window_correlation
    from ..eventstudy.changes import scaled_levels

    levels = store.fred(SELL_AMERICA_SERIES, start=STUDY_START, end=STUDY_END)
    rows, later = [], []
    for pair, (x, y) in {"yield-dollar": ("DGS10", "DTWEXBGS"), "stock-dollar": ("SP500", "DTWEXBGS")}.items():
        for horizon in (1, 2, 5):
            r = window_correlation(levels, x, y, SELLOFF_START, SELLOFF_END, horizon=horizon,
                                   history_start=COMOVE_HISTORY[0], history_end=COMOVE_HISTORY[1])
            rows.append({"pair": pair, **r.to_series().to_dict()})
            if horizon == 2:
                roll = rolling_paired_correlation(levels, x, y, r.n, horizon=2)
                hist = roll.loc[COMOVE_HISTORY[0]:COMOVE_HISTORY[1]]
                after = roll.loc[pd.Timestamp(SELLOFF_END) + pd.Timedelta(days=1):STUDY_END]
                later.append({"pair": pair, "n": r.n, "peak_date": after.idxmax(), "peak": after.max(),
                              "share_below": float((hist < after.max()).mean()),
                              "history_p95": float(hist.quantile(0.95)),
                              "n_above_p95": int((after > hist.quantile(0.95)).sum()), "n_later": len(after)})
    weekly = weekly_changes(levels[["DGS10", "DTWEXBGS"]].loc["2006-01-01":], units=change_units(["DGS10", "DTWEXBGS"]))
    both = weekly[["DGS10", "DTWEXBGS"]].dropna()
    joint = both[(both["DGS10"] >= JOINT_WEEK_BP) & (both["DTWEXBGS"] <= JOINT_WEEK_PCT)].reset_index()
    units = change_units(SELL_AMERICA_SERIES)
    scaled = pd.DataFrame(scaled_levels(levels, units), index=levels.index, columns=levels.columns)
    end = scaled.loc[TARIFF_WEEK].copy()
    week = pd.DataFrame({label: end - scaled.loc[base] for label, base in TARIFF_WEEK_BASES.items()})
    week["unit"] = [units[s] for s in week.index]
    week.index.name = "series_id"
    return SellAmerica(pd.DataFrame(rows), joint, len(both), week, pd.DataFrame(later))


def term_premia_monthly(store: DataStore, start="2024-12-01", end=STUDY_END) -> pd.DataFrame:
    """Month-end 10-year term premia: ACM (New York Fed, monthly file) beside Kim-Wright (FRED, daily, last
    value of each month), percent, and their monthly changes in basis points.

    Returns
    -------
    pandas.DataFrame
        Indexed by month (``YYYY-MM``): ``ACMTP10`` and ``THREEFYTP10`` (percent, NaN where a source has no
        month end), ``ACMTP10_change_bp`` and ``THREEFYTP10_change_bp`` (from the previous month end).
    """
    acm = store.acm_monthly()["ACMTP10"]
    kw = store.fred(["THREEFYTP10"], start=start, end=end)["THREEFYTP10"].dropna()
    out = pd.DataFrame({
        "ACMTP10": acm.groupby(acm.index.to_period("M")).last(),
        "THREEFYTP10": kw.groupby(kw.index.to_period("M")).last(),
    })
    lo, hi = pd.Period(pd.Timestamp(start), "M"), pd.Period(pd.Timestamp(end), "M")
    out = out.loc[(out.index >= lo) & (out.index <= hi)]
    for col in ("ACMTP10", "THREEFYTP10"):
        out[f"{col}_change_bp"] = 100 * out[col].diff()
    out.index = out.index.astype(str)
    out.index.name = "month"
    return out
