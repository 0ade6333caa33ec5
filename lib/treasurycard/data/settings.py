"""The data layer's settings from the environment: folders, the offline switch, and each publisher's address.

Standard library only, so that the build's preflight (:mod:`treasurycard.data.preflight`) reads them in
milliseconds.

Publishers and their base-URL settings (readers never need to set these; the end-to-end test points them
at a local server that plays the publishers):

==============================  ==================================  ============================================
setting                         default                             files (key in the mirror and the cache)
==============================  ==================================  ============================================
``TREASURYCARD_FRED_BASE_URL``  ``https://fred.stlouisfed.org``     ``fred/ID.csv`` from ``/graph/fredgraph.csv?id=ID``
``TREASURYCARD_TREASURY_BASE_URL``  ``https://ticdata.treasury.gov``  ``tic/NAME`` from
                                                                    ``/resource-center/data-chart-center/tic/Documents/NAME``
``TREASURYCARD_MOF_BASE_URL``   ``https://www.mof.go.jp``           ``mof/NAME`` from ``/jgbs/reference/interest_rate/data/NAME``
``TREASURYCARD_ECB_BASE_URL``   ``https://www.ecb.europa.eu``       ``ecb/STEM.csv``: the member of ``/stats/eurofxref/STEM.zip``
``TREASURYCARD_NYFED_BASE_URL`` ``https://www.newyorkfed.org``      ``nyfed/ACMTermPremium_monthly.csv``: the sheet "ACM Monthly"
                                                                    of ``/medialibrary/media/research/data_indicators/ACMTermPremium.xls``,
                                                                    converted to CSV (:mod:`treasurycard.data.sources.nyfed`)
==============================  ==================================  ============================================
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

#: The project root: the folder holding ``_config.yml`` (three levels above this file, ``lib/treasurycard/data``).
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def truthy(value: str | None) -> bool:
    """Whether an environment value means "on" (``1``, ``true``, ``yes``, ``on``; any case)."""
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Publisher:
    """One publisher of input files: its name for readers, its base-URL setting and how a file's URL is made.

    ``path`` turns a file's name into the path and query on the publisher's site: ``{name}`` is the file
    name (``mfhhis01.txt``), ``{stem}`` the name without its extension (``DGS10``). ``zipped``: the
    publisher serves the file as the only member of a zip archive (the ECB's historical rates).
    ``published_as``: pairs (stored name, published name) for files the publisher serves under another name
    and in another format, which the reader converts (the New York Fed's workbook ``ACMTermPremium.xls``,
    stored as ``ACMTermPremium_monthly.csv``); such a file is not the publisher's bytes.
    """

    folder: str
    name: str
    setting: str
    default: str
    path: str
    content_type: str
    zipped: bool = False
    published_as: tuple[tuple[str, str], ...] = ()

    def base_url(self, environ=None) -> str:
        env = os.environ if environ is None else environ
        return (env.get(self.setting) or self.default).rstrip("/")

    def url_path(self, filename: str) -> str:
        filename = dict(self.published_as).get(filename, filename)
        return self.path.format(name=filename, stem=filename.rsplit(".", 1)[0])

    def converted(self, filename: str) -> bool:
        """Whether the stored file is converted from a file the publisher serves under another name."""
        return filename in dict(self.published_as)

    def filename_for(self, path_and_query: str) -> str | None:
        """The file name a request path (with its query) asks for, or None if it is not this publisher's."""
        pattern = re.escape(self.path).replace(re.escape("{name}"), r"(?P<name>[^/?&]+)")
        pattern = pattern.replace(re.escape("{stem}"), r"(?P<stem>[^/?&.]+)")
        match = re.fullmatch(pattern, path_and_query)
        if match is None:
            return None
        if "name" in match.groupdict():
            return {published: stored for stored, published in self.published_as}.get(match["name"], match["name"])
        return match["stem"] + ".csv"  # FRED's series and the ECB's zipped file are CSV files


PUBLISHERS: dict[str, Publisher] = {p.folder: p for p in [
    Publisher("fred", "FRED (St. Louis Fed)", "TREASURYCARD_FRED_BASE_URL", "https://fred.stlouisfed.org",
              "/graph/fredgraph.csv?id={stem}", "text/csv; charset=utf-8"),
    Publisher("tic", "US Treasury (TIC)", "TREASURYCARD_TREASURY_BASE_URL", "https://ticdata.treasury.gov",
              "/resource-center/data-chart-center/tic/Documents/{name}", "text/plain"),
    Publisher("mof", "Japan Ministry of Finance", "TREASURYCARD_MOF_BASE_URL", "https://www.mof.go.jp",
              "/jgbs/reference/interest_rate/data/{name}", "text/csv"),
    Publisher("ecb", "European Central Bank", "TREASURYCARD_ECB_BASE_URL", "https://www.ecb.europa.eu",
              "/stats/eurofxref/{stem}.zip", "application/zip", zipped=True),
    Publisher("nyfed", "New York Fed", "TREASURYCARD_NYFED_BASE_URL", "https://www.newyorkfed.org",
              "/medialibrary/media/research/data_indicators/{name}", "application/vnd.ms-excel",
              published_as=(("ACMTermPremium_monthly.csv", "ACMTermPremium.xls"),)),
]}


def publisher(key: str) -> Publisher:
    """The publisher of a stored file, by the first folder of its key (``fred/DGS10.csv`` -> FRED)."""
    folder = key.split("/", 1)[0]
    if folder not in PUBLISHERS or "/" not in key:
        raise KeyError(f"{key!r}: no publisher for the folder {folder!r}; known folders: {', '.join(PUBLISHERS)}")
    return PUBLISHERS[folder]


def live_url(key: str, environ=None) -> str:
    """The publisher's address of a stored file, e.g. ``fred/DGS10.csv`` -> FRED's ``fredgraph.csv?id=DGS10``.

    The base of the address is the publisher's setting (:data:`PUBLISHERS`) if set, else its public site.
    """
    pub = publisher(key)
    return pub.base_url(environ) + pub.url_path(key.split("/", 1)[1])


@dataclass(frozen=True)
class Locations:
    """Where the store looks: the cache folder, the mirror (or None) and whether the network is off.

    ``mirror_problem`` is set (and ``mirror`` None) when ``TREASURYCARD_MIRROR`` names no folder.
    """

    cache: Path
    mirror: Path | None
    offline: bool
    mirror_setting: str = ""
    mirror_problem: str = ""


def locations(environ=None) -> Locations:
    """Read ``TREASURYCARD_CACHE``, ``TREASURYCARD_MIRROR`` and ``TREASURYCARD_OFFLINE``.

    A relative mirror or cache path is taken from the project root.
    """
    env = os.environ if environ is None else environ
    cache = Path(env.get("TREASURYCARD_CACHE") or PROJECT_ROOT / "data" / "cache")
    if not cache.is_absolute():
        cache = PROJECT_ROOT / cache
    raw = env.get("TREASURYCARD_MIRROR") or ""
    mirror, problem = None, ""
    if raw:
        path = Path(raw)
        if not path.is_absolute():
            path = (PROJECT_ROOT / path).resolve()
        if path.is_dir():
            mirror = path
        else:
            problem = f"TREASURYCARD_MIRROR={raw!r} is not a folder ({path})"
    return Locations(cache, mirror, truthy(env.get("TREASURYCARD_OFFLINE")), raw, problem)
