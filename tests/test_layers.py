"""The package's three layers import downward only: data <- eventstudy (neither) <- book (both).

``import treasurycard.eventstudy`` must load only numpy, pandas, scipy and statsmodels beside the engine,
so a researcher can reuse the engine on their own data without the book's data layer or Altair.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import treasurycard

PACKAGE = Path(treasurycard.__file__).resolve().parent


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; import json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_engine_loads_neither_data_layer_nor_altair():
    mods = _loaded_after("import treasurycard.eventstudy")
    ours = {m for m in mods if m.startswith("treasurycard")}
    assert "treasurycard.eventstudy" in ours
    assert not {m for m in ours if m.startswith(("treasurycard.data", "treasurycard.book"))}, ours
    assert not {m for m in mods if m.split(".")[0] in {"altair", "vl_convert", "pandas_datareader", "requests",
                                                        "myst_nb", "IPython"}}
    # beyond the engine itself, nothing that numpy, pandas, scipy and statsmodels do not load on their own
    baseline = _loaded_after("import numpy, pandas, scipy.stats, scipy.signal; "
                             "import statsmodels.regression.linear_model, statsmodels.stats.sandwich_covariance")
    extra = {m for m in set(mods) - set(baseline) if not m.startswith("treasurycard")}
    assert not {m.split(".")[0] for m in extra} - {"numpy", "pandas", "scipy", "statsmodels"}, extra


def test_package_import_loads_no_layer():
    mods = _loaded_after("import treasurycard")
    assert [m for m in mods if m.startswith("treasurycard.")] == []


def test_public_face_resolves_every_name():
    for name in treasurycard.__all__:
        assert getattr(treasurycard, name) is not None, name
    with pytest.raises(AttributeError):
        treasurycard.not_a_name  # noqa: B018


def _imports(path: Path) -> set[str]:
    """Absolute names of the treasurycard modules a file imports (relative imports resolved)."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            if mod.startswith("treasurycard"):
                out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("treasurycard"))
    return out


@pytest.mark.parametrize("layer, forbidden", [
    ("data", ("treasurycard.eventstudy", "treasurycard.book")),
    ("eventstudy", ("treasurycard.data", "treasurycard.book")),
])
def test_imports_run_downward_only(layer, forbidden):
    for path in (PACKAGE / layer).rglob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(forbidden)}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"
