"""Every input the book uses, in one registry: its key in the mirror and cache, its publisher, and how it is read.

The build's preflight (:mod:`treasurycard.data.preflight`), ``make data`` (``python -m
treasurycard.data.inputs``) and the end-to-end test of the live path all read :data:`INPUTS`, so a new input
is one new row here (FRED series: one new entry in :data:`treasurycard.data.series.CATALOGUE` with publisher
``"FRED"``, which the store requires anyway for a series' unit and bounds).

Importing this module loads no pandas; reading an input does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from .series import CATALOGUE
from .settings import live_url, publisher


@dataclass(frozen=True)
class Input:
    """One file the chapters read.

    Parameters
    ----------
    key : str
        Its path in the mirror and the cache, e.g. ``"fred/DGS10.csv"``; the first folder names the
        publisher (:data:`treasurycard.data.settings.PUBLISHERS`).
    title : str
        What it holds, in words.
    read : callable
        ``read(store, refresh)``: the :class:`~treasurycard.data.store.DataStore` method call that reads
        it (mirror, cache, else a live fetch written to the cache).
    """

    key: str
    title: str
    read: Callable

    @property
    def publisher(self):
        return publisher(self.key)

    def url(self, environ=None) -> str:
        """Its address at the publisher (or at the base URL the publisher's setting names)."""
        return live_url(self.key, environ)


def _fred(series_id: str) -> Input:
    return Input(f"fred/{series_id}.csv", CATALOGUE[series_id].title,
                 lambda store, refresh=False: store.fred_series(series_id, refresh=refresh))


def _tic(filename: str, title: str) -> Input:
    return Input(f"tic/{filename}", title, lambda store, refresh=False: store.tic(filename, refresh=refresh))


def _call(method: str) -> Callable:
    return lambda store, refresh=False: getattr(store, method)(refresh=refresh)


#: Every input the book uses: each catalogued FRED series (the catalogue's JGB and ECB ids are columns of the
#: MoF and ECB files below), then the other publishers' files (the TIC history and Table 5 before Table 3,
#: whose reader checks its holdings against them).
INPUTS: list[Input] = [
    *[_fred(series_id) for series_id, info in CATALOGUE.items() if info.source == "FRED"],
    _tic("mfhhis01.txt", "TIC Major Foreign Holders of Treasury Securities, history"),
    _tic("slt_table5.txt", "TIC Table 5: Major Foreign Holders of Treasury Securities, current"),
    Input("tic/slt_table3.txt", "TIC Table 3: Treasury securities held by foreign residents, holdings, net "
          "purchases and valuation by country", _call("tic_flows")),
    Input("mof/jgbcm_all.csv", "MoF JGB yields by maturity, Tokyo close", _call("jgb_table")),
    Input("ecb/eurofxref-hist.csv", "ECB euro foreign exchange reference rates, 14:15 CET", _call("ecb_table")),
    Input("nyfed/ACMTermPremium_monthly.csv", "New York Fed ACM term premia and yields, monthly (sheet "
          "'ACM Monthly' of ACMTermPremium.xls)", _call("acm_monthly")),
]


def inputs_by_key() -> dict[str, Input]:
    return {i.key: i for i in INPUTS}


# ------------------------------------------------------------------------------------------ make data


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e6:.1f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:.0f} kB"


def fetch_all(store, refresh: bool = False, out=sys.stdout, inputs=None):
    """Read every input through ``store`` (fetching into its cache what mirror and cache lack).

    Prints one line per file as it is done (number, publisher, key, size, data range, where it came from
    and its vintage) and returns ``(provenance, failures)``: a provenance table like the store's, with one row
    per input had, as it was read by its own reader (so a file fetched first and then read again from the cache
    by a later input's reader, as TIC Table 3's reader reads Table 5, shows as fetched), and a list of ``(key, message)`` for inputs that could not be had. A file already in the
    mirror or the cache is read there, so a second run touches no network unless ``refresh``.
    """
    from pathlib import Path

    from ..errors import TreasuryCardError

    todo = list(INPUTS if inputs is None else inputs)
    failures = []
    read = []  # each input's provenance as it was read (a later reader may read it again, from the cache)
    width = max(len(i.key) for i in todo)
    for n, item in enumerate(todo, start=1):
        start = time.perf_counter()
        head = f"[{n:>{len(str(len(todo)))}}/{len(todo)}] {item.publisher.name:<26} {item.key:<{width}}"
        try:
            item.read(store, refresh)
        except TreasuryCardError as err:
            failures.append((item.key, str(err)))
            print(f"{head}  FAILED: {str(err)[:300]}", file=out, flush=True)
            continue
        prov = [p for p in store.read_log if p.key == item.key][-1]
        read.append(prov)
        size = _size(Path(prov.path).stat().st_size) if Path(prov.path).is_file() else "?"
        vintage = (f"retrieved {prov.retrieved_at}" if prov.retrieved_at else
                   "mirror snapshot" if prov.origin == "mirror" else "vintage unknown")
        stale = " STALE" if prov.stale else ""
        print(f"{head}  {size:>8}  {prov.first_date}..{prov.last_date}  {prov.origin}{stale}, {vintage} "
              f"({time.perf_counter() - start:.1f} s)", file=out, flush=True)
    import pandas as pd

    from .store import Provenance

    return pd.DataFrame([p.__dict__ for p in read], columns=list(Provenance.__dataclass_fields__)), failures


def vintage_table(provenance):
    """The vintage table printed after ``make data``: file, origin, retrieval time, first and last date, rows."""
    cols = ["key", "origin", "retrieved_at", "first_date", "last_date", "rows", "stale"]
    table = provenance[cols].copy()
    table["retrieved_at"] = table["retrieved_at"].fillna("(mirror snapshot)").where(
        table["origin"] == "mirror", table["retrieved_at"].fillna("unknown"))
    return table.rename(columns={"key": "file", "retrieved_at": "retrieved (UTC)", "first_date": "first",
                                 "last_date": "last"})


def main(argv=None) -> int:
    """``make data``: fetch every input into the cache (``--refresh``: fetch again even if stored)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m treasurycard.data.inputs", description=main.__doc__)
    parser.add_argument("--refresh", action="store_true", help="fetch every input again, even if stored")
    args = parser.parse_args(argv)

    from ..errors import TreasuryCardError
    from .store import DataStore

    try:
        store = DataStore.from_env()
    except TreasuryCardError as err:
        print(f"make data: {err}", file=sys.stderr)
        return 2
    where = [f"mirror {store.mirror}" if store.mirror else "no mirror", f"cache {store.cache_dir}",
             "offline" if store.offline else "network allowed"]
    print(f"make data: {len(INPUTS)} inputs ({'; '.join(where)}){'; refreshing' if args.refresh else ''}",
          flush=True)
    provenance, failures = fetch_all(store, refresh=args.refresh)
    if len(provenance):
        print("\nVintages:")
        print(vintage_table(provenance).to_string(index=False))
    if failures:
        print(f"\nmake data: {len(failures)} of {len(INPUTS)} inputs could not be had "
              f"({', '.join(k for k, _ in failures)}); see the lines above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
