"""The chapters' shared preamble: theme, renderer, data store and number gluing.

A chapter's first cell is ``from treasurycard.book import *``; it then has ``alt``, ``pd``, ``np``,
``glue_text`` and ``store`` (a :class:`~treasurycard.store.DataStore` made from the environment).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .charts import enable_theme
from .store import DataStore


class Text(str):
    """A string whose notebook representation is itself (no quotes), for glued prose numbers."""

    def __repr__(self) -> str:
        return str(self)


def glue_text(name: str, value, fmt: str = "{:,.1f}", unit: str = "") -> Text:
    """Glue a number into the book's prose, formatted once with its unit (e.g. ``"47 bp"``).

    Outside a Jupyter Book build (plain JupyterLab) the glue call still records the value, so the
    chapter runs the same. Returns the formatted text.
    """
    from myst_nb import glue

    if isinstance(value, str):
        text = value
    else:
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            raise ValueError(f"glue_text({name!r}): value is missing; the computation behind it failed")
        text = fmt.format(value)
    text = Text(f"{text} {unit}".strip() if unit else text)
    glue(name, text, display=False)
    return text


enable_theme()
store = DataStore.from_env()

__all__ = ["alt", "np", "pd", "glue_text", "store", "Text"]
