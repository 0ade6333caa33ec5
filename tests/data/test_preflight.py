"""The build's preflight: a fast, short answer to "can every input be had?", before any notebook runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from publishers_server import NOT_SERVED, PublishersServer, mirror_of_unserved

from treasurycard.data import preflight
from treasurycard.data.inputs import INPUTS
from treasurycard.data.settings import PUBLISHERS

ROOT = Path(__file__).resolve().parents[2]


def closed_port_url() -> str:
    """An address on this machine where nothing listens (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def fresh_clone_env(tmp_path: Path, **extra) -> dict:
    """The environment of a fresh clone: no mirror, an empty cache, nothing else set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREASURYCARD_")}
    env.update(TREASURYCARD_CACHE=str(tmp_path / "cache"), NO_PROXY="127.0.0.1,localhost", **extra)
    return env


def run_preflight(env: dict, *args) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "treasurycard.data.preflight", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)
    return proc, time.perf_counter() - start


def test_fresh_clone_offline_stops_fast_with_a_short_message(tmp_path):
    proc, seconds = run_preflight(fresh_clone_env(tmp_path, TREASURYCARD_OFFLINE="1"))
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) <= preflight.MAX_LINES
    assert seconds < 10
    text = proc.stderr
    assert f"{len(INPUTS)} of the {len(INPUTS)} inputs" in text
    assert "missing from FRED (St. Louis Fed)" in text
    assert "missing from US Treasury (TIC): mfhhis01.txt, slt_table5.txt, slt_table3.txt" in text
    assert "missing from Japan Ministry of Finance: jgbcm_all" in text
    assert "missing from European Central Bank: eurofxref-hist" in text
    assert "missing from New York Fed: ACMTermPremium_monthly" in text
    assert "TREASURYCARD_MIRROR unset" in text and str(tmp_path / "cache") in text
    assert "TREASURYCARD_OFFLINE is set" in text
    assert "make data" in text and "TREASURYCARD_MIRROR=" in text and "make book" in text
    assert not (tmp_path / "cache").exists()  # the check writes nothing


def test_fresh_clone_without_network_names_the_unreachable_publishers(tmp_path):
    dead = closed_port_url()
    env = fresh_clone_env(tmp_path, **{p.setting: dead for p in PUBLISHERS.values()})
    proc, seconds = run_preflight(env, "--fetch")
    assert proc.returncode == 2 and seconds < 10
    lines = proc.stderr.strip().splitlines()
    assert len(lines) <= preflight.MAX_LINES
    assert f"network: {dead} unreachable" in proc.stderr
    assert not (tmp_path / "cache").exists()


def test_a_mirror_folder_that_does_not_exist_is_named(tmp_path):
    env = fresh_clone_env(tmp_path, TREASURYCARD_MIRROR=str(tmp_path / "no-such-folder"), TREASURYCARD_OFFLINE="1")
    proc, _ = run_preflight(env)
    assert proc.returncode == 2
    assert f"TREASURYCARD_MIRROR='{tmp_path / 'no-such-folder'}' is not a folder" in proc.stderr


def test_with_the_mirror_all_inputs_can_be_had_in_one_line(shared_data, tmp_path):
    proc, _ = run_preflight(fresh_clone_env(tmp_path, TREASURYCARD_MIRROR=str(shared_data), TREASURYCARD_OFFLINE="1"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"preflight: all {len(INPUTS)} inputs can be had ({len(INPUTS)} in the mirror)"


def test_mirror_cache_and_network_are_counted_separately(shared_data, tmp_path):
    """Two inputs in the mirror, one in the cache, the rest missing (offline): the counts and names say so."""
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    for key in ("fred/DGS10.csv", "fred/DGS2.csv"):
        (mirror / key).parent.mkdir(parents=True, exist_ok=True)
        (mirror / key).write_bytes((shared_data / key).read_bytes())
    (cache / "tic").mkdir(parents=True)
    (cache / "tic/mfhhis01.txt").write_bytes((shared_data / "tic/mfhhis01.txt").read_bytes())
    found = preflight.check({"TREASURYCARD_MIRROR": str(mirror), "TREASURYCARD_CACHE": str(cache),
                             "TREASURYCARD_OFFLINE": "1"})
    assert [i.key for i in found.in_mirror] == ["fred/DGS2.csv", "fred/DGS10.csv"]
    assert [i.key for i in found.in_cache] == ["tic/mfhhis01.txt"]
    assert len(found.missing) == len(INPUTS) - 3 and not found.to_fetch and not found.ok
    message = preflight.report(found)
    assert f"{len(INPUTS) - 3} of the {len(INPUTS)} inputs" in message
    assert "missing from US Treasury (TIC): slt_table5.txt, slt_table3.txt\n" in message  # not the cached mfhhis01


def test_online_preflight_fetches_what_is_missing(shared_data, tmp_path):
    """A fresh clone online: everything but the files the local server cannot play (in a mirror) is fetched."""
    n, m = len(INPUTS) - len(NOT_SERVED), len(NOT_SERVED)
    served = [i for i in INPUTS if i.key not in NOT_SERVED]
    with PublishersServer(shared_data) as server:
        env = fresh_clone_env(tmp_path, TREASURYCARD_MIRROR=str(mirror_of_unserved(shared_data, tmp_path / "mirror")),
                              **server.environ())
        check, _ = run_preflight(env)
        assert check.returncode == 0, check.stderr
        assert check.stdout.strip() == f"preflight: all {len(INPUTS)} inputs can be had ({m} in the mirror, {n} to fetch)"
        assert server.requests == ["/"] * len({i.publisher.folder for i in served})  # one probe per publisher
        fetched, _ = run_preflight(env, "--fetch")
        assert fetched.returncode == 0, fetched.stderr
        assert sum(line.startswith("[") for line in fetched.stdout.splitlines()) == n
        assert all((tmp_path / "cache" / i.key).is_file() for i in served)
        again, _ = run_preflight(env, "--fetch")
        assert again.stdout.strip() == f"preflight: all {len(INPUTS)} inputs can be had ({m} in the mirror, {n} in the cache)"
