"""Tests of treasurycard.book.scenario: hand-computed arithmetic on published yield-per-flow estimates."""

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from treasurycard.book import scenario
from treasurycard.book.scenario import FlowEffect


def _effect(low=40.0, central=50.0, high=60.0, flow=100.0):
    return FlowEffect(source="Test (2000)", cite_key="test2000", horizon="short run", series_id="DGS5",
                      flow_bn=flow, low_bp=low, central_bp=central, high_bp=high, central_rule="midpoint",
                      flow="a test flow", quote="a test quote", where="abstract")


def test_beltran_numbers_are_the_abstracts():
    # Beltran et al. (2013), abstract: "about 40-60 basis points in the short run ... about 20 basis points"
    sr, lr = scenario.BELTRAN_SHORT_RUN, scenario.BELTRAN_LONG_RUN
    assert (sr.low_bp, sr.central_bp, sr.high_bp, sr.flow_bn) == (40.0, 50.0, 60.0, 100.0)
    assert (lr.low_bp, lr.central_bp, lr.high_bp) == (20.0, 20.0, 20.0)
    assert "40-60 basis points" in sr.quote and "about 20 basis points" in lr.quote


def test_bp_per_bn():
    # hand: 40/100 = 0.4, 50/100 = 0.5, 60/100 = 0.6 bp per $1bn
    assert_allclose(list(_effect().bp_per_bn().values()), [0.4, 0.5, 0.6], rtol=0, atol=1e-12)


def test_scenario_moves_hand_computed():
    # Japan 1,000bn, 10% sold = 100bn -> 40/50/60 bp; China 500bn, 10% = 50bn -> 20/25/30 bp
    out = scenario.scenario_moves({"Japan": 1000.0, "China": 500.0}, [0.1, 0.5], [_effect()])
    assert list(out.columns[:4]) == ["holder", "holdings_bn", "share_sold_pct", "sale_bn"]
    assert len(out) == 4 and set(out["unit"]) == {"bp"}
    jp = out[(out["holder"] == "Japan") & (out["share_sold_pct"] == 10)].iloc[0]
    assert_allclose([jp["sale_bn"], jp["low_bp"], jp["central_bp"], jp["high_bp"]], [100, 40, 50, 60], rtol=0, atol=1e-9)
    cn = out[(out["holder"] == "China") & (out["share_sold_pct"] == 50)].iloc[0]
    # 50% of 500 = 250bn -> 2.5 x (40, 50, 60)
    assert_allclose([cn["sale_bn"], cn["low_bp"], cn["central_bp"], cn["high_bp"]], [250, 100, 125, 150], rtol=0, atol=1e-9)


def test_rescale_to_market():
    # the stock doubled (3,000 -> 6,000): the same share is now a 200bn flow, so 40-60 bp per 200bn
    e = scenario.rescale_to_market(_effect(), base_bn=3000.0, target_bn=6000.0, label="doubled")
    assert e.flow_bn == 200.0 and e.conversion == "doubled" and (e.low_bp, e.high_bp) == (40.0, 60.0)
    out = scenario.scenario_moves(pd.Series({"Japan": 1000.0}), [0.1], [e])
    assert_allclose(out[["low_bp", "central_bp", "high_bp"]].to_numpy().ravel(), [20, 25, 30], rtol=0, atol=1e-9)


def test_implied_sale():
    # a 43 bp rise: 43/0.6 = 71.666.., 43/0.5 = 86, 43/0.4 = 107.5 bn
    got = scenario.implied_sale(43.0, _effect())
    assert_allclose([got["low"], got["central"], got["high"]], [43 / 0.6, 86.0, 107.5], rtol=1e-12, atol=0)


def test_implied_sale_inverts_scenario():
    e = _effect(low=20.0, central=20.0, high=20.0)
    move = scenario.scenario_moves({"X": 800.0}, [0.25], [e]).iloc[0]["central_bp"]   # 200bn x 0.2 = 40 bp
    assert_allclose(move, 40.0, rtol=0, atol=1e-12)
    assert_allclose(scenario.implied_sale(move, e)["central"], 200.0, rtol=1e-12, atol=0)


@pytest.mark.parametrize("kwargs", [dict(low=60.0, central=50.0, high=40.0), dict(flow=0.0)])
def test_bad_effects_rejected(kwargs):
    with pytest.raises(ValueError):
        _effect(**kwargs)


@pytest.mark.parametrize("shares", [[0.0], [1.5], [-0.1]])
def test_bad_shares_rejected(shares):
    with pytest.raises(ValueError):
        scenario.scenario_moves({"Japan": 1000.0}, shares, [_effect()])


def test_bad_holdings_rejected():
    with pytest.raises(ValueError):
        scenario.scenario_moves({"Japan": float("nan")}, [0.1], [_effect()])


def test_new_estimates_are_the_abstracts():
    ar, aru, dk = scenario.AHMED_REBUCCI, scenario.AHMED_REBUCCI_UNIDENTIFIED, scenario.DAMICO_KING_STOCK
    assert (ar.low_bp, ar.flow_bn) == (100.0, 100.0) and "more than 100 basis points" in ar.quote
    assert (aru.low_bp, aru.high_bp) == (19.0, 44.0) and "19-44 basis points" in aru.quote
    assert (dk.central_bp, dk.flow_bn, dk.shock) == (30.0, 300.0, "stock") and "about 30" in dk.quote
    assert {e.shock for e in scenario.ESTIMATES} == {"flow", "stock"}
    assert all(e.reference_quarter for e in scenario.ESTIMATES)


def test_scale_by_debt_hand_computed():
    # debt 10,000bn at the reference quarter and 25,000bn later: a 100bn flow then is a 250bn flow later,
    # so 40-60 bp per 250bn, i.e. 16-24 bp per 100bn (hand: 40 * 100/250 = 16, 60 * 100/250 = 24)
    e = FlowEffect(source="T", cite_key="t", horizon="short run", series_id="DGS5", flow_bn=100.0, low_bp=40.0,
                   central_bp=50.0, high_bp=60.0, central_rule="m", flow="f", quote="q", where="w",
                   reference_quarter="2010-04-01")
    debt = pd.Series([10_000.0, 25_000.0], index=pd.to_datetime(["2010-04-01", "2025-01-01"]))
    out = scenario.scale_by_debt(e, debt, "2025-01-01")
    assert out.flow_bn == 250.0 and "2010-04" in out.conversion and "2025-01" in out.conversion
    assert_allclose([100 * v for v in out.bp_per_bn().values()], [16.0, 20.0, 24.0], rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="no debt figure"):
        scenario.scale_by_debt(e, debt, "2024-01-01")
    with pytest.raises(ValueError, match="no reference_quarter"):
        scenario.scale_by_debt(_effect(), debt, "2025-01-01")


def test_shock_must_be_flow_or_stock():
    with pytest.raises(ValueError, match="shock"):
        FlowEffect(source="T", cite_key="t", horizon="h", series_id="DGS5", flow_bn=1.0, low_bp=1.0, central_bp=1.0,
                   high_bp=1.0, central_rule="m", flow="f", quote="q", where="w", shock="both")
