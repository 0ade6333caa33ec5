"""Sphinx extension for publishing the book: numbered results tables, executed-notebook downloads, fresh pages.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``. It adds:

``{glue:table} <key>``
    Like myst-nb's ``{glue:figure}``, but numbered as a *table* ("Table 3", ``{numref}`` works): the glued
    output (a DataFrame or Styler, see :func:`treasurycard.book.preamble.publish_table`) with a caption below it.
Executed-notebook downloads
    Every page built from a notebook gets its executed notebook (``_build/jupyter_execute/<page>.ipynb``,
    outputs included, also those replayed from the execution cache: see :func:`_keep_cached_outputs`) copied
    to ``_sources/<page>.ipynb``, an ``.ipynb`` entry in the theme's download menu and a visible download
    line at the end of the page. No chapter has to do anything.
No thebe when it is off
    sphinx-thebe (loaded by Jupyter Book whatever the settings) puts its configuration script on every page
    twice, which throws "THEBE_JS_URL has already been declared", and names a CDN. With thebe launch buttons
    off (the default) its scripts are dropped from the pages.
The chapters' exports
    The figures and tables the chapters wrote (``exports/``) are copied to ``exports/`` in the HTML output at
    the end of the build, beside the pages that link them, whatever runs the build (``make book`` or
    ``jupyter-book build`` alone).
Live charts, offline
    Every page with a chart (``<div class="tc-chart">``, written by
    :func:`treasurycard.book.preamble.publish_figure`) loads one shared copy of vega, vega-lite and vega-embed
    (``_static/treasurycard/vega.js``: the bundle vl-convert-python ships, written at build time from the
    pinned package, never a CDN) and ``_static/treasurycard/charts.js``, which turns the static SVG into a live
    view with tooltips. Pages without a chart load neither.
Code behind a "show code" toggle
    On narrative pages every code cell's source is collapsed (myst-nb's ``hide-input``) without tagging the
    chapter files; pages listed in ``treasurycard_show_code`` (the method and reproducibility chapters) show it.
``{sources-table}``, ``{sources-summary}``, ``{sources-citation}``
    The book's one list of sources, made from what the chapters' data stores actually read during this build
    (the read log, ``TREASURYCARD_READ_LOG``, which this extension points at ``_build/.treasurycard_reads``
    before any chapter runs): a numbered table (also written to ``exports/tables/<name>.csv``), a sentence
    with the count and data fingerprint, and the citation of this build. They are filled in when pages are
    written, after every chapter has run.
``treasurycard_always_reread``
    Pages (docnames) that are read again on every build, even when their source did not change: the
    reproducibility appendix, whose build date and package versions must be those of *this* build. (Such a
    page also sets ``mystnb: execution_mode: force`` so the execution cache does not replay old outputs.)
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

import os

from docutils import nodes
from docutils.parsers.rst import directives
from myst_nb.ext.glue.directives import PasteFigureDirective
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

STATIC = Path(__file__).parent / "static"


class results_table(nodes.figure):
    """A glued results table with a caption, numbered as a table (not as a figure)."""


def _visit(self, node):
    self.visit_figure(node)


def _depart(self, node):
    self.depart_figure(node)


class PasteTableDirective(PasteFigureDirective):
    """``{glue:table} key``: paste a glued table, numbered "Table N", caption from the directive content."""

    def run(self):
        out = super().run()
        if not out or not isinstance(out[0], nodes.figure):  # a glue warning: pass it on unchanged
            return out
        figure = out[0]
        table = results_table(figure.rawsource, *figure.children, **figure.attributes)
        table["classes"] = [*figure["classes"], "results-table"]
        table.source, table.line = figure.source, figure.line
        for node_id in table["ids"]:  # the label must point at the node that is numbered
            self.state.document.ids[node_id] = table
        return [table, *out[1:]]


def _keep_cached_outputs() -> None:
    """Make myst-nb write the *executed* notebook to ``jupyter_execute/`` also when it came from the cache.

    myst-nb 1.4's cache client merges the cached outputs into a copy of the notebook, while the parser writes
    the original: a page served from the execution cache got an ``.ipynb`` without outputs. Here the merged
    cells are put back into the notebook the parser writes (the same cells it renders the page from).
    """
    from myst_nb.core.execute.cache import NotebookClientCache

    original = NotebookClientCache.start_client
    if getattr(original, "_keeps_cached_outputs", False):
        return

    def start_client(self):
        source = self._notebook
        original(self)
        if self._notebook is not source:
            source.cells = self._notebook.cells
            self._notebook = source

    start_client._keeps_cached_outputs = True
    NotebookClientCache.start_client = start_client


def _executed_notebook(app, pagename: str) -> Path | None:
    """The executed notebook myst-nb wrote for a page, or None for a page that is not a notebook."""
    if pagename not in app.env.all_docs:
        return None
    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return path if path.is_file() else None


def add_notebook_download(app, pagename, templatename, context, doctree):
    """Publish a notebook page's executed notebook and link it (theme menu + a line under the page)."""
    source = _executed_notebook(app, pagename)
    if source is None or doctree is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    context["ipynb_source"] = f"{pagename}.ipynb"  # sphinx-book-theme then lists ".ipynb" in its download menu
    href = f"{context['pathto']('_sources', 1)}/{pagename}.ipynb"
    name = html.escape(Path(pagename).name + ".ipynb")
    context["body"] = context.get("body", "") + (
        '\n<p class="tc-notebook-download">This page as an executed Jupyter notebook, with all its outputs: '
        f'<a class="reference download" href="{html.escape(href)}" download="{name}">{name}</a>.</p>\n'
    )


def drop_unused_thebe(app, pagename, templatename, context, doctree):
    """Remove sphinx-thebe's scripts from a page when no thebe launch button is configured."""
    launch = (app.config.html_theme_options or {}).get("launch_buttons") or {}
    if launch.get("thebe") or "script_files" not in context:
        return

    def is_thebe(js) -> bool:
        name = str(getattr(js, "filename", js) or "")
        body = str(getattr(js, "attributes", {}).get("body", ""))
        return name.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body

    context["script_files"] = [js for js in context["script_files"] if not is_thebe(js)]


def _vega_bundle(folder: Path) -> Path:
    """Write ``folder/treasurycard/vega.js`` (vega, vega-lite, vega-embed) from vl-convert-python, once per version.

    The bundle is wrapped in a function so its top-level names do not collide with the theme's scripts; it
    sets ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite``.
    """
    import altair as alt
    import importlib.metadata
    import vl_convert as vlc

    vl_version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    stamp = (f"vl-convert-python {importlib.metadata.version('vl-convert-python')}: vega {vlc.get_vega_version()}, "
             f"vega-lite {vl_version}, vega-embed {vlc.get_vega_embed_version()}")
    target = folder / "treasurycard" / "vega.js"
    if not target.is_file() or not target.read_text(encoding="utf-8").startswith(f"/* {stamp} */"):
        target.parent.mkdir(parents=True, exist_ok=True)
        body = vlc.javascript_bundle(vl_version=vl_version)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(f"/* {stamp} */\n(function () {{\n{body}\n}})();\n", encoding="utf-8")
        tmp.replace(target)
    return target


def add_static_files(app):
    """Put the chart scripts and the book's stylesheet into the HTML build's ``_static/treasurycard/``."""
    if app.builder.format != "html":
        return
    folder = Path(app.outdir).parent / "treasurycard_static"
    _vega_bundle(folder)
    for name in ("charts.js", "tables.js", "treasurycard.css"):
        shutil.copy2(STATIC / name, folder / "treasurycard" / name)
    app.config.html_static_path.append(str(folder))


def add_chart_scripts(app, pagename, templatename, context, doctree):
    """Load the chart scripts on pages that have a live chart (one shared copy, cached by the browser)."""
    if 'class="tc-chart"' in context.get("body", ""):
        app.add_js_file("treasurycard/vega.js")
        app.add_js_file("treasurycard/charts.js")


class CollapseCode(SphinxPostTransform):
    """Collapse code cells behind a "Show code" toggle, except on the pages of ``treasurycard_show_code``."""

    default_priority = 198  # before myst-nb's HideInputCells (199), which builds the toggle
    formats = ("html",)

    def run(self, **kwargs):
        if self.env.docname in self.config.treasurycard_show_code:
            return
        for node in self.document.findall(nodes.container):
            if (node.get("nb_element") == "cell_code" and not node.get("hide_mode") and node.children
                    and node.children[0].get("nb_element") == "cell_code_source"):
                node["hide_mode"] = "input"
                node["prompt_show"] = "Show code"
                node["prompt_hide"] = "Hide code"


# ------------------------------------------------------------------------------------------ list of sources
class sources_slot(nodes.General, nodes.Element):
    """Filled in at write time from the build's read log: ``kind`` is table, count, summary or citation."""


def _slot(kind: str, **attrs) -> sources_slot:
    return sources_slot("", kind=kind, **attrs)


class SourcesTableDirective(SphinxDirective):
    """``{sources-table}`` with ``:name:`` and a caption: the numbered list of every data file the build read.

    In the caption, ``{{count}}`` becomes the number of files; a CSV download link is appended.
    """

    has_content = True
    option_spec = {"name": directives.unchanged_required}

    def run(self):
        name = self.options["name"]
        table = results_table("", classes=["results-table", "tc-sources"])
        self.add_name(table)
        holder = nodes.Element()
        self.state.nested_parse(self.content, self.content_offset, holder)
        paragraph = holder.children[0] if holder.children else nodes.paragraph()
        caption = nodes.caption("", "")
        for child in paragraph.children:
            if isinstance(child, nodes.Text) and "{count}" in child:
                before, after = str(child).split("{count}", 1)
                caption += [nodes.Text(before), _slot("count"), nodes.Text(after)]
            else:
                caption += child.deepcopy()
        caption += [nodes.Text(" "), _slot("csv", table_name=name, docname=self.env.docname)]
        table += [_slot("table", table_name=name), caption]
        return [table]


class SourcesSummaryDirective(SphinxDirective):
    """``{sources-summary}``: one sentence with the number of files read, their vintage and the fingerprint."""

    def run(self):
        return [_slot("summary")]


class SourcesCitationDirective(SphinxDirective):
    """``{sources-citation}``: how to cite this build (text and BibTeX), naming the data it read."""

    def run(self):
        return [_slot("citation")]


def read_log_folder(app) -> Path:
    return Path(app.outdir).parent / ".treasurycard_reads"


def point_read_log(app):
    """Before any chapter runs: the chapters' data stores record every file they read in the build's read log."""
    folder = read_log_folder(app)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["TREASURYCARD_READ_LOG"] = str(folder)


def _sources(app):
    from treasurycard.book import sources
    from treasurycard.data.store import read_build_log

    if not hasattr(app, "_tc_sources"):
        log = read_build_log(read_log_folder(app))
        if log.empty:
            raise ExtensionError(
                f"the build's read log {read_log_folder(app)} is empty, so the list of sources cannot be made: "
                "the chapters were replayed from an execution cache older than the log; run `make clean` and "
                "`make book`")
        app._tc_sources = (log, sources.source_list(log))
    return app._tc_sources


def _table_node(frame) -> nodes.table:
    table = nodes.table(classes=["table", "tc-sources-table"])
    group = nodes.tgroup(cols=len(frame.columns))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in frame.columns]
    head, body = nodes.thead(), nodes.tbody()
    row = nodes.row()
    row += [nodes.entry("", nodes.paragraph("", str(c))) for c in frame.columns]
    head += row
    for values in frame.itertuples(index=False):
        row = nodes.row()
        row += [nodes.entry("", nodes.paragraph("", "" if v is None else str(v))) for v in values]
        body += row
    group += [head, body]
    return table


def fill_sources(app, doctree, docname):
    """Replace the list-of-sources slots of a page by what the build read (and write the table's CSV)."""
    slots = list(doctree.findall(sources_slot))
    if not slots:
        return
    from treasurycard.book import citation, sources
    from treasurycard.book.export import write_table

    log, listed = _sources(app)
    fingerprint = citation.data_fingerprint(log)
    for slot in slots:
        kind = slot["kind"]
        if kind == "table":
            write_table(listed, slot["table_name"])
            slot.replace_self(_table_node(sources.shown_list(listed)))
        elif kind == "count":
            slot.replace_self(nodes.Text(str(len(listed))))
        elif kind == "csv":
            depth = slot["docname"].count("/")
            href = "../" * depth + f"exports/tables/{slot['table_name']}.csv"
            link = nodes.reference("", "CSV", refuri=href, classes=["reference", "external"])
            slot.replace_self([nodes.Text("Download: "), link, nodes.Text(".")])
        elif kind == "summary":
            text = (f"This build read {len(listed)} data files ({citation.vintage_summary(log)}); two builds with "
                    f"the same data fingerprint, {fingerprint}, read byte-identical files.")
            slot.replace_self(nodes.paragraph("", text))
        elif kind == "citation":
            cite = citation.how_to_cite(citation.citation_metadata(), citation.build_date(), log)
            quote = nodes.block_quote("", nodes.paragraph("", cite["text"]))
            bib = nodes.literal_block(cite["bibtex"], cite["bibtex"], language="bibtex")
            slot.replace_self([quote, bib])


def reread_always(app, env, added, changed, removed):
    return [doc for doc in app.config.treasurycard_always_reread if doc in env.found_docs]


def publish_exports(app, exception) -> None:
    """Copy the exports folder (``exports/``, or ``TREASURYCARD_EXPORTS``; written by the chapters while they ran)
    into the HTML output as ``exports/``, replacing the old copy."""
    if exception is not None or app.builder.format != "html":
        return
    # the same folder as treasurycard.book.export.exports_dir(), without importing the package here
    source = Path(os.environ.get("TREASURYCARD_EXPORTS") or Path(app.srcdir) / "exports")
    target = Path(app.outdir) / "exports"
    if source.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def setup(app):
    app.add_config_value("treasurycard_always_reread", [], "env")
    app.add_config_value("treasurycard_show_code", [], "env")
    app.connect("builder-inited", add_static_files)
    app.add_css_file("treasurycard/treasurycard.css")
    app.add_js_file("treasurycard/tables.js")  # small: wide tables become cards on a phone
    app.connect("html-page-context", add_chart_scripts)
    app.add_post_transform(CollapseCode)
    app.add_node(sources_slot)
    app.add_directive("sources-table", SourcesTableDirective)
    app.add_directive("sources-summary", SourcesSummaryDirective)
    app.add_directive("sources-citation", SourcesCitationDirective)
    app.connect("builder-inited", point_read_log)
    app.connect("doctree-resolved", fill_sources)
    _keep_cached_outputs()
    visitors = {fmt: (_visit, _depart) for fmt in ("html", "latex", "text", "man", "texinfo")}
    app.add_enumerable_node(results_table, "table", **visitors)
    app.add_directive("glue:table", PasteTableDirective)
    # before sphinx-book-theme builds its header buttons (priority 501), so its menu offers the notebook
    app.connect("html-page-context", add_notebook_download, priority=450)
    app.connect("html-page-context", drop_unused_thebe)
    app.connect("env-get-outdated", reread_always)
    app.connect("build-finished", publish_exports)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
