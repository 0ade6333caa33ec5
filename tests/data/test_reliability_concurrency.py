"""Reliability, failure class 3: interrupted and concurrent runs, with real processes and a real SIGKILL.

Child processes (``python child.py ...``, written to tmp_path) commit made-up FRED vintages to a shared cache
through :class:`DataStore`, with a fake HTTP session (no network). The tests kill a child in the middle of a
write, or run two children against one cache while the test process reads it, and then check that the cache
file and its manifest are whole, parse, and agree with each other, or that the store says honestly when
they do not.

The vintages are made-up series in FRED's layout (format and integrity tests only, not market data).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from treasurycard.errors import DataProvenanceWarning
from treasurycard.data.sources.fred import parse_fred_csv
from treasurycard.data.store import DataStore, atomic_write_bytes

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or os.name != "posix",
                                reason="needs POSIX processes, signals and /proc")

#: Child-process preamble: load treasurycard's modules without running the package's __init__, which
#: imports the statistics stack (statsmodels, scipy); the store needs only pandas, and a child that starts
#: fast keeps these tests fast.
FAST_IMPORT = r'''
import importlib.util, sys, types
_pkg = types.ModuleType("treasurycard")
_pkg.__path__ = list(importlib.util.find_spec("treasurycard").submodule_search_locations)
sys.modules["treasurycard"] = _pkg
'''

CHILD = FAST_IMPORT + r'''
"""Commit FRED vintages to a cache through DataStore; optionally write one file slowly, to be killed."""
import os, sys, time
from pathlib import Path

import requests

from treasurycard.data.store import DataStore

mode, cache, vintages, series, rounds, target, marker = sys.argv[1:8]
series, rounds = series.split(","), int(rounds)


class Session(requests.Session):
    """Serves the vintage file named by ``self.which`` for the requested id; never touches the network."""

    which = "B"

    def get(self, url, **kwargs):
        sid = url.rsplit("id=", 1)[1]
        r = requests.Response()
        r.status_code, r.encoding = 200, "utf-8"
        r._content = (Path(vintages) / f"{self.which}_{sid}.csv").read_bytes()
        return r


if mode == "slow":  # every write to a temporary file named target* crawls, 4 KiB at a time
    real_fdopen = os.fdopen

    class Slow:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            for k in range(0, len(data), 4096):
                self.fh.write(data[k:k + 4096])
                self.fh.flush()
                if k == 0:
                    Path(marker).write_text(str(len(data)))
                time.sleep(0.01)
            return len(data)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.fh.__exit__(*exc)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    def fdopen(fd, *args, **kwargs):
        fh = real_fdopen(fd, *args, **kwargs)
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        return Slow(fh) if name.startswith(target) else fh

    os.fdopen = fdopen

session = Session()
store = DataStore(cache_dir=Path(cache), session=session, retry_pause=0.0, retry_count=0)
for r in range(rounds):
    for sid in series:
        session.which = "AB"[(r + len(sid)) % 2] if mode == "loop" else "B"
        store.fred_series(sid, refresh=True)
        if mode == "loop" and r == 0 and sid == series[0]:
            Path(marker).write_text("started")
'''


def vintage(sid: str, which: str, rows: int) -> str:
    """A made-up daily series in FRED's layout, ``rows`` business days from 1800; vintages differ in values."""
    n = rows
    dates = pd.bdate_range("1800-01-01", periods=n)
    rng = np.random.default_rng(sum(map(ord, sid + which)))  # seeded by name: the same vintage every run
    values = np.round(3 + rng.normal(0, 1, n).cumsum() / 50, 2).clip(-4, 24)
    lines = pd.Series(dates.strftime("%Y-%m-%d")) + "," + pd.Series(values).map("{:.2f}".format)
    return f"observation_date,{sid}\n" + "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def vintages() -> dict:
    texts = {(which, sid): vintage(sid, which, 3000) for sid in ["DGS1", "DGS2", "DGS5", "DGS10", "DGS30"]
             for which in "AB"}
    texts["B small", "DGS10"] = texts["B", "DGS10"]
    texts["B", "DGS10"] = vintage("DGS10", "B", 30_000)  # about 0.5 MB: a write that takes a while at 4 KiB a step
    return texts


@pytest.fixture
def lab(tmp_path, vintages):
    """A child script, a cache folder and a folder of vintages (A and B) for a few yield series."""
    (tmp_path / "child.py").write_text(CHILD)
    vint = tmp_path / "vintages"
    vint.mkdir()
    for (which, sid), text in vintages.items():
        if which in "AB":
            (vint / f"{which}_{sid}.csv").write_text(text)
    return tmp_path, tmp_path / "cache", vint, vintages


def spawn(lab_dir, mode, cache, vint, series, rounds=1, target="-", marker=None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREASURYCARD_")}
    return subprocess.Popen(
        [sys.executable, str(lab_dir / "child.py"), mode, str(cache), str(vint), ",".join(series), str(rounds),
         target, str(marker or lab_dir / f"marker-{time.monotonic_ns()}")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child exited ({proc.returncode}) before {path.name}: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"child did not reach {path.name} within {timeout} s")
        time.sleep(0.005)


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def seed_cache(cache: Path, vint: Path, sid="DGS10", which="A") -> tuple[bytes, bytes]:
    """Commit vintage ``which`` of ``sid`` in this process; return the cache file's and manifest's bytes."""
    import requests

    class One(requests.Session):
        def get(self, url, **kwargs):
            r = requests.Response()
            r.status_code, r.encoding, r._content = 200, "utf-8", (vint / f"{which}_{sid}.csv").read_bytes()
            return r

    DataStore(cache_dir=cache, session=One(), retry_pause=0.0).fred_series(sid, refresh=True)
    return (cache / "fred" / f"{sid}.csv").read_bytes(), (cache / "manifest.csv").read_bytes()


def read_clean(cache: Path, sid="DGS10") -> tuple[pd.Series, pd.Series]:
    """Read ``sid`` from the cache offline, failing on any provenance warning; return it and its provenance."""
    store = DataStore(cache_dir=cache, offline=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataProvenanceWarning)
        s = store.fred_series(sid)
    return s, store.provenance().iloc[0]


def orphans(cache: Path) -> list[Path]:
    return sorted(cache.rglob(".*.tmp"))


# ------------------------------------------------------------------------------------- kill mid-write


def test_kill_in_the_middle_of_writing_a_cache_file_leaves_the_old_one(lab):
    lab_dir, cache, vint, texts = lab
    old_file, old_manifest = seed_cache(cache, vint)
    _, prov_before = read_clean(cache)
    marker = lab_dir / "writing"
    proc = spawn(lab_dir, "slow", cache, vint, ["DGS10"], target=".DGS10.csv.", marker=marker)
    wait_for(marker, proc)  # the child is inside its write of the 0.5 MB vintage B
    kill(proc)
    # the previous cache file and manifest are intact, agree, and read cleanly
    assert (cache / "fred" / "DGS10.csv").read_bytes() == old_file
    assert (cache / "manifest.csv").read_bytes() == old_manifest
    s, prov = read_clean(cache)
    pd.testing.assert_series_equal(s, parse_fred_csv(texts["A", "DGS10"], "DGS10"))
    assert prov["retrieved_at"] == prov_before["retrieved_at"] and not prov["stale"]
    # what the kill left: one partial temporary file, smaller than the new vintage, ignored by readers
    [orphan] = orphans(cache)
    assert orphan.name.startswith(".DGS10.csv.") and 0 < orphan.stat().st_size < len(texts["B", "DGS10"])
    # the lock died with the child: the next write goes through and clears the orphan
    new_file, _ = seed_cache(cache, vint, which="B")
    assert new_file == texts["B", "DGS10"].encode() and orphans(cache) == []
    assert read_clean(cache)[0].index[-1] == pd.bdate_range("1800-01-01", periods=30_000)[-1]


def test_kill_in_the_middle_of_writing_the_manifest_is_reported_honestly(lab):
    lab_dir, cache, vint, texts = lab
    (vint / "B_DGS10.csv").write_text(texts["B small", "DGS10"])  # here the manifest is the big write
    old_file, old_manifest = seed_cache(cache, vint)
    marker = lab_dir / "writing"
    # a manifest big enough for a slow write: 400 more (made-up) rows
    filler = "".join(f"fred/FILLER{k:03d}.csv,made-up,2000-01-01T00:00:00+00:00,{'0' * 64},,,0\n" for k in range(400))
    atomic_write_bytes(cache / "manifest.csv", old_manifest + filler.encode())
    old_manifest = (cache / "manifest.csv").read_bytes()
    proc = spawn(lab_dir, "slow", cache, vint, ["DGS10"], target=".manifest.csv.", marker=marker)
    wait_for(marker, proc)
    kill(proc)
    # the data file was already replaced by vintage B (whole); the manifest is the previous one, whole
    assert (cache / "fred" / "DGS10.csv").read_bytes() == texts["B small", "DGS10"].encode()
    assert (cache / "manifest.csv").read_bytes() == old_manifest
    assert len(DataStore(cache_dir=cache).manifest()) == 401
    # the mismatch is not hidden: the series is read, with its vintage marked unknown and a warning
    store = DataStore(cache_dir=cache, offline=True)
    with pytest.warns(DataProvenanceWarning, match="does not match its manifest row"):
        s = store.fred_series("DGS10")
    assert len(s) == 3000
    prov = store.provenance().iloc[0]
    assert prov["retrieved_at"] is None and "retrieval time is unknown" in prov["note"]
    # a refetch repairs it
    seed_cache(cache, vint, which="B")
    assert read_clean(cache)[1]["retrieved_at"]


def test_kill_at_random_moments_of_a_writing_loop(lab):
    """A child rewrites the cache in a loop; killed at seeded random moments, the cache is always whole."""
    lab_dir, cache, vint, texts = lab
    seed_cache(cache, vint, "DGS2")
    seed_cache(cache, vint, "DGS5")
    rng = random.Random(20250402)
    allowed = {sid: {texts["A", sid].encode(), texts["B", sid].encode()} for sid in ("DGS2", "DGS5")}
    for attempt in range(2):
        marker = lab_dir / f"started-{attempt}"
        proc = spawn(lab_dir, "loop", cache, vint, ["DGS2", "DGS5"], rounds=10_000, marker=marker)
        wait_for(marker, proc)
        time.sleep(rng.uniform(0.02, 0.3))
        kill(proc)
        man = DataStore(cache_dir=cache).manifest().set_index("key")
        for sid in ("DGS2", "DGS5"):
            data = (cache / "fred" / f"{sid}.csv").read_bytes()
            assert data in allowed[sid]  # a whole vintage, never a mixture or a fragment
            store = DataStore(cache_dir=cache, offline=True)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                s = store.fred_series(sid)
            assert len(s) == 3000
            prov = store.provenance().iloc[0]
            if man.loc[f"fred/{sid}.csv", "sha256"] == hashlib.sha256(data).hexdigest():
                assert prov["retrieved_at"] == man.loc[f"fred/{sid}.csv", "retrieved_at"] and not caught
            else:  # killed between the file's rename and the manifest's: said, not hidden
                assert prov["retrieved_at"] is None
                assert any(issubclass(w.category, DataProvenanceWarning) for w in caught)


def test_atomic_write_survives_a_kill_of_the_writer(tmp_path):
    """atomic_write_bytes itself, killed while writing: the target holds the old bytes or the new, whole."""
    target = tmp_path / "out.bin"
    atomic_write_bytes(target, b"old\n" * 1000)
    script = tmp_path / "writer.py"
    script.write_text(
        FAST_IMPORT + "import sys, pathlib\nfrom treasurycard.data.store import atomic_write_bytes\n"
        "t = pathlib.Path(sys.argv[1]); pathlib.Path(sys.argv[2]).write_text('go')\n"
        "for k in range(100000):\n    atomic_write_bytes(t, (b'new%d\\n' % (k % 2)) * 200000)\n")
    proc = subprocess.Popen([sys.executable, str(script), str(target), str(tmp_path / "go")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(tmp_path / "go", proc)
    time.sleep(0.3)
    kill(proc)
    data = target.read_bytes()
    assert data in (b"old\n" * 1000, b"new0\n" * 200000, b"new1\n" * 200000)


# --------------------------------------------------------------------------------- two builds, one cache


def test_two_builds_sharing_one_cache_do_not_corrupt_it(lab):
    lab_dir, cache, vint, texts = lab
    (vint / "B_DGS10.csv").write_text(texts["B small", "DGS10"])  # the 0.5 MB vintage is for the kill tests
    allowed = {sid: {(vint / f"A_{sid}.csv").read_bytes(), (vint / f"B_{sid}.csv").read_bytes()}
               for sid in ("DGS2", "DGS5", "DGS10", "DGS30", "DGS1")}
    first = spawn(lab_dir, "loop", cache, vint, ["DGS2", "DGS5", "DGS10"], rounds=4, marker=lab_dir / "m1")
    second = spawn(lab_dir, "loop", cache, vint, ["DGS10", "DGS30", "DGS1"], rounds=4, marker=lab_dir / "m2")
    wait_for(lab_dir / "m1", first)
    reads = 0
    while first.poll() is None or second.poll() is None:  # a third process (this one) reads meanwhile
        for sid in ("DGS2", "DGS10"):
            if (cache / "fred" / f"{sid}.csv").exists():
                s, prov = read_clean(cache, sid)  # a provenance warning here would be a torn read
                assert prov["sha256"] in {hashlib.sha256(b).hexdigest() for b in allowed[sid]}
                reads += 1
        time.sleep(0.01)
    for proc in (first, second):
        assert proc.returncode == 0, proc.stderr.read().decode()
    assert reads > 0
    man = DataStore(cache_dir=cache).manifest()
    assert sorted(man["key"]) == sorted(f"fred/{s}.csv" for s in ("DGS1", "DGS10", "DGS2", "DGS30", "DGS5"))
    assert not man["key"].duplicated().any()
    for row in man.itertuples():
        data = (cache / row.key).read_bytes()
        assert data in allowed[row.key[5:-4]]
        assert row.sha256 == hashlib.sha256(data).hexdigest()  # every file agrees with its manifest row
        read_clean(cache, row.key[5:-4])
    assert orphans(cache) == []
