"""Charts (treasurycard.book.charts): words instead of codes, tooltips, pan/zoom, labelled events, live HTML."""

import json

import altair as alt
import pandas as pd

from treasurycard.book import charts, labels


def _line():
    data = pd.DataFrame({"date": pd.date_range("2025-01-01", periods=5), "series_id": ["DGS10"] * 5,
                         "DGS10": [4.0, 4.1, 4.2, 4.1, 4.0]})
    return alt.Chart(data).mark_line().encode(x="date:T", y="DGS10:Q", color="series_id:N")


def test_spec_in_words_relabels_values_domains_expressions_and_titles():
    data = pd.DataFrame({"event_id": ["kato_remark", "tariff_pause"], "v": [1, 2]})
    chart = (alt.Chart(data, title="DGS10 on kato_remark").mark_bar()
             .encode(x=alt.X("event_id:N", sort=["tariff_pause", "kato_remark"]), y="v:Q")
             .transform_filter("datum.event_id == 'kato_remark'"))
    spec = charts.spec_in_words(chart.to_dict())
    text = json.dumps(spec)
    assert "kato_remark" not in text and "tariff_pause" not in text
    assert spec["encoding"]["x"]["sort"] == [labels.event_label("tariff_pause"), labels.event_label("kato_remark")]
    assert spec["encoding"]["x"]["title"] == "Event"
    assert spec["title"] == "10-year yield on " + labels.event_label("kato_remark")
    assert json.dumps(labels.event_label("kato_remark")) in spec["transform"][0]["filter"]


def test_lines_get_hoverable_points_with_tooltips_and_zoom():
    spec = charts.web_spec(_line())
    line, points = spec["layer"]
    assert line["mark"]["tooltip"] is None and line["mark"]["point"] is False
    assert line["params"][0]["bind"] == "scales" and line["params"][0]["select"]["encodings"] == ["x"]
    tips = points["encoding"]["tooltip"]
    assert [t["field"] for t in tips] == ["date", "DGS10", "series_id"]
    assert tips[0]["format"] == "%-d %b %Y" and tips[1]["title"] == "10-year yield"
    assert points["mark"]["opacity"] == 0


def test_no_zoom_on_a_chart_without_time_axis():
    chart = alt.Chart(pd.DataFrame({"a": ["x"], "v": [1]})).mark_bar().encode(x="a:N", y="v:Q")
    assert "params" not in json.dumps(charts.add_time_zoom(chart.to_dict()))


def test_event_labels_never_overlap_on_one_row():
    x_px = [100.0, 101.0, 105.0, 400.0, 630.0]
    widths = [150.0, 120.0, 100.0, 80.0, 90.0]
    rows = charts._label_rows(x_px, widths, 640)
    spans = {}
    for (row, align), x, w in zip(rows, x_px, widths):
        left = x + 2 if align == "left" else x - 2 - w
        assert 0 <= left and left + w <= 640 + 1e-9
        for other in spans.get(row, []):
            assert left >= other[1] or left + w <= other[0]
        spans.setdefault(row, []).append((left, left + w))
    assert rows[0][0] != rows[1][0] != rows[2][0]  # three labels a few px apart: three rows
    assert rows[-1][1] == "right"  # near the right edge: drawn to the left of its rule


def test_event_rules_are_labelled_in_words():
    days = pd.DataFrame({"event_id": ["tariff_announcement", "kato_remark"],
                         "reaction_date": pd.to_datetime(["2025-04-03", "2025-05-02"])})
    text = json.dumps(charts.event_rules(days, "2025-01-01", "2025-12-31").to_dict())
    assert labels.event_label("tariff_announcement") in text and "\"text\"" in text


def test_live_view_html_has_fallback_image_alt_and_safe_spec():
    html = charts.live_view_html("fig-x", {"title": "</script><b>"}, "../exports/figures/fig-x.svg", 'A "chart".')
    assert '<img class="tc-chart-fallback" loading="lazy" src="../exports/figures/fig-x.svg" alt="A &quot;chart&quot;.">' in html
    assert "</script><b>" not in html and html.count("</script>") == 1


def test_compact_data_rounds_inline_numbers_only():
    spec = {"datasets": {"d": [{"v": 0.123456789123, "n": 3, "s": "2025-01-01T00:00:00"}]}, "title": "x"}
    out = charts.compact_data(spec)
    assert out["datasets"]["d"][0] == {"v": 0.123457, "n": 3, "s": "2025-01-01T00:00:00"}
    assert spec["datasets"]["d"][0]["v"] == 0.123456789123  # input untouched


def test_thin_daily_keeps_recent_days_and_weekly_history():
    days = pd.bdate_range("2023-01-02", "2024-01-31")
    frame = pd.DataFrame({"date": days, "v": range(len(days))})
    thin = charts.thin_daily(frame, keep_from="2024-01-01")
    recent = thin[thin["date"] >= "2024-01-01"]
    assert len(recent) == (days >= "2024-01-01").sum()
    old = thin[thin["date"] < "2024-01-01"]
    assert old["date"].dt.day_of_week.eq(4).mean() > 0.9 and len(old) <= 53


def test_fallback_alt_text_is_a_sentence_not_a_file_name():
    text = charts.describe(charts.spec_in_words(_line().properties(title="The 10-year").to_dict()))
    assert text == "Line chart: The 10-year; 10-year yield against Date."
    assert charts.describe({}) == "A chart of the data in its caption."


def _bars(domain):
    data = pd.DataFrame({"month": ["2025-03", "2025-04", "2025-05"], "value": [1.0, -2.0, 3.0],
                         "highlight": ["other months", "April 2025", "May 2025"]})
    return alt.Chart(data).mark_bar().encode(
        x="month:N", y="value:Q",
        color=alt.Color("highlight:N", scale=alt.Scale(domain=domain, range=["#ccc", "#b2182b", "#2166ac"])))


def test_domain_gaps_finds_a_category_the_colour_domain_leaves_out():
    # "Apr 2025" in the domain, "April 2025" in the data: the April bar would be drawn without its colour
    gaps = charts.domain_gaps(_bars(["other months", "Apr 2025", "May 2025"]).to_dict())
    assert len(gaps) == 1 and "April 2025" in gaps[0] and "highlight" in gaps[0]
    assert charts.domain_gaps(_bars(["other months", "April 2025", "May 2025"]).to_dict()) == []


def test_domain_gaps_looks_into_layers_with_their_own_data():
    inner = _bars(["other months", "May 2025"])
    layered = alt.layer(inner, alt.Chart(pd.DataFrame({"x": [1]})).mark_rule().encode(x="x:Q"))
    gaps = charts.domain_gaps(layered.to_dict())
    assert len(gaps) == 1 and "April 2025" in gaps[0]


def test_publish_figure_refuses_a_chart_whose_domain_leaves_out_its_data(tmp_path, monkeypatch):
    import pytest

    from treasurycard.book.preamble import publish_figure

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="fig-test.*April 2025"):
        publish_figure("fig-test", _bars(["other months", "Apr 2025", "May 2025"]), pd.DataFrame({"a": [1]}))
