"""The book's one list of sources: every data file the build's chapters read, in words.

Made from the build's read log (:func:`treasurycard.data.store.read_build_log`: one record per file any
chapter's data store read, with where that copy came from, its dates and checksum), so it lists exactly the
files the build used, no more and no fewer. The data chapter shows it, the appendix cites its fingerprint.
"""

from __future__ import annotations

import re

import pandas as pd

from ..data.series import CATALOGUE

#: What the non-FRED files are and who publishes them, by key (exact) or key prefix (ending in ``/``).
FILES = {
    "tic/mfhhis01.txt": ("Major Foreign Holders of Treasury Securities (TIC), monthly, history",
                         "US Department of the Treasury"),
    "tic/slt_table3.txt": ("TIC SLT Table 3: holdings of US securities by country", "US Department of the Treasury"),
    "tic/slt_table5.txt": ("TIC SLT Table 5: major foreign holders of Treasury securities",
                           "US Department of the Treasury"),
    "calendars/employment_situation_release_dates.csv": (
        "US employment-report (Employment Situation) release days",
        "US Bureau of Labor Statistics; dates as listed by ALFRED (Federal Reserve Bank of St. Louis)"),
    "calendars/bls_macro_release_dates_20110103_20260609.csv": (
        "US employment-report and CPI release days",
        "US Bureau of Labor Statistics; dates as listed by ALFRED (Federal Reserve Bank of St. Louis)"),
    "ecb/": ("ECB euro foreign exchange reference rates", "European Central Bank"),
    "mof/": ("Japanese government bond yields", "Ministry of Finance, Japan"),
    "nyfed/": ("Federal Reserve Bank of New York data", "Federal Reserve Bank of New York"),
}

ORIGINS = {"mirror": "offline mirror copy", "cache": "cached download", "fetched": "downloaded by this build"}
COLUMNS = ["key", "what", "publisher", "origin", "copy", "first_date", "last_date", "rows", "retrieved_at",
           "sha256", "source_url"]


def describe_file(key: str) -> tuple[str, str]:
    """``(what it is, publisher)`` of a data file key such as ``fred/DGS10.csv`` or ``tic/mfhhis01.txt``."""
    m = re.fullmatch(r"fred/([A-Za-z0-9_]+)\.csv", key)
    if m:
        info = CATALOGUE.get(m.group(1))
        if info is None:
            return f"FRED series {m.group(1)}", "(publisher not catalogued)"
        return f"FRED series {m.group(1)}: {info.title}", info.publisher
    if key in FILES:
        return FILES[key]
    for prefix, value in FILES.items():
        if prefix.endswith("/") and key.startswith(prefix):
            return value
    return key, "(publisher not catalogued)"


def copy_origin(row) -> str:
    """Where this copy came from, in words: a download (with its time) or the mirror's own record of its source."""
    how = ORIGINS.get(row["origin"], row["origin"])
    if row.get("stale"):
        how += " (a refresh failed: older stored copy)"
    if row["origin"] != "mirror":
        when = str(row.get("retrieved_at") or "")
        return how + (f", retrieved {when}" + ("" if when.endswith(("+00:00", "Z")) else " UTC") if when else "")
    note = dict(part.split("=", 1) for part in str(row.get("note") or "").split("; ") if "=" in part)
    repo, commit, handling = note.get("repo"), note.get("file_commit", ""), note.get("handling")
    if repo:
        how += f": copied from {repo}" + (f" at commit {commit[:12]}" if commit else "")
        how += f" ({handling})" if handling else ""
    return how


def source_list(log: pd.DataFrame) -> pd.DataFrame:
    """One row per file read by the build: what it is, publisher, where the copy came from, vintage, checksum.

    ``log`` is :func:`treasurycard.data.store.read_build_log` (or :meth:`DataStore.provenance`).
    """
    if log.empty:
        return pd.DataFrame(columns=COLUMNS)
    described = log["key"].map(describe_file)
    out = log.assign(
        what=[d[0] for d in described], publisher=[d[1] for d in described],
        copy=[copy_origin(r) for _, r in log.iterrows()],
        retrieved_at=log["retrieved_at"].fillna(""),
    )
    return out[COLUMNS].sort_values("key", ignore_index=True)


def shown_list(sources: pd.DataFrame) -> pd.DataFrame:
    """The columns a page shows (words; the CSV has them all)."""
    span = [f"{a} to {b}" if isinstance(a, str) and a else "(not dated)"
            for a, b in zip(sources["first_date"], sources["last_date"])]
    return pd.DataFrame({
        "File": sources["key"], "What it is": sources["what"], "Publisher": sources["publisher"],
        "This copy": sources["copy"], "Data": span, "sha256 (first 12)": sources["sha256"].str[:12],
    })
