"""The registry of inputs, ``make data``, and the live path end to end against a local server playing the publishers.

The server (``publishers_server.py``) serves the real mirror's files on 127.0.0.1 in the publishers' own
formats; the data layer is pointed at it with the documented base-URL settings and an empty cache, and
fetches every input the book uses through the real code path (pandas-datareader for FRED, requests for the
Treasury, the Ministry of Finance and the ECB). No test here touches the internet.

One input is not fetched from the server: the New York Fed's ACM file, which the book converts from an Excel
``.xls`` workbook that cannot be made offline (``publishers_server.NOT_SERVED`` gives the reason in full). These
tests read it from a mirror folder holding only that file; ``test_nyfed.py`` tests its conversion and fetch.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from publishers_server import NOT_SERVED, PublishersServer, mirror_of_unserved

from treasurycard.data.inputs import INPUTS, fetch_all, inputs_by_key, vintage_table
from treasurycard.data.series import CATALOGUE
from treasurycard.data.settings import PUBLISHERS, live_url
from treasurycard.data.store import DataStore
from treasurycard.errors import FetchError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(shared_data, monkeypatch):
    """The local publishers' server over the real mirror, with the data layer's base URLs pointed at it."""
    with PublishersServer(shared_data) as srv:
        for name, value in srv.environ().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.delenv("TREASURYCARD_MIRROR", raising=False)
        monkeypatch.delenv("TREASURYCARD_OFFLINE", raising=False)
        yield srv


def empty_store(tmp_path: Path) -> DataStore:
    return DataStore(cache_dir=tmp_path / "cache", mirror=None, offline=False, retry_pause=0.01)


#: The inputs the local server plays (every registry row but the ACM file, see the module docstring).
SERVED = [i for i in INPUTS if i.key not in NOT_SERVED]


def cached_bytes(key: str, mirror_bytes: bytes) -> bytes:
    """What the store caches when the publisher serves the mirror's file: the same bytes, except the MoF's
    Shift_JIS file, which the store keeps re-encoded as UTF-8 (the same text; ``DataStore.jgb_table``)."""
    return mirror_bytes.decode("cp932").encode("utf-8") if key == "mof/jgbcm_all.csv" else mirror_bytes


def assert_same_data(got, want, key: str) -> None:
    if isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want, obj=key)
    else:
        pd.testing.assert_frame_equal(got, want, obj=key)


# ------------------------------------------------------------------------------------------ the registry


def test_registry_has_every_catalogued_fred_series_and_the_other_publishers_files():
    keys = [i.key for i in INPUTS]
    assert len(keys) == len(set(keys))
    fred = {s for s, info in CATALOGUE.items() if info.source == "FRED"}
    assert {k for k in keys if k.startswith("fred/")} == {f"fred/{s}.csv" for s in fred}
    assert "fred/JGB10Y.csv" not in keys and "fred/ECBJPYUSD.csv" not in keys  # columns of the MoF and ECB files
    assert [k for k in keys if not k.startswith("fred/")] == [
        "tic/mfhhis01.txt", "tic/slt_table5.txt", "tic/slt_table3.txt", "mof/jgbcm_all.csv",
        "ecb/eurofxref-hist.csv", "nyfed/ACMTermPremium_monthly.csv"]
    assert {i.publisher.folder for i in INPUTS} == set(PUBLISHERS)
    # the chapters' series are all registered (the studies' lists, and the ones chapters read directly)
    from treasurycard.book import study

    used = {*study.APRIL_SERIES, *study.KATO_SERIES, "DGS5", "FDHBFIN", "DGS10"}
    assert {f"fred/{s}.csv" for s in used} <= set(keys)
    assert all(i.publisher.folder == i.key.split("/")[0] for i in INPUTS)


def test_registry_inputs_are_all_in_the_mirror(shared_data):
    absent = [i.key for i in INPUTS if not (shared_data / i.key).is_file()]
    assert not absent, f"inputs missing from the mirror {shared_data}: {absent}"


def test_every_file_the_chapters_readers_read_is_a_registry_row(shared_data, tmp_path):
    """The store's readers the chapters call (the book's studies call these same methods) read registry files only."""
    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    store.fred(["DGS10", "DEXJPUS"], "2025-04-01", "2025-05-30")
    store.tic("mfhhis01.txt")
    store.tic_holdings()
    store.tic_flows()
    store.fed_custody("2025-03-01", "2025-05-30")
    store.fred_series("GFDEBTN")
    store.jgb(["JGB10Y", "JGB30Y"], "2025-04-01", "2025-05-30")
    store.ecb("ECBJPYUSD", "2025-04-01", "2025-05-30")
    store.acm_monthly()
    read = {p.key for p in store.read_log}
    assert read - {i.key for i in INPUTS} == set()
    assert {"tic/slt_table3.txt", "tic/slt_table5.txt", "mof/jgbcm_all.csv", "ecb/eurofxref-hist.csv",
            "nyfed/ACMTermPremium_monthly.csv", "fred/WMTSECL1.csv", "fred/GFDEBTN.csv"} <= read


def test_registry_import_loads_no_pandas():
    code = "import sys, treasurycard.data.inputs, treasurycard.data.preflight; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------------------------------ the server itself


def test_server_serves_each_publishers_files_in_their_own_format(shared_data, server):
    """One file per publisher folder of the mirror, at the URL the data layer would ask for."""
    for folder, pub in PUBLISHERS.items():
        files = sorted(p for p in (shared_data / folder).glob("*")
                       if p.is_file() and f"{folder}/{p.name}" not in NOT_SERVED)
        if not files:
            continue
        key = f"{folder}/{files[0].name}"
        with urllib.request.urlopen(live_url(key), timeout=10) as resp:
            body = resp.read()
            assert resp.headers["Content-Type"] == pub.content_type
        if pub.zipped:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                assert archive.namelist() == [files[0].name]
                body = archive.read(files[0].name)
        assert body == files[0].read_bytes(), key
    assert live_url("mof/jgbcm_all.csv").endswith("/jgbs/reference/interest_rate/data/jgbcm_all.csv")
    assert live_url("ecb/eurofxref-hist.csv").endswith("/stats/eurofxref/eurofxref-hist.zip")


def test_server_refuses_to_play_a_file_it_cannot_make_and_says_why(server):
    for key, reason in NOT_SERVED.items():
        assert live_url(key).endswith("/medialibrary/media/research/data_indicators/ACMTermPremium.xls")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(live_url(key), timeout=10)
        assert err.value.code == 501 and reason[:60] in err.value.read().decode()


# ------------------------------------------------------------------------------------------ end to end


def test_every_input_fetched_from_the_publishers_matches_the_mirror(shared_data, server, tmp_path):
    """With an empty cache every input is fetched from the local publishers (the ACM file, which the server
    cannot play, is read from a mirror holding only it), cached, recorded, and equal to the mirror's."""
    store = DataStore(cache_dir=tmp_path / "cache", mirror=mirror_of_unserved(shared_data, tmp_path / "mirror"),
                      offline=False, retry_pause=0.01)
    out = io.StringIO()
    provenance, failures = fetch_all(store, out=out)
    assert failures == []
    assert list(provenance["key"]) == [i.key for i in INPUTS]
    origin = provenance.set_index("key")["origin"]
    assert (origin[[i.key for i in SERVED]] == "fetched").all()
    assert (origin[list(NOT_SERVED)] == "mirror").all()
    # every served input was asked for once, at the publisher's own URL (FRED through pandas-datareader)
    assert sorted(server.requests) == sorted(i.key for i in SERVED)

    manifest = store.manifest().set_index("key")
    assert set(manifest.index) == {i.key for i in SERVED}
    for item in SERVED:
        mirror_bytes = (shared_data / item.key).read_bytes()
        cached = (store.cache_dir / item.key).read_bytes()
        assert cached == cached_bytes(item.key, mirror_bytes), item.key
        row = manifest.loc[item.key]
        assert row["source_url"] == item.url()
        assert row["sha256"] == hashlib.sha256(cached).hexdigest()
        assert row["retrieved_at"] and int(row["rows"]) > 0
    # and the data read from the cache are the mirror's, input by input (series, tables, checks)
    mirror_store = DataStore(cache_dir=tmp_path / "unused", mirror=shared_data, offline=True)
    for item in INPUTS:
        assert_same_data(item.read(store), item.read(mirror_store), item.key)
    assert {p.origin for p in store.read_log if p.key in {i.key for i in SERVED}} == {"fetched", "cache"}
    # one progress line per file, naming it, its size, its data range and where it came from
    lines = out.getvalue().splitlines()
    assert len(lines) == len(INPUTS)
    assert all((" kB" in line or " MB" in line) for line in lines)
    assert sum("fetched, retrieved" in line for line in lines) == len(SERVED)
    assert all("mirror, mirror snapshot" in line for line in lines if any(k in line for k in NOT_SERVED))

    # a second run with the full cache touches no network
    asked = len(server.requests)
    again = DataStore(cache_dir=store.cache_dir, mirror=store.mirror, offline=False, retry_pause=0.01)
    provenance, failures = fetch_all(again, out=io.StringIO())
    assert failures == [] and (provenance.set_index("key")["origin"][[i.key for i in SERVED]] == "cache").all()
    assert len(server.requests) == asked
    table = vintage_table(provenance)
    assert list(table.columns[:3]) == ["file", "origin", "retrieved (UTC)"]
    served = table[table["file"].isin(manifest.index)]
    assert len(served) == len(SERVED)
    assert (served["retrieved (UTC)"] == manifest.loc[served["file"], "retrieved_at"].to_numpy()).all()


#: One file per publisher the server plays; each bad response below is served for each.
FAULT_SOURCES = {"fred": "fred/DGS10.csv", "tic": "tic/mfhhis01.txt", "mof": "mof/jgbcm_all.csv",
                 "ecb": "ecb/eurofxref-hist.csv"}


@pytest.mark.parametrize("source", FAULT_SOURCES)
def test_503_then_success_is_retried_and_cached(shared_data, server, tmp_path, source):
    key = FAULT_SOURCES[source]
    server.faults[key] = ["503"]
    store = empty_store(tmp_path)
    inputs_by_key()[key].read(store)
    assert server.requests == [key, key]
    assert (store.cache_dir / key).read_bytes() == cached_bytes(key, (shared_data / key).read_bytes())
    assert store.manifest()["key"].tolist() == [key]


@pytest.mark.parametrize("source", FAULT_SOURCES)
def test_html_error_page_is_refused_not_retried_nothing_cached(server, tmp_path, source):
    key = FAULT_SOURCES[source]
    server.faults[key] = ["html"]
    store = empty_store(tmp_path)
    with pytest.raises(FetchError) as info:
        inputs_by_key()[key].read(store)
    msg = str(info.value)
    assert "HTML page" in msg and live_url(key) in msg
    assert f"titled 'Error - {PUBLISHERS[source].name}'" in msg  # the page's title is quoted
    assert "Nothing was written to the cache" in msg
    assert server.requests == [key]  # a permanent fault: not retried
    assert not (store.cache_dir / key).exists() and store.manifest().empty


@pytest.mark.parametrize("source", FAULT_SOURCES)
def test_truncated_body_is_retried_then_refused_nothing_cached(shared_data, server, tmp_path, source):
    key = FAULT_SOURCES[source]
    store = empty_store(tmp_path)
    server.faults[key] = ["truncated"] * (store.retry_count + 1)
    with pytest.raises(FetchError) as info:
        inputs_by_key()[key].read(store)
    msg = str(info.value)
    assert live_url(key) in msg and f"attempt {store.retry_count + 1}:" in msg and "IncompleteRead" in msg
    assert server.requests == [key] * (store.retry_count + 1)  # transient: retried, a bounded number of times
    assert not (store.cache_dir / key).exists() and store.manifest().empty
    # once the publisher serves the whole file again, the fetch succeeds
    inputs_by_key()[key].read(store)
    assert (store.cache_dir / key).read_bytes() == cached_bytes(key, (shared_data / key).read_bytes())


# ------------------------------------------------------------------------------------------ make data


def _run(module: str, env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_make_data_prints_a_line_per_file_then_the_vintages(shared_data, server, tmp_path):
    env = {**os.environ, "TREASURYCARD_CACHE": str(tmp_path / "cache"),
           "TREASURYCARD_MIRROR": str(mirror_of_unserved(shared_data, tmp_path / "mirror"))}
    first = _run("treasurycard.data.inputs", env)
    assert first.returncode == 0, first.stderr[-2000:]
    lines = first.stdout.splitlines()
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == len(INPUTS)
    assert progress[0].startswith(f"[ 1/{len(INPUTS)}]") and "fetched, retrieved" in progress[0]
    assert sum("fetched, retrieved" in line for line in progress) == len(SERVED)
    assert "Vintages:" in lines
    assert sum(i.key in first.stdout.split("Vintages:")[1] for i in INPUTS) == len(INPUTS)
    asked = len(server.requests)
    assert asked == len(SERVED)
    second = _run("treasurycard.data.inputs", env)
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(server.requests) == asked  # a full cache: no network
    again = [line for line in second.stdout.splitlines() if line.startswith("[")]
    assert sum(" cache, retrieved " in line for line in again) == len(SERVED)
    assert sum(" mirror, mirror snapshot " in line for line in again) == len(NOT_SERVED)


def test_make_data_reports_what_failed(shared_data, server, tmp_path):
    server.faults["fred/DGS10.csv"] = ["html"]
    env = {**os.environ, "TREASURYCARD_CACHE": str(tmp_path / "cache"),
           "TREASURYCARD_MIRROR": str(mirror_of_unserved(shared_data, tmp_path / "mirror"))}
    run = _run("treasurycard.data.inputs", env)
    assert run.returncode == 1
    assert "FAILED" in run.stdout and "fred/DGS10.csv" in run.stderr and "1 of" in run.stderr

