"""Which pages the book has: read from ``_toc.yml``, so a new chapter is tested without editing the tests."""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def toc_pages(toc: Path = PROJECT_ROOT / "_toc.yml") -> list[str]:
    """The book's pages in reading order, as docnames (``chapters/intro``), from ``_toc.yml``."""
    data = yaml.safe_load(toc.read_text())
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
