"""A local HTTP server on 127.0.0.1 that plays the data publishers, serving the mirror's files.

Requests are mapped to mirror files generically, by each publisher's URL rule in
:data:`treasurycard.data.settings.PUBLISHERS` (FRED's ``/graph/fredgraph.csv?id=ID`` -> ``fred/ID.csv``,
the Treasury's TIC ``Documents/NAME`` -> ``tic/NAME``, the Ministry of Finance's ``.../data/NAME`` -> ``mof/NAME``,
the ECB's ``/stats/eurofxref/STEM.zip`` -> ``ecb/STEM.csv`` zipped), so a new input needs no new route. Files go
out byte for byte, with the publisher's content type and a ``Content-Length``; an unknown file gets a 404 HTML
page, as the publishers answer.

The server cannot play every file: where the book stores a conversion of what the publisher serves (the
New York Fed's ``.xls`` workbook, stored as the CSV of its sheet "ACM Monthly"), the mirror holds the
conversion, not the publisher's bytes, so such a file is answered with ``501 Not Implemented`` and the reason
(:data:`NOT_SERVED`); tests read it from a mirror folder holding only those files (:func:`mirror_of_unserved`).

Faults can be scripted per file key: each request for that key takes the next fault from its list
(``"html"``: a 200 HTML error page; ``"truncated"``: half the body, then the connection is closed although
``Content-Length`` promised all of it; ``"503"``: Service Unavailable with ``Retry-After: 0``); when the list
is empty the real file is served.
"""

from __future__ import annotations

import io
import shutil
import threading
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from treasurycard.data.settings import PUBLISHERS

def html_error(publisher_name: str) -> bytes:
    """The HTML error page a publisher answers with status 200 (as FRED has done): its title names the publisher."""
    return (f"<!DOCTYPE html><html><head><title>Error - {publisher_name}</title></head>"
            "<body><h1>Sorry, something went wrong</h1></body></html>\n").encode()


#: Inputs the server cannot play, and why. The end-to-end tests read them from a mirror folder instead.
NOT_SERVED = {
    "nyfed/ACMTermPremium_monthly.csv": (
        "the New York Fed publishes an Excel .xls workbook (ACMTermPremium.xls) whose sheet 'ACM Monthly' the "
        "book converts to this CSV; no real copy of the workbook exists offline, and writing one (the binary BIFF "
        "format) needs unmaintained libraries, so the publisher's bytes cannot be served. The conversion and the "
        "store's fetch of the workbook are tested in tests/data/test_nyfed.py instead: the mirror's sheet "
        "converts to the mirror's CSV byte for byte, and the fetch path runs with pandas.read_excel stood in for"),
}


def mirror_of_unserved(source: Path, target: Path) -> Path:
    """A mirror folder ``target`` holding only the :data:`NOT_SERVED` files of ``source`` (copies, in a test's
    temporary folder), so that an otherwise empty store reads them there and fetches everything else."""
    for key in NOT_SERVED:
        (target / key).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / key, target / key)
    return target


class PublishersServer:
    """Serve ``mirror`` as FRED, the Treasury, the MoF and the ECB would (not :data:`NOT_SERVED`); use as a
    context manager."""

    def __init__(self, mirror: Path, faults: dict[str, list[str]] | None = None):
        self.mirror = Path(mirror)
        self.faults = {k: list(v) for k, v in (faults or {}).items()}
        self.requests: list[str] = []  # keys (or raw paths, if unknown) in the order asked for
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def environ(self) -> dict[str, str]:
        """Every publisher's base-URL setting, pointed at this server."""
        return {pub.setting: self.base_url for pub in PUBLISHERS.values()}

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def key_for(self, path_and_query: str) -> str | None:
        """The mirror key a request asks for, by the publishers' URL rules (None if no rule matches)."""
        parsed = urllib.parse.urlsplit(path_and_query)
        target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        for folder, pub in PUBLISHERS.items():
            name = pub.filename_for(target)
            if name is not None:
                return f"{folder}/{name}"
        return None

    def body_for(self, key: str) -> bytes:
        """The bytes a publisher serves for ``key``: the mirror file, zipped where the publisher zips it."""
        data = (self.mirror / key).read_bytes()
        pub = PUBLISHERS[key.split("/", 1)[0]]
        if key in NOT_SERVED or pub.converted(key.split("/", 1)[1]):
            raise LookupError(f"{key}: not served: {NOT_SERVED.get(key, 'the mirror holds a conversion')}")
        if not pub.zipped:
            return data
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(key.split("/", 1)[1], data)
        return buffer.getvalue()

    def _next_fault(self, key: str) -> str | None:
        with self._lock:
            queue = self.faults.get(key)
            return queue.pop(0) if queue else None

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None, cut: bool = False):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                if cut:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command == "HEAD":
                    return
                if cut:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                key = server.key_for(self.path)
                with server._lock:
                    server.requests.append(key or self.path)
                if key is None or not (server.mirror / key).is_file():
                    self._send(404, b"<html><head><title>Page Not Found</title></head></html>",
                               "text/html; charset=utf-8")
                    return
                pub = PUBLISHERS[key.split("/", 1)[0]]
                try:
                    body = server.body_for(key)
                except LookupError as err:
                    self._send(501, str(err).encode(), "text/plain; charset=utf-8")
                    return
                fault = server._next_fault(key)
                if fault == "503":
                    self._send(503, b"Service Unavailable", "text/plain", {"Retry-After": "0"})
                elif fault == "html":
                    self._send(200, html_error(pub.name), "text/html; charset=utf-8")
                else:
                    self._send(200, body, pub.content_type, cut=fault == "truncated")

        return Handler
