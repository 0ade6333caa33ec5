"""The book's PDF edition: each page of the built site printed by headless Chromium, joined in reading order.

``make pdf`` (after ``make book``) runs ``python -m treasurycard.book.pdf``. Every page of ``_toc.yml`` is opened
from a server on 127.0.0.1 (all other network blocked), printed once its formulas and charts have rendered
(the site's own print styles; text stays text and SVG charts stay vector), and the prints are joined behind a
title page that carries the citation, build date and data vintage. Page numbers are stamped on every page
after the title page; figure and table numbers are those of the site, because the PDF is printed from it.
Written atomically to ``_build/html/treasury-card.pdf``, where every page of the site links it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import http.server
import io
import os
import shutil
import tempfile
import threading
from pathlib import Path

from ..data.store import PROJECT_ROOT

#: The PDF's file name inside the built site (the pages link it; see ``_ext/treasurycard_cite.py``).
PDF_NAME = "treasury-card.pdf"
SITE = PROJECT_ROOT / "_build" / "html"
TOC = PROJECT_ROOT / "_toc.yml"
#: Chromium flags: headless as root, nothing phoning home; non-loopback hosts resolve nowhere.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
MARGINS = {"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}

# Waits until MathJax has typeset and every chart (static SVG image or live Vega view) has rendered.
_RENDERED = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const images = Array.from(document.images);
  images.forEach(img => { if (img.loading === 'lazy') { img.loading = 'eager'; } });
  for (let i = 0; i < 100 && images.some(img => !img.complete); i++) { await new Promise(r => setTimeout(r, 100)); }
  for (let i = 0; i < 100; i++) {
    const pending = Array.from(document.querySelectorAll('.vega-embed')).filter(el => !el.querySelector('svg, canvas'));
    if (pending.length === 0) { return true; }
    await new Promise(r => setTimeout(r, 100));
  }
  return false;
}"""


def toc_pages(toc: Path = TOC) -> list[str]:
    """The book's pages in reading order, as docnames (``chapters/intro``), from ``_toc.yml``."""
    import yaml

    data = yaml.safe_load(Path(toc).read_text())
    pages = [data["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in data.items() if k != "root"})
    return [str(Path(p).with_suffix("")) if Path(p).suffix in {".md", ".ipynb"} else p for p in pages]


@contextlib.contextmanager
def serve(folder: Path):
    """Serve ``folder`` on ``http://127.0.0.1:<port>/`` from a thread, for the duration of the block."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def title_page_html(facts: dict) -> str:
    """The title page: title, version, citation, build date and data vintage."""
    e = {k: html.escape(str(v)) for k, v in facts.items()}
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 60mm 20mm 0; color: #222; }}
h1 {{ font-size: 30pt; margin: 0 0 4mm; }} .sub {{ font-size: 13pt; color: #555; margin-bottom: 30mm; }}
.cite {{ font-size: 10.5pt; line-height: 1.45; border-top: 1px solid #999; padding-top: 5mm; }}
</style></head><body><h1>{e['title']}</h1>
<div class="sub">Version {e['version']} &middot; PDF edition of the online book, built {e['built']}</div>
<div class="cite"><p><strong>How to cite.</strong> {e['citation']}</p>
<p><strong>Data vintage.</strong> {e['data']}</p>
<p>Figure and table numbers are those of the online book; each figure's id (e.g. fig-april-curve) is its anchor
there. The figures' data (CSV), the executed notebooks and the results tables are published with the online
book.</p></div></body></html>"""


def page_numbers_html(count: int, first: int = 1) -> str:
    """``count`` A4 pages, each blank but for its number at the bottom centre (stamped onto the prints)."""
    pages = "".join(f'<div class="p"><span>{n}</span></div>' for n in range(first, first + count))
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 0; }} body {{ margin: 0; }}
.p {{ width: 210mm; height: 297mm; position: relative; page-break-after: always; overflow: hidden; }}
.p span {{ position: absolute; bottom: 8mm; width: 100%; text-align: center; font: 9pt Helvetica, Arial, sans-serif;
  color: #444; }}
</style></head><body>{pages}</body></html>"""


def book_facts(site: Path = SITE) -> dict:
    """Title, version, build date, citation and data vintage of the build in ``site`` (from its read log)."""
    from ..data.store import read_build_log
    from . import citation

    meta = citation.citation_metadata()
    built = citation.build_date()
    log_folder = Path(site).parent / ".treasurycard_reads"
    vintage = read_build_log(log_folder)
    if vintage.empty:
        raise FileNotFoundError(f"the build's read log {log_folder} is empty: run `make book` before `make pdf`")
    cite = citation.how_to_cite(meta, built, vintage)
    return {"title": meta["title"], "version": meta.get("version", ""), "built": built.isoformat(),
            "citation": cite["text"], "data": citation.vintage_summary(vintage)}


def _print_pages(browser, base_url: str, pages: list[str], facts: dict) -> tuple[bytes, list[tuple[str, bytes]]]:
    context = browser.new_context()
    blocked = []

    def route(r):
        host = r.request.url.split("/")[2] if "://" in r.request.url else ""
        if host.split(":")[0] in ("127.0.0.1", "localhost") or r.request.url.startswith(("data:", "blob:")):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_content(title_page_html(facts))
    title = page.pdf(format="A4", print_background=True, margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
    prints = []
    for name in pages:
        page.goto(f"{base_url}{name}.html", wait_until="networkidle")
        page.emulate_media(media="print")
        if not page.evaluate(_RENDERED):
            raise RuntimeError(f"{name}.html: a chart did not render within 10 s; open the page in a browser to see why")
        prints.append((name, page.pdf(format="A4", print_background=True, margin=MARGINS, tagged=True)))
        page.emulate_media(media="screen")
    context.close()
    if blocked:
        raise RuntimeError(f"pages asked for {len(blocked)} resource(s) off this machine, e.g. {blocked[0]}; "
                           "the book must work offline")
    return title, prints


def build_pdf(site: Path = SITE, output: Path | None = None, chromium: str | None = None) -> Path:
    """Print the built site to one PDF; returns its path (default ``<site>/treasury-card.pdf``)."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    site = Path(site)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no built book at {site} (index.html missing); run `make book` first")
    chromium = chromium or os.environ.get("TREASURYCARD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        raise FileNotFoundError(f"Chromium not found at {chromium}; `apt-get install chromium` "
                                "(or set TREASURYCARD_CHROMIUM)")
    output = Path(output) if output else site / PDF_NAME
    pages = toc_pages()
    facts = book_facts(site)
    with serve(site) as base_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            title, prints = _print_pages(browser, base_url, pages, facts)
            readers = [(name, PdfReader(io.BytesIO(data))) for name, data in prints]
            total = sum(len(r.pages) for _, r in readers)
            page = browser.new_page()
            page.set_content(page_numbers_html(total, first=2))
            numbers = PdfReader(io.BytesIO(page.pdf(format="A4", margin={"top": "0", "bottom": "0", "left": "0",
                                                                          "right": "0"})))
        finally:
            browser.close()
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(title)), outline_item=facts["title"])
    for name, reader in readers:
        heading = reader.metadata.title if reader.metadata and reader.metadata.title else name
        writer.append(reader, outline_item=str(heading).split(" — ")[0])
    for i, page in enumerate(writer.pages[1:]):
        page.merge_page(numbers.pages[i])
    writer.add_metadata({"/Title": f"{facts['title']} (version {facts['version']}, built {facts['built']})",
                         "/Author": facts["citation"].split(" (")[0], "/Subject": facts["citation"]})
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            writer.write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return output


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Print the built book (_build/html) to one PDF.")
    parser.add_argument("--site", type=Path, default=SITE, help="the built site (default: _build/html)")
    parser.add_argument("--output", type=Path, default=None, help=f"the PDF (default: <site>/{PDF_NAME})")
    args = parser.parse_args(argv)
    path = build_pdf(args.site, args.output)
    from pypdf import PdfReader

    print(f"wrote {path} ({len(PdfReader(path).pages)} pages, {path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
