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
Live charts, offline
    Every page with a chart (``<div class="tc-chart">``, written by
    :func:`treasurycard.book.preamble.publish_figure`) loads one shared copy of vega, vega-lite and vega-embed
    (``_static/treasurycard/vega.js``: the bundle vl-convert-python ships, written at build time from the
    pinned package, never a CDN) and ``_static/treasurycard/charts.js``, which turns the static SVG into a live
    view with tooltips. Pages without a chart load neither.
Code behind a "show code" toggle
    On narrative pages every code cell's source is collapsed (myst-nb's ``hide-input``) without tagging the
    chapter files; pages listed in ``treasurycard_show_code`` (the method and reproducibility chapters) show it.
``treasurycard_always_reread``
    Pages (docnames) that are read again on every build, even when their source did not change: the
    reproducibility appendix, whose build date and package versions must be those of *this* build. (Such a
    page also sets ``mystnb: execution_mode: force`` so the execution cache does not replay old outputs.)
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from docutils import nodes
from myst_nb.ext.glue.directives import PasteFigureDirective
from sphinx.transforms.post_transforms import SphinxPostTransform

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
    for name in ("charts.js", "treasurycard.css"):
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


def reread_always(app, env, added, changed, removed):
    return [doc for doc in app.config.treasurycard_always_reread if doc in env.found_docs]


def setup(app):
    app.add_config_value("treasurycard_always_reread", [], "env")
    app.add_config_value("treasurycard_show_code", [], "env")
    app.connect("builder-inited", add_static_files)
    app.add_css_file("treasurycard/treasurycard.css")
    app.connect("html-page-context", add_chart_scripts)
    app.add_post_transform(CollapseCode)
    _keep_cached_outputs()
    visitors = {fmt: (_visit, _depart) for fmt in ("html", "latex", "text", "man", "texinfo")}
    app.add_enumerable_node(results_table, "table", **visitors)
    app.add_directive("glue:table", PasteTableDirective)
    # before sphinx-book-theme builds its header buttons (priority 501), so its menu offers the notebook
    app.connect("html-page-context", add_notebook_download, priority=450)
    app.connect("html-page-context", drop_unused_thebe)
    app.connect("env-get-outdated", reread_always)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
