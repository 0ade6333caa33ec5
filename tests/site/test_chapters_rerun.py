"""Every chapter runs top to bottom in a fresh kernel outside the book build, with the same results.

A reader reruns a chapter in JupyterLab (jupytext opens the MyST file as a notebook): same code, fresh
kernel, working directory the chapter's folder, the same ``TREASURYCARD_*`` data settings. This test does
exactly that with nbclient and checks that every number the chapter glues into its prose appears, as
computed in that run, in the page the book build published.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import jupytext
import nbclient
import pytest
from sitepages import PROJECT_ROOT, toc_pages

#: Glued values that legitimately differ between two runs (the build date of the citation appendix).
VARIES_BETWEEN_RUNS = {"chapters/reproducibility": {"repro_build_date", "repro_citation", "repro_bibtex"}}

CHAPTERS = [p for p in toc_pages() if (PROJECT_ROOT / f"{p}.md").exists()
            and "code-cell" in (PROJECT_ROOT / f"{p}.md").read_text()]


def glued_text(nb) -> dict[str, str]:
    """Name -> text/plain of every value the notebook glued (myst-nb stores them as scrapbook outputs)."""
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            book = o.get("metadata", {}).get("scrapbook", {})
            data = {k.removeprefix(book.get("mime_prefix", "")): v for k, v in o.get("data", {}).items()}
            if book.get("name") and set(data) == {"text/plain"}:  # glued prose text, not charts or tables
                text = data["text/plain"]
                out[book["name"]] = text[1:-1] if text[:1] in "'\"" and text[-1:] == text[:1] else text
    return out


def page_text(site: Path, page: str) -> str:
    raw = (site / f"{page}.html").read_text(errors="replace")
    raw = re.sub(r"<script.*?</script>|<style.*?</style>", " ", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_reruns_outside_the_build_with_the_same_numbers(site, page, tmp_path, monkeypatch):
    path = PROJECT_ROOT / f"{page}.md"
    nb = jupytext.read(path)
    monkeypatch.setenv("TREASURYCARD_EXPORTS", str(tmp_path / "exports"))  # leave the build's exports alone
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    values = glued_text(nb)
    shown = page_text(site, page)
    skip = VARIES_BETWEEN_RUNS.get(page, set())
    used = set(re.findall(r"\{glue(?::text)?\}`([^`:]+)", path.read_text()))  # the keys the prose shows
    missing = {k: v for k, v in values.items()
               if k in used and k not in skip and " ".join(v.split()) not in shown}
    assert not missing, f"{page}: rerun outside the build glued values the published page does not show: {missing}"
    if "glue" in path.read_text():
        assert values, f"{page}: the chapter glues numbers, but the rerun recorded none"
