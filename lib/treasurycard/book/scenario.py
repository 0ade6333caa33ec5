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
    "AHMED_REBUCCI",
    "AHMED_REBUCCI_UNIDENTIFIED",
    "DAMICO_KING_STOCK",
    "ESTIMATES",
    "rescale_to_market",
    "scale_by_debt",
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
    shock : str
        ``"flow"``: a one-month flow (purchases or sales within a month); ``"stock"``: a lasting change in
        the amount of Treasuries private investors must hold. The two are not comparable dollar for dollar.
    reference_quarter : str or None
        ``YYYY-MM-DD``, the first day of the quarter whose debt stock the estimate is scaled from (FRED's
        quarterly dating): the paper's reference date, or the assumption ``reference_note`` states.
    reference_note : str
        Why that quarter.
    interval : str
        What ``low_bp``/``high_bp`` are: a published range, a single value, or a lower bound. None of the
        abstracts used gives a confidence interval.
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
    shock: str = "flow"
    reference_quarter: str | None = None
    reference_note: str = ""
    interval: str = "published range; the abstract gives no confidence interval"

    def __post_init__(self):
        if self.shock not in ("flow", "stock"):
            raise ValueError(f"{self.source}: shock must be 'flow' or 'stock', got {self.shock!r}")
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
_BELTRAN_REF = ("the abstract gives foreign official holdings as 'about $3 trillion in June 2010', the end of its "
                "sample; we take the quarter ending June 2010")
_BELTRAN_FLOW = "a fall of $100 billion in one month in foreign official inflows into Treasury notes and bonds"

#: Beltran, Kretchmer, Marquez and Thomas (2013), abstract: 40 to 60 bp on the 5-year yield in the short run.
BELTRAN_SHORT_RUN = FlowEffect(
    source="Beltran et al. (2013)", cite_key="beltran2013", horizon="short run", series_id="DGS5",
    flow_bn=100.0, low_bp=40.0, central_bp=(40.0 + 60.0) / 2, high_bp=60.0,
    central_rule="midpoint of the published range", flow=_BELTRAN_FLOW, quote=_BELTRAN_QUOTE, where="abstract",
    reference_quarter="2010-04-01", reference_note=_BELTRAN_REF,
)
#: The same paper's long-run effect, once foreign private investors react: "about 20" bp (no range given).
BELTRAN_LONG_RUN = FlowEffect(
    source="Beltran et al. (2013)", cite_key="beltran2013", horizon="long run", series_id="DGS5",
    flow_bn=100.0, low_bp=20.0, central_bp=20.0, high_bp=20.0,
    central_rule="the published point estimate (no range published)", flow=_BELTRAN_FLOW,
    quote=_BELTRAN_QUOTE, where="abstract", reference_quarter="2010-04-01", reference_note=_BELTRAN_REF,
    interval="a single published value, no range or confidence interval in the abstract",
)
FLOW_EFFECTS = (BELTRAN_SHORT_RUN, BELTRAN_LONG_RUN)

_AR_QUOTE = (
    "We estimate that a $100B flow shock moves the 5-year, 10-year, and 30-year yields by more than 100 basis "
    "points on impact, compared to the 19-44 basis points range that we estimate by assuming FO flows are price "
    "inelastic and without controlling for foreign yields and Fed actions."
)
_AR_REF = ("the abstract does not give the sample's end; we take the quarter of the working paper (September "
           "2022), which if anything understates the debt growth since the sample")
#: Ahmed and Rebucci (2022), abstract: identified through heteroskedasticity, "more than 100" bp per $100B.
AHMED_REBUCCI = FlowEffect(
    source="Ahmed and Rebucci (2022)", cite_key="ahmedrebucci2022", horizon="on impact", series_id="DGS10",
    flow_bn=100.0, low_bp=100.0, central_bp=100.0, high_bp=100.0,
    central_rule="the published lower bound ('more than 100 basis points')",
    flow="a $100 billion shock to foreign official flows into Treasuries (monthly)", quote=_AR_QUOTE,
    where="abstract of NBER Working Paper 30476", reference_quarter="2022-07-01", reference_note=_AR_REF,
    interval="a lower bound ('more than'), for the 5-, 10- and 30-year yields alike; no confidence interval in the abstract",
)
#: The same paper's estimate when flows are assumed price-inelastic and foreign yields and the Fed are left out.
AHMED_REBUCCI_UNIDENTIFIED = FlowEffect(
    source="Ahmed and Rebucci (2022), flows taken as exogenous", cite_key="ahmedrebucci2022", horizon="on impact",
    series_id="DGS10", flow_bn=100.0, low_bp=19.0, central_bp=(19.0 + 44.0) / 2, high_bp=44.0,
    central_rule="midpoint of the published range",
    flow="a $100 billion shock to foreign official flows into Treasuries (monthly)", quote=_AR_QUOTE,
    where="abstract of NBER Working Paper 30476", reference_quarter="2022-07-01", reference_note=_AR_REF,
    interval="the published range across maturities and specifications; no confidence interval in the abstract",
)

_DK_QUOTE = (
    "We find that this phenomenon was responsible for a persistent downward shift in yields averaging about 30 "
    "basis points over the course of the program (the \u201cstock effect\u201d). In addition, except at very long "
    "maturities, purchase operations caused an average decline in yields in the sector purchased of 3.5 basis "
    "points on the days when those operations occurred (the \u201cflow effect\u201d)."
)
#: D'Amico and King (2012 version), abstract: the Fed's $300bn purchases of 2009 lowered yields by about 30 bp
#: (a stock effect). Its flow effect is per purchase operation, not per dollar, and is not used.
DAMICO_KING_STOCK = FlowEffect(
    source="D'Amico and King (2012)", cite_key="damicoking2012", horizon="persistent (stock effect)",
    series_id="DGS10", flow_bn=300.0, low_bp=30.0, central_bp=30.0, high_bp=30.0,
    central_rule="the published average ('about 30 basis points')",
    flow="the Federal Reserve's purchases of $300 billion of Treasury securities in 2009 (a lasting fall in the "
         "stock private investors hold)", quote=_DK_QUOTE, where="abstract of FEDS Working Paper 2012-44",
    shock="stock", reference_quarter="2009-07-01",
    reference_note="the programme ran through 2009; we take the quarter ending September 2009",
    interval="a single published average across maturities; no confidence interval in the abstract",
)
#: Every estimate the scenario applies: two flow estimates (three numbers) and one stock estimate.
ESTIMATES = (BELTRAN_SHORT_RUN, BELTRAN_LONG_RUN, AHMED_REBUCCI, AHMED_REBUCCI_UNIDENTIFIED, DAMICO_KING_STOCK)


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


def scale_by_debt(effect: FlowEffect, debt_bn: pd.Series, at: str) -> FlowEffect:
    """Restate an estimate for the same *share of the public debt* at a later date.

    Parameters
    ----------
    effect : FlowEffect
        With ``reference_quarter`` set.
    debt_bn : pandas.Series
        Total public debt (or debt held by the public), billions of dollars, quarterly, indexed by the first
        day of each quarter (FRED ``GFDEBTN`` / 1,000).
    at : str
        The quarter of the scenario, ``YYYY-MM-DD`` (first day of the quarter).

    Returns
    -------
    FlowEffect
        :func:`rescale_to_market` from the debt in ``effect.reference_quarter`` to the debt in ``at``; the
        ``conversion`` names both quarters and amounts.

    Raises
    ------
    ValueError
        If the estimate has no reference quarter, or either quarter is missing from ``debt_bn``.
    """
    if effect.reference_quarter is None:
        raise ValueError(f"{effect.source}: no reference_quarter, so the debt it was estimated on is unknown")
    idx = pd.DatetimeIndex(debt_bn.index)
    series = pd.Series(debt_bn.to_numpy(dtype=float), index=idx)
    missing = [q for q in (effect.reference_quarter, at) if pd.Timestamp(q) not in idx or pd.isna(series[pd.Timestamp(q)])]
    if missing:
        raise ValueError(f"{effect.source}: no debt figure for quarter(s) {missing} (data cover "
                         f"{idx.min():%Y-%m-%d} to {idx.max():%Y-%m-%d})")
    base, target = series[pd.Timestamp(effect.reference_quarter)], series[pd.Timestamp(at)]
    label = (f"scaled by total public debt ({effect.reference_quarter[:7]}: ${base:,.0f}bn; "
             f"{at[:7]}: ${target:,.0f}bn)")
    return rescale_to_market(effect, base, target, label)


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
        ``sale_bn`` (billions of dollars), ``source``, ``cite_key``, ``horizon``, ``shock``, ``conversion``,
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
                    "source": e.source, "cite_key": e.cite_key, "horizon": e.horizon, "shock": e.shock,
                    "conversion": e.conversion,
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
