"""Shared fixtures: where the real data snapshot lives, and how its absence is reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The read-only snapshot of public FRED/TIC files beside the checkout (see ../shared/data/PROVENANCE.md).
#: ``TREASURYCARD_TEST_MIRROR`` overrides it.
SHARED_DATA = Path(
    os.environ.get("TREASURYCARD_TEST_MIRROR", Path(__file__).resolve().parents[1].parent / "shared" / "data")
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the real data snapshot; skip if absent, but fail under CI (``CI=true``)."""
    if (SHARED_DATA / "fred").is_dir():
        return SHARED_DATA
    msg = (
        f"real data snapshot not found at {SHARED_DATA}; clone the project beside a 'shared/data' folder "
        "or set TREASURYCARD_TEST_MIRROR to a mirror folder (fred/SERIES.csv, tic/mfhhis01.txt)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg)
    pytest.skip(msg)
