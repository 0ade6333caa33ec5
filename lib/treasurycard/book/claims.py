"""Claims and verdicts: one machinery for the robustness table and the story check.

A :class:`Claim` states a conclusion about one event and series and names the test that judges it; a
:class:`WeeklyClaim` does the same for one week's rank in history. :func:`verdict` turns the claims that must
hold for "supported" and those enough for "partly supported" into one of :data:`VERDICTS`, and a
:class:`Ledger` collects verdicts with their evidence for a chapter's table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import TreasuryCardError

__all__ = ["VERDICTS", "TESTS", "POWER_VERDICTS", "MDE_ALPHA", "MDE_POWER", "MDE_TOLERANCE", "Claim", "WeeklyClaim",
           "judge", "verdict", "Ledger", "placebo_mde", "mde_of_test", "power_verdict"]

#: The verdicts a checked claim can get.
VERDICTS = ("supported", "partly supported", "not supported", "not testable with public data")

#: Tests a :class:`Claim` can name: the event-study columns of (p-value, reference count, change shown).
#: ``"direction"`` judges the sign of the raw change alone.
TESTS = {
    "placebo": ("placebo_pvalue", "placebo_n", "raw_change"),
    "cond_placebo": ("cond_placebo_pvalue", "cond_placebo_n", "raw_change"),
    "hac": ("hac_pvalue", None, "hac_car"),
    "bw_t": ("bw_t_pvalue", "n_est", "abnormal_change"),
    "direction": (None, None, "raw_change"),
}


#: What a claim's test says under one choice: it holds, it fails, or (a null claim only) it "holds" only because
#: the test lost power, which is no support (see :func:`power_verdict`).
POWER_VERDICTS = ("holds", "uninformative", "fails")
#: Level (two-sided) and power at which minimum detectable effects are stated.
MDE_ALPHA, MDE_POWER = 0.05, 0.80
#: A null claim's variant is uninformative when its test's MDE exceeds the baseline's by more than this share.
MDE_TOLERANCE = 0.10


def placebo_mde(reference, alpha: float = MDE_ALPHA, power: float = MDE_POWER) -> float:
    """Minimum detectable effect of a placebo (rank) test, from the reference distribution it ranks against.

    The placebo test gives a move ``x`` the p-value ``(1 + #{|r_i| >= |x|}) / (1 + N)`` among the ``N``
    reference values ``r_i`` and rejects at ``alpha`` when that is below ``alpha``, i.e. when ``|x|`` exceeds
    the critical value ``c``: the ``(K+1)``-th largest ``|r_i|``, with ``K`` the largest count of reference
    values at least as large as ``|x|`` that still gives ``p < alpha``. If the event day were an ordinary
    reference day plus an effect ``delta``, the test would reject with probability ``P(|r + delta| > c)``;
    taking ``r`` from the reference values themselves, the MDE is the smallest ``delta >= 0`` from which this
    share is at least ``power`` for an effect of either sign. For normal reference values and large ``N`` it
    equals ``(z_{1-alpha/2} + z_power) sd``, the parametric
    :func:`treasurycard.eventstudy.inference.minimum_detectable_effect`, but it keeps the reference
    distribution's fat tails and its size.

    Parameters
    ----------
    reference : array-like
        The placebo statistics (e.g. window changes in basis points), NaN ignored.

    Returns
    -------
    float
        In the unit of ``reference``; ``inf`` when ``N`` is too small for any p-value below ``alpha``
        (``N < 1/alpha - 1``, e.g. fewer than 19 reference days at 5%): such a test can detect no effect.
    """
    r = np.sort(np.asarray(reference, dtype=float))
    r = r[np.isfinite(r)]
    n = r.size
    k = int(np.ceil(alpha * (1 + n) - 1)) - 1  # largest k with (1 + k) / (1 + n) < alpha
    if n == 0 or k < 0:
        return float("inf")
    c = np.sort(np.abs(r))[::-1][k]
    # the share of shifted reference values beyond c changes only at delta = |+-c - r_i|
    cand = np.concatenate([[0.0], np.unique(np.abs(np.concatenate([c - r, c + r])))])
    d = cand + 1e-9 * max(c, 1.0)  # just above each candidate: the rejection region is open
    gt = lambda x: n - np.searchsorted(r, x, side="right")  # noqa: E731  #{r_i > x}
    lt = lambda x: np.searchsorted(r, x, side="left")  # noqa: E731  #{r_i < x}
    up = (gt(c - d) + lt(-c - d)) / n  # |r + d| > c
    down = (gt(c + d) + lt(d - c)) / n  # |r - d| > c
    ok = np.minimum(up, down) >= power
    # the smallest delta from which every larger candidate also has the power
    bad = np.flatnonzero(~ok)
    first = 0 if bad.size == 0 else bad[-1] + 1
    return float(cand[first]) if first < cand.size else float("inf")


def mde_of_test(row, test: str, reference=None, alpha: float = MDE_ALPHA, power: float = MDE_POWER) -> float:
    """Minimum detectable effect of a claim's test on one event-study row, in the row's unit.

    ``"hac"``: ``(z_{1-alpha/2} + z_power) * hac_se`` (the CAR's HAC standard error, which carries the window
    length and the lags); ``"bw_t"``: the same with ``est_std * sqrt(n_days)``; ``"placebo"`` and
    ``"cond_placebo"``: :func:`placebo_mde` of ``reference``, the distribution the p-value ranks against
    (:meth:`treasurycard.book.study.StudyResult.placebo_distribution`). NaN for ``"direction"``.
    """
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    if test == "hac":
        return float(z * row["hac_se"])
    if test == "bw_t":
        return float(z * row["est_std"] * np.sqrt(row["n_days"]))
    if test in ("placebo", "cond_placebo"):
        if reference is None:
            raise TreasuryCardError(f"a {test} test's MDE needs its reference distribution")
        return placebo_mde(reference, alpha, power)
    return np.nan


def power_verdict(holds, significant: bool, mde=np.nan, baseline_mde=np.nan, tolerance: float = MDE_TOLERANCE):
    """One of :data:`POWER_VERDICTS` (NaN when the claim could not be judged).

    A null claim (``significant=False``) that holds with a test whose MDE exceeds the baseline's by more than
    ``tolerance`` (``mde > (1 + tolerance) * baseline_mde``) is ``"uninformative"``: its move stayed below a
    bar the baseline did not set, so it "holds" only because the test is noisier. A significant claim, or a
    null claim that fails, is judged by ``holds`` alone.
    """
    if holds is None or (isinstance(holds, float) and np.isnan(holds)):
        return np.nan
    if not holds:
        return "fails"
    if not significant and np.isfinite(baseline_mde) and not np.isnan(mde) and mde > (1 + tolerance) * baseline_mde:
        return "uninformative"
    return "holds"


def judge(p, change, claim_sign, threshold, significant):
    """``(direction_ok, holds)`` of one claim: the move's sign against ``claim_sign`` (0: either), and whether
    ``p < threshold`` (``significant``) or ``p > threshold`` (not) with the right sign; ``holds`` is NaN when
    the p-value is missing."""
    direction_ok = True if claim_sign == 0 or not np.isfinite(change) else bool(np.sign(change) == claim_sign)
    if not np.isfinite(p):
        return direction_ok, np.nan
    passes = p < threshold if significant else p > threshold
    return direction_ok, bool(passes and direction_ok)


@dataclass(frozen=True)
class Claim:
    """A conclusion about one event and series, judged by one test.

    Attributes
    ----------
    label : str
        The conclusion in words, as the table shows it.
    event_id, series_id : str
        Which event and series (FRED id).
    test : {"placebo", "cond_placebo", "hac", "bw_t", "direction"}
        Which p-value of :func:`treasurycard.eventstudy.event_study` judges it (``"direction"``: only the sign
        of the raw change).
    sign : int
        ``-1``: the series must have fallen; ``+1``: risen; ``0``: either.
    threshold : float
        The p-value cut-off.
    significant : bool
        ``True``: the claim holds if ``p < threshold`` (the move was unusual); ``False``: if ``p > threshold``
        (the move was ordinary).
    short : str
        A short label for table headers (default ``label``).
    """

    label: str
    event_id: str
    series_id: str
    test: str
    sign: int = 0
    threshold: float = 0.05
    significant: bool = True
    short: str = ""

    def __post_init__(self):
        if self.test not in TESTS:
            raise TreasuryCardError(f"Claim.test must be one of {list(TESTS)}, got {self.test!r}")
        if self.test == "direction" and self.sign == 0:
            raise TreasuryCardError("a 'direction' claim needs sign +1 or -1")

    def evaluate(self, row) -> dict:
        """Judge the claim on one row of an event-study table (a mapping with the table's columns).

        Returns ``{"change", "pvalue", "n_reference", "direction_ok", "holds"}``.
        """
        pcol, ncol, ccol = TESTS[self.test]
        change = float(row[ccol])
        p = float(row[pcol]) if pcol is not None and pcol in row else np.nan
        if self.test == "direction":
            ok = judge(np.nan, change, self.sign, self.threshold, self.significant)[0]
            holds = bool(ok and np.isfinite(change) and change != 0)
        else:
            ok, holds = judge(p, change, self.sign, self.threshold, self.significant)
        n_ref = int(row[ncol]) if ncol and ncol in row and np.isfinite(row[ncol]) else np.nan
        return {"change": change, "pvalue": p, "n_reference": n_ref, "direction_ok": ok, "holds": holds}

    def holds_in(self, table: pd.DataFrame) -> bool:
        """Whether the claim holds in a table indexed by (event_id, series_id) (e.g.
        :meth:`treasurycard.book.study.StudyResult.window_frame`); False when it cannot be judged."""
        return self.evaluate(table.loc[(self.event_id, self.series_id)])["holds"] is True


@dataclass(frozen=True)
class WeeklyClaim:
    """A weekly move ranks in the top ``threshold`` share of a series' weekly moves in ``direction``."""

    label: str
    series_id: str
    week: str
    direction: str = "up"
    threshold: float = 0.01
    short: str = ""

    def evaluate(self, rank) -> dict:
        """Judge the claim on a :class:`treasurycard.eventstudy.history.HistoryRank`."""
        sign = {"up": 1, "down": -1, "abs": 0}[self.direction]
        ok, _ = judge(rank.share_at_least, rank.value, sign, self.threshold, True)
        return {"change": rank.value, "pvalue": rank.share_at_least, "n_reference": rank.n, "direction_ok": ok,
                "holds": bool(ok and rank.share_at_least <= self.threshold)}

    def holds_for(self, rank) -> bool:
        return self.evaluate(rank)["holds"]


def verdict(supported, partly=()) -> str:
    """``"supported"`` if every check in ``supported`` holds, else ``"partly supported"`` if any in ``partly``
    does, else ``"not supported"``. Checks are booleans (e.g. :meth:`Claim.holds_in`)."""
    supported, partly = [bool(c) for c in supported], [bool(c) for c in partly]
    if not supported:
        raise TreasuryCardError("a verdict needs at least one check for 'supported'")
    if all(supported):
        return "supported"
    return "partly supported" if any(partly) else "not supported"


@dataclass
class Ledger:
    """The checked claims of a chapter: text, data, test, verdict and the number behind it."""

    rows: list = field(default_factory=list)

    def add(self, claim: str, data: str, test: str, verdict: str, evidence: str) -> str:
        """Record one claim and return its verdict (one of :data:`VERDICTS`)."""
        if verdict not in VERDICTS:
            raise TreasuryCardError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        self.rows.append({"claim": claim, "data": data, "test": test, "verdict": verdict, "evidence": evidence})
        return verdict

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["claim", "data", "test", "verdict", "evidence"])

    def count(self, verdict: str) -> int:
        return sum(r["verdict"] == verdict for r in self.rows)
