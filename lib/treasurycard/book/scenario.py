"""Arithmetic on published yield-per-flow estimates: what a given sale of Treasuries would imply for yields."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

__all__ = [
    "FlowEffect",
    "PublishedCounterfactual",
    "WARNOCK_COUNTERFACTUALS",
    "BELTRAN_SHORT_RUN",
    "BELTRAN_LONG_RUN",
    "FLOW_EFFECTS",
    "rescale_to_market",
    "scenario_moves",
    "implied_sale",
]


@dataclass(frozen=True)
class FlowEffect:
    """A published estimate of the yield change caused by a given flow of Treasury purchases or sales.

    Attributes
    ----------
    source : str
        Short citation, e.g. ``"Beltran et al. (2013)"``.
    cite_key : str
        Key of the entry in the book's ``references.bib``.
    horizon : str
        ``"short run"`` or ``"long run"``, as the paper puts it.
    series_id : str
        FRED id of the yield the estimate is for (``"DGS5"`` for the 5-year Treasury yield).
    flow_bn : float
        Size of the flow the estimate is for, billions of dollars (e.g. 100 for "$100 billion").
    low_bp, high_bp : float
        The published range of the yield change for a *sale* (a fall in inflows) of ``flow_bn``, basis
        points; equal when the paper gives a single number.
    central_bp : float
        The central value, basis points: the published point estimate, or the midpoint of the published
        range when the paper gives only a range (``central_rule`` says which).
    central_rule : str
        How ``central_bp`` was obtained.
    flow : str
        What the flow is, in the paper's words.
    quote : str
        The sentence the numbers are taken from.
    where : str
        Where in the paper the sentence is.
    conversion : str
        How the estimate was converted from the paper's units ("as published" if it was not).
    """

    source: str
    cite_key: str
    horizon: str
    series_id: str
    flow_bn: float
    low_bp: float
    central_bp: float
    high_bp: float
    central_rule: str
    flow: str
    quote: str
    where: str
    conversion: str = "as published"

    def __post_init__(self):
        if not (self.flow_bn > 0):
            raise ValueError(f"{self.source}: flow_bn must be positive billions of dollars, got {self.flow_bn}")
        if not (self.low_bp <= self.central_bp <= self.high_bp):
            raise ValueError(f"{self.source}: need low_bp <= central_bp <= high_bp, got "
                             f"{self.low_bp}, {self.central_bp}, {self.high_bp}")

    def bp_per_bn(self) -> dict[str, float]:
        """The estimate per billion dollars of flow: ``{"low": .., "central": .., "high": ..}`` in bp per $1bn."""
        return {k: getattr(self, f"{k}_bp") / self.flow_bn for k in ("low", "central", "high")}


_BELTRAN_QUOTE = (
    "if foreign official inflows into U.S. Treasuries were to decrease in a given month by $100 billion, "
    "5-year Treasury rates would rise by about 40-60 basis points in the short run. But once we allow foreign "
    "private investors to react to the yield change induced by the shock to foreign official inflows, the "
    "long-run effect is about 20 basis points."
)
_BELTRAN_FLOW = "a fall of $100 billion in one month in foreign official inflows into Treasury notes and bonds"

#: Beltran, Kretchmer, Marquez and Thomas (2013), abstract: 40 to 60 bp on the 5-year yield in the short run.
BELTRAN_SHORT_RUN = FlowEffect(
    source="Beltran et al. (2013)", cite_key="beltran2013", horizon="short run", series_id="DGS5",
    flow_bn=100.0, low_bp=40.0, central_bp=(40.0 + 60.0) / 2, high_bp=60.0,
    central_rule="midpoint of the published range", flow=_BELTRAN_FLOW, quote=_BELTRAN_QUOTE, where="abstract",
)
#: The same paper's long-run effect, once foreign private investors react: "about 20" bp (no range given).
BELTRAN_LONG_RUN = FlowEffect(
    source="Beltran et al. (2013)", cite_key="beltran2013", horizon="long run", series_id="DGS5",
    flow_bn=100.0, low_bp=20.0, central_bp=20.0, high_bp=20.0,
    central_rule="the published point estimate (no range published)", flow=_BELTRAN_FLOW,
    quote=_BELTRAN_QUOTE, where="abstract",
)
FLOW_EFFECTS = (BELTRAN_SHORT_RUN, BELTRAN_LONG_RUN)


@dataclass(frozen=True)
class PublishedCounterfactual:
    """A published estimate stated as a counterfactual ("had there been no flows over the past year ..."),
    which cannot be turned into a yield change per dollar without data the book does not hold.

    ``effect_bp`` is the published yield difference in basis points for ``series_id``; ``why_not_applied``
    says what is missing.
    """

    source: str
    cite_key: str
    series_id: str
    effect_bp: float
    statement: str
    where: str
    why_not_applied: str


_NO_GDP = ("the flows are a year of foreign purchases measured as a share of US GDP, and the abstract does not "
           "give their size; the book holds no GDP series, so no effect per dollar can be derived")
#: Warnock and Warnock, kept in the papers' own units (not applied to holdings).
WARNOCK_COUNTERFACTUALS = (
    PublishedCounterfactual(
        source="Warnock and Warnock (2006)", cite_key="warnock2006", series_id="DGS10", effect_bp=90.0,
        statement=("had there been no foreign official flows into U.S. government bonds over the past year, "
                   "the 10-year Treasury yield would currently be 90 basis points higher"),
        where="abstract of NBER Working Paper 12560, the revised version published as Warnock and Warnock (2009)",
        why_not_applied=_NO_GDP),
    PublishedCounterfactual(
        source="Warnock and Warnock (2005)", cite_key="warnock2005", series_id="DGS10", effect_bp=150.0,
        statement=("had there been no foreign flows into U.S. bonds over the past year, the 10-year Treasury "
                   "yield would currently be 150 basis points higher"),
        where="abstract of Federal Reserve Board IFDP 840 (all foreign flows, private and official)",
        why_not_applied=_NO_GDP),
)


def rescale_to_market(effect: FlowEffect, base_bn: float, target_bn: float, label: str) -> FlowEffect:
    """Restate an estimate for a flow of the same *share* of a market that has changed size.

    A flow of ``flow_bn`` when the stock was ``base_bn`` is the same share of the stock as a flow of
    ``flow_bn * target_bn / base_bn`` when it is ``target_bn``. The yield effects are kept; only the flow
    they belong to is rescaled, so the effect per dollar falls as the market grows.

    Parameters
    ----------
    effect : FlowEffect
        The published estimate.
    base_bn : float
        The stock the paper's flow should be measured against, at the paper's reference date, billions of dollars.
    target_bn : float
        The same stock at the date of the scenario, billions of dollars.
    label : str
        Words for the ``conversion`` field, naming the stock and both dates.

    Returns
    -------
    FlowEffect
        With ``flow_bn`` rescaled and ``conversion`` set to ``label``.
    """
    if not (base_bn > 0 and target_bn > 0):
        raise ValueError(f"stocks must be positive billions of dollars, got {base_bn} and {target_bn}")
    return replace(effect, flow_bn=effect.flow_bn * target_bn / base_bn, conversion=label)


def scenario_moves(holdings_bn, shares, effects) -> pd.DataFrame:
    """Yield changes that published estimates imply for selling given shares of given holdings.

    The arithmetic is linear: ``sale_bn = share * holdings_bn`` and ``move_bp = sale_bn * effect_bp / flow_bn``,
    for the low, central and high values of each estimate.

    Parameters
    ----------
    holdings_bn : mapping or pandas.Series
        Holder label to holdings, billions of dollars (e.g. TIC end-of-month holdings).
    shares : sequence of float
        Fractions of the holdings sold (0.1 for 10%), each in (0, 1].
    effects : sequence of FlowEffect
        The estimates to apply.

    Returns
    -------
    pandas.DataFrame
        One row per holder x share x estimate: ``holder``, ``holdings_bn``, ``share_sold_pct`` (percent),
        ``sale_bn`` (billions of dollars), ``source``, ``cite_key``, ``horizon``, ``conversion``,
        ``series_id``, ``flow_bn``, ``low_bp``, ``central_bp``, ``high_bp`` (implied yield change, basis
        points, a rise for a sale) and ``unit`` (``"bp"``).

    Notes
    -----
    Linear scaling takes the estimate far outside what it was estimated on when the sale is many times
    the paper's flow; the results are arithmetic on the published numbers, not forecasts.
    """
    holdings = pd.Series(holdings_bn, dtype=float)
    shares = [float(s) for s in shares]
    if any(not (0 < s <= 1) for s in shares):
        raise ValueError(f"shares are fractions in (0, 1], got {shares}")
    if holdings.isna().any() or (holdings <= 0).any():
        raise ValueError(f"holdings must be positive billions of dollars, got {holdings.to_dict()}")
    rows = []
    for holder, level in holdings.items():
        for share in shares:
            sale = share * level
            for e in effects:
                per = e.bp_per_bn()
                rows.append({
                    "holder": holder, "holdings_bn": level, "share_sold_pct": 100 * share, "sale_bn": sale,
                    "source": e.source, "cite_key": e.cite_key, "horizon": e.horizon, "conversion": e.conversion,
                    "series_id": e.series_id, "flow_bn": e.flow_bn,
                    "low_bp": sale * per["low"], "central_bp": sale * per["central"], "high_bp": sale * per["high"],
                    "unit": "bp",
                })
    return pd.DataFrame(rows)


def implied_sale(move_bp: float, effect: FlowEffect) -> dict[str, float]:
    """The sale, in billions of dollars, that an estimate would need to explain a given yield rise.

    Parameters
    ----------
    move_bp : float
        An observed yield change, basis points.
    effect : FlowEffect
        The estimate.

    Returns
    -------
    dict
        ``{"low": .., "central": .., "high": ..}`` billions of dollars: ``low`` uses the estimate's *high*
        effect per dollar (the smallest sale that would do), ``high`` its low effect.
    """
    per = effect.bp_per_bn()
    if min(per.values()) <= 0 or not np.isfinite(move_bp):
        raise ValueError(f"need positive effects and a finite move, got {per} and {move_bp}")
    return {"low": move_bp / per["high"], "central": move_bp / per["central"], "high": move_bp / per["low"]}
