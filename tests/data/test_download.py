"""Tests of the binary download helper: retries on transient faults, stops on permanent ones."""

from __future__ import annotations

import pytest

from treasurycard.data.sources.download import fetch_bytes
from treasurycard.errors import FetchError
from fake_http import Response, ScriptedSession


def test_transient_faults_are_retried_then_the_body_returned():
    session = ScriptedSession(Response(b"", 503), Response(b"", 200), Response(b"PK\x03\x04", 200, {"Content-Length": "4"}))
    waits = []
    assert fetch_bytes("https://x/f.zip", "a file", session=session, pause=0.5, sleep=waits.append) == b"PK\x03\x04"
    assert session.calls == 3 and waits == [0.5, 1.0]


def test_truncated_body_is_retried_and_permanent_fault_is_not():
    session = ScriptedSession(Response(b"ab", 200, {"Content-Length": "10"}), Response(b"", 404))
    with pytest.raises(FetchError) as err:
        fetch_bytes("https://x/f.zip", "a file", session=session, pause=0.0, sleep=lambda s: None)
    assert session.calls == 2 and "truncated" in str(err.value) and "HTTP 404" in str(err.value)
    assert "https://x/f.zip" in str(err.value)
