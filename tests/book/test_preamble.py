"""The chapters' preamble (treasurycard.book): glued prose numbers survive myst-nb's text role."""

import pytest
from myst_nb.core.variables import format_plain_text

from treasurycard.book.preamble import glue_text


@pytest.mark.parametrize(
    "value, fmt, unit, shown",
    [(5185, "{:,.0f}", "", "5,185"), (47.0, "+{:.0f}", "bp", "+47 bp"), ("Thursday 3 April", "", "", "Thursday 3 April")],
)
def test_glued_text_renders_as_formatted(value, fmt, unit, shown):
    text = glue_text("x", value, fmt=fmt, unit=unit)
    assert text == shown
    # what {glue:text} does with the stored text/plain representation of the glued object
    assert format_plain_text(repr(text), "") == shown


def test_missing_value_refuses_to_glue():
    with pytest.raises(ValueError, match="missing"):
        glue_text("x", float("nan"))


def _provenance(stale):
    import pandas as pd

    return pd.DataFrame([{
        "key": "fred/DGS10.csv", "origin": "cache", "path": "x", "source_url": "u",
        "retrieved_at": "2026-01-02T03:04:05+00:00", "sha256": "ab" * 32, "first_date": "1962-01-02",
        "last_date": "2025-12-31", "rows": 10, "note": "", "stale": stale,
    }])


def test_vintage_names_retrieval_and_flags_a_stale_copy():
    from treasurycard.book.preamble import vintage, vintages

    fresh = vintage(_provenance(False), "fred/DGS10.csv")
    assert fresh == ("FRED series DGS10: 10-year Treasury yield (Board of Governors of the Federal Reserve System "
                     "(H.15)), cached download, retrieved 2026-01-02T03:04:05+00:00, data 1962-01-02 to "
                     "2025-12-31, sha256 abababababab")
    assert "refresh failed" in vintage(_provenance(True), "fred/DGS10.csv")
    assert vintages(_provenance(False), ["DGS10"]) == (
        "FRED series, cached download (where each copy came from: see the list of sources): DGS10 to 2025-12-31 (sha256 abababab, retrieved 2026-01-02T03:04:05+00:00)")
    assert "refresh failed" in vintages(_provenance(True), ["DGS10"])


def test_event_calendar_maps_events_within_the_trading_days_by_default():
    import pandas as pd

    from treasurycard.book.preamble import event_calendar

    days = pd.bdate_range("2025-01-02", "2025-12-31")
    table = event_calendar(days)
    assert "hashimoto_remark" not in table.index and "kato_remark" in table.index
    picked = event_calendar(pd.bdate_range("1997-01-02", "2025-12-31"), ["hashimoto_remark", "kato_remark"])
    assert list(picked.index) == ["hashimoto_remark", "kato_remark"]
    from treasurycard.errors import EventOutsideData
    with pytest.raises(EventOutsideData, match="hashimoto_remark"):
        event_calendar(days, ["hashimoto_remark"])
