"""Citing the book: a citation line under every figure and results table, the gallery page, stable ids, the PDF.

Reads the built site (``make book``) and the PDF edition (``make pdf``, which ``make site-test`` runs first).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sitepages import PROJECT_ROOT, toc_pages

PAGES = toc_pages()
ID_LIST = Path(__file__).with_name("citable_ids.txt")
PDF_NAME = "treasury-card.pdf"


def listed_ids() -> set[str]:
    return {line.strip() for line in ID_LIST.read_text().splitlines() if line.strip() and not line.startswith("#")}


@pytest.fixture(scope="module")
def built_ids(site) -> dict[str, list[str]]:
    path = site / "citable-ids.json"
    assert path.is_file(), f"{path} missing: the build did not run _ext/treasurycard_cite.py"
    return json.loads(path.read_text())


def test_ids_are_stable(site, built_ids):
    """Every figure and table id of this build is in the kept list and vice versa (renames are deliberate)."""
    built = {i for ids in built_ids.values() for i in ids}
    exported = {p.stem for p in (site / "exports" / "figures").glob("*.svg")}
    assert exported <= built, f"exported figures with no figure on any page: {sorted(exported - built)}"
    kept = listed_ids()
    assert not kept - built, (f"ids gone from the book: {sorted(kept - built)}; readers' citations point at them. "
                              f"If deliberate, remove them from {ID_LIST.name}")
    assert not built - kept, f"new ids: {sorted(built - kept)}; add them to {ID_LIST.name}"


def test_each_id_has_bibtex(site, built_ids):
    for ids in built_ids.values():
        for node_id in ids:
            folder = "figures" if node_id.startswith("fig-") else "tables"
            bib = site / "exports" / folder / f"{node_id}.bib"
            assert bib.is_file(), f"{bib} missing"
            text = bib.read_text()
            assert text.startswith("@misc{") and f"Id {node_id}." in text and "Built " in text, text


@pytest.mark.parametrize("page", PAGES)
def test_citation_line_under_every_figure_and_table(browser, base_url, site, page):
    """Each figure and results table carries a citation naming its number, id, address, build date and data."""
    tab = browser.new_page()
    try:
        tab.goto(f"{base_url}{page}.html", wait_until="load")
        items = tab.evaluate("""() => [...document.querySelectorAll('figure[id^="fig-"], figure[id^="tbl-"]')].map(f => ({
            id: f.id,
            number: ((f.querySelector('.caption-number') || {}).textContent || '').trim(),
            cite: ((f.querySelector('.tc-cite-text') || {}).textContent || ''),
            button: !!f.querySelector('button.tc-cite-copy'),
            bib: (f.querySelector('a.tc-cite-bib') || {}).href || ''}))""")
    finally:
        tab.close()
    citation = json.loads((site / "citable-ids.json").read_text()).get(page, [])
    assert sorted(i["id"] for i in items) == sorted(citation)
    for item in items:
        number = re.sub(r"[^\w ]", "", item["number"]).strip()  # "Fig. 7" / "Table 3"
        digits = re.findall(r"\d+", number)
        assert digits, f"{page} {item['id']}: no number ({item['number']!r})"
        kind = "Table" if number.lower().startswith("table") else "Figure"  # as the page numbers it
        assert f"{kind} {digits[-1]}:" in item["cite"], f"{page} {item['id']}: citation {item['cite']!r}"
        assert f"[{item['id']}]" in item["cite"] and f"{page}.html#{item['id']}" in item["cite"]
        assert re.search(r"Built \d{4}-\d{2}-\d{2}; data: ", item["cite"]), item["cite"]
        assert item["button"] and item["bib"].endswith(f"/{item['id']}.bib"), item


def test_copy_button_copies_the_citation(browser, base_url):
    """Clicking "Copy citation" puts exactly the citation line on the clipboard."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    try:
        tab.goto(f"{base_url}chapters/april_shock.html", wait_until="load")
        button = tab.locator("figure#fig-april-curve button.tc-cite-copy")
        expected = button.get_attribute("data-cite")
        button.click()
        tab.wait_for_function("b => b.getAttribute('data-copied') !== null", arg=button.element_handle())
        assert button.get_attribute("data-copied") == "yes"
        assert tab.evaluate("navigator.clipboard.readText()") == expected
        shown = tab.locator("figure#fig-april-curve .tc-cite-text").text_content()
        assert shown == expected and "fig-april-curve" in expected
    finally:
        context.close()


def test_gallery_lists_and_links_every_figure(browser, base_url, site, built_ids):
    """The gallery has every exported figure and every table; each link lands on the item in its chapter."""
    tab = browser.new_page()
    try:
        tab.goto(f"{base_url}chapters/gallery.html", wait_until="load")
        tab.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
        tab.wait_for_function("() => [...document.images].every(i => i.complete)")
        items = tab.evaluate("""() => [...document.querySelectorAll('.tc-gallery-item')].map(d => ({
            id: d.dataset.id, link: d.querySelector('a.tc-gallery-link').href,
            thumb: (d.querySelector('img') || {}).naturalWidth || 0,
            cite: !!d.querySelector('.tc-cite-text'),
            downloads: [...d.querySelectorAll('a[download]')].map(a => a.href)}))""")
        ids = [i["id"] for i in items]
        exported = {p.stem for p in (site / "exports" / "figures").glob("*.svg")}
        assert exported <= set(ids), f"figures missing from the gallery: {sorted(exported - set(ids))}"
        assert set(ids) == {i for v in built_ids.values() for i in v}
        for item in items:
            assert item["cite"], item
            if item["id"].startswith("fig-"):
                assert item["thumb"] > 0, f"{item['id']}: thumbnail did not load"
                assert {d.rsplit(".", 1)[-1] for d in item["downloads"]} >= {"svg", "png", "csv"}
            tab2 = browser.new_page()
            try:
                tab2.goto(item["link"], wait_until="load")
                anchor = item["link"].split("#", 1)[1]
                assert tab2.locator(f"#{anchor}").count() == 1, f"gallery link {item['link']} lands nowhere"
            finally:
                tab2.close()
    finally:
        tab.close()


# ------------------------------------------------------------------------------------------------ the PDF
@pytest.fixture(scope="module")
def pdf(site):
    path = site / PDF_NAME
    if not path.is_file():
        pytest.fail(f"{path} missing: run `make pdf` after `make book` (`make site-test` does)")
    from pypdf import PdfReader

    return PdfReader(path)


def test_pdf_title_page_carries_citation(pdf):
    first = pdf.pages[0].extract_text()
    assert "The Treasury Card" in first and "How to cite" in first and "Data vintage" in first
    assert re.search(r"built \d{4}-\d{2}-\d{2}", first)


def test_pdf_has_every_chapter_searchable_and_numbered(pdf, site):
    text = "\n".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    outline = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert len(outline) == len(PAGES) + 1, outline  # the title page and one entry per page of the book
    # a sentence of the introduction, as the site shows it, is searchable text in the PDF
    intro = (site / "chapters" / "intro.html").read_text()
    sentence = re.search(r"This book asks, with public data and explicit statistics, [^<]*?\.", intro)
    assert sentence, "the introduction's sentence changed: pick another one here"
    assert " ".join(sentence.group(0).split()) in flat
    # page numbers stamped on every page after the title page
    for i, page in enumerate(pdf.pages[1:], start=2):
        assert page.extract_text().rstrip().endswith(f"\n{i}"), f"page {i}: no page number stamped at its foot"
    # the same figure numbers as the site
    built = json.loads((site / "citable-ids.json").read_text())
    n_figures = sum(1 for ids in built.values() for i in ids if i.startswith("fig-"))
    for n in range(1, n_figures + 1):
        assert re.search(rf"Fig(ure|\.) {n}\b", flat), f"Figure {n} is not in the PDF"


def test_pdf_charts_are_vector(pdf):
    """Charts are printed as vector graphics: the PDF holds no raster image."""
    rasters = [(i + 1, name) for i, page in enumerate(pdf.pages) for name in (img.name for img in page.images)]
    assert not rasters, f"raster images in the PDF (page, name): {rasters[:10]}"
