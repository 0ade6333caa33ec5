"""One Altair theme for the book, labelled event markers, and the live (interactive) view of a chart.

Charts are built by the chapters with Altair; this module gives them the book's look (a theme with tooltips on
every mark), event rules labelled in words, a pass that puts words in place of codes everywhere a reader
looks (:func:`spec_in_words`), pan/zoom on time axes (:func:`add_time_zoom`) and the HTML of a live
Vega-Lite view that falls back to the static SVG when scripts are off (:func:`live_view_html`). No
computation here.
"""

from __future__ import annotations

import html
import json
import re

import altair as alt
import pandas as pd

from ..data.series import CATALOGUE
from . import labels

#: Colours for event markers, one per event family.
EVENT_COLOURS = {"tariff": "#b2182b", "kato": "#2166ac", "other": "#636363"}
WIDTH, HEIGHT = 640, 260
#: Height (px) of one row of event labels above a time-series chart, and the font size of the labels.
EVENT_LABEL_ROW, EVENT_LABEL_SIZE = 12, 10


def treasury_card_theme() -> dict:
    """Plain, print-friendly defaults: one font, light grid, no chart border, a tooltip on every mark.

    On the page, lines also carry invisible points (:func:`add_tooltips`), so hovering shows the observation under the pointer.
    """
    font = "Helvetica, Arial, sans-serif"
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "font": font,
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6", "domainColor": "#888"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom", "labelLimit": 260},
            "title": {"fontSize": 13, "anchor": "start"},
            "mark": {"tooltip": {"content": "encoding"}},
            "line": {"strokeWidth": 1.5},
        }
    }


def enable_theme() -> None:
    """Register and enable the book's theme; in a notebook, charts show as static SVG (works with no network)."""
    alt.theme.register("treasury_card", enable=True)(treasury_card_theme)
    alt.renderers.enable("svg")
    # the published pages embed each chart's data in the page: thin long histories before charting them
    # (see thin_daily); the row limit itself is not the right guard for that
    alt.data_transformers.disable_max_rows()


def event_family(event_id: str) -> str:
    if event_id.startswith("kato"):
        return "kato"
    if event_id in {"tariff_announcement", "china_retaliation", "tariff_pause"}:
        return "tariff"
    return "other"


def _label_rows(x_px: list[float], widths: list[float], width: float) -> list[tuple[int, str]]:
    """Row and alignment of each event label so that labels on one row never overlap (greedy, left to right)."""
    ends: list[float] = []  # right edge of the last label on each row
    out = []
    for x, w in zip(x_px, widths):
        align, left = ("left", x + 2) if x + 2 + w <= width else ("right", x - 2 - w)
        row = next((r for r, end in enumerate(ends) if left > end + 4), len(ends))
        if row == len(ends):
            ends.append(left + w)
        else:
            ends[row] = left + w
        out.append((row, align))
    return out


def event_rules(reaction_days: pd.DataFrame, start=None, end=None, width: int = WIDTH) -> alt.LayerChart:
    """Vertical rules at events' reaction days, each labelled in words ("Tariff announcement (2 Apr)").

    ``reaction_days`` has an ``event_id`` (index or column) and a ``reaction_date`` column. Labels sit at the top
    of the chart, on as many rows as needed so that none overlaps; hovering a rule shows the event and its
    reaction day. ``start``/``end`` bound the dates shown (and place the labels); ``width`` is the chart's, px.
    """
    frame = reaction_days.reset_index() if "event_id" not in reaction_days.columns else reaction_days.copy()
    frame = frame[["event_id", "reaction_date"]].copy()
    if start is not None:
        frame = frame[frame["reaction_date"] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame["reaction_date"] <= pd.Timestamp(end)]
    frame = frame.sort_values("reaction_date", ignore_index=True)
    frame["event"] = frame["event_id"].map(labels.event_label)
    frame["colour"] = frame["event_id"].map(lambda e: EVENT_COLOURS[event_family(e)])
    if len(frame):
        lo = pd.Timestamp(start) if start is not None else frame["reaction_date"].min()
        hi = pd.Timestamp(end) if end is not None else frame["reaction_date"].max()
        span = max((hi - lo).days, 1)
        x_px = [(d - lo).days / span * width for d in frame["reaction_date"]]
        widths = [0.55 * EVENT_LABEL_SIZE * len(t) for t in frame["event"]]
        rows = _label_rows(x_px, widths, width)
        frame["label_y"] = [2 + EVENT_LABEL_ROW * r for r, _ in rows]
        frame["label_dx"] = [3 if a == "left" else -3 for _, a in rows]
        frame["label_align"] = [a for _, a in rows]
    x = alt.X("reaction_date:T", title=None)
    tooltip = [alt.Tooltip("event:N", title="Event"), alt.Tooltip("reaction_date:T", title="Reaction day", format="%-d %b %Y")]
    rules = alt.Chart(frame).mark_rule(strokeDash=[4, 3], opacity=0.8).encode(
        x=x, stroke=alt.Stroke("colour:N", scale=None), tooltip=tooltip)
    texts = [
        alt.Chart(frame[frame["label_align"] == align])
        .mark_text(align=align, baseline="top", dx=dx, fontSize=EVENT_LABEL_SIZE)
        .encode(x=x, y=alt.Y("label_y:Q", scale=None, axis=None),
                text="event:N", fill=alt.Fill("colour:N", scale=None), tooltip=tooltip)
        for align, dx in (("left", 3), ("right", -3)) if len(frame) and (frame["label_align"] == align).any()
    ]
    return alt.layer(rules, *texts)


def level_chart(levels: pd.DataFrame, series_id: str, title: str | None = None) -> alt.Chart:
    """A line chart of one series' levels, titled in words with its unit ("10-year yield (%)")."""
    info = CATALOGUE[series_id]
    data = levels[[series_id]].dropna().reset_index()
    unit = {"%": "percent", "currency units": "", "index": "index", "bn USD": "billions of dollars"}[info.level_unit]
    axis = info.short_label + (f" ({unit})" if unit else "")
    return (
        alt.Chart(data, title=title or info.short_label)
        .mark_line()
        .encode(
            x=alt.X("date:T", title="Date"),
            y=alt.Y(f"{series_id}:Q", title=axis, scale=alt.Scale(zero=False)),
        )
    )


def with_events(chart: alt.Chart, reaction_days: pd.DataFrame, start=None, end=None) -> alt.LayerChart:
    """Layer labelled event rules over a time-series chart.

    Without ``start``/``end``, the span of the chart's own ``date`` column places the labels.
    """
    data = getattr(chart, "data", None)
    if isinstance(data, pd.DataFrame) and "date" in data.columns and len(data):
        start = pd.Timestamp(data["date"].min()) if start is None else start
        end = pd.Timestamp(data["date"].max()) if end is None else end
    width = chart.width if isinstance(getattr(chart, "width", None), (int, float)) else WIDTH
    return alt.layer(chart, event_rules(reaction_days, start, end, width=width))


def thin_daily(frame: pd.DataFrame, keep_from=None, every: str = "W-FRI", date_col: str = "date") -> pd.DataFrame:
    """Thin a long daily history for a web chart: weekly last values before ``keep_from``, every day after it.

    The page embeds the data of each chart; sixty years of daily rows make it heavy. Exports keep the full
    data (pass the unthinned frame to :func:`~treasurycard.book.preamble.publish_figure` as ``data``).
    """
    frame = frame.reset_index() if date_col not in frame.columns else frame
    dates = pd.to_datetime(frame[date_col])
    cut = pd.Timestamp(keep_from) if keep_from is not None else dates.max() + pd.Timedelta(days=1)
    old, recent = frame[dates < cut], frame[dates >= cut]
    weekly = old.groupby(pd.to_datetime(old[date_col]).dt.to_period(every)).tail(1)
    return pd.concat([weekly, recent], ignore_index=True)


# --------------------------------------------------------------------------------- words instead of codes
_QUOTED = re.compile(r"""(['"])([A-Za-z][A-Za-z0-9_]*)\1""")


def _words_in_expr(expr: str, table: dict[str, str]) -> str:
    return _QUOTED.sub(lambda m: json.dumps(table[m.group(2)]) if m.group(2) in table else m.group(0), expr)


def spec_in_words(spec: dict) -> dict:
    """A Vega-Lite spec (a dict) with the catalogue's labels wherever a reader would see a code.

    Data values that are ids (``"DGS10"``, ``"kato_remark"``) become labels, and so do the same strings in
    scale domains, sort orders and filter/calculate expressions (so the chart means the same); titles have
    codes replaced word by word; an encoding of a field without a title gets the field's label as title
    (axis, legend and tooltip). Field names themselves are unchanged.
    """
    table = labels.codes()

    def value(v):
        return table.get(v, v) if isinstance(v, str) else v

    def walk(node, key=None):
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if not isinstance(node, dict):
            if key in ("title", "text") and isinstance(node, str):
                return labels.in_words(node)
            if key in ("filter", "calculate", "expr", "test") and isinstance(node, str):
                return _words_in_expr(node, table)
            return node
        out = {}
        for k, v in node.items():
            if k in ("values",) and isinstance(v, list):
                out[k] = [{c: value(x) for c, x in r.items()} if isinstance(r, dict) else value(r) for r in v]
            elif k == "datasets" and isinstance(v, dict):
                out[k] = {name: [{c: value(x) for c, x in r.items()} for r in rows] for name, rows in v.items()}
            elif k in ("domain", "sort") and isinstance(v, list):
                out[k] = [value(x) for x in v]
            elif k == "equal" or k == "oneOf":
                out[k] = [value(x) for x in v] if isinstance(v, list) else value(v)
            elif k == "encoding" and isinstance(v, dict):
                out[k] = {ch: titled(walk(d, ch)) for ch, d in v.items()}
            else:
                out[k] = walk(v, k)
        return out

    def titled(channel):
        if isinstance(channel, list):
            return [titled(c) for c in channel]
        if isinstance(channel, dict) and isinstance(channel.get("field"), str) and "title" not in channel:
            words = labels.column_label(channel["field"])
            if words != channel["field"]:
                return {**channel, "title": words}
        return channel

    return walk(spec)


# ------------------------------------------------------------------------------------------- pan and zoom
def _time_x(unit: dict) -> bool:
    enc = unit.get("encoding", {}).get("x", {})
    mark = unit.get("mark")
    mark = mark.get("type") if isinstance(mark, dict) else mark
    return enc.get("type") == "temporal" and "field" in enc and mark not in ("rule", "text")


def add_time_zoom(spec: dict) -> dict:
    """Let readers pan and zoom (drag, scroll; double-click resets) the time axis of each time-series view.

    One interval selection bound to the x scale is added to the first unit of each layer whose x is
    temporal; other views are unchanged.
    """
    count = [0]

    def unit_zoom(unit: dict) -> dict:
        count[0] += 1
        params = list(unit.get("params", []))
        params.append({"name": f"tc_zoom_{count[0]}", "select": {"type": "interval", "encodings": ["x"]},
                       "bind": "scales"})
        return {**unit, "params": params}

    def walk(node: dict) -> dict:
        if "layer" in node:
            layers, done = [], False
            for child in node["layer"]:
                if not done and "mark" in child and _time_x(child):
                    layers.append(unit_zoom(child))
                    done = True
                else:
                    layers.append(walk(child) if not ("mark" in child) else child)
            return {**node, "layer": layers}
        for key in ("vconcat", "hconcat", "concat"):
            if key in node:
                return {**node, key: [walk(c) for c in node[key]]}
        if "facet" in node or "repeat" in node:
            return node  # a small multiple shares one scale per panel: leave it static
        if "mark" in node and _time_x(node):
            return unit_zoom(node)
        return node

    return walk(spec)


# ---------------------------------------------------------------------------------------------- tooltips
_TIP_CHANNELS = ("x", "x2", "y", "y2", "theta", "color", "fill", "stroke", "size", "shape", "column", "row",
                 "facet", "text")
_TIP_KEYS = ("field", "type", "title", "timeUnit", "aggregate", "bin", "format")


def _tooltip_of(encoding: dict) -> list[dict]:
    tips, seen = [], set()
    for ch in _TIP_CHANNELS:
        d = encoding.get(ch)
        if not isinstance(d, dict) or d.get("scale", 1) is None or not ("field" in d or "aggregate" in d):
            continue
        tip = {k: d[k] for k in _TIP_KEYS if k in d}
        if tip.get("type") == "temporal" and "format" not in tip and "timeUnit" not in tip:
            tip["format"] = "%-d %b %Y"
        key = (tip.get("field"), tip.get("aggregate"))
        if key not in seen:
            seen.add(key)
            tips.append(tip)
    return tips


def add_tooltips(spec: dict) -> dict:
    """Give every view without a tooltip one listing its encoded fields (date, value, series, event...).

    Explicit tooltips (rather than the theme's ``tooltip: encoding``) keep the marks hoverable when a view also
    has a pan/zoom selection, including the transparent points that lines carry.
    """
    def walk(node):
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v) if k in ("layer", "vconcat", "hconcat", "concat", "spec") else v for k, v in node.items()}
        enc = out.get("encoding")
        if "mark" in out and isinstance(enc, dict):
            tips = enc.get("tooltip") or _tooltip_of(enc)
            if tips and _mark_type(out) == "line":
                return _line_with_points(out, tips)
            if tips and "tooltip" not in enc:
                out["encoding"] = {**enc, "tooltip": tips}
        return out

    return walk(spec)


def _mark_type(unit: dict) -> str | None:
    mark = unit.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def _line_with_points(unit: dict, tips: list[dict]) -> dict:
    """A line view as a layer: the line (no tooltip: a line's tooltip would show its first point) and invisible
    points on each observation that carry the tooltip, so hovering shows the date and value under the pointer."""
    mark = unit["mark"] if isinstance(unit["mark"], dict) else {"type": unit["mark"]}
    outer = {k: v for k, v in unit.items() if k not in ("mark", "encoding", "params")}
    line = {"mark": {**mark, "point": False, "tooltip": None},
            "encoding": {k: v for k, v in unit["encoding"].items() if k != "tooltip"}}
    if "params" in unit:
        line["params"] = unit["params"]
    keep = {k: v for k, v in unit["encoding"].items() if k in ("x", "y", "color", "detail", "shape", "opacity")}
    points = {"mark": {"type": "point", "filled": True, "opacity": 0, "size": 50},
              "encoding": {**keep, "tooltip": tips}}
    return {**outer, "layer": [line, points]}


# -------------------------------------------------------------------------------------------- live view
def web_spec(chart) -> dict:
    """The spec a page embeds for a chart: words instead of codes, tooltips, pan/zoom on time axes."""
    spec = chart.to_dict() if not isinstance(chart, dict) else chart
    return add_time_zoom(add_tooltips(spec_in_words(spec)))


def compact_data(spec: dict, digits: int = 6) -> dict:
    """The spec with the numbers of its inline datasets rounded to ``digits`` significant digits (page weight)."""
    def num(v):
        return float(f"{v:.{digits}g}") if isinstance(v, float) else v

    out = dict(spec)
    if isinstance(spec.get("datasets"), dict):
        out["datasets"] = {k: [{c: num(x) for c, x in r.items()} if isinstance(r, dict) else r for r in rows]
                           for k, rows in spec["datasets"].items()}
    return out


def live_view_html(fig_id: str, spec: dict, svg_src: str, alt_text: str) -> str:
    """HTML of a live chart: the static SVG (shown when scripts are off), and its spec for the page's loader.

    The book's loader (``_static/treasurycard/charts.js``, added by ``_ext/treasurycard_publish.py``) replaces
    the image by a Vega-Lite view with tooltips; the image's ``alt`` becomes the view's label.
    """
    data = json.dumps(compact_data(spec), separators=(",", ":"), default=str).replace("</", "<\\/")
    return (
        f'<div class="tc-chart" data-figure="{html.escape(fig_id)}">'
        f'<img class="tc-chart-fallback" loading="lazy" src="{html.escape(svg_src)}" alt="{html.escape(alt_text)}">'
        f'<script type="application/json" class="tc-chart-spec">{data}</script></div>'
    )


def describe(chart_spec: dict) -> str:
    """A fallback alt text from a spec, e.g. "Line chart: 10-year yield; 10-year yield (percent) against Date."

    Prefer a sentence written for the figure (``publish_figure(..., alt_text=...)``); this one is built from the
    chart's marks, titles and axis titles so that no figure is left described by its file name.
    """
    titles, marks, axes = [], [], []

    def walk(node):
        if not isinstance(node, dict):
            return
        t = node.get("title")
        if isinstance(t, str) and t:
            titles.append(t)
        elif isinstance(t, dict) and isinstance(t.get("text"), str):
            titles.append(t["text"])
        if "mark" in node:
            marks.append(_mark_type(node))
            enc = node.get("encoding", {})
            pair = [enc.get(ch, {}).get("title") or enc.get(ch, {}).get("field") for ch in ("y", "x")]
            if all(isinstance(p, str) for p in pair):
                axes.append(f"{pair[0]} against {pair[1]}")
        for k in ("layer", "vconcat", "hconcat", "concat"):
            for child in node.get(k, []):
                walk(child)
        walk(node.get("spec"))

    walk(chart_spec)
    kinds = {"line": "Line", "bar": "Bar", "point": "Scatter", "area": "Area", "rule": "Rule", "tick": "Tick"}
    kind = next((kinds[m] for m in marks if m in kinds and m != "rule"), "A")
    parts = list(dict.fromkeys(titles)) + list(dict.fromkeys(axes))
    body = "; ".join(parts) if parts else "the data in its caption"
    return (f"{kind} chart: " if kind != "A" else "A chart of ") + body + "."


class LiveChart:
    """A chart as a page shows it: the HTML of :func:`live_view_html` (text/plain names the figure)."""

    def __init__(self, fig_id: str, html_text: str):
        self.fig_id, self.html = fig_id, html_text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html, "text/plain": f"<chart {self.fig_id}>"}


# ------------------------------------------------------------------------------------------- checks
#: Channels whose explicit scale domain decides how a category is drawn (a value outside it is not drawn as meant).
_CATEGORY_CHANNELS = ("color", "fill", "stroke", "shape", "opacity")


def _unit_rows(node: dict, datasets: dict, inherited):
    data = node.get("data")
    if isinstance(data, dict):
        if "values" in data and isinstance(data["values"], list):
            return data["values"]
        if "name" in data:
            return datasets.get(data["name"], inherited)
    return inherited


def domain_gaps(spec: dict) -> list[str]:
    """Categories a chart's data hold but the explicit scale domain of their channel leaves out.

    A value outside an explicit ``domain`` of a colour (or shape, ...) channel gets no colour of the
    intended range: a bar that should stand out is drawn blank. Returns one message per gap (empty if none).
    """
    datasets = spec.get("datasets", {}) if isinstance(spec, dict) else {}
    gaps = []

    def walk(node, rows):
        if isinstance(node, list):
            for v in node:
                walk(v, rows)
            return
        if not isinstance(node, dict):
            return
        rows = _unit_rows(node, datasets, rows)
        for channel, enc in (node.get("encoding") or {}).items():
            if channel not in _CATEGORY_CHANNELS or not isinstance(enc, dict):
                continue
            domain = (enc.get("scale") or {}).get("domain")
            field = enc.get("field")
            if not isinstance(domain, list) or not isinstance(field, str) or enc.get("type") not in ("nominal", "ordinal"):
                continue
            present = {r.get(field) for r in rows or [] if isinstance(r, dict) and r.get(field) is not None}
            missing = sorted(map(str, present - set(domain)))
            if missing:
                gaps.append(f"{channel} field {field!r}: values {missing} are not in the scale's domain {domain}")
        for key in ("layer", "concat", "hconcat", "vconcat", "spec"):
            if key in node:
                walk(node[key], rows)

    walk(spec, None)
    return gaps
