"""Catalogue of the series the book uses: what each measures, its unit, and plausible bounds."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UnknownUnit

#: Kinds of series, with the unit of their levels, the unit of their changes, and plausible level bounds.
#: Changes of rates are first differences in basis points (percent x 100); changes of prices, exchange
#: rates and indexes are 100 x log changes, in percent.
KINDS = {
    "yield": {"level_unit": "%", "change_unit": "bp", "bounds": (-5.0, 25.0)},
    "spread": {"level_unit": "%", "change_unit": "bp", "bounds": (-10.0, 30.0)},
    "term_premium": {"level_unit": "%", "change_unit": "bp", "bounds": (-5.0, 10.0)},
    "fx": {"level_unit": "currency units", "change_unit": "%", "bounds": (1e-3, 1e4)},
    "index": {"level_unit": "index", "change_unit": "%", "bounds": (1e-3, 1e6)},
    "holdings": {"level_unit": "bn USD", "change_unit": "bn USD", "bounds": (0.0, 1e5)},
    "amount_mn": {"level_unit": "mn USD", "change_unit": "mn USD", "bounds": (0.0, 1e9)},
}


@dataclass(frozen=True)
class SeriesInfo:
    """What one series is: its FRED id, a short title, its kind, frequency and time of observation."""

    series_id: str
    title: str
    kind: str
    frequency: str = "daily"
    #: New York time at which the daily value is observed. Treasury yields and stock/volatility indexes
    #: are end-of-day (``"16:00"``, the close used for reaction days); the Federal Reserve's H.10 exchange
    #: rates and the broad dollar index built from them are noon buying rates in New York (``"12:00"``), so
    #: news between noon and the close reaches them only on the next trading day.
    observed_at: str = "16:00"
    #: The market whose trading days the series follows: ``"bonds"`` (Treasury and credit yields, closed on
    #: bond-market holidays such as Columbus Day), ``"stocks"`` (equity indexes and the VIX) or ``"fx"``
    #: (the H.10 noon rates). Event windows are counted in the series' own market's trading days.
    market: str = "bonds"
    #: Time zone of ``observed_at``: New York for US data; ``"Asia/Tokyo"`` for the Ministry of Finance's
    #: JGB yields (Tokyo close), ``"Europe/Berlin"`` for the ECB's 14:15 CET fixing.
    timezone: str = "America/New_York"
    #: Which source serves it to the book: ``"FRED"`` (read by :meth:`DataStore.fred`), ``"MoF"``
    #: (:meth:`DataStore.jgb`) or ``"ECB"`` (:meth:`DataStore.ecb`). Its owner is ``publisher``.
    source: str = "FRED"
    #: How FRED's CSV lists the series' dates, which the loader checks (a missing row would make the next
    #: change silently span two periods): ``"weekdays"`` (every weekday, holidays as empty cells),
    #: ``"every day"`` (7-day series), ``"weekly"`` (one row a week), ``"publication days"`` (holidays left out,
    #: so a missing row cannot be told from a holiday: not checked). Default: by ``frequency`` (daily ->
    #: weekdays, weekly -> weekly, otherwise not checked).
    rows: str = ""

    @property
    def row_calendar(self) -> str | None:
        """The listing the loader checks (see ``rows``), or None."""
        if self.rows:
            return None if self.rows == "publication days" else self.rows
        return {"daily": "weekdays", "weekly": "weekly"}.get(self.frequency)
    #: What readers see in charts and tables, in words ("10-year yield"); empty: the title.
    label: str = ""
    #: Who publishes the series (FRED redistributes it); shown in the book's list of sources.
    publisher: str = "Board of Governors of the Federal Reserve System"
    #: True for series FRED serves under their owner's copyright (S&P 500, VIX, ICE BofA indices): the book's
    #: downloads then carry derived numbers (changes, test results), not the levels.
    copyrighted: bool = False

    @property
    def short_label(self) -> str:
        """The label readers see (``label``, or the title when no shorter label is set)."""
        return self.label or self.title

    @property
    def level_unit(self) -> str:
        return KINDS[self.kind]["level_unit"]

    @property
    def change_unit(self) -> str:
        """``"bp"`` for rates (first differences x 100), ``"%"`` for prices (100 x log change)."""
        return KINDS[self.kind]["change_unit"]

    @property
    def bounds(self) -> tuple[float, float]:
        return KINDS[self.kind]["bounds"]


_CATALOGUE = [
    SeriesInfo("DGS1MO", "1-month Treasury yield", "yield",
               label="1-month yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS3MO", "3-month Treasury yield", "yield",
               label="3-month yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS6MO", "6-month Treasury yield", "yield",
               label="6-month yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS1", "1-year Treasury yield", "yield",
               label="1-year yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS2", "2-year Treasury yield", "yield",
               label="2-year yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS3", "3-year Treasury yield", "yield",
               label="3-year yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS5", "5-year Treasury yield", "yield",
               label="5-year yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS7", "7-year Treasury yield", "yield",
               label="7-year yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS10", "10-year Treasury yield", "yield",
               label="10-year yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS20", "20-year Treasury yield", "yield",
               label="20-year yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DGS30", "30-year Treasury yield", "yield",
               label="30-year yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("DFII10", "10-year TIPS (real) yield", "yield",
               label="10-year real yield", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    SeriesInfo("T10YIE", "10-year breakeven inflation", "spread",
               label="10-year breakeven inflation", publisher="Federal Reserve Bank of St. Louis"),
    SeriesInfo("T10Y2Y", "10-year minus 2-year spread", "spread",
               label="10-year minus 2-year spread", publisher="Federal Reserve Bank of St. Louis"),
    SeriesInfo("BAMLH0A0HYM2", "US high-yield option-adjusted spread", "spread",
               label="High-yield spread", copyrighted=True, publisher="ICE Data Indices, LLC"),
    SeriesInfo("THREEFYTP10", "Kim-Wright 10-year term premium", "term_premium",
               label="10-year term premium", publisher="Board of Governors of the Federal Reserve System (Kim-Wright model)"),
    SeriesInfo("DFF", "Effective federal funds rate (7-day)", "yield", rows="every day",
               label="Fed funds rate (7-day)", publisher="Board of Governors of the Federal Reserve System (H.15)"),
    # the NY Fed's publication days; the stored copy leaves holidays out rather than listing them empty
    SeriesInfo("EFFR", "Effective federal funds rate", "yield", rows="publication days",
               label="Fed funds rate", publisher="Federal Reserve Bank of New York"),
    SeriesInfo("DEXJPUS", "Japanese yen per US dollar (noon, New York)", "fx", observed_at="12:00", market="fx",
               label="Yen per dollar", publisher="Board of Governors of the Federal Reserve System (H.10)"),
    SeriesInfo("DEXCHUS", "Chinese yuan per US dollar (noon, New York)", "fx", observed_at="12:00", market="fx",
               label="Yuan per dollar", publisher="Board of Governors of the Federal Reserve System (H.10)"),
    SeriesInfo("DEXUSEU", "US dollars per euro (noon, New York)", "fx", observed_at="12:00", market="fx",
               label="Dollars per euro", publisher="Board of Governors of the Federal Reserve System (H.10)"),
    SeriesInfo("DTWEXBGS", "Nominal broad US dollar index (noon rates)", "index", observed_at="12:00", market="fx",
               label="Broad dollar index", publisher="Board of Governors of the Federal Reserve System (H.10)"),
    SeriesInfo("VIXCLS", "CBOE VIX", "index", market="stocks",
               label="VIX", copyrighted=True, publisher="Chicago Board Options Exchange"),
    SeriesInfo("SP500", "S&P 500 index", "index", market="stocks",
               label="S&P 500", copyrighted=True, publisher="S&P Dow Jones Indices LLC"),
    SeriesInfo("IRLTLT01JPM156N", "Japan 10-year government bond yield (OECD, monthly)", "yield", "monthly",
               label="Japan 10-year yield (monthly)", publisher="Organisation for Economic Co-operation and Development"),
    SeriesInfo("JGB2Y", "2-year JGB yield (Tokyo close)", "yield", observed_at="15:00", market="tokyo",
               timezone="Asia/Tokyo", source="MoF", label="2-year JGB yield", publisher="Ministry of Finance, Japan"),
    SeriesInfo("JGB10Y", "10-year JGB yield (Tokyo close)", "yield", observed_at="15:00", market="tokyo",
               timezone="Asia/Tokyo", source="MoF", label="10-year JGB yield", publisher="Ministry of Finance, Japan"),
    SeriesInfo("JGB30Y", "30-year JGB yield (Tokyo close)", "yield", observed_at="15:00", market="tokyo",
               timezone="Asia/Tokyo", source="MoF", label="30-year JGB yield", publisher="Ministry of Finance, Japan"),
    SeriesInfo("ECBJPYUSD", "Japanese yen per US dollar (ECB fixing, 14:15 CET)", "fx", observed_at="14:15",
               market="ecb", timezone="Europe/Berlin", source="ECB", label="Yen per dollar (ECB fixing)",
               publisher="European Central Bank"),
    SeriesInfo("FDHBFIN", "Federal debt held by foreign investors (billions of dollars)", "holdings", "quarterly",
               label="Federal debt held by foreign investors", publisher="US Department of the Treasury, Fiscal Service"),
    # Wednesday levels, millions; zeros before July 2007 mean "not reported" (DataStore.fed_custody drops them)
    SeriesInfo("WMTSECL1", "Treasuries held in custody at the New York Fed for foreign official accounts "
               "(millions of dollars, Wednesday level)", "amount_mn", "weekly",
               label="Foreign official custody holdings", publisher="Board of Governors of the Federal Reserve System (H.4.1)"),
    # quarterly, dated the first day of the quarter, value at the quarter's end; includes intragovernmental debt
    SeriesInfo("GFDEBTN", "Federal debt: total public debt (millions of dollars)", "amount_mn", "quarterly",
               label="Total public debt", publisher="US Department of the Treasury, Fiscal Service"),
]

CATALOGUE: dict[str, SeriesInfo] = {s.series_id: s for s in _CATALOGUE}


def series_info(series_id: str) -> SeriesInfo:
    """Return the :class:`SeriesInfo` of a FRED id; raise :class:`UnknownUnit` for an id not catalogued."""
    try:
        return CATALOGUE[series_id]
    except KeyError:
        raise UnknownUnit(
            f"series {series_id!r} is not in treasurycard.series.CATALOGUE, so its unit and bounds are "
            "unknown; add a SeriesInfo for it (kind one of: " + ", ".join(KINDS) + ")"
        ) from None


def change_unit(series_id: str) -> str:
    """Unit of daily changes of a series: ``"bp"`` or ``"%"``."""
    return series_info(series_id).change_unit


def change_units(series_ids) -> dict[str, str]:
    """``{series_id: "bp" | "%"}`` for the catalogued series among ``series_ids`` (others are left out).

    The data store attaches this to every frame it returns as ``attrs["units"]``, which the event-study
    engine reads, so that the engine itself needs no catalogue.
    """
    return {s: CATALOGUE[s].change_unit for s in series_ids
            if s in CATALOGUE and CATALOGUE[s].change_unit in ("bp", "%")}
