"""Fixtures for the tests of the built book: the site folder, a localhost server and headless Chromium.

The tests read the book that ``make book`` built (``_build/html``; ``TREASURYCARD_SITE`` overrides it). Where it
is absent they are skipped with the reason; under CI (``CI=true``) its absence fails the run, as does a missing
Chromium. Chromium is Debian's ``/usr/bin/chromium`` (``TREASURYCARD_CHROMIUM`` overrides it), driven by
Playwright; no tool downloads a browser. Every request outside this machine's loopback is blocked twice: by
Playwright's request routing, which also records it, and by a dead proxy for every non-loopback host.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sitepages import PROJECT_ROOT

SITE = Path(os.environ.get("TREASURYCARD_SITE") or PROJECT_ROOT / "_build" / "html")
CHROMIUM = os.environ.get("TREASURYCARD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# headless as root, nothing phoning home; whatever escapes request routing goes to a closed port
from treasurycard.book.pdf import CHROMIUM_ARGS  # noqa: E402  (the PDF edition prints with the same browser)


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _missing(msg: str):
    if _under_ci():
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder; skip (fail under CI) if the book was not built."""
    if not (SITE / "index.html").is_file():
        _missing(f"built book not found at {SITE} (no index.html); run `make book` first, or set TREASURYCARD_SITE")
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path):
    """``http://127.0.0.1:<port>/`` serving the built site from a thread, for the session."""
    from treasurycard.book.pdf import serve

    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), through Playwright; skip (fail under CI) if either is missing."""
    if not Path(CHROMIUM).is_file():
        _missing(f"Chromium not found at {CHROMIUM}; `apt-get install chromium` (or set TREASURYCARD_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed; `make install` installs requirements.txt")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
