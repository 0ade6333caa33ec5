"""Where the data live: the local cache with its manifest, a read-only mirror, and the offline switch.

Settings (environment variables, read when a :class:`DataStore` is made with :meth:`DataStore.from_env`):

``TREASURYCARD_MIRROR``
    A read-only folder laid out like the cache (``fred/SERIES.csv``, ``tic/mfhhis01.txt``,
    ``calendars/...``). A relative path is taken from the project root, so ``../shared/data`` names the
    snapshot beside the checkout. Files found there are read in place and never copied or written.
``TREASURYCARD_OFFLINE``
    ``1``/``true``: never touch the network; a file in neither mirror nor cache is an error.
``TREASURYCARD_CACHE``
    The cache folder (default ``data/cache`` in the project). It holds what live fetches brought, in
    the source's own format, and ``manifest.csv``: one row per file with its source URL, retrieval
    time (UTC), sha256, first and last date and row count. The folder is ignored by git.

Read order for one file: the mirror (if set and it has the file), else the cache, else a live fetch
(unless offline) that is written to the cache. ``refresh=True`` skips mirror and cache and fetches.

Failures, and how the store reacts (the README's "When data sources fail" says the same for readers):

- A live fetch is retried a bounded number of times with exponential backoff on transient faults; a
  download that is not the expected file (HTML page, empty or truncated body, unknown id, a layout the
  parser rejects) raises :class:`~treasurycard.errors.FetchError` naming the series or file, the URL and
  the remedy, and nothing is cached.
- ``refresh=True`` whose fetch fails, or brings a copy that ends earlier than the stored one, falls back
  to the stored copy with a :class:`~treasurycard.errors.StaleDataWarning` naming its vintage; the
  provenance row is marked ``stale`` and its ``note`` says why, so a chapter can print it.
- Cache writes are atomic (temporary file, ``fsync``, ``os.replace``) and serialised between processes by
  a cross-platform lock (``filelock``) on ``.lock`` in the cache; readers take it too, so they see a file
  and its manifest row from the same write. A file whose sha256 disagrees with its manifest row (a run killed
  between the two writes, or a hand edit) is still read, with a warning and its retrieval time unknown.
- No secret (``api_key=`` parameters, the value of ``FRED_API_KEY``) is written to the manifest, the
  provenance, a warning or an error message.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from filelock import FileLock

from ..errors import (
    DataFormatError,
    DataProvenanceWarning,
    DataUnavailable,
    DataValidationError,
    FetchError,
    StaleDataWarning,
    redact_secrets,
)
from . import settings
from .sources import fred as fred_source
from .series import CATALOGUE, change_units
from .validate import require_columns, validate_dates, validate_series

#: The project root (the folder holding ``_config.yml``).
PROJECT_ROOT = settings.PROJECT_ROOT

MANIFEST_COLUMNS = ["key", "source_url", "retrieved_at", "sha256", "first_date", "last_date", "rows"]

#: The TIC files the store can fetch, at the Treasury's public addresses. The address used is
#: :func:`treasurycard.data.settings.live_url` of ``tic/NAME`` (the same unless ``TREASURYCARD_TREASURY_BASE_URL``
#: is set).
TIC_URLS = {
    "mfhhis01.txt": "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/mfhhis01.txt",
    "slt_table5.txt": "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/slt_table5.txt",
}

#: Treasury's address of TIC "Table 3" (holdings, net purchases and valuation changes by country, monthly);
#: the address used is :func:`treasurycard.data.settings.live_url` of ``tic/slt_table3.txt`` (the same unless
#: ``TREASURYCARD_TREASURY_BASE_URL`` is set).
TIC_TABLE3_URL = "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/slt_table3.txt"

#: Largest gap, in calendar days, allowed between a requested start or end date and a series' first or last
#: observation when ``DataStore.fred(..., complete=True)`` checks coverage, by the series' frequency.
COVERAGE_SLACK_DAYS = {"daily": 10, "weekly": 14, "monthly": 62, "quarterly": 184, "annual": 366}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of it.

    The bytes go to a hidden temporary file in the same folder (``.NAME.XXXX.tmp``), are flushed and
    fsynced, and the file is then renamed over ``path`` with :func:`os.replace`, which is atomic on POSIX.
    A process killed before the rename leaves ``path`` untouched (and, if killed hard, an orphaned
    temporary file, which the store removes at its next write). The file gets the permissions an
    ordinary ``open(path, "w")`` would give (0666 less the umask), not the temporary file's 0600, so
    published exports are readable by a web server.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        if hasattr(os, "fchmod"):  # POSIX (on Windows a file's mode has no read bits to set)
            os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


#: Environment variable naming the folder of the build's read log (see :meth:`DataStore._note_read`).
READ_LOG_ENV = "TREASURYCARD_READ_LOG"


def read_build_log(folder) -> pd.DataFrame:
    """The build's read log (``TREASURYCARD_READ_LOG``) as a table: :class:`Provenance` columns, sorted by key."""
    import json

    rows = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("*.json"))]
    return pd.DataFrame(rows, columns=list(Provenance.__dataclass_fields__)).sort_values("key", ignore_index=True)


@dataclass(frozen=True)
class Provenance:
    """Where one file was read from: ``origin`` is ``"mirror"``, ``"cache"`` or ``"fetched"``.

    ``stale`` is True when a refresh was asked for but failed, so that this stored copy (of vintage
    ``retrieved_at``) was used instead of fresh data; ``note`` then says why.
    """

    key: str
    origin: str
    path: str
    source_url: str
    retrieved_at: str | None
    sha256: str
    first_date: str | None
    last_date: str | None
    rows: int
    note: str = ""
    stale: bool = False


@dataclass
class DataStore:
    """Access to the book's data files, with cache, mirror and offline switch made explicit.

    Parameters
    ----------
    cache_dir : pathlib.Path
        Writable cache folder (created on first write).
    mirror : pathlib.Path or None
        Read-only mirror folder, or None.
    offline : bool
        If True, no network access is ever attempted.
    session : requests.Session, optional
        HTTP session for live fetches (tests inject a fake one).
    retry_pause : float
        Seconds before the first retry of a failed live fetch; doubled before each further retry.
    retry_count : int
        Retries of a live fetch after the first attempt (transient faults only), at most
        :data:`treasurycard.sources.fred.MAX_RETRIES`.
    """

    cache_dir: Path
    mirror: Path | None = None
    offline: bool = False
    session: object | None = None
    retry_pause: float = 0.5
    retry_count: int = 3
    read_log: list[Provenance] = field(default_factory=list, repr=False)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "DataStore":
        """Make a store from ``TREASURYCARD_CACHE``, ``TREASURYCARD_MIRROR`` and ``TREASURYCARD_OFFLINE``."""
        where = settings.locations(environ)
        if where.mirror_problem:
            raise DataUnavailable(
                f"{where.mirror_problem}; point it at a mirror laid out as fred/SERIES.csv and tic/mfhhis01.txt, "
                "or unset it"
            )
        kwargs = dict(cache_dir=where.cache, mirror=where.mirror, offline=where.offline)
        kwargs.update(overrides)
        return cls(**kwargs)

    # ------------------------------------------------------------------ manifest and lock
    @property
    def manifest_path(self) -> Path:
        return self.cache_dir / "manifest.csv"

    @contextlib.contextmanager
    def _locked(self, shared: bool = False):
        """Serialise cache access between processes sharing one cache (a :class:`filelock.FileLock`).

        The lock is the file ``.lock`` in the cache, taken with the operating system's own locking
        (``fcntl`` on Linux and macOS, ``msvcrt`` on Windows) through the ``filelock`` package. Writers and
        readers of the cache both hold it (``shared`` is kept for readers: they hold it only for the time
        of reading one file and its manifest row), so a reader never sees a file from one write and its
        manifest row from another. A cache folder where the lock file cannot be created (read-only) is
        read without the lock.
        """
        if not shared:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        elif not (self.cache_dir.is_dir() and os.access(self.cache_dir, os.W_OK)):
            yield
            return
        with FileLock(self.cache_dir / ".lock"):
            yield

    def manifest(self) -> pd.DataFrame:
        """The cache manifest as a DataFrame (empty, with its columns, when nothing was fetched yet).

        Raises :class:`DataFormatError` naming the manifest if it is not the CSV this store writes.
        """
        path = self.manifest_path
        if not path.exists():
            return pd.DataFrame(columns=MANIFEST_COLUMNS)
        expected = (f"the cache manifest written by treasurycard, a CSV with columns {', '.join(MANIFEST_COLUMNS)} "
                    "(delete it and rerun with refresh=True to rebuild it)")
        try:
            man = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
            raise DataFormatError(path, None, expected, str(err)[:120]) from None
        if list(man.columns) != MANIFEST_COLUMNS:
            raise DataFormatError(path, 1, expected, ",".join(map(str, man.columns))[:120])
        return man

    def _manifest_row(self, key: str) -> dict | None:
        man = self.manifest()
        hit = man[man["key"] == key]
        return hit.iloc[-1].to_dict() if len(hit) else None

    def _record(self, entry: dict) -> None:
        """Insert or replace one manifest row, atomically (call with the lock held)."""
        rows = {r["key"]: r for r in self.manifest().to_dict("records")}
        rows[entry["key"]] = {c: entry.get(c, "") for c in MANIFEST_COLUMNS}
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for key in sorted(rows):
            writer.writerow(rows[key])
        atomic_write_bytes(self.manifest_path, out.getvalue().encode())

    def _mirror_note(self, key: str) -> str:
        """What the mirror's own MANIFEST.csv (if any) says of a file: its source and snapshot."""
        if self.mirror is None or not (self.mirror / "MANIFEST.csv").exists():
            return ""
        man = pd.read_csv(self.mirror / "MANIFEST.csv", dtype=str, keep_default_na=False)
        if "file" not in man.columns:
            return ""
        row = man[man["file"] == key]
        if row.empty:
            return ""
        r = row.iloc[0]
        parts = [f"{c}={r[c]}" for c in ("repo", "file_commit", "handling") if c in r and r[c]]
        return "; ".join(parts)

    # ------------------------------------------------------------------ raw files
    def locate(self, key: str) -> tuple[Path, str] | None:
        """Path and origin (``"mirror"`` or ``"cache"``) of a stored file such as ``"fred/DGS10.csv"``."""
        if self.mirror is not None and (self.mirror / key).is_file():
            return self.mirror / key, "mirror"
        if (self.cache_dir / key).is_file():
            return self.cache_dir / key, "cache"
        return None

    def _read_stored(self, key: str, url: str | None) -> tuple[bytes, Provenance] | None:
        """Bytes and provenance of the stored copy (mirror, else cache) of ``key``, or None.

        A cached file is read together with its manifest row under the shared lock. If the row is missing
        or its sha256 differs from the file's, the file is still returned, with ``retrieved_at`` None (its
        vintage is unknown), a ``note`` and a :class:`DataProvenanceWarning`.
        """
        found = self.locate(key)
        if found is None:
            return None
        path, origin = found
        if origin == "mirror":
            data = path.read_bytes()
            return data, Provenance(key, origin, str(path), redact_secrets(url or ""), None, sha256_bytes(data),
                                    None, None, 0, self._mirror_note(key))
        with self._locked(shared=True):
            data = path.read_bytes()
            row = self._manifest_row(key)
        sha = sha256_bytes(data)
        note = ""
        retrieved = None
        if row is None:
            note = f"{path} has no row in the cache manifest {self.manifest_path}: its retrieval time is unknown"
        elif row["sha256"] != sha:
            note = (f"{path} does not match its manifest row (sha256 {sha[:12]} on disk, {row['sha256'][:12]} "
                    "recorded; a run was interrupted between the two writes, or the file was edited): its "
                    "retrieval time is unknown; refetch it with refresh=True")
        else:
            retrieved = row["retrieved_at"] or None
        if row is not None and row["source_url"]:
            url = row["source_url"]
        if note:
            warnings.warn(DataProvenanceWarning(redact_secrets(note)), stacklevel=4)
        return data, Provenance(key, origin, str(path), redact_secrets(url or ""), retrieved, sha, None, None, 0,
                                redact_secrets(note))

    def read_bytes(self, key: str, url: str | None = None, fetch=None, refresh: bool = False) -> tuple[bytes, Provenance]:
        """Bytes of one stored file and where they came from; fetch it if allowed (not cached here).

        ``fetch`` is a callable returning the file's text, used only when the file is neither in the
        mirror nor in the cache (or ``refresh`` is True) and the store is not offline.
        """
        stored = None if refresh else self._read_stored(key, url)
        if stored is not None:
            return stored
        self._may_fetch(key, fetch)
        data = fetch().encode("utf-8")
        return data, Provenance(key, "fetched", str(self.cache_dir / key), redact_secrets(url or ""), _now_utc(),
                                sha256_bytes(data), None, None, 0)

    def _may_fetch(self, key: str, fetch) -> None:
        where = [f"cache {self.cache_dir / key}"] + ([f"mirror {self.mirror / key}"] if self.mirror else [])
        if fetch is None:
            raise DataUnavailable(
                f"{key} is in neither {' nor '.join(where)}, and it cannot be fetched; "
                "set TREASURYCARD_MIRROR to a folder that holds it"
            )
        if self.offline:
            raise DataUnavailable(
                f"{key} is in neither {' nor '.join(where)}, and TREASURYCARD_OFFLINE is set, so it was not "
                "fetched; set TREASURYCARD_MIRROR to a folder that holds it, or unset TREASURYCARD_OFFLINE"
            )

    def _commit_fetched(self, key: str, data: bytes, prov: Provenance) -> Provenance:
        """Write a fetched, already-validated file and its manifest row to the cache (under the lock)."""
        target = self.cache_dir / key
        with self._locked():
            # Temporary files left by writers killed before their rename: nobody else writes while we
            # hold the lock, so any that exist are orphans.
            for orphan in [*target.parent.glob(f".{target.name}.*.tmp"),
                           *self.cache_dir.glob(f".{self.manifest_path.name}.*.tmp")]:
                with contextlib.suppress(FileNotFoundError):
                    orphan.unlink()
            atomic_write_bytes(target, data)
            self._record(
                dict(key=key, source_url=redact_secrets(prov.source_url), retrieved_at=prov.retrieved_at,
                     sha256=prov.sha256, first_date=prov.first_date or "", last_date=prov.last_date or "",
                     rows=prov.rows)
            )
        return prov

    def _load(self, key: str, url: str | None, fetch, parse, refresh: bool, what: str):
        """Read ``key`` from mirror or cache, or fetch, parse, check and cache it; return the parsed object.

        ``parse(data, source, path)`` returns ``(obj, first_date, last_date, rows)`` or raises
        :class:`DataFormatError` / :class:`DataValidationError`; ``path`` is the stored file, or None for a
        download (``source`` is then the URL).
        """
        if not refresh:
            stored = self._read_stored(key, url)
            if stored is not None:
                data, prov = stored
                obj, first, last, rows = parse(data, prov.path, Path(prov.path))
                self._note_read(dataclasses.replace(prov, first_date=first, last_date=last, rows=rows))
                return obj
        self._may_fetch(key, fetch)
        try:
            text = fetch()
            data = text.encode("utf-8")
            try:
                obj, first, last, rows = parse(data, url, None)
            except (DataFormatError, DataValidationError) as err:
                raise FetchError(redact_secrets(
                    f"{what}: the download from {url} is not a valid file: {err}. Nothing was cached. Try again "
                    "later; if this persists the source has changed its format and the reader in "
                    "treasurycard.sources must follow"
                )) from None
            if refresh:
                self._check_not_shorter(key, url, what, last, parse)
        except FetchError as err:
            if refresh:
                stale = self._fall_back(key, url, what, err, parse)
                if stale is not None:
                    return stale
            raise
        prov = Provenance(key, "fetched", str(self.cache_dir / key), redact_secrets(url or ""), _now_utc(),
                          sha256_bytes(data), first, last, rows)
        self._commit_fetched(key, data, prov)
        self._note_read(prov)
        return obj

    def _stored_parsed(self, key: str, url: str | None, parse):
        """The stored copy of ``key`` parsed, with its provenance; None if absent or unreadable."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataProvenanceWarning)
            stored = self._read_stored(key, url)
        if stored is None:
            return None
        data, prov = stored
        try:
            obj, first, last, rows = parse(data, prov.path, Path(prov.path))
        except (DataFormatError, DataValidationError):
            return None
        return obj, dataclasses.replace(prov, first_date=first, last_date=last, rows=rows)

    def _check_not_shorter(self, key: str, url: str | None, what: str, last: str | None, parse) -> None:
        """Refuse a refreshed copy that ends earlier than the stored one (a download cut at a line end)."""
        stored = self._stored_parsed(key, url, parse)
        if stored is None or last is None or stored[1].last_date is None:
            return
        old = stored[1]
        if last < old.last_date:
            raise FetchError(
                f"{what}: the new download from {url} ends on {last}, earlier than the stored copy {old.path} "
                f"(which ends on {old.last_date}): the download was probably cut short, or the source withdrew "
                f"observations. Kept the stored copy; to accept the shorter file, delete {old.path} and fetch "
                "again"
            )

    def _fall_back(self, key: str, url: str | None, what: str, err: FetchError, parse):
        """After a failed refresh: the stored copy, marked stale, with a warning naming its vintage."""
        stored = self._stored_parsed(key, url, parse)
        if stored is None:
            return None
        obj, prov = stored
        when = f"retrieved {prov.retrieved_at}" if prov.retrieved_at else "retrieved at an unknown time"
        kind = "offline mirror copy" if prov.origin == "mirror" else "cached copy"
        reason = redact_secrets(str(err))
        message = (f"{what}: refresh failed, so the {kind} {prov.path} ({when}; data {prov.first_date} to "
                   f"{prov.last_date}) is used instead: these numbers are that vintage, not the source's latest. "
                   f"Why: {reason}")
        note = f"stale: refresh failed, {kind} {when} used; {reason[:300]}"
        if prov.note:
            note += f" | {prov.note}"
        warnings.warn(StaleDataWarning(message), stacklevel=4)
        self._note_read(dataclasses.replace(prov, note=note, stale=True))
        return obj

    # ------------------------------------------------------------------ FRED
    def fred_series(self, series_id: str, refresh: bool = False) -> pd.Series:
        """One full FRED series, validated, from mirror, cache or FRED (see the module docstring)."""
        key = f"fred/{series_id}.csv"
        url = fred_source.fred_url(series_id)

        def fetch():
            return fred_source.fetch_fred_csv(series_id, session=self.session, pause=self.retry_pause,
                                              retry_count=self.retry_count)

        def parse(data: bytes, source: str, path: Path | None):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as err:
                line = data[: err.start].count(b"\n") + 1
                raise DataFormatError(source, line, "UTF-8 text as FRED serves it",
                                      data[err.start: err.start + 8]) from None
            info = CATALOGUE.get(series_id)
            series = fred_source.parse_fred_csv(text, series_id, source=source,
                                                rows=None if info is None else info.row_calendar)
            validate_series(series, source)
            valid = series.dropna()
            return series, f"{valid.index[0]:%Y-%m-%d}", f"{valid.index[-1]:%Y-%m-%d}", len(series)

        return self._load(key, url, fetch, parse, refresh, f"FRED series {series_id}")

    def fred(self, series_ids, start, end, refresh: bool = False, complete: bool = False) -> pd.DataFrame:
        """Several FRED series between ``start`` and ``end`` (inclusive) as one DataFrame.

        Parameters
        ----------
        series_ids : str or list of str
            FRED ids.
        start, end : str or pandas.Timestamp
            First and last date wanted (explicit: the book never reads up to "today").
        refresh : bool
            Fetch again even if a stored copy exists (falling back to it, marked stale, if the fetch fails).
        complete : bool
            Also require every series to cover the whole range: its first and last observation within
            :data:`COVERAGE_SLACK_DAYS` (by its frequency) of ``start`` and ``end``. Chapters that chart a
            fixed window should pass True, so that a series ending early fails the build instead of
            drawing a partial line.

        Returns
        -------
        pandas.DataFrame
            ``DatetimeIndex`` named ``date`` (the union of the series' dates, less days on which none of
            them has a value), one float column per series in its FRED unit, NaN where a series has no
            value that day (a holiday in its market). Nothing is filled.

        Raises
        ------
        DataUnavailable, FetchError, DataFormatError, DataValidationError
            If any requested series is missing, cannot be fetched, is damaged, has no observation in the
            range or (with ``complete``) does not cover it. No partial frame is ever returned.
        """
        ids = [series_ids] if isinstance(series_ids, str) else list(series_ids)
        if start is None or end is None:
            raise ValueError("give explicit start and end dates (the book never reads up to 'today')")
        frame = pd.concat([self.fred_series(s, refresh=refresh) for s in ids], axis=1, join="outer", sort=True)
        frame = frame.loc[pd.Timestamp(start): pd.Timestamp(end)].dropna(how="all")
        frame.index.name = "date"
        frame.columns.name = None
        require_columns(frame, ids, f"FRED data {start}..{end}")
        if complete:
            _check_coverage(frame, ids, pd.Timestamp(start), pd.Timestamp(end))
        # the unit of each series' changes travels with the data, for the event-study engine
        frame.attrs["units"] = change_units(ids)
        return frame

    # ------------------------------------------------------------------ TIC and other files
    def tic(self, filename: str = "mfhhis01.txt", refresh: bool = False) -> pd.DataFrame:
        """The TIC "Major Foreign Holders" table (tidy: month, country, holdings_bn) from a stored file."""
        from .sources import tic as tic_source
        from .validate import validate_holdings

        key = f"tic/{filename}"
        url = settings.live_url(key) if filename in TIC_URLS else None
        fetch = None if url is None else (
            lambda: _fetch_text(url, self.session, retry_count=self.retry_count, pause=self.retry_pause))

        def parse(data: bytes, source: str, path: Path | None):
            if path is not None:
                table = tic_source.read_major_foreign_holders(path)
            else:  # a download: parse before caching, so a bad download never lands in the cache
                with tempfile.TemporaryDirectory() as tmp:
                    tmp_path = Path(tmp) / filename
                    tmp_path.write_bytes(data)
                    try:
                        table = tic_source.read_major_foreign_holders(tmp_path)
                    except DataFormatError as err:  # name the URL, not the temporary file
                        raise DataFormatError(source, err.line, err.expected, err.found) from None
                table.attrs["source"] = source
            validate_holdings(table, source)
            months = table["month"]
            return table, months.min(), months.max(), len(table)

        return self._load(key, url, fetch, parse, refresh, f"TIC file {filename}")

    def tic_flows(self, refresh: bool = False) -> pd.DataFrame:
        """TIC Table 3 (tidy: month, country, holdings, net purchases, valuation; billions of dollars).

        Read from mirror, cache or the Treasury like :meth:`tic`, parsed by
        :func:`treasurycard.data.sources.tic_flows.read_slt_table3` (its docstring states the sign
        convention and the sum checks), then checked against Table 5 of the same release
        (``tic/slt_table5.txt``) in the months both hold, when Table 5 is stored or fetchable: every Table 5
        country must have a row, and holdings must agree to rounding. ``attrs["table5_check"]`` holds that
        comparison (or None when Table 5 was not available); ``attrs["history_check"]`` the comparison with the
        history file ``mfhhis01.txt`` (an earlier release: revisions up to 2% allowed, countries in both only).
        """
        from .sources import tic_flows as flows_source

        key = "tic/slt_table3.txt"
        url = settings.live_url(key)  # TIC_TABLE3_URL unless TREASURYCARD_TREASURY_BASE_URL is set
        fetch = lambda: _fetch_text(url, self.session, retry_count=self.retry_count, pause=self.retry_pause)  # noqa: E731

        def parse(data: bytes, source: str, path: Path | None):
            table = _parse_tic_bytes(flows_source.read_slt_table3, data, source, path, "slt_table3.txt")
            return table, table["month"].min(), table["month"].max(), len(table)

        table = self._load(key, url, fetch, parse, refresh, "TIC file slt_table3.txt")
        check = None
        if self.locate("tic/slt_table5.txt") is not None or not self.offline:
            check = flows_source.compare_with_major_holders(table, self.tic("slt_table5.txt", refresh=refresh))
        table.attrs["table5_check"] = check
        history = None
        if self.locate("tic/mfhhis01.txt") is not None or not self.offline:
            # an earlier release: the Treasury revises recent months, so allow revisions, and compare only the
            # countries both tables list
            history = flows_source.compare_with_major_holders(table, self.tic("mfhhis01.txt", refresh=refresh),
                                                              revision_pct=2.0, require_rows=False)
        table.attrs["history_check"] = history
        return table

    def tic_holdings(self, refresh: bool = False) -> pd.DataFrame:
        """The Major Foreign Holders history (``mfhhis01.txt``) continued by the current Table 5 to its newest month.

        See :func:`treasurycard.data.sources.tic_flows.continue_holdings`: a ``vintage`` column names the
        file of each month's figures, and ``attrs["revisions"]`` lists the figures the two releases disagree
        on in the months both hold.
        """
        from .sources import tic_flows as flows_source

        return flows_source.continue_holdings(self.tic("mfhhis01.txt", refresh=refresh),
                                              self.tic("slt_table5.txt", refresh=refresh))

    def fed_custody(self, start, end, refresh: bool = False) -> pd.Series:
        """Weekly Treasuries held in custody at the New York Fed for foreign official accounts, billions.

        FRED ``WMTSECL1`` (Wednesday levels, millions of dollars) divided by 1,000. The series is 0 before
        it was first reported (July 2007): those leading zeros are "not reported" and become NaN. A zero
        after the first reported week would be a damaged file and raises :class:`DataValidationError`.

        Returns
        -------
        pandas.Series
            Named ``WMTSECL1``, ``DatetimeIndex`` of Wednesdays named ``date``, billions of dollars, from
            ``start`` to ``end`` inclusive; ``attrs["units"] = {"WMTSECL1": "bn USD"}``.
        """
        from .sources.fred import reported_from_first_nonzero

        full = reported_from_first_nonzero(self.fred_series("WMTSECL1", refresh=refresh)) / 1000.0
        out = full.loc[pd.Timestamp(start): pd.Timestamp(end)].dropna()
        if out.empty:
            raise DataValidationError(f"WMTSECL1: no reported week between {start} and {end} (reported weeks run "
                                      f"{full.first_valid_index():%Y-%m-%d} to {full.last_valid_index():%Y-%m-%d})")
        out.index.name = "date"
        out.attrs["units"] = {"WMTSECL1": "bn USD"}
        return out

    # ------------------------------------------------------------------ MoF JGB yields and ECB fixings
    def jgb_table(self, refresh: bool = False) -> pd.DataFrame:
        """The Ministry of Finance's JGB yields, all tenors (``JGB1Y`` ... ``JGB40Y``, percent, Tokyo close).

        Read from ``mof/jgbcm_all.csv`` in the mirror or cache, else fetched from
        :data:`treasurycard.data.sources.mof.JGB_URL` (Shift_JIS; the cache keeps it re-encoded as UTF-8,
        which the reader also accepts; the address is :func:`~treasurycard.data.settings.live_url` of the key,
        the same unless ``TREASURYCARD_MOF_BASE_URL`` is set). See :func:`treasurycard.data.sources.mof.parse_jgbcm`.
        """
        from .sources import download, mof

        key = "mof/jgbcm_all.csv"
        url = settings.live_url(key)

        def fetch():
            data = download.fetch_bytes(url, "the MoF JGB yield file", session=self.session,
                                        retry_count=self.retry_count, pause=self.retry_pause)
            try:
                return data.decode("cp932")
            except UnicodeDecodeError as err:
                raise FetchError(f"the MoF JGB yield file from {url} is not Shift_JIS text ({err}); "
                                 "the Ministry may have changed its format. Nothing was cached") from None

        def parse(data: bytes, source: str, path: Path | None):
            table = mof.parse_jgbcm(data, source)
            _check_table(table, "yield", source)
            return table, f"{table.index[0]:%Y-%m-%d}", f"{table.index[-1]:%Y-%m-%d}", len(table)

        return self._load(key, url, fetch, parse, refresh, "MoF JGB yield file")

    def ecb_table(self, refresh: bool = False) -> pd.DataFrame:
        """The ECB's euro reference rates (units of each currency per euro at 14:15 CET), all currencies.

        Read from ``ecb/eurofxref-hist.csv`` in the mirror or cache, else fetched from
        :data:`treasurycard.data.sources.ecb.ECB_URL` (a zip; the CSV inside is cached; the address is
        :func:`~treasurycard.data.settings.live_url` of the key, the same unless ``TREASURYCARD_ECB_BASE_URL`` is
        set). See :func:`treasurycard.data.sources.ecb.parse_eurofxref`.
        """
        from .sources import download, ecb

        key = "ecb/eurofxref-hist.csv"
        url = settings.live_url(key)

        def fetch():
            data = download.fetch_bytes(url, "the ECB reference-rate history", session=self.session,
                                        retry_count=self.retry_count, pause=self.retry_pause)
            try:
                return ecb.unzip_history(data, url)
            except DataFormatError as err:
                raise FetchError(f"the ECB reference-rate history from {url}: {err}. Nothing was cached") from None

        def parse(data: bytes, source: str, path: Path | None):
            table = ecb.parse_eurofxref(data, source)  # rates are positive; per-euro rates such as IDR
            validate_dates(table.index, str(source))     # exceed the fx bounds, so these are checked on the crosses
            return table, f"{table.index[0]:%Y-%m-%d}", f"{table.index[-1]:%Y-%m-%d}", len(table)

        return self._load(key, url, fetch, parse, refresh, "ECB reference rates")

    def acm_monthly(self, refresh: bool = False) -> pd.DataFrame:
        """The New York Fed's ACM term-structure estimates, monthly (``ACMTP10``: 10-year term premium, percent).

        Read from ``nyfed/ACMTermPremium_monthly.csv`` (the workbook's monthly sheet saved as CSV) in the mirror
        or cache, else fetched: the New York Fed's workbook :data:`treasurycard.data.sources.nyfed.ACM_URL` is
        downloaded, its sheet "ACM Monthly" read with pandas (engine ``calamine``) and converted to that CSV
        (:func:`~treasurycard.data.sources.nyfed.workbook_to_csv`), which is parsed, checked and cached. The
        address is :func:`~treasurycard.data.settings.live_url` of the key (the same unless
        ``TREASURYCARD_NYFED_BASE_URL`` is set). See :func:`treasurycard.data.sources.nyfed.parse_acm_monthly`.
        """
        from .sources import download, nyfed

        key = "nyfed/ACMTermPremium_monthly.csv"
        url = settings.live_url(key)

        def fetch():
            data = download.fetch_bytes(url, "the New York Fed's ACM workbook", session=self.session,
                                        retry_count=self.retry_count, pause=self.retry_pause)
            try:
                return nyfed.workbook_to_csv(data, url).decode("utf-8")
            except DataFormatError as err:
                raise FetchError(f"the New York Fed's ACM workbook from {url} could not be converted: {err}. "
                                 "Nothing was cached; if this persists the New York Fed has changed the "
                                 "workbook and treasurycard.data.sources.nyfed must follow") from None

        def parse(data: bytes, source: str, path: Path | None):
            table = nyfed.parse_acm_monthly(data, source)
            _check_table(table, "yield", source)  # yields and term premia, percent
            return table, f"{table.index[0]:%Y-%m-%d}", f"{table.index[-1]:%Y-%m-%d}", len(table)

        return self._load(key, url, fetch, parse, refresh, "ACM term premia")

    def jgb(self, series_ids, start, end, refresh: bool = False) -> pd.DataFrame:
        """JGB yields ``series_ids`` (e.g. ``["JGB10Y", "JGB30Y"]``, percent, Tokyo close) from ``start`` to
        ``end`` inclusive; NaN where a tenor was not quoted. ``attrs["units"]`` gives ``bp`` for each."""
        ids = [series_ids] if isinstance(series_ids, str) else list(series_ids)
        table = self.jgb_table(refresh=refresh)
        unknown = [s for s in ids if s not in table.columns]
        if unknown:
            raise DataUnavailable(f"{unknown} are not in the MoF JGB file (tenors: {', '.join(table.columns)})")
        return _window(table[ids], ids, start, end, "MoF JGB yields")

    def ecb(self, series_ids, start, end, refresh: bool = False) -> pd.DataFrame:
        """Exchange rates at the ECB fixing, by the catalogue's ids (``ECBJPYUSD``: yen per US dollar, the
        cross of the JPY and USD rates per euro), from ``start`` to ``end`` inclusive, TARGET days only."""
        from .sources import ecb

        ids = [series_ids] if isinstance(series_ids, str) else list(series_ids)
        unknown = [s for s in ids if s not in ecb.SERIES]
        if unknown:
            raise DataUnavailable(f"{unknown} are not ECB-fixing series the book knows ({', '.join(ecb.SERIES)}); "
                                  "add the cross to treasurycard.data.sources.ecb.SERIES")
        table = self.ecb_table(refresh=refresh)
        frame = pd.DataFrame({s: ecb.cross_rate(table, *ecb.SERIES[s]) for s in ids})
        _check_table(frame, "fx", f"ECB reference rates ({', '.join(ids)})")
        return _window(frame, ids, start, end, "ECB fixings")

    def path(self, key: str) -> Path:
        """Path of a stored file that cannot be fetched (e.g. ``calendars/...``), from mirror or cache."""
        data, prov = self.read_bytes(key)
        self._note_read(prov)
        return Path(prov.path)

    def _note_read(self, prov: Provenance) -> None:
        """Note a file as read: in :attr:`read_log`, and in the build's read log if ``TREASURYCARD_READ_LOG`` is set.

        The build's read log is a folder with one JSON file per data file read (its :class:`Provenance`),
        written atomically by whichever chapter read it; the book's list of sources is made from it, so it
        lists exactly the files the chapters read.
        """
        self.read_log.append(prov)
        folder = os.environ.get(READ_LOG_ENV)
        if folder:
            import json

            name = prov.key.replace("/", "__") + ".json"
            atomic_write_bytes(Path(folder) / name, json.dumps(dataclasses.asdict(prov), sort_keys=True).encode())

    def provenance(self) -> pd.DataFrame:
        """One row per file this store has read: origin, path, URL, retrieval time, sha256, dates, rows.

        ``stale`` is True for a file used after its refresh failed; ``note`` then says why and which vintage.
        """
        rows = {p.key: p.__dict__ for p in self.read_log}
        return pd.DataFrame(list(rows.values()), columns=list(Provenance.__dataclass_fields__))


def _check_table(table: pd.DataFrame, kind: str, source) -> None:
    """Dates ascending and unique, and every value within the plausible bounds of ``kind`` (a series kind)."""
    from .series import KINDS

    validate_dates(table.index, str(source))
    lo, hi = KINDS[kind]["bounds"]
    rows, cols = ((table < lo) | (table > hi)).to_numpy().nonzero()
    if len(rows):
        date, col, value = table.index[rows[0]], table.columns[cols[0]], table.iat[rows[0], cols[0]]
        raise DataValidationError(
            f"{source}: {len(rows)} value(s) outside the plausible range [{lo}, {hi}] for a {kind}, first {col} = "
            f"{value} on {date:%Y-%m-%d}; the file is damaged or not the one expected: refetch it (refresh=True)")


def _window(frame: pd.DataFrame, ids, start, end, what: str) -> pd.DataFrame:
    """``frame`` from ``start`` to ``end`` with empty days dropped, required columns checked, units attached."""
    if start is None or end is None:
        raise ValueError("give explicit start and end dates (the book never reads up to 'today')")
    out = frame.loc[pd.Timestamp(start): pd.Timestamp(end)].dropna(how="all")
    out.index.name = "date"
    require_columns(out, ids, f"{what} {start}..{end}")
    out.attrs["units"] = change_units(ids)
    return out


def _check_coverage(frame: pd.DataFrame, ids, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Raise :class:`DataValidationError` if a series starts or ends well inside ``[start, end]``."""
    from .series import CATALOGUE

    short = []
    for sid in ids:
        valid = frame[sid].dropna().index
        freq = CATALOGUE[sid].frequency if sid in CATALOGUE else "daily"
        slack = pd.Timedelta(days=COVERAGE_SLACK_DAYS.get(freq.split(" ")[0], 10))
        if valid[0] - start > slack or end - valid[-1] > slack:
            short.append(f"{sid} ({freq}) has data {valid[0]:%Y-%m-%d} to {valid[-1]:%Y-%m-%d}")
    if short:
        raise DataValidationError(
            f"FRED data {start:%Y-%m-%d}..{end:%Y-%m-%d}: required series do not cover the range: "
            f"{'; '.join(short)}. A chart of this range would be partial: shorten the range, or refresh the "
            "data (refresh=True) or point TREASURYCARD_MIRROR at a newer snapshot"
        )


def _parse_tic_bytes(reader, data: bytes, source: str, path: Path | None, filename: str) -> pd.DataFrame:
    """Run a TIC file reader on a stored file, or on a download (through a temporary file named like it,
    so that a bad download never reaches the cache); errors then name the URL, not the temporary file."""
    if path is not None:
        return reader(path)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp) / filename
        tmp_path.write_bytes(data)
        try:
            table = reader(tmp_path)
        except DataFormatError as err:
            raise DataFormatError(source, err.line, err.expected, err.found) from None
    table.attrs["source"] = source
    return table


def _fetch_text(url: str, session=None, timeout: float = 60.0, retry_count: int = 3, pause: float = 0.5,
                sleep=time.sleep) -> str:
    """GET a text file (the TIC downloads), with the same bounded retries and checks as FRED fetches.

    ``session`` is injectable for tests. Raises :class:`FetchError` naming the URL, what each attempt
    received and the remedy; see :func:`treasurycard.sources.fred.check_download` for what is checked.
    """
    from .sources import download

    moved = ("the Treasury may have moved or replaced the file (it replaced the TIC table in 2023): check the "
             "address in treasurycard.store.TIC_URLS")
    return download.fetch(url, fred_source.check_download, lambda resp: resp.content.decode("utf-8"), moved=moved,
                          session=session, timeout=timeout, retry_count=retry_count, pause=pause, sleep=sleep)


def load_fred(series_ids, start, end, refresh: bool = False, store: DataStore | None = None) -> pd.DataFrame:
    """Convenience: :meth:`DataStore.fred` on a store made from the environment."""
    return (store or DataStore.from_env()).fred(series_ids, start, end, refresh=refresh)


def load_tic(filename: str = "mfhhis01.txt", refresh: bool = False, store: DataStore | None = None) -> pd.DataFrame:
    """Convenience: :meth:`DataStore.tic` on a store made from the environment."""
    return (store or DataStore.from_env()).tic(filename, refresh=refresh)
