"""Cache, mirror, manifest and offline switch (treasurycard.data.store)."""

import hashlib
import os
import stat

import numpy as np
import pandas as pd
import pytest
import requests

from treasurycard.errors import DataUnavailable, DataValidationError, FetchError
from treasurycard.data.store import DataStore

# A made-up series in FRED's layout (format tests only, not market data).
FAKE = "observation_date,DGS10\n2020-01-02,1.50\n2020-01-03,\n2020-01-06,1.40\n2020-01-07,1.25\n"


class FakeResponse:
    def __init__(self, text, status=200):
        self.content = text.encode()
        self.text = text
        self.status_code = status
        self.reason = "OK" if status == 200 else "Error"

    def raise_for_status(self):
        if self.status_code != 200:
            raise RuntimeError(f"HTTP {self.status_code}")


class FakeSession(requests.Session):
    """A requests.Session that never touches the network: serves canned bodies and counts calls."""

    def __init__(self, bodies):
        super().__init__()
        self.bodies = bodies
        self.calls = []

    def get(self, url, params=None, headers=None, timeout=None, **kwargs):
        self.calls.append(url)
        for key, body in self.bodies.items():
            if key in url:
                return FakeResponse(body)
        return FakeResponse("not found", status=404)


@pytest.fixture
def mirror(tmp_path):
    root = tmp_path / "mirror"
    (root / "fred").mkdir(parents=True)
    (root / "fred" / "DGS10.csv").write_text(FAKE)
    return root


def test_mirror_is_read_in_place_and_never_written(tmp_path, mirror):
    os.chmod(mirror / "fred", stat.S_IRUSR | stat.S_IXUSR)
    try:
        store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True)
        df = store.fred("DGS10", "2020-01-01", "2020-12-31")
    finally:
        os.chmod(mirror / "fred", stat.S_IRWXU)
    assert list(df.columns) == ["DGS10"] and df.index.name == "date"
    assert df["DGS10"].dtype == float
    assert not (tmp_path / "cache").exists()
    prov = store.provenance().iloc[0]
    assert prov["origin"] == "mirror"
    assert prov["sha256"] == hashlib.sha256(FAKE.encode()).hexdigest()
    assert (prov["first_date"], prov["last_date"], prov["rows"]) == ("2020-01-02", "2020-01-07", 4)


def test_fetch_writes_cache_and_manifest_then_reads_cache(tmp_path):
    session = FakeSession({"id=DGS10": FAKE})
    store = DataStore(cache_dir=tmp_path / "cache", session=session, retry_pause=0.0)
    first = store.fred("DGS10", "2020-01-01", "2020-12-31")
    assert len(session.calls) == 1
    assert (tmp_path / "cache" / "fred" / "DGS10.csv").read_text() == FAKE
    man = store.manifest()
    row = man.set_index("key").loc["fred/DGS10.csv"]
    assert row["source_url"].endswith("fredgraph.csv?id=DGS10")
    assert row["sha256"] == hashlib.sha256(FAKE.encode()).hexdigest()
    assert (row["first_date"], row["last_date"], row["rows"]) == ("2020-01-02", "2020-01-07", "4")
    assert pd.Timestamp(row["retrieved_at"]).tzinfo is not None  # UTC, with offset
    # a second store reads the cache, offline, without a network call
    again = DataStore(cache_dir=tmp_path / "cache", session=session, offline=True)
    pd.testing.assert_frame_equal(again.fred("DGS10", "2020-01-01", "2020-12-31"), first)
    assert len(session.calls) == 1
    assert again.provenance().iloc[0]["origin"] == "cache"
    assert again.provenance().iloc[0]["retrieved_at"] == row["retrieved_at"]


def test_refresh_fetches_again(tmp_path):
    session = FakeSession({"id=DGS10": FAKE})
    store = DataStore(cache_dir=tmp_path / "cache", session=session, retry_pause=0.0)
    store.fred("DGS10", "2020-01-01", "2020-12-31")
    store.fred("DGS10", "2020-01-01", "2020-12-31", refresh=True)
    assert len(session.calls) == 2


def test_offline_missing_series_gives_documented_error(tmp_path, mirror):
    session = FakeSession({})
    store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True, session=session)
    with pytest.raises(DataUnavailable, match="DGS30.*TREASURYCARD_OFFLINE"):
        store.fred(["DGS10", "DGS30"], "2020-01-01", "2020-12-31")
    assert session.calls == []


def test_bad_download_is_not_cached(tmp_path):
    session = FakeSession({"id=DGS10": "<html><body>Error</body></html>"})
    store = DataStore(cache_dir=tmp_path / "cache", session=session, retry_pause=0.0)
    with pytest.raises(Exception, match="DGS10"):
        store.fred("DGS10", "2020-01-01", "2020-12-31")
    assert not (tmp_path / "cache" / "fred" / "DGS10.csv").exists()


def test_http_error_is_fetch_error(tmp_path):
    store = DataStore(cache_dir=tmp_path / "cache", session=FakeSession({}), retry_pause=0.0)
    with pytest.raises(FetchError, match="DGS10.*fredgraph"):
        store.fred_series("DGS10")


def test_date_range_and_all_empty_rows(tmp_path, mirror):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True)
    df = store.fred("DGS10", "2020-01-03", "2020-01-06")
    # 2020-01-03 has no value in the only requested series, so it is not a trading day here
    assert list(df.index.strftime("%Y-%m-%d")) == ["2020-01-06"]
    with pytest.raises(ValueError, match="explicit start and end"):
        store.fred("DGS10", None, "2020-01-06")


def test_requested_series_without_data_in_range(tmp_path, mirror):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True)
    with pytest.raises(DataValidationError, match="DGS10"):
        store.fred("DGS10", "1990-01-01", "1990-12-31")


def test_from_env_resolves_relative_mirror_and_offline(tmp_path, mirror):
    env = {"TREASURYCARD_MIRROR": str(mirror), "TREASURYCARD_OFFLINE": "1",
           "TREASURYCARD_CACHE": str(tmp_path / "c")}
    store = DataStore.from_env(env)
    assert store.offline and store.mirror == mirror and store.cache_dir == tmp_path / "c"
    with pytest.raises(DataUnavailable, match="not a folder"):
        DataStore.from_env({"TREASURYCARD_MIRROR": str(tmp_path / "nope")})


def test_real_mirror_multi_series(shared_data, tmp_path):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    df = store.fred(["DGS10", "DEXJPUS"], "2025-01-01", "2025-06-30")
    assert list(df.columns) == ["DGS10", "DEXJPUS"]
    assert df.index.is_monotonic_increasing and df.index.is_unique
    # each value equals the mirror file's own value
    raw = pd.read_csv(shared_data / "fred" / "DEXJPUS.csv", index_col=0, parse_dates=True)["DEXJPUS"]
    common = df["DEXJPUS"].dropna().index
    np.testing.assert_allclose(df.loc[common, "DEXJPUS"], raw.loc[common], rtol=0, atol=0)
    prov = store.provenance()
    assert set(prov["origin"]) == {"mirror"}
    assert prov["note"].str.contains("repo=").all()  # the mirror's own MANIFEST.csv is reported


# ---------------------------------------------------------------------- TIC Table 3, spliced holdings, custody


def test_store_reads_table3_holdings_and_custody_from_the_mirror(tmp_path, shared_data):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    flows = store.tic_flows()
    assert flows.attrs["table5_check"] is not None and len(flows.attrs["table5_check"])
    hist = flows.attrs["history_check"]
    assert len(hist) and (hist["difference_bn"].abs() <= 0.05 + 0.02 * hist["holders_bn"]).all()
    held = store.tic_holdings()
    assert held["month"].max() >= flows["month"].max()
    custody = store.fed_custody("2002-01-01", "2030-12-31")
    raw = store.fred_series("WMTSECL1")
    first = raw[raw > 0].index[0]
    assert custody.index[0] == first and raw.loc[:first].iloc[:-1].eq(0).all()
    assert custody.loc[first] == raw.loc[first] / 1000
    keys = set(store.provenance()["key"])
    assert {"tic/slt_table3.txt", "tic/slt_table5.txt", "tic/mfhhis01.txt", "fred/WMTSECL1.csv"} <= keys
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.txt"))


def test_store_works_without_fcntl(tmp_path):
    """Windows has no ``fcntl``: the store must import, lock, write and read without it (filelock's job)."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(f"""
        import sys
        sys.modules["fcntl"] = None          # as on Windows: `import fcntl` raises ImportError
        from pathlib import Path
        from treasurycard.data.store import DataStore
        store = DataStore(cache_dir=Path({str(tmp_path / 'cache')!r}), offline=True)
        with store._locked():
            (store.cache_dir / "probe.txt").write_text("x")
        with store._locked(shared=True):
            print((store.cache_dir / "probe.txt").read_text())
        print("fcntl" in sys.modules and sys.modules["fcntl"] is not None)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["x", "False"]


def test_store_writes_each_file_read_to_the_build_log(tmp_path, monkeypatch):
    from treasurycard.data.store import READ_LOG_ENV, DataStore, read_build_log

    mirror = tmp_path / "mirror"
    (mirror / "calendars").mkdir(parents=True)
    (mirror / "calendars" / "x.csv").write_text("release_date\n2025-05-02\n")
    log = tmp_path / "log"
    monkeypatch.setenv(READ_LOG_ENV, str(log))
    store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True)
    store.path("calendars/x.csv")
    store.path("calendars/x.csv")  # read twice: one record
    table = read_build_log(log)
    assert list(table["key"]) == ["calendars/x.csv"] and table.loc[0, "origin"] == "mirror"
    monkeypatch.delenv(READ_LOG_ENV)
    DataStore(cache_dir=tmp_path / "cache", mirror=mirror, offline=True).path("calendars/x.csv")
    assert len(list(log.glob("*.json"))) == 1
