"""What one build of the book was made from (date, data vintage, package versions) and how to cite it."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import os
import re
from pathlib import Path

import pandas as pd

from ..data.store import PROJECT_ROOT

#: The book's citation metadata (Citation File Format), read by :func:`citation_metadata`.
CITATION_CFF = PROJECT_ROOT / "CITATION.cff"
REQUIREMENTS = PROJECT_ROOT / "requirements.txt"


def build_date(environ=None) -> dt.date:
    """The date of this build (UTC): ``SOURCE_DATE_EPOCH`` if set (reproducible builds), else today.

    This dates the *build*, never the data: data windows always have explicit ends.
    """
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.datetime.now(dt.timezone.utc).date()


def data_fingerprint(vintage: pd.DataFrame) -> str:
    """A short checksum of the data a build read: sha256 over the sorted ``key sha256`` lines (12 hex digits).

    Two builds with the same fingerprint read byte-identical data files.
    """
    lines = sorted(f"{k} {s}\n" for k, s in zip(vintage["key"], vintage["sha256"]))
    return hashlib.sha256("".join(lines).encode()).hexdigest()[:12]


def vintage_summary(vintage: pd.DataFrame) -> str:
    """One line for a citation: latest observation per source and the fingerprint."""
    parts = []
    for prefix, label in (("fred/", "FRED"), ("tic/", "US Treasury TIC")):
        rows = vintage[vintage["key"].str.startswith(prefix)]
        if len(rows):
            parts.append(f"{label} files ({len(rows)}) with observations to {rows['last_date'].max()}")
    others = vintage[~vintage["key"].str.startswith(("fred/", "tic/"))]
    if len(others):  # e.g. release calendars: files without observation dates
        parts.append(f"other files ({len(others)}): " + ", ".join(others["key"]))
    return "; ".join(parts) + f"; data fingerprint {data_fingerprint(vintage)}"


#: Packages not pinned in requirements.txt that shape the built pages; listed with their installed version.
BUILD_TOOLS = ("sphinx", "sphinx-book-theme", "pydata-sphinx-theme", "myst-parser", "sphinx-mathjax-offline")


def package_versions(requirements: Path = REQUIREMENTS, also=BUILD_TOOLS) -> pd.DataFrame:
    """Python and the packages of ``requirements.txt`` (pinned and installed version, ``importlib.metadata``).

    ``also`` names further packages to list with their installed version only (pinned is empty).
    """
    import platform

    rows = [{"package": "python", "pinned": "", "installed": platform.python_version()}]
    for line in Path(requirements).read_text().splitlines():
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)", line)
        if match:
            name, pinned = match.groups()
            try:
                installed = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                installed = "(not installed)"
            rows.append({"package": name, "pinned": pinned, "installed": installed})
    for name in also:
        if name not in {r["package"] for r in rows}:
            try:
                rows.append({"package": name, "pinned": "", "installed": importlib.metadata.version(name)})
            except importlib.metadata.PackageNotFoundError:
                continue
    return pd.DataFrame(rows, columns=["package", "pinned", "installed"])


def citation_metadata(path: Path = CITATION_CFF) -> dict:
    """The book's ``CITATION.cff`` as a dict."""
    import yaml

    return yaml.safe_load(Path(path).read_text())


def how_to_cite(meta: dict, built: dt.date, vintage: pd.DataFrame) -> dict[str, str]:
    """A plain-text citation and a BibTeX entry naming this build's date and data vintage."""
    authors = " and ".join(a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}"
                           for a in meta["authors"])
    title, version = meta["title"], meta.get("version", "")
    data = vintage_summary(vintage)
    url = meta.get("url", "")
    text = (f"{authors} ({built.year}). {title} (version {version}, built {built.isoformat()}; data: {data})."
            + (f" {url}" if url else ""))
    key = re.sub(r"[^a-z0-9]", "", title.lower())[:20] + str(built.year)
    fields = {
        "author": "{" + authors + "}",
        "title": "{" + title + "}",
        "year": str(built.year),
        "edition": f"version {version}",
        "note": f"Built {built.isoformat()}. Data: {data}",
    }
    if url:
        fields["url"] = url
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    return {"text": text, "bibtex": f"@book{{{key},\n{body}\n}}"}
