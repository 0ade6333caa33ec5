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
    text = frame.to_csv(index=False, float_format="%.10g", date_format="%Y-%m-%d")
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def write_figure(chart, fig_id: str, data: pd.DataFrame, folder: Path | None = None) -> dict[str, Path]:
    """Write a chart as ``<fig_id>.svg`` and ``.png`` (vl-convert) and its data as ``<fig_id>.csv``.

    Returns the three paths by extension. ``data`` is the tidy table the chart shows.
    """
    import vl_convert as vlc

    folder = folder or exports_dir() / "figures"
    _check_id(fig_id)
    spec = chart.to_json()
    paths = {ext: folder / f"{fig_id}.{ext}" for ext in ("svg", "png", "csv")}
    atomic_write_bytes(paths["svg"], vlc.vegalite_to_svg(spec).encode("utf-8"))
    atomic_write_bytes(paths["png"], vlc.vegalite_to_png(spec, scale=2))
    atomic_write_bytes(paths["csv"], data.to_csv(index=False, float_format="%.10g").encode("utf-8"))
    return paths
