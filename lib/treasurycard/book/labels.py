"""Words for codes: the one catalogue that turns series, event and column ids into what readers see.

Code and CSV exports keep the ids (``DGS10``, ``tariff_announcement``, ``bw_t_pvalue``); charts, legends,
panel headers and displayed tables show the labels ("10-year yield", "Tariff announcement (2 Apr)",
"BW t-test p-value"). Series labels come from :data:`treasurycard.data.series.CATALOGUE`; event labels are a
short name here plus the event's local date read from ``data/events.csv`` (never typed); result columns are
named in :data:`COLUMN_LABELS`.
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from ..data.series import CATALOGUE

#: Short names of the book's events; the date in brackets is added from ``data/events.csv``.
EVENT_NAMES = {
    "tariff_announcement": "Tariff announcement",
    "china_retaliation": "China's retaliation",
    "tariff_pause": "Tariff pause",
    "kato_remark": "Kato's remark",
    "kato_walkback": "Kato's walk-back",
    "geneva_truce": "Geneva truce",
    "moodys_downgrade": "Moody's downgrade",
    "us_japan_deal": "US-Japan deal",
    "hashimoto_remark": "Hashimoto's remark",
}

#: Result and data columns as readers see them (tables' headers, charts' axes and tooltips).
COLUMN_LABELS = {
    "event_id": "Event", "series_id": "Series", "reaction_date": "Reaction day", "date": "Date",
    "window_start": "Window start (days)", "window_end": "Window end (days)", "window": "Window (days)",
    "start_close": "Close before", "end_close": "Close after", "n_days": "Trading days",
    "raw_change": "Change", "abnormal_change": "Abnormal change", "change": "Change", "unit": "Unit",
    "complete": "Complete", "stale_endpoint": "Stale endpoint", "est_mean": "Estimation mean",
    "est_std": "Estimation std. dev.", "n_est": "Estimation days",
    "bw_t_stat": "BW t-statistic", "bw_t_pvalue": "BW t-test p-value",
    "hac_car": "HAC cumulative change", "hac_se": "HAC std. error", "hac_stat": "HAC t-statistic",
    "hac_pvalue": "HAC p-value", "hac_wald_days_stat": "HAC Wald statistic (days)",
    "hac_wald_days_df": "HAC Wald degrees of freedom", "hac_wald_days_pvalue": "HAC Wald p-value (days)",
    "scar": "Standardized cumulative change", "placebo_value": "Placebo statistic", "placebo_rank": "Placebo rank",
    "placebo_pvalue": "Placebo p-value", "placebo_n": "Placebo days",
    "cond_placebo_rank": "Jobs-day placebo rank", "cond_placebo_pvalue": "Jobs-day placebo p-value",
    "cond_placebo_n": "Jobs-day placebo days", "market": "Market", "observed_at": "Observed at (New York)",
    "change_bp": "Change (bp)", "holdings_bn": "Holdings (bn USD)", "change_bn": "Change (bn USD)",
    "change_pct": "Change (%)", "share_pct": "Share (%)", "gap_bn": "Gap (bn USD)", "series_break": "Series break",
    "dgs10_date": "10-year yield date", "dgs10_level_pct": "10-year yield (%)", "dgs10_change_bp": "10-year yield change (bp)",
    "low_bp": "Low (bp)", "central_bp": "Central (bp)", "high_bp": "High (bp)", "flow_bn": "Flow (bn USD)",
    "sale_bn": "Sale (bn USD)", "share_sold_pct": "Share sold (%)", "april_week_bp": "Week to 11 April (bp)",
    "effect_bp": "Planted effect (bp)", "rejection_rate": "Rejection rate", "mc_se": "Monte Carlo std. error",
    "n_draws": "Draws", "sigma_bp": "Daily std. dev. (bp)", "estimation_length": "Estimation days",
    "n_series": "Series", "pvalue": "p-value", "n_reference": "Reference days", "direction_ok": "Sign as claimed",
    "first_date": "First date", "last_date": "Last date", "retrieved_at": "Retrieved (UTC)",
    "source_url": "Source address", "cite_key": "Reference",
    # ranks in history (treasurycard.eventstudy.history) and matched-window correlations
    "first_period": "First period", "previous_larger": "Last larger period",
    "previous_larger_value": "Last larger change", "history_median": "Median in history",
    "history_n": "Periods in history", "share_below": "Share of history below",
    # the reaction-day rule (treasurycard.data.calendar)
    "event_time_et": "Event time (New York)",
    # one day's cross-series pattern against reference days (treasurycard.eventstudy.pattern)
    "event_x": "Event-day move of the regressor", "event_change": "Event-day change", "rank_pvalue": "Rank p-value",
    "resid_sd": "Residual std. dev.",
    # the HAC size simulation (treasurycard.book.robustness) and holdings checks (treasurycard.book.holdings)
    "event_variance": "Event variance", "mean_se_bp": "Mean std. error (bp)",
    "distance_bn": "Distance (bn USD)", "tic_bn": "TIC (bn USD)", "other_bn": "Other (bn USD)",
    "difference_bn": "Difference (bn USD)",
    # term premia at month ends (treasurycard.book.study.term_premia_monthly)
    "ACMTP10": "ACM 10-year term premium (%)", "ACMTP10_change_bp": "ACM change (bp)",
    "THREEFYTP10_change_bp": "Kim-Wright change (bp)",
}


@functools.lru_cache(maxsize=1)
def _event_dates() -> dict[str, pd.Timestamp]:
    from ..data.calendar import read_events
    from .study import EVENTS_CSV

    events = read_events(EVENTS_CSV)
    return {e: pd.Timestamp(t) for e, t in zip(events["event_id"], events["local_datetime"])}


def event_label(event_id: str, dated: bool = True) -> str:
    """ "Tariff announcement (2 Apr)": the event's short name and its local date from ``data/events.csv``.

    An id not in :data:`EVENT_NAMES` is returned unchanged (a robustness variant's ad-hoc event, or
    text that is already a label).
    """
    name = EVENT_NAMES.get(event_id)
    if name is None:
        return event_id
    when = _event_dates().get(event_id) if dated else None
    return f"{name} ({when.day} {when:%b})" if when is not None else name


def series_label(series_id: str) -> str:
    """ "10-year yield": the catalogue's label of a series id (an unknown id is returned unchanged)."""
    info = CATALOGUE.get(series_id)
    return info.short_label if info is not None else series_id


def column_label(column: str) -> str:
    """The header readers see for a column: :data:`COLUMN_LABELS`, a series label, or the name itself."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    if column in CATALOGUE:
        return series_label(column)
    return column


def label(code: str) -> str:
    """Words for any id of the catalogue: a series, an event or a column (else the text unchanged)."""
    if code in CATALOGUE:
        return series_label(code)
    if code in EVENT_NAMES:
        return event_label(code)
    return COLUMN_LABELS.get(code, code)


def codes() -> dict[str, str]:
    """Every id the catalogue knows that looks like a code (``DGS10``, ``kato_remark``, ``bw_t_pvalue``) -> label.

    The browser tests check that none of these appears in a chart's visible text or a table's header.
    """
    out = {s: series_label(s) for s in CATALOGUE}
    out.update({e: event_label(e) for e in EVENT_NAMES})
    out.update({c: lab for c, lab in COLUMN_LABELS.items() if "_" in c})
    return out


#: Columns whose values are ids, and the label column written beside them in CSV exports.
ID_COLUMNS = {"series_id": ("series", series_label), "event_id": ("event", event_label)}


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a label column after each id column (``series_id`` -> ``series``, ``event_id`` -> ``event``).

    For CSV exports: machines keep the ids, readers get the words. A label column that already exists is
    left as it is.
    """
    out = frame.copy()
    for col, (name, fn) in ID_COLUMNS.items():
        if col in out.columns and name not in out.columns:
            out.insert(out.columns.get_loc(col) + 1, name, out[col].map(lambda v: fn(v) if isinstance(v, str) else v))
    return out


_WORD = re.compile(r"\b[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]\b")


def in_words(text: str) -> str:
    """Replace every catalogued code in a piece of display text by its label ("DGS10 (%)" -> "10-year yield (%)")."""
    table = codes()
    return _WORD.sub(lambda m: table.get(m.group(0), m.group(0)), text)


def styler_in_words(styler):
    """A pandas ``Styler`` showing words: column and row headers through :func:`column_label` / :func:`in_words`,
    and id values (in ``event_id``, ``series_id`` or any text column holding catalogued codes) as labels.

    The underlying data keep the ids; only what is rendered changes.
    """
    data = styler.data
    table = codes()

    def header(v):
        return column_label(v) if isinstance(v, str) and v in COLUMN_LABELS or v in CATALOGUE else (
            in_words(v) if isinstance(v, str) else v)

    named = {"index": data.index.names, "columns": data.columns.names}
    if any(isinstance(n, str) and header(n) != n for names in named.values() for n in names):
        # index and column *names* are not formatted by format_index: rename them on a copy of the data
        renamed = data.rename_axis(index=[header(n) for n in data.index.names],
                                   columns=[header(n) for n in data.columns.names])
        styler.data, styler.index, styler.columns = renamed, renamed.index, renamed.columns
    styler = styler.format_index(header, axis=1).format_index(header, axis=0)
    for col in data.columns:
        values = data[col]
        if (values.dtype == object or pd.api.types.is_string_dtype(values)) and values.map(lambda v: isinstance(v, str) and v in table).any():
            styler = styler.format(lambda v: label(v) if isinstance(v, str) else v, subset=[col])
    return styler
