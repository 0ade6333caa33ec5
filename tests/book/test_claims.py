"""Claims and verdicts (treasurycard.book.claims): the one machinery of robustness and story check."""

import numpy as np
import pandas as pd
import pytest

from treasurycard.book import claims
from treasurycard.errors import TreasuryCardError

TABLE = pd.DataFrame(
    {"event_id": ["a", "a"], "series_id": ["DGS10", "DGS30"], "raw_change": [-14.0, 0.0],
     "hac_car": [-14.2, 0.1], "abnormal_change": [-14.2, -0.1], "placebo_pvalue": [0.02, 0.5],
     "placebo_n": [5000, 5000], "cond_placebo_pvalue": [0.4, 0.08], "cond_placebo_n": [250, 250],
     "hac_pvalue": [0.01, 0.9], "bw_t_pvalue": [0.01, 0.9], "n_est": [250, 250]}
).set_index(["event_id", "series_id"])


def test_claim_holds_by_test_sign_and_threshold():
    fell = claims.Claim("10-year fell", "a", "DGS10", "placebo", -1)
    rose = claims.Claim("10-year rose", "a", "DGS10", "placebo", +1)
    ordinary = claims.Claim("30-year ordinary", "a", "DGS30", "cond_placebo", 0, 0.10, significant=False)
    assert fell.holds_in(TABLE) and not rose.holds_in(TABLE) and not ordinary.holds_in(TABLE)
    ev = rose.evaluate(TABLE.loc[("a", "DGS10")])
    assert ev["direction_ok"] is False and ev["holds"] is False and ev["n_reference"] == 5000


def test_direction_claims_judge_the_sign_alone_and_an_unchanged_rate_is_no_move():
    assert claims.Claim("fell", "a", "DGS10", "direction", -1).holds_in(TABLE)
    assert not claims.Claim("rose", "a", "DGS30", "direction", +1).holds_in(TABLE)
    assert not claims.Claim("fell", "a", "DGS30", "direction", -1).holds_in(TABLE)
    with pytest.raises(TreasuryCardError):
        claims.Claim("moved", "a", "DGS10", "direction", 0)
    with pytest.raises(TreasuryCardError):
        claims.Claim("x", "a", "DGS10", "t-test")


def test_verdicts_and_ledger():
    assert claims.verdict([True, True]) == "supported"
    assert claims.verdict([False, True], partly=[True]) == "partly supported"
    assert claims.verdict([False], partly=[False]) == "not supported"
    ledger = claims.Ledger()
    assert ledger.add("c", "d", "t", "supported", "e") == "supported"
    with pytest.raises(TreasuryCardError, match="verdict must be one of"):
        ledger.add("c", "d", "t", "mostly true", "e")
    assert ledger.frame().columns.tolist() == ["claim", "data", "test", "verdict", "evidence"]
    assert ledger.count("supported") == 1


def test_weekly_claim():
    from treasurycard.eventstudy.history import HistoryRank

    fields = HistoryRank.__dataclass_fields__
    kw = {f: None for f in fields} | {"value": 48.0, "share_at_least": 0.004, "n": 3000}
    r = HistoryRank(**kw)
    c = claims.WeeklyClaim("top 1%", "DGS10", "2025-04-11", "up", 0.01)
    assert c.holds_for(r) and not claims.WeeklyClaim("fell", "DGS10", "2025-04-11", "down").holds_for(r)


def test_robustness_and_story_check_use_the_same_claim_class():
    from treasurycard.book import robustness

    assert robustness.Claim is claims.Claim and robustness.WeeklyClaim is claims.WeeklyClaim
    assert all(isinstance(c, claims.Claim) for c in robustness.APRIL_CLAIMS + robustness.KATO_CLAIMS)


# ------------------------------------------------------------------------------------ power of null claims


def test_placebo_mde_matches_the_normal_formula_for_normal_reference_days():
    from treasurycard.eventstudy.inference import minimum_detectable_effect

    rng = np.random.default_rng(20250502)
    ref = rng.normal(0.0, 7.0, 20_000)
    mde = claims.placebo_mde(ref)
    assert abs(mde / minimum_detectable_effect(ref.std(ddof=1)) - 1) < 0.03
    # at the MDE the placebo test rejects for about 80% of fresh draws, for an effect of either sign
    crit = np.quantile(np.abs(ref), 0.95)
    fresh = rng.normal(0.0, 7.0, 20_000)
    for sign in (1, -1):
        assert 0.77 < np.mean(np.abs(fresh + sign * mde) > crit) < 0.83
    # twice the noise, twice the MDE; NaN ignored
    assert abs(claims.placebo_mde(np.append(2 * ref, np.nan)) / (2 * mde) - 1) < 1e-9


def test_placebo_mde_is_infinite_when_the_set_is_too_small_for_p_below_5_percent():
    ref = np.arange(1.0, 20.0)  # 19 days: the smallest p-value is 1/20 = 0.05, not below 0.05
    assert np.isinf(claims.placebo_mde(ref))
    ref20 = np.arange(1.0, 21.0)  # 20 days: a move beyond all of them has p = 1/21
    m = claims.placebo_mde(ref20)
    assert np.isfinite(m) and m > 20.0
    assert np.isinf(claims.placebo_mde(np.arange(1.0, 13.0)))  # a year of monthly reports


def test_mde_of_each_test():
    row = pd.Series({"hac_se": 5.0, "est_std": 4.0, "n_days": 4})
    assert abs(claims.mde_of_test(row, "hac") - 2.8015852 * 5.0) < 1e-6
    assert abs(claims.mde_of_test(row, "bw_t") - 2.8015852 * 8.0) < 1e-6
    assert np.isnan(claims.mde_of_test(row, "direction"))
    with pytest.raises(TreasuryCardError, match="reference distribution"):
        claims.mde_of_test(row, "cond_placebo")


def test_power_verdict_null_claims_need_the_baseline_power_significant_claims_do_not():
    pv = claims.power_verdict
    assert pv(True, False, 24.0, 17.0) == "uninformative"  # 41% more noise: no support
    assert pv(True, False, 18.0, 17.0) == "holds"  # within 10%
    assert pv(True, False, np.inf, 17.0) == "uninformative"
    assert pv(False, False, 24.0, 17.0) == "fails"  # a rejection by a weaker test still counts
    assert pv(True, True, 24.0, 17.0) == "holds" and pv(False, True, 24.0, 17.0) == "fails"
    assert pv(True, False, 17.0, np.nan) == "holds"  # no baseline to compare with
    assert pd.isna(pv(np.nan, False, 17.0, 17.0))
    assert claims.POWER_VERDICTS == ("holds", "uninformative", "fails")
