"""Before the book is built: can every input the chapters need be had (mirror, cache, or network)?

``python -m treasurycard.data.preflight`` (run by ``make book`` before Jupyter Book) looks for each input of
:data:`treasurycard.data.inputs.INPUTS` in the mirror and the cache, and, for those in neither, asks each
publisher needed whether it answers (one short request per publisher, in parallel). If everything can be
had it prints one line and exits 0; otherwise it prints one short message (at most 15 lines: what is
missing, where it looked, the commands that fix it) and exits 2, so the build stops before any notebook
runs. With ``--fetch``, inputs that are missing but reachable are fetched into the cache first, with
one progress line per file (what ``make data`` does).

It needs only the standard library unless it fetches, and takes well under a second when the publishers
answer or the network is off, at most :data:`PROBE_TIMEOUT` seconds when they do not.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import settings
from .inputs import INPUTS, Input

#: Seconds to wait for a publisher's reply before calling it unreachable.
PROBE_TIMEOUT = 4.0
#: Most lines of the message printed when inputs are missing.
MAX_LINES = 15


@dataclass(frozen=True)
class Check:
    """What the preflight found: inputs by where they are, and why publishers could not be reached."""

    where: settings.Locations
    in_mirror: list[Input]
    in_cache: list[Input]
    to_fetch: list[Input]
    missing: list[Input]
    unreachable: dict[str, str]  # publisher folder -> reason

    @property
    def ok(self) -> bool:
        return not self.missing


def probe(base_url: str, timeout: float = PROBE_TIMEOUT) -> str | None:
    """None if the server at ``base_url`` answers an HTTP request at all (any status), else the reason."""
    request = urllib.request.Request(base_url + "/", method="HEAD", headers={"User-Agent": "treasurycard-preflight"})
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None  # it answered (404, 405, ...): the server is there
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return f"{type(reason).__name__}: {reason}"[:120]


def check(environ=None, inputs=None, timeout: float = PROBE_TIMEOUT) -> Check:
    """Find each input in the mirror or the cache; probe the publishers of the rest unless offline."""
    where = settings.locations(environ)
    todo = list(INPUTS if inputs is None else inputs)
    in_mirror = [i for i in todo if where.mirror is not None and (where.mirror / i.key).is_file()]
    rest = [i for i in todo if i not in in_mirror]
    in_cache = [i for i in rest if (where.cache / i.key).is_file()]
    rest = [i for i in rest if i not in in_cache]
    unreachable: dict[str, str] = {}
    if rest and where.offline:
        unreachable = {i.publisher.folder: "TREASURYCARD_OFFLINE is set" for i in rest}
    elif rest:
        pubs = {i.publisher.folder: i.publisher for i in rest}
        with ThreadPoolExecutor(max_workers=len(pubs)) as pool:
            reasons = dict(zip(pubs, pool.map(lambda p: probe(p.base_url(environ), timeout), pubs.values())))
        unreachable = {k: f"{pubs[k].base_url(environ)} unreachable ({v})" for k, v in reasons.items() if v}
    missing = [i for i in rest if i.publisher.folder in unreachable]
    to_fetch = [i for i in rest if i not in missing]
    return Check(where, in_mirror, in_cache, to_fetch, missing, unreachable)


def _names(items: list[Input], most: int = 6) -> str:
    names = [i.key.split("/", 1)[1].removesuffix(".csv") for i in items]
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def report(found: Check) -> str:
    """The preflight's message: one line if all is well, else at most :data:`MAX_LINES` lines."""
    total = len(found.in_mirror) + len(found.in_cache) + len(found.to_fetch) + len(found.missing)
    if found.ok:
        parts = [f"{len(found.in_mirror)} in the mirror" if found.in_mirror else "",
                 f"{len(found.in_cache)} in the cache" if found.in_cache else "",
                 f"{len(found.to_fetch)} to fetch" if found.to_fetch else ""]
        return f"preflight: all {total} inputs can be had ({', '.join(p for p in parts if p)})"
    where = found.where
    lines = [f"The book cannot be built: {len(found.missing)} of the {total} inputs its chapters read are not "
             "available."]
    by_pub: dict[str, list[Input]] = {}
    for item in found.missing:
        by_pub.setdefault(item.publisher.folder, []).append(item)
    for folder, items in by_pub.items():  # one line per publisher (five): the message stays within 15 lines
        lines.append(f"  missing from {settings.PUBLISHERS[folder].name}: {_names(items)}")
    mirror = (f"mirror {where.mirror}" if where.mirror else
              f"no mirror ({where.mirror_problem})" if where.mirror_problem else "no mirror (TREASURYCARD_MIRROR unset)")
    lines.append(f"  looked in: {mirror}; cache {where.cache}")
    for folder, reason in list(found.unreachable.items())[:3]:
        if folder in by_pub:
            lines.append(f"  network: {reason}")
            if "OFFLINE" in reason:
                break
    online = "unset TREASURYCARD_OFFLINE and go online" if where.offline else "go online"
    lines += ["To fix it, do one of:",
              f"  - {online}, then `make data` (fetches every input into the cache) and `make book`",
              "  - or build from an offline copy of the data: "
              "TREASURYCARD_MIRROR=/path/to/data TREASURYCARD_OFFLINE=1 make book",
              "    (a folder laid out like the cache: fred/DGS10.csv, tic/mfhhis01.txt, ...)"]
    return "\n".join(lines[:MAX_LINES])


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m treasurycard.data.preflight", description=__doc__.split("\n")[0])
    parser.add_argument("--fetch", action="store_true", help="fetch the inputs that are missing but reachable")
    args = parser.parse_args(argv)
    found = check()
    if not found.ok:
        print(report(found), file=sys.stderr)
        return 2
    print(report(found), flush=True)
    if args.fetch and found.to_fetch:
        from .inputs import fetch_all, vintage_table
        from .store import DataStore

        print(f"preflight: fetching {len(found.to_fetch)} inputs into {found.where.cache} (as `make data` does)",
              flush=True)
        provenance, failures = fetch_all(DataStore.from_env(), inputs=found.to_fetch)
        print(vintage_table(provenance).to_string(index=False))
        if failures:
            print(f"preflight: {len(failures)} inputs could not be fetched ({_names([i for i in found.to_fetch if i.key in dict(failures)])}); "
                  "see the lines above; try again later, or use an offline copy (TREASURYCARD_MIRROR)",
                  file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
