"""Citable outputs: tables and figures under exports/ (treasurycard.book.export)."""

import os
import stat

import altair as alt
import pandas as pd
import pytest

from treasurycard.book.export import write_figure, write_table


def test_write_table_round_trip(tmp_path):
    frame = pd.DataFrame({"event_id": ["a", "b"], "raw_change": [1.25, -3.5]})
    path = write_table(frame, "event_effects", folder=tmp_path)
    assert path == tmp_path / "event_effects.csv"
    pd.testing.assert_frame_equal(pd.read_csv(path), frame)
    assert [p.name for p in tmp_path.iterdir()] == ["event_effects.csv"]  # no temp file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # readable like any file, not 0600


@pytest.mark.parametrize("bad", ["Has Space", "../escape", "", "UPPER"])
def test_ids_must_be_stable_file_names(tmp_path, bad):
    with pytest.raises(ValueError, match="export id"):
        write_table(pd.DataFrame({"a": [1]}), bad, folder=tmp_path)


def test_write_figure_svg_png_csv(tmp_path):
    data = pd.DataFrame({"x": [1, 2, 3], "y": [2.0, 1.0, 3.0]})
    chart = alt.Chart(data).mark_line().encode(x="x:Q", y="y:Q")
    paths = write_figure(chart, "fig-test", data, folder=tmp_path)
    assert paths["svg"].read_text().lstrip().startswith("<svg")
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pd.testing.assert_frame_equal(pd.read_csv(paths["csv"]), data, check_dtype=False)


def test_copyrighted_levels_are_left_out_of_downloads_with_a_note():
    import pandas as pd

    from treasurycard.book.export import without_owned_levels

    long = pd.DataFrame({"series_id": ["SP500", "DGS10"], "level": [5000.0, 4.2], "raw_change": [-4.9, -10.0]})
    out = without_owned_levels(long)
    assert pd.isna(out.loc[0, "level"]) and out.loc[1, "level"] == 4.2
    assert list(out["raw_change"]) == [-4.9, -10.0]  # derived numbers stay
    assert "fred.stlouisfed.org/series/SP500" in out.loc[0, "levels_note"] and out.loc[1, "levels_note"] == ""
    wide = pd.DataFrame({"date": ["2025-04-03"], "VIXCLS": [30.0], "DGS10": [4.0]})
    assert list(without_owned_levels(wide).columns) == ["date", "DGS10", "levels_note"]
    plain = pd.DataFrame({"series_id": ["DGS10"], "level": [4.2]})
    assert without_owned_levels(plain) is plain
