"""The registry of inputs, ``make data``, and the live path end to end against a local server playing the publishers.

The server (``publishers_server.py``) serves the real mirror's files on 127.0.0.1 in the publishers' own
formats; the data layer is pointed at it with the documented base-URL settings and an empty cache, and
fetches every input the book uses through the real code path (pandas-datareader for FRED, requests for the
Treasury). No test here touches the internet.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from publishers_server import PublishersServer

from treasurycard.data.inputs import INPUTS, fetch_all, inputs_by_key, vintage_table
from treasurycard.data.series import CATALOGUE
from treasurycard.data.settings import PUBLISHERS, live_url
from treasurycard.data.sources.fred import read_fred_csv
from treasurycard.data.sources.tic import read_major_foreign_holders
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


# ------------------------------------------------------------------------------------------ the registry


def test_registry_has_every_catalogued_series_and_the_tic_history():
    keys = [i.key for i in INPUTS]
    assert len(keys) == len(set(keys))
    assert {f"fred/{s}.csv" for s in CATALOGUE} <= set(keys)
    assert "tic/mfhhis01.txt" in keys
    # the chapters' series are all registered (the studies' lists, and the ones chapters read directly)
    from treasurycard.book import study

    used = {*study.APRIL_SERIES, *study.KATO_SERIES, "DGS5", "FDHBFIN", "DGS10"}
    assert {f"fred/{s}.csv" for s in used} <= set(keys)
    assert all(i.publisher.folder == i.key.split("/")[0] for i in INPUTS)


def test_registry_inputs_are_all_in_the_mirror(shared_data):
    absent = [i.key for i in INPUTS if not (shared_data / i.key).is_file()]
    assert not absent, f"inputs missing from the mirror {shared_data}: {absent}"


def test_registry_import_loads_no_pandas():
    code = "import sys, treasurycard.data.inputs, treasurycard.data.preflight; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------------------------------ the server itself


def test_server_serves_each_publishers_files_in_their_own_format(shared_data, server):
    """One file per publisher folder of the mirror, at the URL the data layer would ask for."""
    for folder, pub in PUBLISHERS.items():
        files = sorted(p for p in (shared_data / folder).glob("*") if p.is_file())
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


# ------------------------------------------------------------------------------------------ end to end


def test_every_input_fetched_from_the_publishers_matches_the_mirror(shared_data, server, tmp_path):
    store = empty_store(tmp_path)
    out = io.StringIO()
    provenance, failures = fetch_all(store, out=out)
    assert failures == []
    assert list(provenance["key"]) == [i.key for i in INPUTS]
    assert (provenance["origin"] == "fetched").all()
    # every input was asked for once, at the publisher's own URL (FRED through pandas-datareader)
    assert sorted(server.requests) == sorted(i.key for i in INPUTS)

    manifest = store.manifest().set_index("key")
    assert set(manifest.index) == {i.key for i in INPUTS}
    for item in INPUTS:
        mirror_bytes = (shared_data / item.key).read_bytes()
        cached = store.cache_dir / item.key
        assert cached.read_bytes() == mirror_bytes, item.key
        row = manifest.loc[item.key]
        assert row["source_url"] == item.url()
        assert row["sha256"] == hashlib.sha256(mirror_bytes).hexdigest()
        assert row["retrieved_at"] and int(row["rows"]) > 0
    # and the parsed data are the mirror's, series by series
    for item in INPUTS:
        if item.key.startswith("fred/"):
            sid = Path(item.key).stem
            pd.testing.assert_series_equal(store.fred_series(sid), read_fred_csv(shared_data / item.key))
    pd.testing.assert_frame_equal(store.tic("mfhhis01.txt").reset_index(drop=True),
                                  read_major_foreign_holders(shared_data / "tic/mfhhis01.txt").reset_index(drop=True),
                                  check_like=True)
    # one progress line per file, naming it, its size, its data range and where it came from
    lines = out.getvalue().splitlines()
    assert len(lines) == len(INPUTS)
    assert all("fetched, retrieved" in line and (" kB" in line or " MB" in line) for line in lines)

    # a second run with the full cache touches no network
    asked = len(server.requests)
    again = DataStore(cache_dir=store.cache_dir, offline=False, retry_pause=0.01)
    provenance, failures = fetch_all(again, out=io.StringIO())
    assert failures == [] and (provenance["origin"] == "cache").all()
    assert len(server.requests) == asked
    table = vintage_table(provenance)
    assert list(table.columns[:3]) == ["file", "origin", "retrieved (UTC)"]
    assert (table["retrieved (UTC)"] == manifest.loc[table["file"], "retrieved_at"].to_numpy()).all()


FAULT_SOURCES = {"fred": "fred/DGS10.csv", "tic": "tic/mfhhis01.txt"}


@pytest.mark.parametrize("source", FAULT_SOURCES)
def test_503_then_success_is_retried_and_cached(shared_data, server, tmp_path, source):
    key = FAULT_SOURCES[source]
    server.faults[key] = ["503"]
    store = empty_store(tmp_path)
    inputs_by_key()[key].read(store)
    assert server.requests == [key, key]
    assert (store.cache_dir / key).read_bytes() == (shared_data / key).read_bytes()
    assert store.manifest()["key"].tolist() == [key]


@pytest.mark.parametrize("source", FAULT_SOURCES)
def test_html_error_page_is_refused_not_retried_nothing_cached(server, tmp_path, source):
    key = FAULT_SOURCES[source]
    server.faults[key] = ["html"]
    store = empty_store(tmp_path)
    with pytest.raises(FetchError) as info:
        inputs_by_key()[key].read(store)
    msg = str(info.value)
    assert "HTML page" in msg and "Error - St. Louis Fed" in msg and live_url(key) in msg
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
    assert (store.cache_dir / key).read_bytes() == (shared_data / key).read_bytes()


# ------------------------------------------------------------------------------------------ make data


def _run(module: str, env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_make_data_prints_a_line_per_file_then_the_vintages(server, tmp_path):
    env = {**os.environ, "TREASURYCARD_CACHE": str(tmp_path / "cache")}
    first = _run("treasurycard.data.inputs", env)
    assert first.returncode == 0, first.stderr[-2000:]
    lines = first.stdout.splitlines()
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == len(INPUTS)
    assert progress[0].startswith(f"[ 1/{len(INPUTS)}]") and "fetched, retrieved" in progress[0]
    assert "Vintages:" in lines
    assert sum(i.key in first.stdout.split("Vintages:")[1] for i in INPUTS) == len(INPUTS)
    asked = len(server.requests)
    assert asked == len(INPUTS)
    second = _run("treasurycard.data.inputs", env)
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(server.requests) == asked  # a full cache: no network
    assert all(" cache, retrieved " in line for line in second.stdout.splitlines() if line.startswith("["))


def test_make_data_reports_what_failed(server, tmp_path):
    server.faults["fred/DGS10.csv"] = ["html"]
    env = {**os.environ, "TREASURYCARD_CACHE": str(tmp_path / "cache")}
    run = _run("treasurycard.data.inputs", env)
    assert run.returncode == 1
    assert "FAILED" in run.stdout and "fred/DGS10.csv" in run.stderr and "1 of" in run.stderr

