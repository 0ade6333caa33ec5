"""Sphinx extension that makes every figure and results table citable, and builds the gallery page.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``. It adds:

A citation line under every figure and results table
    "The Treasury Card authors (2026). The Treasury Card, version 0.1.0, Figure 3: <title> [fig-april-curve].
    <page URL>#fig-april-curve. Built 2026-12-01; data: <vintage>." with a one-click copy button and a link to
    a BibTeX entry for that figure (``exports/figures/<id>.bib``, ``exports/tables/<id>.bib``), written during
    the build beside the figure's SVG/PNG/CSV. Numbers are Sphinx's own (the ones the page shows); the id is
    the figure's ``:name:``, which is also its anchor, so both stay stable while the figure exists
    (``tests/site/figure_ids.txt`` lists them; the browser tests compare).
``{citable-gallery}``
    A directive for the "Figures and tables" page: every figure (thumbnail) and results table, grouped by
    chapter in reading order, with caption, downloads, citation line and a link to its place in the chapter.
A link to the PDF edition on every page
    ``treasury-card.pdf`` at the site's root, written by ``make pdf`` (:mod:`treasurycard.book.pdf`).

The page URL is the published site's address when the build knows it (``BOOK_URL``, set by the Pages
workflow; or ``url`` in ``CITATION.cff``); otherwise the citation gives the page's path inside the book.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

#: Where the PDF edition lives in the built site (written by ``make pdf``).
PDF_NAME = "treasury-card.pdf"
_STATIC = Path(__file__).resolve().parent / "static"


# ----------------------------------------------------------------------------- the book's citation facts
def _book_facts(app) -> dict:
    """Authors, title, version, build date and data vintage of this build (computed once per build)."""
    if getattr(app, "_tc_facts", None) is None:
        from sphinx.errors import ExtensionError
        from treasurycard.book import citation
        from treasurycard.data.store import read_build_log

        meta = citation.citation_metadata()
        built = citation.build_date()
        # the data this build's chapters read (the read log the publishing extension points them at)
        log_folder = Path(app.outdir).parent / ".treasurycard_reads"
        vintage = read_build_log(log_folder)
        if vintage.empty:
            raise ExtensionError(f"the build's read log {log_folder} is empty, so citations cannot name the data "
                                 "vintage; run `make clean` and `make book`")
        authors = " and ".join(a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}"
                               for a in meta["authors"])
        url = os.environ.get("BOOK_URL") or meta.get("url") or ""
        app._tc_facts = {
            "authors": authors, "title": meta["title"], "version": str(meta.get("version", "")),
            "built": built.isoformat(), "year": str(built.year), "data": citation.vintage_summary(vintage),
            "url": url.rstrip("/") + "/" if url else "",
        }
    return app._tc_facts


def _first_sentence(text: str, limit: int = 160) -> str:
    """The caption's first sentence, used as the figure's title in its citation."""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    title = match.group(1) if match else text
    if len(title) > limit:
        title = title[: limit - 1].rsplit(" ", 1)[0] + "…"
    return title.rstrip(".")


def _citable(node_id: str) -> bool:
    return node_id.startswith(("fig-", "tbl-"))


def _kind(node) -> str:
    """How the page numbers the node: "table" for a results table (``{glue:table}``), else "figure"."""
    return "table" if type(node).__name__ == "results_table" else "figure"


def citation_text(facts: dict, kind: str, number: str, title: str, node_id: str, docname: str) -> str:
    """One plain-text citation for a figure or table of this build."""
    where = f"{facts['url']}{docname}.html#{node_id}" if facts["url"] else f"{docname}.html#{node_id} (in the book)"
    label = f"{kind.capitalize()} {number}" if number else kind.capitalize()
    return (f"{facts['authors']} ({facts['year']}). {facts['title']}, version {facts['version']}, {label}: "
            f"{title} [{node_id}]. {where}. Built {facts['built']}; data: {facts['data']}.")


def bibtex_entry(facts: dict, kind: str, number: str, title: str, node_id: str, docname: str) -> str:
    """A BibTeX ``@misc`` entry for one figure or table."""
    key = re.sub(r"[^a-z0-9]", "", facts["title"].lower())[:16] + facts["year"] + "-" + node_id
    where = f"{facts['url']}{docname}.html#{node_id}" if facts["url"] else f"{docname}.html#{node_id}"
    fields = {
        "author": "{" + facts["authors"] + "}",
        "title": f"{{{kind.capitalize()} {number}: {title}}}",
        "howpublished": f"{{{facts['title']}, version {facts['version']}}}",
        "year": facts["year"],
        "note": f"Id {node_id}. Built {facts['built']}. Data: {facts['data']}",
    }
    fields["url" if facts["url"] else "addendum"] = where
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    return f"@misc{{{key},\n{body}\n}}\n"


# ----------------------------------------------------------------------------- collecting the entries
def collect_entries(app, doctree):
    """Record each figure and results table of a page (id, kind, caption) for citations and the gallery."""
    env = app.env
    if not hasattr(env, "tc_citables"):
        env.tc_citables = {}
    entries = []
    for fig in doctree.findall(nodes.figure):
        for node_id in fig["ids"]:
            if not _citable(node_id):
                continue
            kind = _kind(fig)
            captions = list(fig.findall(nodes.caption))
            caption = captions[0].astext() if captions else ""
            entries.append({"id": node_id, "kind": kind, "caption": caption})
    env.tc_citables[env.docname] = entries


def purge_entries(app, env, docname):
    getattr(env, "tc_citables", {}).pop(docname, None)


def merge_entries(app, env, docnames, other):
    if not hasattr(env, "tc_citables"):
        env.tc_citables = {}
    env.tc_citables.update(getattr(other, "tc_citables", {}))


def _number(env, docname: str, kind: str, node_id: str) -> str:
    nums = env.toc_fignumbers.get(docname, {}).get(kind, {}).get(node_id)
    return ".".join(map(str, nums)) if nums else ""


def _export_dir(node_id: str) -> str:
    """Where the preamble wrote the item's downloads: figures (``fig-*``) or tables (``tbl-*``)."""
    return "figures" if node_id.startswith("fig-") else "tables"


def _cite_html(facts, entry, docname, number, prefix: str) -> str:
    """The citation block's HTML: text, copy button, BibTeX link (``prefix`` leads from the page to the root)."""
    title = _first_sentence(entry["caption"])
    text = citation_text(facts, entry["kind"], number, title, entry["id"], docname)
    bib = f"{prefix}exports/{_export_dir(entry['id'])}/{entry['id']}.bib"
    return (
        f'<div class="tc-cite" data-cite-id="{html.escape(entry["id"])}">'
        f'<span class="tc-cite-label">Cite this {entry["kind"]}:</span> '
        f'<span class="tc-cite-text">{html.escape(text)}</span> '
        f'<button type="button" class="tc-cite-copy" data-cite="{html.escape(text, quote=True)}">Copy citation</button> '
        f'<a class="tc-cite-bib" href="{html.escape(bib)}" download>BibTeX</a></div>'
    )


def _prefix(docname: str) -> str:
    return "../" * docname.count("/")


def write_bibtex(app, facts, entry, docname, number) -> None:
    """Write the figure's or table's BibTeX beside its exports (``exports/`` is published with the site)."""
    folder = Path(app.srcdir) / "exports" / _export_dir(entry["id"])
    folder.mkdir(parents=True, exist_ok=True)
    title = _first_sentence(entry["caption"])
    target = folder / f"{entry['id']}.bib"
    tmp = target.with_suffix(".bib.tmp")
    tmp.write_text(bibtex_entry(facts, entry["kind"], number, title, entry["id"], docname))
    os.replace(tmp, target)


def add_citations(app, doctree, docname):
    """Append the citation block to every figure and results table of the page; fill the gallery."""
    env = app.env
    entries = {e["id"]: e for e in getattr(env, "tc_citables", {}).get(docname, [])}
    if entries:
        facts = _book_facts(app)
        for fig in list(doctree.findall(nodes.figure)):
            for node_id in fig["ids"]:
                if node_id in entries:
                    entry = entries[node_id]
                    number = _number(env, docname, entry["kind"], node_id)
                    fig += nodes.raw("", _cite_html(facts, entry, docname, number, _prefix(docname)), format="html")
                    write_bibtex(app, facts, entry, docname, number)
    for placeholder in list(doctree.findall(gallery_placeholder)):
        placeholder.replace_self(nodes.raw("", gallery_html(app, docname), format="html"))


# ----------------------------------------------------------------------------- the gallery
class gallery_placeholder(nodes.General, nodes.Element):
    """Replaced by the gallery once every page has been read (``doctree-resolved``)."""


class CitableGalleryDirective(SphinxDirective):
    """``{citable-gallery}``: every figure and results table of the book, grouped by chapter."""

    has_content = False

    def run(self):
        return [gallery_placeholder()]


def _reading_order(env) -> list[str]:
    """Docnames in the order of the book's table of contents (root first, depth first)."""
    order, seen = [], set()

    def walk(doc):
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return order + sorted(set(env.all_docs) - seen)


def _page_title(env, docname: str) -> str:
    title = env.titles.get(docname)
    return title.astext() if title is not None else docname


def gallery_html(app, here: str) -> str:
    """The gallery's HTML, for the page ``here``."""
    env, facts = app.env, _book_facts(app)
    prefix = _prefix(here)
    parts = []
    for docname in _reading_order(env):
        entries = getattr(env, "tc_citables", {}).get(docname, [])
        if not entries or docname == here:
            continue
        page = f"{prefix}{docname}.html"
        parts.append(f'<section class="tc-gallery-chapter"><h2><a href="{html.escape(page)}">'
                     f"{html.escape(_page_title(env, docname))}</a></h2>")
        for entry in entries:
            number = _number(env, docname, entry["kind"], entry["id"])
            label = f"{entry['kind'].capitalize()} {number}".strip()
            folder = f"{prefix}exports/{_export_dir(entry['id'])}/{entry['id']}"
            title = _first_sentence(entry["caption"])
            if entry["id"].startswith("fig-"):
                thumb = (f'<a class="tc-gallery-thumb" href="{html.escape(page)}#{entry["id"]}">'
                         f'<img src="{html.escape(folder)}.svg" loading="lazy" alt="{html.escape(label + ": " + title)}"></a>')
                downloads = " · ".join(f'<a href="{html.escape(folder)}.{ext}" download>{ext.upper()}</a>'
                                       for ext in ("svg", "png", "csv"))
            else:
                thumb = ""
                downloads = f'<a href="{html.escape(folder)}.csv" download>CSV</a>'
            parts.append(
                f'<div class="tc-gallery-item" id="gallery-{html.escape(entry["id"])}" data-id="{html.escape(entry["id"])}">'
                f"{thumb}<div class=\"tc-gallery-text\"><p><a class=\"tc-gallery-link\" "
                f'href="{html.escape(page)}#{entry["id"]}"><strong>{html.escape(label)}</strong></a> '
                f"<code>{html.escape(entry['id'])}</code>: {html.escape(' '.join(entry['caption'].split()))}</p>"
                f"<p>Download: {downloads}.</p>"
                f"{_cite_html(facts, entry, docname, number, prefix)}</div></div>"
            )
        parts.append("</section>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------- PDF link, assets
def add_pdf_link(app, pagename, templatename, context, doctree):
    """A line under every page linking the PDF edition (written by ``make pdf``)."""
    if doctree is None:
        return
    href = f"{_prefix(pagename)}{PDF_NAME}"
    context["body"] = context.get("body", "") + (
        f'\n<p class="tc-pdf-link">The whole book as one PDF, with the same figure and table numbers: '
        f'<a class="reference download" href="{html.escape(href)}">{PDF_NAME}</a>.</p>\n'
    )


def add_static(app):
    app.config.html_static_path.append(str(_STATIC))


def write_id_list(app, exception):
    """Write the ids of this build's figures and tables (``_build/html/citable-ids.json``) for the tests."""
    if exception is not None or app.builder.format != "html":
        return
    ids = {doc: [e["id"] for e in entries] for doc, entries in getattr(app.env, "tc_citables", {}).items()}
    (Path(app.outdir) / "citable-ids.json").write_text(json.dumps(ids, indent=1, sort_keys=True))


def setup(app):
    app.add_node(gallery_placeholder)
    app.add_directive("citable-gallery", CitableGalleryDirective)
    app.connect("builder-inited", add_static)
    app.connect("doctree-read", collect_entries)
    app.connect("env-purge-doc", purge_entries)
    app.connect("env-merge-info", merge_entries)
    app.connect("doctree-resolved", add_citations)
    app.connect("html-page-context", add_pdf_link, priority=460)
    app.connect("build-finished", write_id_list)
    app.add_js_file("tc-cite.js")
    app.add_css_file("tc-cite.css")
    return {"version": "1.0", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": False}
