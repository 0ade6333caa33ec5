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
#: The mirror/cache file of US employment-report (Employment Situation) release dates.
JOBS_CALENDAR = "calendars/employment_situation_release_dates.csv"


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
        rd = calendar.reaction_days(chosen, lv.index, close=observed_at)
        days.append(rd[["reaction_date", "rule"]].assign(market=market, observed_at=observed_at).reset_index())
        excl = pd.DatetimeIndex([]) if exclude_window is None else known_event_days(events, lv.index, observed_at, exclude_window)
        if exclude_dates is not None:
            excl = excl.union(pd.DatetimeIndex(pd.to_datetime(exclude_dates)).intersection(lv.index))
        kw = {"units": change_units(cols), "exclude_dates": excl, **engine_kwargs}
        if reference_dates is not None:
            ref = calendar.release_reaction_days(reference_dates, lv.index, errors="drop")
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
    """US employment-report release dates (8:30 am ET), without ALFRED's extra vintages."""
    return calendar.read_release_dates(store.path(JOBS_CALENDAR))


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
