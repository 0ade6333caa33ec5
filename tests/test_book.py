"""The chapters' preamble (treasurycard.book): glued prose numbers survive myst-nb's text role."""

import pytest
from myst_nb.core.variables import format_plain_text

from treasurycard.book import glue_text


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
