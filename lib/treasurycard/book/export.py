"""Write the book's citable outputs: results tables (CSV) and figures (SVG, PNG and the data as CSV).

Everything goes under the exports folder (``exports/`` in the project, or ``TREASURYCARD_EXPORTS``), with
stable ids, so a reader can cite ``exports/tables/event_effects.csv`` or ``fig-april-curve.svg``. Writes are
atomic: a reader never sees half a file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from ..data.series import CATALOGUE
from ..data.store import PROJECT_ROOT, atomic_write_bytes

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def exports_dir() -> Path:
    """The exports folder: ``TREASURYCARD_EXPORTS`` if set, else ``exports/`` in the project."""
    return Path(os.environ.get("TREASURYCARD_EXPORTS") or PROJECT_ROOT / "exports")


def _check_id(name: str) -> str:
    if not _ID.match(name):
        raise ValueError(f"export id {name!r} must be lower-case letters, digits, '-' or '_' (a stable file name)")
    return name


def write_table(frame: pd.DataFrame, name: str, folder: Path | None = None) -> Path:
    """Write a results table to ``exports/tables/<name>.csv`` (atomically) and return its path.

    Dates are written ISO (``YYYY-MM-DD``), floats with 10 significant digits; parent folders are created.
    """
    path = (folder or exports_dir() / "tables") / f"{_check_id(name)}.csv"
    text = without_owned_levels(frame).to_csv(index=False, float_format="%.10g", date_format="%Y-%m-%d")
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def write_figure(chart, fig_id: str, data: pd.DataFrame, folder: Path | None = None) -> dict[str, Path]:
    """Write a chart as ``<fig_id>.svg`` and ``.png`` (vl-convert) and its data as ``<fig_id>.csv``.

    Returns the three paths by extension. ``chart`` is an Altair chart or a Vega-Lite spec (dict); ``data`` is
    the tidy table the chart shows (levels of series published under their owner's copyright are left out of
    the CSV, see :func:`without_owned_levels`).
    """
    import json

    import vl_convert as vlc

    folder = folder or exports_dir() / "figures"
    _check_id(fig_id)
    spec = json.dumps(chart, default=str) if isinstance(chart, dict) else chart.to_json()
    data = without_owned_levels(data)
    paths = {ext: folder / f"{fig_id}.{ext}" for ext in ("svg", "png", "csv")}
    atomic_write_bytes(paths["svg"], vlc.vegalite_to_svg(spec).encode("utf-8"))
    atomic_write_bytes(paths["png"], vlc.vegalite_to_png(spec, scale=2))
    atomic_write_bytes(paths["csv"], data.to_csv(index=False, float_format="%.10g").encode("utf-8"))
    return paths


#: Columns of the book's tables that hold a series' levels, not derived numbers (``start_close``/``end_close`` are dates).
LEVEL_COLUMNS = ("level", "close")


def owned_series(ids) -> list[str]:
    """The ids among ``ids`` that FRED serves under their owner's copyright (S&P 500, VIX, ICE BofA indices)."""
    return [s for s in ids if isinstance(s, str) and s in CATALOGUE and CATALOGUE[s].copyrighted]


def levels_note(series_id: str) -> str:
    info = CATALOGUE[series_id]
    return (f"levels of {series_id} are (c) {info.publisher} and not redistributed here: get them from "
            f"https://fred.stlouisfed.org/series/{series_id}")


def without_owned_levels(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the levels of copyrighted series; derived numbers (changes, test results) stay.

    In a long table (a ``series_id`` column) the :data:`LEVEL_COLUMNS` of those rows are emptied; in a wide
    table a column named by such a series is dropped. A ``levels_note`` column says where to get the levels.
    Tables without such series are returned unchanged.
    """
    out = frame
    if "series_id" in frame.columns:
        owned = frame["series_id"].isin(owned_series(frame["series_id"].unique()))
        cols = [c for c in LEVEL_COLUMNS if c in frame.columns]
        if owned.any() and cols:
            out = frame.copy()
            out[cols] = out[cols].astype(object)
            out.loc[owned, cols] = None
            out["levels_note"] = [levels_note(s) if o else "" for s, o in zip(out["series_id"], owned)]
    wide = owned_series(out.columns)
    if wide:
        out = out.drop(columns=wide)
        out["levels_note"] = "; ".join(levels_note(s) for s in wide)
    return out
