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
    """One line naming a file, its publisher, where this copy came from and its vintage, for captions.

    ``provenance`` is :meth:`DataStore.provenance`; ``key`` a stored file such as ``"fred/DGS10.csv"``. For
    example ``"FRED series DGS10: 10-year Treasury yield (Board of Governors ...), offline mirror copy: copied
    from <repository> at commit <sha> (verbatim), data 1962-01-02 to 2026-07-28, sha256 d1a73150b1bd"``.
    """
    from .sources import copy_origin, describe_file

    row = provenance.set_index("key").loc[key]
    what, publisher = describe_file(key)
    return (f"{what} ({publisher}), {copy_origin(row.to_dict())}, "
            f"data {row['first_date']} to {row['last_date']}, sha256 {row['sha256'][:12]}")


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
    return (f"FRED series, {' and '.join(sorted(hows))} (where each copy came from: see the list of sources): "
            + ", ".join(parts))


def publish_figure(fig_id: str, chart, data: pd.DataFrame, alt_text: str | None = None) -> dict:
    """Glue a chart for ``{glue:figure}`` as a live view, and write it as SVG, PNG and CSV under ``exports/figures/``.

    The page shows an interactive Vega-Lite view (tooltips; pan and zoom on time axes) with the static SVG as
    its fallback when scripts are off; both read in words (:func:`treasurycard.book.charts.spec_in_words`).
    ``alt_text`` is a sentence saying what the chart shows (screen readers, the fallback image); without it
    the chart's titles are used. Also glues ``<fig_id>-downloads``: Markdown links to the three files, for
    the caption (``{glue:md}`<fig_id>-downloads```). ``data`` is the tidy table the chart shows; its CSV
    keeps the ids and adds label columns (:func:`treasurycard.book.labels.with_labels`).
    """
    import os

    from IPython.display import Markdown
    from myst_nb import glue

    from . import charts, labels
    from .export import write_figure

    static = charts.spec_in_words(chart.to_dict())
    gaps = charts.domain_gaps(static)
    if gaps:
        raise ValueError(f"figure {fig_id}: " + "; ".join(gaps) + ". Make the domain list every category the data "
                         "hold (e.g. build it from the same labels as the data)")
    paths = write_figure(static, fig_id, labels.with_labels(data))
    here = os.getcwd()  # notebooks execute in their own folder, so links are relative to the chapter
    links = " · ".join(f"[{ext.upper()}]({os.path.relpath(p, here)})" for ext, p in paths.items())
    text = alt_text or charts.describe(static) or f"Chart {fig_id}."
    view = charts.live_view_html(fig_id, charts.web_spec(static), os.path.relpath(paths["svg"], here), text)
    glue(fig_id, charts.LiveChart(fig_id, view), display=False)
    glue(f"{fig_id}-downloads", Markdown(f"Download: {links}."), display=False)
    return paths


def show_tables_in_words() -> bool:
    """Make the notebook show every DataFrame in words (headers and ids through the labels catalogue).

    Only the display changes: the frames keep their ids. Returns False outside IPython (nothing to do).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    from .labels import styler_in_words

    shell.display_formatter.formatters["text/html"].for_type(
        pd.DataFrame, lambda frame: styler_in_words(frame.style).to_html())
    return True


def start_chapter() -> DataStore:
    """Enable the book's chart theme, show tables in words, and return the data store the environment describes."""
    enable_theme()
    show_tables_in_words()
    return DataStore.from_env()


__all__ = ["alt", "np", "pd", "glue_text", "start_chapter", "event_calendar", "vintage", "vintages", "EVENTS_CSV", "publish_figure"]


def publish_table(name: str, frame: pd.DataFrame, display=None) -> "Path":
    """Glue a results table for ``{glue:table}`` and write it as CSV under ``exports/tables/<name>.csv``.

    Also glues ``<name>-downloads``: a Markdown link to the CSV, for the caption
    (``{glue:md}`<name>-downloads```). ``frame`` is the tidy table (written without its index, with a label
    column beside each id column); ``display`` is what the page shows (a DataFrame or a formatted
    ``Styler``, best a few columns that fit a phone's width), by default ``frame`` without its index.
    Either way the page shows words: headers and id values are put through the labels catalogue
    (:func:`treasurycard.book.labels.styler_in_words`). Name tables ``tbl-<chapter>-<slug>`` and give the
    directive the same ``:name:``.
    """
    import os

    from IPython.display import Markdown
    from myst_nb import glue

    from . import labels
    from .export import write_table

    path = write_table(labels.with_labels(frame), name)
    link = os.path.relpath(path, os.getcwd())  # notebooks execute in their own folder
    shown = frame if display is None else display
    if isinstance(shown, pd.DataFrame):
        shown = shown.style.hide(axis="index")
    glue(name, labels.styler_in_words(shown), display=False)
    glue(f"{name}-downloads", Markdown(f"Download: [CSV]({link})."), display=False)
    return path


__all__ += ["publish_table"]
