"""Download one binary file (a zip or a Shift_JIS text) with the store's bounded retries and checks."""

from __future__ import annotations

import re
import time

from ...errors import FetchError, redact_secrets
from . import fred as fred_source


def _fault(response, url: str) -> fred_source.Fault | None:
    """The fault of one response carrying a binary file, or None if it looks whole.

    The same checks as :func:`treasurycard.data.sources.fred.check_download` except the UTF-8 one: status
    (transient or permanent), a body shorter than ``Content-Length``, an empty body, an HTML page.
    """
    status = getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    if status != 200:
        retry_after = str(headers.get("Retry-After", "")).strip()
        wait = float(retry_after) if retry_after.isdigit() else 0.0
        if status in fred_source.TRANSIENT_STATUS:
            return fred_source.Fault(f"HTTP {status}", True, "", wait)
        return fred_source.Fault(f"HTTP {status}", False, "")
    body = response.content or b""
    declared = str(headers.get("Content-Length", "")).strip()
    encoding = str(headers.get("Content-Encoding", "")).strip().lower()
    if declared.isdigit() and encoding in ("", "identity") and len(body) < int(declared):
        return fred_source.Fault(f"a truncated download ({len(body)} of {declared} bytes arrived)", True, "")
    if not body.strip():
        return fred_source.Fault("an empty body instead of data", True, "")
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" or "text/html" in str(headers.get("Content-Type", "")).lower():
        title = re.search(rb"<title>(.{0,80}?)</title>", body[:4000], re.I | re.S)
        shown = f" titled {title.group(1).decode('utf-8', 'replace').strip()!r}" if title else ""
        return fred_source.Fault(f"an HTML page{shown} instead of data", False, "")
    return None


def fetch_bytes(url: str, what: str, *, session=None, timeout: float = 60.0, retry_count: int = 3,
                pause: float = 0.5, sleep=time.sleep) -> bytes:
    """GET ``url`` and return its body, retrying transient faults (408, 429, 5xx, resets) with backoff.

    Parameters
    ----------
    url : str
        The file's address.
    what : str
        What the file is, for messages (``"the MoF JGB yield file"``).
    session : requests.Session, optional
        Injectable for tests.
    retry_count, pause : int, float
        Retries after the first attempt (at most :data:`~treasurycard.data.sources.fred.MAX_RETRIES`) and
        the first pause in seconds, doubled before each further retry (capped at 8 s).

    Raises
    ------
    FetchError
        Naming ``what``, the URL, each attempt's fault and the remedy. Permanent faults are not retried.
    """
    return fetch(url, _fault, lambda resp: resp.content, what=what, session=session, timeout=timeout,
                 retry_count=retry_count, pause=pause, sleep=sleep)


#: What a failed download's message suggests, by whether the last fault was transient.
RETRY_LATER = "try again later, or point TREASURYCARD_MIRROR at an offline copy"
MOVED = "the publisher may have moved or replaced the file: check its address in the reader module"


def fetch(url: str, check, decode, *, what: str | None = None, moved: str = MOVED, session=None,
          timeout: float = 60.0, retry_count: int = 3, pause: float = 0.5, sleep=time.sleep):
    """GET ``url`` with bounded retries; return ``decode(response)`` of the first response ``check`` accepts.

    ``check(response, url)`` returns None for a whole file or a :class:`~treasurycard.data.sources.fred.Fault`;
    transient faults (408, 429, 5xx, resets, truncated or empty bodies) are retried with doubling pauses
    (``pause`` seconds first, at most :data:`~treasurycard.data.sources.fred.MAX_PAUSE`, longer if the server
    asks with ``Retry-After``); permanent ones are not. Raises :class:`FetchError` naming ``what`` (or the
    URL), every attempt's fault and the remedy (``moved`` when the last fault was permanent).
    """
    import requests

    if not 0 <= retry_count <= fred_source.MAX_RETRIES:
        raise ValueError(f"retry_count must be an integer from 0 to {fred_source.MAX_RETRIES}, not {retry_count!r}")
    sess = session or requests.Session()
    pauses = fred_source.backoff_pauses(pause, retry_count)
    faults = []
    for attempt in range(retry_count + 1):
        try:
            resp = sess.get(url, timeout=timeout)
        except (requests.RequestException, OSError) as exc:
            fault = fred_source.Fault(f"no reply ({type(exc).__name__}: {str(exc)[:200]})", True, "")
        else:
            fault = check(resp, url)
            if fault is None:
                return decode(resp)
        faults.append(fault)
        if not fault.transient or attempt == retry_count:
            break
        sleep(min(max(pauses[attempt], fault.wait), fred_source.MAX_PAUSE))
    tried = "; ".join(f"attempt {k + 1}: {f.reason}" for k, f in enumerate(faults))
    remedy = RETRY_LATER if faults[-1].transient else moved
    where = f"{what} from {url}" if what else url
    raise FetchError(redact_secrets(f"could not download {where}: {tried}; {remedy}. Nothing was written to the cache"))
