"""Reliability, failure class 4: numbers stay honest.

A stale copy is never presented as fresh (its vintage is carried to the book's captions); a chapter whose
required series is missing, or stops inside the charted window, fails the build instead of drawing a
partial chart; no secret (a FRED API key, should one ever be used) reaches an error, a warning, the cache,
the manifest, the provenance table or a page.
"""

from __future__ import annotations

import os
import traceback
import warnings
from pathlib import Path

import pandas as pd
import pytest
import requests
import yaml

from treasurycard.errors import (
    DataProvenanceWarning,
    DataUnavailable,
    DataValidationError,
    FetchError,
    StaleDataWarning,
    redact_secrets,
)
from treasurycard.data.sources import fred as fred_source
from treasurycard.data.store import PROJECT_ROOT, DataStore, _fetch_text

# A made-up series in FRED's layout (format tests only, not market data).
FAKE = "observation_date,DGS10\n2020-01-02,1.50\n2020-01-03,\n2020-01-06,1.40\n2020-01-07,1.25\n"
KEY = "0123456789abcdef0123456789abcdef"  # a made-up key in FRED's format (32 hex digits)


def reply(body="", status=200, headers=None) -> requests.Response:
    r = requests.Response()
    r.status_code, r.encoding = status, "utf-8"
    r._content = body.encode() if isinstance(body, str) else body
    r.headers.update(headers or {})
    return r


class ScriptedSession(requests.Session):
    """Never touches the network: serves ``steps`` in turn (the last repeats); a step may be an exception."""

    def __init__(self, *steps):
        super().__init__()
        self.steps = list(steps)
        self.calls = []

    def get(self, url, **kwargs):
        self.calls.append(url)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, BaseException):
            raise step
        return step


def vintage_line(provenance: pd.DataFrame, key: str) -> str:
    from treasurycard.book.preamble import vintage

    return vintage(provenance, key)


# ----------------------------------------------------------------------------- stale is never fresh


def test_stale_cache_is_labelled_with_its_vintage_everywhere(tmp_path):
    cache = tmp_path / "cache"
    DataStore(cache_dir=cache, session=ScriptedSession(reply(FAKE)), retry_pause=0.0).fred_series("DGS10")
    retrieved = DataStore(cache_dir=cache).manifest()["retrieved_at"].iloc[0]
    store = DataStore(cache_dir=cache, session=ScriptedSession(reply("", 503)), retry_pause=0.0, retry_count=1)
    with pytest.warns(StaleDataWarning) as caught:
        store.fred("DGS10", "2020-01-01", "2020-12-31", refresh=True)
    assert f"retrieved {retrieved}" in str(caught[0].message)
    prov = store.provenance()
    row = prov.set_index("key").loc["fred/DGS10.csv"]
    assert row["origin"] == "cache" and row["stale"] and row["retrieved_at"] == retrieved
    assert "refresh failed" in row["note"]
    line = vintage_line(prov, "fred/DGS10.csv")  # what a caption shows
    assert "cached download" in line and f"retrieved {retrieved}" in line
    assert not line.split(":", 1)[1].lstrip().startswith("download")  # never the wording of a fresh download


def test_fresh_download_is_the_only_thing_called_a_download(tmp_path):
    store = DataStore(cache_dir=tmp_path / "cache", session=ScriptedSession(reply(FAKE)), retry_pause=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.fred_series("DGS10")
    row = store.provenance().iloc[0]
    assert row["origin"] == "fetched" and not row["stale"] and row["retrieved_at"]
    assert ", downloaded by this build, retrieved " in vintage_line(store.provenance(), "fred/DGS10.csv")


@pytest.mark.parametrize("damage", ["file-replaced", "row-missing", "manifest-missing"])
def test_cache_whose_vintage_is_unknown_says_so(tmp_path, damage):
    cache = tmp_path / "cache"
    DataStore(cache_dir=cache, session=ScriptedSession(reply(FAKE)), retry_pause=0.0).fred_series("DGS10")
    if damage == "file-replaced":  # e.g. a hand edit, or a run killed between file and manifest
        (cache / "fred" / "DGS10.csv").write_text(FAKE.replace("1.25", "1.26"))
    elif damage == "row-missing":
        (cache / "manifest.csv").write_text(",".join(DataStore(cache_dir=cache).manifest().columns) + "\n")
    else:
        (cache / "manifest.csv").unlink()
    store = DataStore(cache_dir=cache, offline=True)
    with pytest.warns(DataProvenanceWarning, match="retrieval time is unknown"):
        store.fred_series("DGS10")
    prov = store.provenance()
    assert prov["retrieved_at"].iloc[0] is None and "unknown" in prov["note"].iloc[0]
    assert "retrieved" not in vintage_line(prov, "fred/DGS10.csv")  # no retrieval time is made up


def test_damaged_manifest_is_a_documented_error(tmp_path):
    cache = tmp_path / "cache"
    DataStore(cache_dir=cache, session=ScriptedSession(reply(FAKE)), retry_pause=0.0).fred_series("DGS10")
    (cache / "manifest.csv").write_text("<html>not a manifest</html>\n")
    from treasurycard.errors import DataFormatError

    with pytest.raises(DataFormatError, match=r"manifest\.csv, line 1: expected the cache manifest written by"):
        DataStore(cache_dir=cache, offline=True).fred_series("DGS10")


# ------------------------------------------------------------------- missing data fails, never partial


@pytest.fixture
def thin_mirror(tmp_path, shared_data) -> Path:
    """A mirror holding links to three of the real FRED files only (nothing is copied)."""
    root = tmp_path / "mirror"
    (root / "fred").mkdir(parents=True)
    for sid in ("DGS10", "DEXJPUS", "DEXCHUS"):
        (root / "fred" / f"{sid}.csv").symlink_to(shared_data / "fred" / f"{sid}.csv")
    return root


def test_missing_required_series_fails_the_whole_request(tmp_path, thin_mirror):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=thin_mirror, offline=True)
    with pytest.raises(DataUnavailable, match=r"fred/DGS30\.csv is in neither .* TREASURYCARD_OFFLINE"):
        store.fred(["DGS10", "DGS30", "DEXJPUS"], "2025-01-01", "2025-06-30")
    assert not (tmp_path / "cache").exists()


def test_failed_fetch_of_one_series_fails_the_whole_request(tmp_path, thin_mirror):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=thin_mirror, retry_pause=0.0, retry_count=0,
                      session=ScriptedSession(reply("<html><title>Not Found</title></html>", 404)))
    with pytest.raises(FetchError, match="DGS30"):
        store.fred(["DGS10", "DGS30"], "2025-01-01", "2025-06-30")


def test_series_without_data_in_the_window_fails(tmp_path, thin_mirror):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=thin_mirror, offline=True)
    with pytest.raises(DataValidationError, match="no observation in the requested dates: DEXCHUS"):
        store.fred(["DGS10", "DEXCHUS"], "2025-10-01", "2025-12-31")  # the DEXCHUS copy ends 2025-09-26


def test_series_ending_inside_the_window_fails_when_coverage_is_required(tmp_path, thin_mirror):
    store = DataStore(cache_dir=tmp_path / "cache", mirror=thin_mirror, offline=True)
    partial = store.fred(["DGS10", "DEXCHUS"], "2025-01-01", "2025-12-31")  # what a chart would be drawn from
    assert partial["DEXCHUS"].last_valid_index() == pd.Timestamp("2025-09-26")
    with pytest.raises(DataValidationError) as info:
        store.fred(["DGS10", "DEXCHUS"], "2025-01-01", "2025-12-31", complete=True)
    msg = str(info.value)
    assert "DEXCHUS (daily) has data 2025-01-02 to 2025-09-26" in msg and "DGS10" not in msg.split("range:")[1]
    assert "would be partial" in msg


def test_the_books_own_window_is_complete_in_the_snapshot(tmp_path, shared_data):
    # The data chapter's series and window (chapters/data_sources.md) pass the coverage check.
    series = ["DGS3MO", "DGS2", "DGS5", "DGS10", "DGS30", "DFII10", "T10YIE", "THREEFYTP10", "DTWEXBGS", "DEXJPUS",
              "VIXCLS", "SP500"]
    store = DataStore(cache_dir=tmp_path / "cache", mirror=shared_data, offline=True)
    frame = store.fred(series, "2024-01-01", "2025-12-31", complete=True)
    assert list(frame.columns) == series


def test_book_config_turns_a_failing_cell_into_a_failing_build():
    config = yaml.safe_load((PROJECT_ROOT / "_config.yml").read_text())
    assert config["execute"]["allow_errors"] is False
    assert config["sphinx"]["config"]["nb_execution_raise_on_error"] is True


def test_a_chapter_cell_with_a_missing_series_raises_in_a_real_kernel(tmp_path, thin_mirror):
    """What the book build does with a chapter: execute its cells in a kernel; the missing series raises."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from pathlib import Path\nfrom treasurycard.data.store import DataStore\n"
        f"store = DataStore(cache_dir=Path({str(tmp_path / 'cache')!r}), mirror=Path({str(thin_mirror)!r}), "
        "offline=True)\n"
        "levels = store.fred(['DGS10', 'DGS30'], start='2025-01-01', end='2025-06-30')"),
        nbformat.v4.new_code_cell("print('a partial chart would be drawn here')")])
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=60, allow_errors=False)
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="DataUnavailable"):
        client.execute()
    assert nb.cells[1].get("outputs", []) == []  # the cell that would chart never ran


# ---------------------------------------------------------------------------------------- no secrets


def test_redact_secrets():
    env = {"FRED_API_KEY": KEY}
    assert redact_secrets(f"https://api.stlouisfed.org/fred/series?id=DGS10&api_key={KEY}&file_type=json", env) == \
        "https://api.stlouisfed.org/fred/series?id=DGS10&api_key=<redacted>&file_type=json"
    assert redact_secrets(f"the key {KEY} was refused", env) == "the key <redacted> was refused"
    assert redact_secrets("x?token=abc&apikey=def", {}) == "x?token=<redacted>&apikey=<redacted>"
    assert redact_secrets("fredgraph.csv?id=DGS10", env) == "fredgraph.csv?id=DGS10"  # nothing else is touched


@pytest.fixture
def keyed(monkeypatch):
    """A FRED_API_KEY in the environment, and FRED addresses that carry it (as the FRED API's would)."""
    monkeypatch.setenv("FRED_API_KEY", KEY)
    real = fred_source.fred_url
    monkeypatch.setattr(fred_source, "fred_url", lambda sid: f"{real(sid)}&api_key={os.environ['FRED_API_KEY']}")


def _everything_written(cache: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(cache.rglob("*")) if p.is_file())


@pytest.mark.parametrize(
    "fault",
    [requests.ConnectionError(f"Max retries exceeded with url: /graph/fredgraph.csv?id=DGS10&api_key={KEY}"),
     reply(f"<html><title>Bad Request. The value for variable api_key ({KEY}) is not registered.</title></html>",
           400),
     reply(f"<html><title>api_key={KEY} refused</title></html>", 200),
     reply(f"observation_date,DGS10\n2020-01-02,{KEY}\n")],
    ids=["connection-error", "http-400-echoing-key", "html-echoing-key", "body-with-key"],
)
def test_no_key_in_errors_or_tracebacks(tmp_path, keyed, fault, capsys):
    store = DataStore(cache_dir=tmp_path / "cache", session=ScriptedSession(fault), retry_pause=0.0, retry_count=1)
    with pytest.raises(FetchError) as info:
        store.fred("DGS10", "2020-01-01", "2020-12-31")
    shown = "".join(traceback.format_exception(info.value)) + repr(info.value)
    assert KEY not in shown and "DGS10" in shown
    assert KEY not in "".join(capsys.readouterr())
    assert not (tmp_path / "cache" / "manifest.csv").exists()


def test_no_key_in_cache_manifest_provenance_warnings_or_captions(tmp_path, keyed, capsys):
    cache = tmp_path / "cache"
    store = DataStore(cache_dir=cache, session=ScriptedSession(reply(FAKE)), retry_pause=0.0)
    store.fred("DGS10", "2020-01-01", "2020-12-31")
    assert KEY not in _everything_written(cache).decode()
    man = DataStore(cache_dir=cache).manifest()
    assert man["source_url"].iloc[0].endswith("fredgraph.csv?id=DGS10&api_key=<redacted>")
    assert KEY not in store.provenance().to_csv() and KEY not in vintage_line(store.provenance(), "fred/DGS10.csv")
    # a failing refresh: the warning and the stale provenance row carry no key either
    stale = DataStore(cache_dir=cache, retry_pause=0.0, retry_count=0, session=ScriptedSession(
        requests.ConnectionError(f"GET /graph/fredgraph.csv?id=DGS10&api_key={KEY} failed")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stale.fred("DGS10", "2020-01-01", "2020-12-31", refresh=True)
    assert caught and all(KEY not in str(w.message) for w in caught)
    assert KEY not in stale.provenance().to_csv()
    assert KEY not in _everything_written(cache).decode()
    assert KEY not in "".join(capsys.readouterr())


def test_no_key_from_the_tic_download_path(tmp_path, monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", KEY)
    session = ScriptedSession(requests.ConnectionError(f"refused: token={KEY}"))
    with pytest.raises(FetchError) as info:
        _fetch_text(f"https://example.invalid/file.txt?token={KEY}", session, retry_count=0)
    assert KEY not in "".join(traceback.format_exception(info.value))
