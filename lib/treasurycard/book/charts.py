"""One Altair theme for the book, event markers, and small chart builders (no computation here)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..data.series import CATALOGUE

#: Colours for event markers, one per event family.
EVENT_COLOURS = {"tariff": "#b2182b", "kato": "#2166ac", "other": "#636363"}
WIDTH, HEIGHT = 640, 260


def treasury_card_theme() -> dict:
    """Plain, print-friendly defaults: one font, light grid, no chart border."""
    font = "Helvetica, Arial, sans-serif"
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "font": font,
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6", "domainColor": "#888"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 13, "anchor": "start"},
            "line": {"strokeWidth": 1.5},
        }
    }


def enable_theme() -> None:
    """Register and enable the book's theme, and render charts as static SVG (works with no network)."""
    alt.theme.register("treasury_card", enable=True)(treasury_card_theme)
    alt.renderers.enable("svg")
    # charts are rendered to static SVG here, so the row limit (meant for data embedded in HTML) does not apply
    alt.data_transformers.disable_max_rows()


def event_family(event_id: str) -> str:
    if event_id.startswith("kato"):
        return "kato"
    if event_id in {"tariff_announcement", "china_retaliation", "tariff_pause"}:
        return "tariff"
    return "other"


def event_rules(reaction_days: pd.DataFrame, start=None, end=None) -> alt.Chart:
    """Vertical rules at events' reaction days, labelled by event id.

    ``reaction_days`` has an ``event_id`` (index or column) and a ``reaction_date`` column.
    """
    frame = reaction_days.reset_index() if "event_id" not in reaction_days.columns else reaction_days.copy()
    frame = frame[["event_id", "reaction_date"]].copy()
    if start is not None:
        frame = frame[frame["reaction_date"] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame["reaction_date"] <= pd.Timestamp(end)]
    frame["family"] = frame["event_id"].map(event_family)
    colour = alt.Color(
        "family:N",
        scale=alt.Scale(domain=list(EVENT_COLOURS), range=list(EVENT_COLOURS.values())),
        legend=alt.Legend(title="event"),
    )
    return (
        alt.Chart(frame)
        .mark_rule(strokeDash=[4, 3], opacity=0.8)
        .encode(x="reaction_date:T", color=colour, tooltip=["event_id:N", "reaction_date:T"])
    )


def level_chart(levels: pd.DataFrame, series_id: str, title: str | None = None) -> alt.Chart:
    """A line chart of one series' levels (its FRED unit on the y axis)."""
    info = CATALOGUE[series_id]
    data = levels[[series_id]].dropna().reset_index()
    return (
        alt.Chart(data, title=title or info.title)
        .mark_line()
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y(f"{series_id}:Q", title=f"{series_id} ({info.level_unit})", scale=alt.Scale(zero=False)),
        )
    )


def with_events(chart: alt.Chart, reaction_days: pd.DataFrame, start=None, end=None) -> alt.LayerChart:
    """Layer event rules over a time-series chart."""
    return alt.layer(chart, event_rules(reaction_days, start, end))
