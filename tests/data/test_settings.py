"""The data settings: each publisher's base URL and URL rule, and where the store looks."""

from __future__ import annotations

import pytest

from treasurycard.data.settings import PROJECT_ROOT, PUBLISHERS, live_url, locations, publisher


@pytest.mark.parametrize("key, url", [
    ("fred/DGS10.csv", "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"),
    ("tic/mfhhis01.txt", "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/mfhhis01.txt"),
    ("mof/jgbcm_all.csv", "https://www.mof.go.jp/jgbs/reference/interest_rate/data/jgbcm_all.csv"),
    ("ecb/eurofxref-hist.csv", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"),
    ("tic/slt_table3.txt", "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/slt_table3.txt"),
    # stored as CSV, published as the workbook it is converted from
    ("nyfed/ACMTermPremium_monthly.csv",
     "https://www.newyorkfed.org/medialibrary/media/research/data_indicators/ACMTermPremium.xls"),
])
def test_public_addresses_and_their_way_back_to_the_key(key, url):
    assert live_url(key, environ={}) == url
    pub = publisher(key)
    path = url.split(pub.default, 1)[1]
    assert pub.filename_for(path) == key.split("/", 1)[1]
    # no other publisher claims the path
    assert [p.folder for p in PUBLISHERS.values() if p.filename_for(path)] == [pub.folder]


def test_base_url_setting_moves_one_publisher_only():
    env = {"TREASURYCARD_FRED_BASE_URL": "http://127.0.0.1:8123/"}
    assert live_url("fred/DGS2.csv", env) == "http://127.0.0.1:8123/graph/fredgraph.csv?id=DGS2"
    assert live_url("tic/mfhhis01.txt", env).startswith("https://ticdata.treasury.gov/")


def test_unknown_folder_is_refused_with_the_known_ones():
    with pytest.raises(KeyError, match="known folders: fred, tic, mof, ecb, nyfed"):
        live_url("boj/jgb.csv", {})
    with pytest.raises(KeyError):
        publisher("DGS10.csv")


def test_locations_take_relative_paths_from_the_project_root(tmp_path):
    where = locations({"TREASURYCARD_CACHE": "data/other-cache", "TREASURYCARD_OFFLINE": "yes"})
    assert where.cache == PROJECT_ROOT / "data" / "other-cache" and where.offline and where.mirror is None
    assert locations({}).cache == PROJECT_ROOT / "data" / "cache" and not locations({}).offline
    found = locations({"TREASURYCARD_MIRROR": str(tmp_path)})
    assert found.mirror == tmp_path and found.mirror_problem == ""
    missing = locations({"TREASURYCARD_MIRROR": "no/such/folder"})
    assert missing.mirror is None and "TREASURYCARD_MIRROR='no/such/folder' is not a folder" in missing.mirror_problem


def test_the_readers_public_addresses_are_the_publishers_defaults():
    """The URL constants the reader modules document are what live_url gives without a base-URL setting."""
    from treasurycard.data.sources import ecb, mof, nyfed
    from treasurycard.data.store import TIC_TABLE3_URL, TIC_URLS

    assert live_url("tic/slt_table3.txt", {}) == TIC_TABLE3_URL
    assert {name: live_url(f"tic/{name}", {}) for name in TIC_URLS} == TIC_URLS
    assert live_url("mof/jgbcm_all.csv", {}) == mof.JGB_URL
    assert live_url("ecb/eurofxref-hist.csv", {}) == ecb.ECB_URL
    assert live_url("nyfed/ACMTermPremium_monthly.csv", {}) == nyfed.ACM_URL


def test_every_publisher_has_its_own_base_url_setting():
    settings = [p.setting for p in PUBLISHERS.values()]
    assert len(set(settings)) == len(settings) == len(PUBLISHERS)
    assert "TREASURYCARD_NYFED_BASE_URL" in settings
    env = {"TREASURYCARD_NYFED_BASE_URL": "http://127.0.0.1:9/"}
    assert live_url("nyfed/ACMTermPremium_monthly.csv", env) == (
        "http://127.0.0.1:9/medialibrary/media/research/data_indicators/ACMTermPremium.xls")
    assert live_url("mof/jgbcm_all.csv", env).startswith("https://www.mof.go.jp/")
