"""Schema and plausibility checks run on every load; failures name the series or file and the remedy."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import DataValidationError
from .series import series_info


def validate_dates(index: pd.Index, what: str) -> None:
    """Check that ``index`` is a DatetimeIndex, ascending and without duplicates."""
    if not isinstance(index, pd.DatetimeIndex):
        raise DataValidationError(f"{what}: dates are not a DatetimeIndex; re-read it with treasurycard.load_fred")
    if index.hasnans:
        raise DataValidationError(f"{what}: a date is missing; the source file has an empty date cell")
    dup = index[index.duplicated()]
    if len(dup):
        raise DataValidationError(
            f"{what}: duplicated dates ({', '.join(f'{d:%Y-%m-%d}' for d in dup[:3])}); "
            "the file is damaged or two vintages were concatenated: refetch it (refresh=True)"
        )
    if not index.is_monotonic_increasing:
        pos = int(np.argmax(np.diff(index.asi8) < 0)) + 1
        raise DataValidationError(
            f"{what}: dates are not ascending ({index[pos - 1]:%Y-%m-%d} is followed by {index[pos]:%Y-%m-%d}); "
            "the file is damaged: refetch it (refresh=True)"
        )


def validate_series(series: pd.Series, source: str) -> None:
    """Validate one FRED series: ascending unique dates, floats, values within its kind's bounds.

    ``source`` (a file path or URL) is named in every error message.
    """
    what = f"series {series.name} ({source})"
    validate_dates(series.index, what)
    if not pd.api.types.is_float_dtype(series.dtype):
        raise DataValidationError(f"{what}: values are not numeric; the file is damaged: refetch it")
    lo, hi = series_info(str(series.name)).bounds
    bad = series[(series < lo) | (series > hi)]
    if len(bad):
        raise DataValidationError(
            f"{what}: {len(bad)} value(s) outside the plausible range [{lo}, {hi}] for its kind, first "
            f"{bad.iloc[0]} on {bad.index[0]:%Y-%m-%d}; check that the file holds {series.name} and refetch it"
        )
    if series.notna().sum() == 0:
        raise DataValidationError(f"{what}: no observations at all; the download was empty: refetch it")


def require_columns(frame: pd.DataFrame, required: Iterable[str], what: str) -> None:
    """Raise if any of ``required`` is not a column of ``frame`` or has no observation in it."""
    missing = [c for c in required if c not in frame.columns]
    empty = [c for c in required if c in frame.columns and frame[c].notna().sum() == 0]
    if missing or empty:
        parts = []
        if missing:
            parts.append("missing: " + ", ".join(missing))
        if empty:
            parts.append("no observation in the requested dates: " + ", ".join(empty))
        raise DataValidationError(
            f"{what}: required series {'; '.join(parts)}. Check the ids and the date range, "
            "and that the cache or mirror (TREASURYCARD_MIRROR) holds them"
        )


def validate_holdings(frame: pd.DataFrame, source: str) -> None:
    """Validate a tidy TIC table: columns month, country, holdings_bn; (month, country) unique; bounds."""
    what = f"TIC holdings ({source})"
    need = {"month", "country", "holdings_bn"}
    if not need.issubset(frame.columns):
        raise DataValidationError(f"{what}: columns {sorted(need - set(frame.columns))} missing; re-parse the file")
    dup = frame.duplicated(["month", "country"])
    if dup.any():
        row = frame[dup].iloc[0]
        raise DataValidationError(f"{what}: {row['country']} appears twice for {row['month']}; the file is damaged")
    vals = frame["holdings_bn"]
    bad = frame[(vals < 0) | (vals > 1e5)]
    if len(bad):
        row = bad.iloc[0]
        raise DataValidationError(
            f"{what}: implausible holdings {row['holdings_bn']} bn for {row['country']} in {row['month']}"
        )
