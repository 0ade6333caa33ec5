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
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import DataUnavailable, FetchError
from .sources import fred as fred_source
from .validate import require_columns, validate_series

#: The project root: the folder holding ``_config.yml`` two levels above this package (``lib/treasurycard``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]

MANIFEST_COLUMNS = ["key", "source_url", "retrieved_at", "sha256", "first_date", "last_date", "rows"]

#: Treasury's address of the "Major Foreign Holders of Treasury Securities" history file.
TIC_URLS = {
    "mfhhis01.txt": "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/mfhhis01.txt",
    "slt_table5.txt": "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/slt_table5.txt",
}


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class Provenance:
    """Where one file was read from: ``origin`` is ``"mirror"``, ``"cache"`` or ``"fetched"``."""

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
        Seconds between retries of a failed live fetch.
    """

    cache_dir: Path
    mirror: Path | None = None
    offline: bool = False
    session: object | None = None
    retry_pause: float = 0.5
    read_log: list[Provenance] = field(default_factory=list, repr=False)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "DataStore":
        """Make a store from ``TREASURYCARD_CACHE``, ``TREASURYCARD_MIRROR`` and ``TREASURYCARD_OFFLINE``."""
        env = os.environ if environ is None else environ
        cache = Path(env.get("TREASURYCARD_CACHE") or PROJECT_ROOT / "data" / "cache")
        mirror_raw = env.get("TREASURYCARD_MIRROR")
        mirror = None
        if mirror_raw:
            mirror = Path(mirror_raw)
            if not mirror.is_absolute():
                mirror = (PROJECT_ROOT / mirror).resolve()
            if not mirror.is_dir():
                raise DataUnavailable(
                    f"TREASURYCARD_MIRROR={mirror_raw!r} is not a folder ({mirror}); point it at a mirror laid "
                    "out as fred/SERIES.csv and tic/mfhhis01.txt, or unset it"
                )
        kwargs = dict(cache_dir=cache, mirror=mirror, offline=_truthy(env.get("TREASURYCARD_OFFLINE")))
        kwargs.update(overrides)
        return cls(**kwargs)

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.cache_dir / "manifest.csv"

    @contextlib.contextmanager
    def _locked(self):
        """Serialise cache writes between processes sharing one cache (an advisory file lock)."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with open(self.cache_dir / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def manifest(self) -> pd.DataFrame:
        """The cache manifest as a DataFrame (empty, with its columns, when nothing was fetched yet)."""
        if not self.manifest_path.exists():
            return pd.DataFrame(columns=MANIFEST_COLUMNS)
        return pd.read_csv(self.manifest_path, dtype=str, keep_default_na=False)

    def _record(self, entry: dict) -> None:
        """Insert or replace one manifest row, atomically."""
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

    def read_bytes(self, key: str, url: str | None = None, fetch=None, refresh: bool = False) -> tuple[bytes, Provenance]:
        """Bytes of one stored file and where they came from; fetch and cache it if allowed.

        ``fetch`` is a callable returning the file's text, used only when the file is neither in the
        mirror nor in the cache (or ``refresh`` is True) and the store is not offline.
        """
        found = None if refresh else self.locate(key)
        if found is not None:
            path, origin = found
            data = path.read_bytes()
            retrieved = None
            if origin == "cache":
                man = self.manifest()
                hit = man[man["key"] == key]
                retrieved = hit["retrieved_at"].iloc[0] if len(hit) else None
                url = hit["source_url"].iloc[0] if len(hit) else url
            note = self._mirror_note(key) if origin == "mirror" else ""
            return data, Provenance(key, origin, str(path), url or "", retrieved, sha256_bytes(data), None, None, 0, note)
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
        text = fetch()
        data = text.encode("utf-8")
        retrieved = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        return data, Provenance(key, "fetched", str(self.cache_dir / key), url or "", retrieved, sha256_bytes(data), None, None, 0)

    def _commit_fetched(self, key: str, data: bytes, prov: Provenance) -> Provenance:
        """Write a fetched, already-validated file and its manifest row to the cache."""
        with self._locked():
            atomic_write_bytes(self.cache_dir / key, data)
            self._record(
                dict(key=key, source_url=prov.source_url, retrieved_at=prov.retrieved_at, sha256=prov.sha256,
                     first_date=prov.first_date or "", last_date=prov.last_date or "", rows=prov.rows)
            )
        return prov

    # ------------------------------------------------------------------ FRED
    def fred_series(self, series_id: str, refresh: bool = False) -> pd.Series:
        """One full FRED series, validated, from mirror, cache or FRED (see the module docstring)."""
        key = f"fred/{series_id}.csv"
        url = fred_source.fred_url(series_id)

        def fetch():
            return fred_source.fetch_fred_csv(series_id, session=self.session, pause=self.retry_pause)

        data, prov = self.read_bytes(key, url=url, fetch=fetch, refresh=refresh)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise FetchError(f"FRED series {series_id} from {prov.path}: not UTF-8 text; refetch it (refresh=True)") from None
        series = fred_source.parse_fred_csv(text, series_id, source=prov.source_url if prov.origin == "fetched" else prov.path)
        validate_series(series, prov.path)
        valid = series.dropna()
        prov = Provenance(
            prov.key, prov.origin, prov.path, prov.source_url, prov.retrieved_at, prov.sha256,
            f"{valid.index[0]:%Y-%m-%d}", f"{valid.index[-1]:%Y-%m-%d}", len(series), prov.note,
        )
        if prov.origin == "fetched":
            self._commit_fetched(key, data, prov)
        self.read_log.append(prov)
        return series

    def fred(self, series_ids, start, end, refresh: bool = False) -> pd.DataFrame:
        """Several FRED series between ``start`` and ``end`` (inclusive) as one DataFrame.

        Returns
        -------
        pandas.DataFrame
            ``DatetimeIndex`` named ``date`` (the union of the series' dates, less days on which none of
            them has a value), one float column per series in its FRED unit, NaN where a series has no
            value that day (a holiday in its market). Nothing is filled.
        """
        ids = [series_ids] if isinstance(series_ids, str) else list(series_ids)
        if start is None or end is None:
            raise ValueError("give explicit start and end dates (the book never reads up to 'today')")
        frame = pd.concat([self.fred_series(s, refresh=refresh) for s in ids], axis=1, join="outer").sort_index()
        frame = frame.loc[pd.Timestamp(start): pd.Timestamp(end)].dropna(how="all")
        frame.index.name = "date"
        frame.columns.name = None
        require_columns(frame, ids, f"FRED data {start}..{end}")
        return frame

    # ------------------------------------------------------------------ TIC and other files
    def tic(self, filename: str = "mfhhis01.txt", refresh: bool = False) -> pd.DataFrame:
        """The TIC "Major Foreign Holders" table (tidy: month, country, holdings_bn) from a stored file."""
        from .sources import tic as tic_source
        from .validate import validate_holdings

        key = f"tic/{filename}"
        url = TIC_URLS.get(filename)
        fetch = None if url is None else (lambda: _fetch_text(url, self.session))
        data, prov = self.read_bytes(key, url=url, fetch=fetch, refresh=refresh)
        path = prov.path
        if prov.origin == "fetched":  # parse before caching, so a bad download never lands in the cache
            with tempfile.TemporaryDirectory() as tmp:
                tmp_path = Path(tmp) / filename
                tmp_path.write_bytes(data)
                table = tic_source.read_major_foreign_holders(tmp_path)
        else:
            table = tic_source.read_major_foreign_holders(Path(path))
        validate_holdings(table, path)
        months = table["month"]
        prov = Provenance(prov.key, prov.origin, prov.path, prov.source_url, prov.retrieved_at, prov.sha256,
                          months.min(), months.max(), len(table), prov.note)
        if prov.origin == "fetched":
            self._commit_fetched(key, data, prov)
        self.read_log.append(prov)
        return table

    def path(self, key: str) -> Path:
        """Path of a stored file that cannot be fetched (e.g. ``calendars/...``), from mirror or cache."""
        data, prov = self.read_bytes(key)
        self.read_log.append(prov)
        return Path(prov.path)

    def provenance(self) -> pd.DataFrame:
        """One row per file this store has read: origin, path, URL, retrieval time, sha256, dates, rows."""
        rows = {p.key: p.__dict__ for p in self.read_log}
        return pd.DataFrame(list(rows.values()), columns=list(Provenance.__dataclass_fields__))


def _fetch_text(url: str, session=None, timeout: float = 60.0) -> str:
    """GET a text file (the TIC downloads); ``session`` is injectable for tests."""
    import requests

    sess = session or requests.Session()
    try:
        resp = sess.get(url, timeout=timeout)
        resp.raise_for_status()
    except Exception as exc:
        raise FetchError(f"could not download {url}: {exc}; try again later or use TREASURYCARD_MIRROR") from exc
    return resp.content.decode("utf-8", errors="strict")


def load_fred(series_ids, start, end, refresh: bool = False, store: DataStore | None = None) -> pd.DataFrame:
    """Convenience: :meth:`DataStore.fred` on a store made from the environment."""
    return (store or DataStore.from_env()).fred(series_ids, start, end, refresh=refresh)


def load_tic(filename: str = "mfhhis01.txt", refresh: bool = False, store: DataStore | None = None) -> pd.DataFrame:
    """Convenience: :meth:`DataStore.tic` on a store made from the environment."""
    return (store or DataStore.from_env()).tic(filename, refresh=refresh)
