"""Words for codes (treasurycard.book.labels): series, events and columns as readers see them."""

import pandas as pd
import pytest

from treasurycard.book import labels


@pytest.mark.parametrize("code, words", [
    ("DGS10", "10-year yield"), ("DEXJPUS", "Yen per dollar"), ("bw_t_pvalue", "BW t-test p-value"),
    ("placebo_pvalue", "Placebo p-value"), ("unknown_thing", "unknown_thing"),
])
def test_label_of_series_and_columns(code, words):
    assert labels.label(code) == words


def test_event_label_takes_its_date_from_the_events_file():
    from treasurycard.data.calendar import read_events
    from treasurycard.book.study import EVENTS_CSV

    events = read_events(EVENTS_CSV).set_index("event_id")
    when = pd.Timestamp(events.loc["tariff_announcement", "local_datetime"])
    assert labels.event_label("tariff_announcement") == f"Tariff announcement ({when.day} {when:%b})"
    assert labels.event_label("kato_remark", dated=False) == "Kato's remark"
    assert labels.event_label("week to 2025-04-11") == "week to 2025-04-11"  # not an id: unchanged


def test_codes_are_only_code_like_ids():
    table = labels.codes()
    assert {"DGS10", "kato_remark", "bw_t_pvalue"} <= set(table)
    assert "date" not in table and "change" not in table  # plain words are not codes


def test_in_words_replaces_whole_words_only():
    assert labels.in_words("DGS10 (%) vs DGS10X and kato_remark") == (
        "10-year yield (%) vs DGS10X and " + labels.event_label("kato_remark"))


def test_with_labels_keeps_ids_and_adds_label_columns():
    frame = pd.DataFrame({"event_id": ["kato_remark"], "series_id": ["DGS30"], "raw_change": [1.0]})
    out = labels.with_labels(frame)
    assert list(out.columns) == ["event_id", "event", "series_id", "series", "raw_change"]
    assert out.loc[0, "series"] == "30-year yield" and out.loc[0, "series_id"] == "DGS30"
    assert list(frame.columns) == ["event_id", "series_id", "raw_change"]  # input untouched


def test_styler_in_words_changes_only_what_is_rendered():
    frame = pd.DataFrame({"series_id": ["DGS10"], "placebo_pvalue": [0.5]},
                         index=pd.Index(["tariff_pause"], name="event_id"))
    html = labels.styler_in_words(frame.style).to_html()
    for code in ("series_id", "placebo_pvalue", "DGS10", "tariff_pause", "event_id"):
        assert f">{code}<" not in html
    assert "Placebo p-value" in html and "10-year yield" in html and "Event" in html
    assert frame.index.name == "event_id" and list(frame.columns) == ["series_id", "placebo_pvalue"]
