"""The built book, as a reader gets it: every page in headless Chromium with the network cut off.

For every page of ``_toc.yml`` (so new chapters are covered without editing this file): it loads with no
request leaving the machine and no console error; each chart rendered; each figure has its number, a caption
naming source and data vintage, and SVG/PNG/CSV downloads that resolve; each results table its number and CSV;
the executed notebook is downloadable; no traceback or error output. Plus a static scan for external assets,
an internal link check of the whole site, and the same pages opened from a plain file copy of the site.

``TREASURYCARD_SITE_SCREENSHOTS=<folder>`` saves a full-page screenshot of each page visited over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitepages import PROJECT_ROOT, toc_pages

PAGES = toc_pages()

#: Evaluated in each page once it has loaded: what a reader sees, as plain data.
FACTS_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    try { await MathJax.startup.promise; } catch (e) {}
  }
  const root = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const abs = (h) => new URL(h, document.baseURI).href;
  const rendered = (el) => {
    const tag = el.tagName.toLowerCase();
    if (tag === 'img') return el.complete && el.naturalWidth > 0 && el.naturalHeight > 0;
    if (tag === 'svg') {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && el.querySelectorAll('path,line,rect,circle,text').length > 0;
    }
    if (tag === 'canvas') {
      if (!el.width || !el.height) return false;
      try {
        const d = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i]) return true;
        return false;
      } catch (e) { return true; }  // a WebGL canvas: drawn, not readable here
    }
    return false;
  };
  const charts = [];
  for (const el of root.querySelectorAll('figure img, figure svg, figure canvas, .cell_output img, .cell_output svg, .cell_output canvas')) {
    if (el.tagName.toLowerCase() === 'svg' && el.parentElement && el.parentElement.closest('svg')) continue;
    if (el.closest('button, .copybtn, a')) continue;  // icons of buttons and links, not charts
    const fig = el.closest('figure');
    charts.push({tag: el.tagName.toLowerCase(), src: el.getAttribute('src') ? abs(el.getAttribute('src')) : null,
                 ok: rendered(el), figure: fig ? (fig.id || '(no id)') : null});
  }
  const captioned = (f) => ({
    id: f.id,
    number: ((f.querySelector('.caption-number') || {}).textContent || '').trim(),
    caption: ((f.querySelector('figcaption') || {}).textContent || '').replace(/\s+/g, ' ').trim(),
    links: [...f.querySelectorAll('figcaption a[href]')].map(a => abs(a.getAttribute('href'))),
  });
  const figures = [...root.querySelectorAll('figure')]
    .filter(f => !f.classList.contains('results-table') && f.querySelector('img,svg,canvas')).map(captioned);
  const tables = [...root.querySelectorAll('figure.results-table')].map(captioned);
  const looseTables = [...root.querySelectorAll('.cell_output table')]
    .filter(t => !t.closest('figure.results-table')).length;
  const errorNodes = [...root.querySelectorAll(
      '.output.error, .output.traceback, .output.stderr, .system-message, .problematic')]
    .map(e => e.className + ': ' + e.textContent.trim().slice(0, 300));
  const outputText = [...root.querySelectorAll('.cell_output')].map(e => e.innerText).join('\n');
  const math = [...root.querySelectorAll('.math')].map(m => !!m.querySelector('mjx-container'));
  const emptyVega = [...root.querySelectorAll('.vega-embed, [id^="altair-viz"]')]
    .filter(v => !v.querySelector('svg,canvas')).length;
  const liveCharts = [...root.querySelectorAll('.tc-chart')].map(box => {
    const svg = box.querySelector('.tc-chart-view svg, .tc-chart-view canvas');
    const fig = box.closest('figure');
    const img = box.querySelector('img');
    return {figure: fig ? (fig.id || '(no id)') : null, live: box.classList.contains('tc-chart-live') && !!svg,
            label: svg ? (svg.getAttribute('aria-label') || '') : (img ? img.alt : ''),
            text: svg ? [...svg.querySelectorAll('text')].map(t => t.textContent) : []};
  });
  const altTexts = [...root.querySelectorAll('figure')].filter(f => !f.classList.contains('results-table'))
    .flatMap(f => [...f.querySelectorAll('img, .tc-chart-view svg')].map(el =>
      ({figure: f.id || '(no id)', text: el.tagName.toLowerCase() === 'img' ? el.alt : (el.getAttribute('aria-label') || '')})));
  const tableHeaders = [...root.querySelectorAll('figure.results-table th, .cell_output table th')]
    .map(th => th.textContent.trim()).filter(Boolean);
  const notebookLinks = [...document.querySelectorAll('a[href]')]
    .map(a => a.getAttribute('href')).filter(h => /\.ipynb$/.test(h)).map(abs);
  return {charts, figures, tables, looseTables, errorNodes, outputText, math, emptyVega, notebookLinks,
          liveCharts, altTexts, tableHeaders,
          bodyText: document.body.innerText, title: document.title};
}
"""

#: For chart ``i`` of a page: scroll it into view and find a mark that carries a tooltip and is what the
#: pointer would hit at its centre (Vega's SVG renderer keeps each mark's scene item in ``__data__``).
HOVER_TARGET_JS = r"""
(i) => {
  const box = document.querySelectorAll('.tc-chart')[i];
  const svg = box && box.querySelector('.tc-chart-view svg');
  if (!svg) return {x: null, marks: 0};
  box.scrollIntoView({block: 'center'});
  const marks = [...svg.querySelectorAll('path, line, rect, text, circle')]
    .filter(e => e.__data__ && e.__data__.tooltip != null && e.__data__.tooltip !== '');
  // from the middle outwards: marks at the edge of a view may be half clipped
  const mid = Math.floor(marks.length / 2);
  const order = marks.map((el, k) => [Math.abs(k - mid), el]).sort((a, b) => a[0] - b[0]).map(p => p[1]);
  for (const el of order) {
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    const x = Math.round(r.left + r.width / 2), y = Math.round(r.top + r.height / 2);
    if (document.elementFromPoint(x, y) === el) return {x, y, marks: marks.length};
  }
  return {x: null, marks: marks.length};
}
"""

TOOLTIP_JS = r"""
() => {
  const t = document.getElementById('vg-tooltip-element');
  return t ? {visible: t.classList.contains('visible'), text: t.innerText.trim()} : {visible: false, text: ''};
}
"""

#: The addresses of everything a page loaded: the HTML and every resource (scripts, styles, fonts, images).
LOADED_JS = r"""
() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name)
"""
#: The most a chapter page may weigh with its scripts and data (bytes, as a server that compresses text sends
#: them: gzip, as GitHub Pages does).
MAX_PAGE_BYTES = 2_000_000

#: How far a page can be scrolled sideways (px) at the current viewport width.
SIDEWAYS_JS = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@dataclass
class Visit:
    url: str
    external: list = field(default_factory=list)
    console: list = field(default_factory=list)
    http_errors: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    tooltips: list = field(default_factory=list)
    sideways: int = 0
    loaded: list = field(default_factory=list)


def _allowed(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in {"file", "data", "blob", "about"} or (parts.hostname or "") in LOOPBACK


def hover_charts(page) -> list[dict]:
    """Hover a mark of each live chart and report whether Vega's tooltip showed, and what it said."""
    out = []
    for i in range(page.locator(".tc-chart").count()):
        target = page.evaluate(HOVER_TARGET_JS, i)
        if target["x"] is None:
            out.append({"chart": i, "marks": target["marks"], "visible": False, "text": "(no mark to hover)"})
            continue
        page.mouse.move(target["x"], target["y"])
        page.wait_for_timeout(150)
        tip = page.evaluate(TOOLTIP_JS)
        out.append({"chart": i, "marks": target["marks"], **tip})
        page.mouse.move(0, 0)
    return out


def visit(browser, url: str, screenshot: Path | None = None, width: int = 1280, hover: bool = False) -> Visit:
    """Open ``url`` in a fresh browser context with every non-loopback request blocked (and recorded).

    ``width`` is the viewport's (px); ``hover`` also hovers each chart (:func:`hover_charts`).
    """
    result = Visit(url)
    context = browser.new_context(service_workers="block", viewport={"width": width, "height": 900})

    def route(r):
        if _allowed(r.request.url):
            r.continue_()
        else:
            result.external.append(r.request.url)
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and result.console.append(f"{m.text} [{m.location.get('url', '')}]"))
    page.on("pageerror", lambda e: result.console.append(f"uncaught: {e}"))
    page.on("response", lambda r: r.status >= 400 and result.http_errors.append(f"{r.status} {r.url}"))
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        try:
            page.wait_for_load_state("networkidle", timeout=10_000)
        except Exception:  # a page that keeps polling is judged by what it shows, below
            pass
        result.facts = page.evaluate(FACTS_JS)
        result.sideways = page.evaluate(SIDEWAYS_JS)
        result.loaded = page.evaluate(LOADED_JS)
        if hover:
            result.tooltips = hover_charts(page)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        context.close()
    return result


@pytest.fixture(scope="session")
def http_visits(browser, base_url):
    """Each page's :class:`Visit` over HTTP from localhost, made once per session."""
    shots = os.environ.get("TREASURYCARD_SITE_SCREENSHOTS")
    cache: dict[str, Visit] = {}

    def get(page: str) -> Visit:
        if page not in cache:
            shot = Path(shots) / (page.replace("/", "__") + ".png") if shots else None
            cache[page] = visit(browser, base_url + page + ".html", shot, hover=True)
        return cache[page]

    return get


@pytest.fixture(scope="session")
def phone_visits(browser, base_url):
    """Each page's :class:`Visit` at a phone's width (390 px), made once per session."""
    cache: dict[str, Visit] = {}

    def get(page: str) -> Visit:
        if page not in cache:
            cache[page] = visit(browser, base_url + page + ".html", width=390)
        return cache[page]

    return get


def fetch(url: str) -> bytes:
    """Bytes behind a link of the built site (``http://127.0.0.1`` or ``file://``); raises if it is missing."""
    if url.startswith("file://"):
        return Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).read_bytes()
    with urllib.request.urlopen(url, timeout=30) as resp:  # only ever the localhost server
        assert resp.status == 200, f"{url}: HTTP {resp.status}"
        return resp.read()


def check_download(url: str) -> str | None:
    """None if the file behind a download link exists and looks like its type, else what is wrong."""
    try:
        data = fetch(url)
    except Exception as exc:  # noqa: BLE001 - reported as the failure
        return f"{url}: {exc}"
    path = urllib.parse.urlsplit(url).path
    ext = path.rsplit(".", 1)[-1].lower()
    if not data:
        return f"{url}: empty file"
    if ext == "svg" and b"<svg" not in data[:2000]:
        return f"{url}: not an SVG"
    if ext == "png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return f"{url}: not a PNG"
    if ext == "csv":
        lines = data.decode("utf-8", errors="replace").splitlines()
        if len(lines) < 2 or "," not in lines[0]:
            return f"{url}: not a CSV with a header and data rows"
    if ext == "ipynb":
        try:
            nb = json.loads(data)
        except ValueError:
            return f"{url}: not JSON"
        code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
        if code and not any(c.get("outputs") or c.get("execution_count") for c in code):
            return f"{url}: a notebook with neither outputs nor execution counts (not the executed one)"
    return None


def is_notebook_page(page: str) -> bool:
    """Whether a page's source is a notebook (``.ipynb``, or MyST markdown with a kernelspec)."""
    if (PROJECT_ROOT / f"{page}.ipynb").is_file():
        return True
    source = PROJECT_ROOT / f"{page}.md"
    if not source.is_file():
        return False
    text = source.read_text(encoding="utf-8")
    front = text.split("---", 2)[1] if text.startswith("---") else ""
    return "kernelspec:" in front


# --------------------------------------------------------------------------------------- every page, HTTP
def test_every_toc_page_is_built(site):
    missing = [p for p in PAGES if not (site / f"{p}.html").is_file()]
    assert not missing, f"pages of _toc.yml with no HTML in {site}: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_with_network_off(http_visits, page):
    v = http_visits(page)
    assert not v.external, f"{page}: requests to outside this machine (blocked): {v.external}"
    assert not v.http_errors, f"{page}: failed requests: {v.http_errors}"
    assert not v.console, f"{page}: console errors: {v.console}"


@pytest.mark.parametrize("page", PAGES)
def test_charts_render(http_visits, page):
    f = http_visits(page).facts
    broken = [c for c in f["charts"] if not c["ok"]]
    assert not broken, f"{page}: charts that did not render: {broken}"
    assert f["emptyVega"] == 0, f"{page}: {f['emptyVega']} vega-embed placeholders with no chart (a CDN chart?)"
    loose = [c for c in f["charts"] if c["figure"] is None]
    assert not loose, (
        f"{page}: charts outside a numbered figure (publish them with publish_figure and {{glue:figure}}): {loose}"
    )
    for chart in f["charts"]:
        if chart["src"] and chart["src"].lower().endswith(".svg"):
            svg = fetch(chart["src"]).decode("utf-8", errors="replace")
            assert re.search(r"<(path|rect|line|circle)\b", svg), f"{page}: chart {chart['src']} has no marks"
    assert all(f["math"]), f"{page}: {f['math'].count(False)} of {len(f['math'])} formulas not typeset (MathJax)"


def _codes() -> dict[str, str]:
    from treasurycard.book.labels import codes

    return codes()


def _codes_in(texts) -> list[str]:
    table = _codes()
    pattern = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")(?![\w-])")
    return sorted({f"{m.group(1)!r} in {t[:60]!r}" for t in texts for m in pattern.finditer(t)})


@pytest.mark.parametrize("page", PAGES)
def test_charts_are_live_with_tooltips(http_visits, page):
    """Each chart is a live Vega view (an SVG inside it) and hovering one of its marks shows a tooltip."""
    v = http_visits(page)
    dead = [c["figure"] for c in v.facts["liveCharts"] if not c["live"]]
    assert not dead, f"{page}: charts that stayed static images (no live Vega view): {dead}"
    silent = [t for t in v.tooltips if not (t["visible"] and t["text"])]
    assert not silent, f"{page}: charts that showed no tooltip on hover: {silent}"
    assert len(v.tooltips) == len(v.facts["liveCharts"])


@pytest.mark.parametrize("page", PAGES)
def test_readers_see_words_not_codes(http_visits, page):
    """No catalogued id (DGS10, kato_remark, bw_t_pvalue) in a chart's visible text or a shown table's header."""
    f = http_visits(page).facts
    in_charts = _codes_in(t for c in f["liveCharts"] for t in c["text"])
    in_headers = _codes_in(f["tableHeaders"])
    assert not in_charts, f"{page}: codes in chart text: {in_charts}"
    assert not in_headers, f"{page}: codes in table headers: {in_headers}"


@pytest.mark.parametrize("page", PAGES)
def test_figures_have_alt_text(http_visits, page):
    """Every figure's image or live view is described by a sentence, not a (hashed) file name."""
    bad = [a for a in http_visits(page).facts["altTexts"]
           if len(a["text"].split()) < 4 or re.search(r"\.(svg|png)\b|^[\w-]+$", a["text"].strip())]
    assert not bad, f"{page}: figures whose alt text is missing or a file name: {bad}"


@pytest.mark.parametrize("page", PAGES)
def test_page_weight(site, http_visits, page):
    """A page with its scripts, styles and chart data stays under 2 MB as sent gzip-compressed (one shared copy
    of the chart scripts; long daily histories thinned)."""
    import gzip

    sizes, missing = {}, []
    for url in set(http_visits(page).loaded):
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        local = site / path
        if path == "favicon.ico":  # the browser asks for it on its own; the site has none
            continue
        if not local.is_file():
            missing.append(url)
            continue
        sizes[path] = len(gzip.compress(local.read_bytes(), compresslevel=6))
    assert not missing, f"{page}: loaded resources not in the site: {missing}"
    weight = sum(sizes.values())
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert 0 < weight < MAX_PAGE_BYTES, f"{page}: sends {weight:,} bytes (limit {MAX_PAGE_BYTES:,}); largest: {top}"


@pytest.mark.parametrize("page", PAGES)
def test_no_sideways_scroll(http_visits, phone_visits, page):
    """The page never scrolls sideways: not on a desktop (1280 px), not on a phone (390 px)."""
    assert http_visits(page).sideways <= 1, f"{page}: scrolls sideways by {http_visits(page).sideways} px at 1280 px"
    assert phone_visits(page).sideways <= 1, f"{page}: scrolls sideways by {phone_visits(page).sideways} px at 390 px"


@pytest.mark.parametrize("page", PAGES)
def test_figures_are_citable(http_visits, page):
    problems = []
    for fig in http_visits(page).facts["figures"]:
        name = fig["id"] or "(figure without :name:)"
        if not re.match(r"^Fig\. ?\d+", fig["number"]):
            problems.append(f"{name}: no figure number (give the glue:figure a :name: and a caption)")
        if not re.search(r"\bsources?\b", fig["caption"], re.I):
            problems.append(f"{name}: caption names no source ('Source: ...')")
        if not re.search(r"\b(19|20)\d\d-\d\d\b", fig["caption"]):
            problems.append(f"{name}: caption gives no data vintage (e.g. {{glue:text}} of treasurycard.book.preamble.vintage)")
        exports = {}
        for link in fig["links"]:
            m = re.search(r"/exports/figures/([^/]+)\.(svg|png|csv)$", urllib.parse.urlsplit(link).path)
            if m:
                exports[m.group(2)] = (m.group(1), link)
        for ext in ("svg", "png", "csv"):
            if ext not in exports:
                problems.append(f"{name}: no {ext.upper()} download link (caption must end with {{glue:md}}`<id>-downloads`)")
                continue
            stem, link = exports[ext]
            if stem != fig["id"]:
                problems.append(f"{name}: download {stem}.{ext} differs from the figure's id (use one id for both)")
            if (err := check_download(link)) is not None:
                problems.append(f"{name}: {err}")
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("page", PAGES)
def test_results_tables_are_citable(http_visits, page):
    f = http_visits(page).facts
    problems = []
    for tbl in f["tables"]:
        name = tbl["id"] or "(table without :name:)"
        if not re.match(r"^Table ?\d+", tbl["number"]):
            problems.append(f"{name}: no table number (give the glue:table a :name: and a caption)")
        csv = [link for link in tbl["links"] if re.search(r"/exports/tables/[^/]+\.csv$", link)]
        if not csv:
            problems.append(f"{name}: no CSV download link (caption must end with {{glue:md}}`<id>-downloads`)")
        for link in csv:
            if not link.endswith(f"/{tbl['id']}.csv"):
                problems.append(f"{name}: download {link.rsplit('/', 1)[-1]} differs from the table's id")
            if (err := check_download(link)) is not None:
                problems.append(f"{name}: {err}")
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)
    if f["looseTables"]:
        warnings.warn(
            f"{page}: {f['looseTables']} table(s) shown as plain cell output; if they are results, publish them "
            "with publish_table and {glue:table} so they are numbered and downloadable",
            stacklevel=1,
        )


@pytest.mark.parametrize("page", PAGES)
def test_no_error_output(http_visits, page):
    f = http_visits(page).facts
    assert not f["errorNodes"], f"{page}: error or stderr output in the page: {f['errorNodes']}"
    assert "Traceback (most recent call last)" not in f["bodyText"], f"{page}: a Python traceback in the page"
    hits = re.findall(r"\b[A-Z]\w*(?:Error|Exception|Warning): .{0,80}", f["outputText"])
    assert not hits, f"{page}: error or warning text in cell outputs: {hits}"


@pytest.mark.parametrize("page", PAGES)
def test_executed_notebook_downloadable(http_visits, page):
    if not is_notebook_page(page):
        pytest.skip(f"{page} is not a notebook")
    links = http_visits(page).facts["notebookLinks"]
    own = [link for link in links if link.endswith(f"/{page}.ipynb")]
    assert own, f"{page}: no link to its executed notebook {page}.ipynb (links: {links})"
    for link in set(own):
        assert (err := check_download(link)) is None, f"{page}: {err}"


# --------------------------------------------------------------------------------- whole site, static
class _Refs(HTMLParser):
    """Collects a page's ids and its references (tag, attribute, value, line)."""

    ASSET = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"),
             ("audio", "src"), ("embed", "src"), ("object", "data"), ("input", "src"), ("track", "src")}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str, int, bool]] = []  # tag, attr, value, line, is_asset

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        line = self.getpos()[0]
        for attr in ("href", "src", "data"):
            value = a.get(attr)
            if not value:
                continue
            asset = (tag, attr) in self.ASSET or (
                tag == "link" and attr == "href" and (a.get("rel") or "").lower() != "canonical"
                and not {"prev", "next", "index", "search", "author", "license", "help", "up"} & set((a.get("rel") or "").lower().split())
            )
            self.refs.append((tag, attr, value, line, asset))
        if a.get("style") and re.search(r"url\(\s*['\"]?(https?:)?//", a["style"]):
            self.refs.append((tag, "style", a["style"], line, True))

    handle_startendtag = handle_starttag


def _site_html(site: Path) -> list[Path]:
    """The site's HTML pages (not hidden folders, not the theme's Jinja templates under _static)."""
    return sorted(
        p for p in site.rglob("*.html")
        if not any(part.startswith(".") for part in p.relative_to(site).parts) and p.relative_to(site).parts[0] != "_static"
    )


@pytest.fixture(scope="session")
def parsed(site):
    out = {}
    for path in _site_html(site):
        refs = _Refs()
        refs.feed(path.read_text(encoding="utf-8", errors="replace"))
        out[path] = refs
    return out


def _external(value: str) -> bool:
    return bool(re.match(r"^\s*(https?:)?//", value, re.I))


def test_no_external_assets(site, parsed):
    """No page loads a script, stylesheet, font, image or frame from outside the site."""
    bad = [f"{p.relative_to(site)}:{line}: <{tag} {attr}={value[:120]!r}>"
           for p, refs in parsed.items() for tag, attr, value, line, asset in refs.refs if asset and _external(value)]
    css_url = re.compile(r"(@import\s+(url\()?\s*['\"]?|url\(\s*['\"]?)((https?:)?//[^'\")\s]+)", re.I)
    for css in site.rglob("*.css"):
        if any(part.startswith(".") for part in css.relative_to(site).parts):
            continue
        for n, line in enumerate(css.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            bad += [f"{css.relative_to(site)}:{n}: {m.group(3)}" for m in css_url.finditer(line)]
    assert not bad, "external assets (the site must work offline):\n  " + "\n  ".join(bad)


def test_internal_links(site, parsed):
    """Every relative link and asset of every page resolves to a file of the site, and its #anchor exists."""
    ids_of: dict[Path, set[str]] = {p.resolve(): r.ids for p, r in parsed.items()}
    broken = []
    for page, refs in parsed.items():
        for tag, attr, value, line, _ in refs.refs:
            if attr == "style" or _external(value) or re.match(r"^\s*(mailto|javascript|data|tel|blob):", value, re.I):
                continue
            parts = urllib.parse.urlsplit(value)
            if parts.scheme:
                continue
            target = page if not parts.path else (page.parent / urllib.parse.unquote(parts.path)).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}:{line} <{tag} {attr}={value!r}>"
            if not target.is_file():
                broken.append(f"{where}: no file {target}")
            elif site.resolve() not in target.resolve().parents and target.resolve() != site.resolve():
                broken.append(f"{where}: points outside the site")
            elif parts.fragment and target.suffix == ".html":
                frag = urllib.parse.unquote(parts.fragment)
                ids = ids_of.get(target.resolve())
                if ids is not None and frag not in ids:
                    broken.append(f"{where}: no #{frag} in {target.name}")
    assert not broken, f"{len(broken)} broken internal links:\n  " + "\n  ".join(broken[:50])


# ------------------------------------------------------------------------------ a plain file copy, offline
@pytest.fixture(scope="session")
def file_copy(site, tmp_path_factory):
    dest = tmp_path_factory.mktemp("site_copy") / "html"
    shutil.copytree(site, dest)
    return dest


@pytest.mark.parametrize("page", PAGES)
def test_file_copy_works_offline(browser, file_copy, page):
    """The site copied to another folder and opened from disk (file://) renders the same, with no network."""
    v = visit(browser, (file_copy / f"{page}.html").as_uri())
    assert not v.external, f"{page} (file copy): requests to outside this machine: {v.external}"
    assert not v.console, f"{page} (file copy): console errors: {v.console}"
    broken = [c for c in v.facts["charts"] if not c["ok"]]
    assert not broken, f"{page} (file copy): charts that did not render: {broken}"
    for fig in v.facts["figures"]:
        for link in fig["links"]:
            if "/exports/" in link:
                assert (err := check_download(link)) is None, f"{page} (file copy): {err}"
