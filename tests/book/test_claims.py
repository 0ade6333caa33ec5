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
