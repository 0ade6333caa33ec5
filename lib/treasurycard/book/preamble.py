"""The chapters' shared preamble: number gluing, figure and table publishing, vintages.

A chapter's first cell is::

    from treasurycard.book.preamble import *
    store = start_chapter()

Importing does no work beyond loading modules; :func:`start_chapter` enables the book's chart theme and
returns a :class:`~treasurycard.data.store.DataStore` made from the environment (mirror, cache, offline).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..data import calendar
from .charts import enable_theme
from ..data.store import DataStore
from .study import EVENTS_CSV


def glue_text(name: str, value, fmt: str = "{:,.1f}", unit: str = "") -> str:
    """Glue a number into the book's prose, formatted once with its unit (e.g. ``"47 bp"``).

    The text is glued as a plain ``str``: its notebook representation is the quoted repr, which
    ``{glue:text}`` reads back with ``literal_eval``, so text such as ``"5,185"`` stays text (an
    unquoted ``5,185`` would be read as a tuple). Outside a Jupyter Book build (plain JupyterLab)
    the glue call still records the value, so the chapter runs the same. Returns the formatted text.
    """
    from myst_nb import glue

    if isinstance(value, str):
        text = value
    else:
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            raise ValueError(f"glue_text({name!r}): value is missing; the computation behind it failed")
        text = fmt.format(value)
    text = f"{text} {unit}".strip() if unit else str(text)
    glue(name, text, display=False)
    return text


def event_calendar(trading_days, event_ids=None) -> pd.DataFrame:
    """The book's events (``data/events.csv``) with their reaction days on the given trading days.

    ``event_ids`` picks events (an event outside the trading days is then an error, as in
    :func:`treasurycard.data.calendar.reaction_days`); by default every event dated within the span of
    ``trading_days`` is mapped, so a chart of 2025 leaves out the 1997 precedent.
    """
    events = calendar.read_events(EVENTS_CSV)
    if event_ids is not None:
        events = events.set_index("event_id").loc[list(event_ids)].reset_index()
    else:
        days = pd.DatetimeIndex(trading_days)
        local = pd.to_datetime(events["local_datetime"].str[:10])
        events = events[(local >= days.min()) & (local <= days.max())]
    return calendar.reaction_days(events, trading_days)


#: How captions name the origins of :class:`~treasurycard.store.Provenance`.
ORIGIN_LABELS = {"mirror": "offline mirror copy", "cache": "cached download", "fetched": "download"}


def vintage(provenance: pd.DataFrame, key: str) -> str:
    """One line naming a file's source and vintage, for figure captions and tables.

    ``provenance`` is :meth:`DataStore.provenance`; ``key`` a stored file such as ``"fred/DGS10.csv"``.
    """
    row = provenance.set_index("key").loc[key]
    how = ORIGIN_LABELS[row["origin"]]
    when = f", retrieved {row['retrieved_at']}" if row["retrieved_at"] else ""
    if row.get("stale", False):
        when += " (a refresh failed, so this is the older stored copy)"
    return f"{key.split('/')[-1]}: {how}{when}, data {row['first_date']} to {row['last_date']}, sha256 {row['sha256'][:12]}"


def vintages(provenance: pd.DataFrame, series_ids) -> str:
    """A compact vintage line for several FRED series: where they were read from and their last dates.

    For example ``"FRED files, offline mirror copy: DGS2 to 2026-04-24 (sha256 7088042a), DGS10 to ..."``.
    """
    prov = provenance.set_index("key")
    rows = [prov.loc[f"fred/{s}.csv"] for s in series_ids]
    hows = {ORIGIN_LABELS[r["origin"]] for r in rows}
    parts = [f"{s} to {r['last_date']} (sha256 {r['sha256'][:8]}"
             + (f", retrieved {r['retrieved_at']}" if r["retrieved_at"] else "")
             + (", older stored copy: a refresh failed" if r.get("stale", False) else "") + ")"
             for s, r in zip(series_ids, rows)]
    return f"FRED files, {' and '.join(sorted(hows))}: " + ", ".join(parts)


def publish_figure(fig_id: str, chart, data: pd.DataFrame) -> dict:
    """Glue a chart for ``{glue:figure}`` and write it as SVG, PNG and CSV under ``exports/figures/``.

    Also glues ``<fig_id>-downloads``: Markdown links to the three files, for the caption
    (``{glue:md}`<fig_id>-downloads```). ``data`` is the tidy table the chart shows.
    """
    import os

    from IPython.display import Markdown
    from myst_nb import glue

    from .export import write_figure

    paths = write_figure(chart, fig_id, data)
    here = os.getcwd()  # notebooks execute in their own folder, so links are relative to the chapter
    links = " · ".join(f"[{ext.upper()}]({os.path.relpath(p, here)})" for ext, p in paths.items())
    glue(fig_id, chart, display=False)
    glue(f"{fig_id}-downloads", Markdown(f"Download: {links}."), display=False)
    return paths


def start_chapter() -> DataStore:
    """Enable the book's chart theme and return the data store the environment describes."""
    enable_theme()
    return DataStore.from_env()


__all__ = ["alt", "np", "pd", "glue_text", "start_chapter", "event_calendar", "vintage", "vintages", "EVENTS_CSV", "publish_figure"]


def publish_table(name: str, frame: pd.DataFrame, display=None) -> "Path":
    """Glue a results table for ``{glue:table}`` and write it as CSV under ``exports/tables/<name>.csv``.

    Also glues ``<name>-downloads``: a Markdown link to the CSV, for the caption
    (``{glue:md}`<name>-downloads```). ``frame`` is the tidy table (written without its index);
    ``display`` is what the page shows, by default ``frame`` without its index (e.g. pass a formatted
    ``frame.style``). Name tables ``tbl-<chapter>-<slug>`` and give the directive the same ``:name:``.
    """
    import os

    from IPython.display import Markdown
    from myst_nb import glue

    from .export import write_table

    path = write_table(frame, name)
    link = os.path.relpath(path, os.getcwd())  # notebooks execute in their own folder
    glue(name, frame.style.hide(axis="index") if display is None else display, display=False)
    glue(f"{name}-downloads", Markdown(f"Download: [CSV]({link})."), display=False)
    return path


__all__ += ["publish_table"]
