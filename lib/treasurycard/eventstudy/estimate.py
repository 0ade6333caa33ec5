"""Event-study estimation: constant-mean abnormal changes, CARs, the HAC dummy regression, and the battery."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from scipy import stats

from . import changes as _ch
from . import inference as _inf
from ..errors import EstimationError, EventOutsideData, TreasuryCardError

__all__ = [
    "estimation_window",
    "dummy_regression",
    "DummyRegressionResults",
    "event_study",
    "EventStudyResult",
]

_EVENT_VARIANCES = ("stationary", "sandwich")


# --------------------------------------------------------------------------------------------------------------
# Estimation window
# --------------------------------------------------------------------------------------------------------------


def estimation_window(index: pd.DatetimeIndex, event_pos, windows, length: int = 250, gap: int = 10, end=None):
    """Row positions ``(first, last)`` (inclusive) of the daily changes in the estimation window.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        The trading days.
    event_pos : array of int
        Positions of the events' reaction days in ``index``.
    windows : list of (int, int)
        Event windows; the earliest day any of them touches is the study's first event day.
    length : int
        Trading days (daily changes) in the estimation window; default 250.
    gap : int
        The window ends ``gap`` trading days before the study's first event day; default 10.
    end : date-like, optional
        Last day of the estimation window (overrides ``gap``); must be a trading day before every event window.

    Returns
    -------
    tuple of int

    Raises
    ------
    EstimationError
        The window is empty, reaches before the data, or overlaps an event window.
    """
    first = int(np.min(event_pos)) + min(0, min(a for a, _ in windows))
    if length < 1:
        raise EstimationError(f"estimation_length must be at least 1 trading day, got {length}")
    if end is None:
        if gap < 1:
            raise EstimationError(f"estimation_gap must be at least 1 trading day, got {gap}")
        last = first - gap
    else:
        end = pd.Timestamp(end)
        if end not in index:
            raise EstimationError(f"estimation_end {end:%Y-%m-%d} is not a trading day of the data")
        last = int(index.get_loc(end))
        if last >= first:
            raise EstimationError(
                f"estimation window ending {end:%Y-%m-%d} overlaps the first event window, which starts "
                f"{index[first]:%Y-%m-%d}; end it earlier"
            )
    start = last - length + 1
    if start < 1:  # the first trading day has no daily change
        have = max(last, 0)
        raise EstimationError(
            f"estimation window of {length} trading days ending {gap if end is None else 'at'} "
            f"{'days before the first event day' if end is None else f'{index[max(last, 0)]:%Y-%m-%d}'} "
            f"reaches before the data, which start {index[0]:%Y-%m-%d}: only {have} daily changes are available; "
            "lower estimation_length/estimation_gap or supply earlier data"
        )
    return start, last


# --------------------------------------------------------------------------------------------------------------
# Dummy-variable regression
# --------------------------------------------------------------------------------------------------------------


@dataclass
class DummyRegressionResults:
    """Results of the event dummy regression ``dy_t = a + c'x_t + sum_k b_k D_k,t + e_t``.

    Attributes
    ----------
    params, bse, tvalues, pvalues : pandas.Series
        Coefficients (changes in the series' unit per day), standard errors, z statistics and two-sided
        normal p-values, named ``const``, the control names, and ``d_YYYY-MM-DD`` (day dummies) or
        ``<event_id>[a,b]`` (window dummies).
    cov : pandas.DataFrame
        Covariance of ``params``.
    cov_type : str
        ``"HAC"``; ``cov_kwds`` records ``maxlags``, ``kernel`` and ``event_variance``.
    model_results : statsmodels RegressionResults
        The statsmodels OLS fit (``cov_type="HAC"``), kept for inspection.
    """

    params: pd.Series
    cov: pd.DataFrame
    cov_type: str
    cov_kwds: dict
    nobs: int
    unit: str | None
    model_results: object = field(repr=False)
    contrasts: dict = field(repr=False, default_factory=dict)  # (event_id, window) -> weights on params (array)
    day_index: dict = field(repr=False, default_factory=dict)  # (event_id, window) -> positions of its day dummies

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index, name="bse")

    @property
    def tvalues(self) -> pd.Series:
        return (self.params / self.bse).rename("tvalues")

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(_inf._two_sided_normal(self.tvalues.to_numpy()), index=self.params.index, name="pvalues")

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Normal confidence intervals, columns ``lower``, ``upper`` (in the coefficients' unit)."""
        q = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame({"lower": self.params - q * self.bse, "upper": self.params + q * self.bse})

    def cov_params(self) -> pd.DataFrame:
        return self.cov

    def _key(self, event_id, window):
        keys = [k for k in self.contrasts if k[0] == event_id and (window is None or k[1] == tuple(window))]
        if len(keys) != 1:
            raise TreasuryCardError(f"no unique (event, window) for {event_id!r}, {window!r}; have {list(self.contrasts)}")
        return keys[0]

    def car(self, event_id, window=None) -> _inf.TestResult:
        """z-test that the event's cumulative abnormal change over the window is zero.

        Notes
        -----
        Null: the sum of the window's day dummies (or ``L2 x`` its window dummy) is zero. Reference N(0,1).
        ``extra`` holds ``car`` and ``se`` in the series' unit.
        """
        r = self.contrasts[self._key(event_id, window)]
        est = float(r @ self.params.to_numpy())
        se = float(np.sqrt(r @ self.cov.to_numpy() @ r))
        z = est / se if se > 0 else np.nan
        return _inf.TestResult(
            "hac", z, float(_inf._two_sided_normal(z)), self.nobs, "the event's CAR is zero", "N(0,1)", {"car": est, "se": se}
        )

    def wald(self, R, q=None, name: str = "wald", null: str = "R params = q") -> _inf.TestResult:
        """Wald test of ``R params = q`` with this covariance; chi2 with rank(R V R') degrees of freedom."""
        stat, df = _wald(np.atleast_2d(np.asarray(R, float)), self.params.to_numpy(), self.cov.to_numpy(), q)
        return _inf.TestResult(name, stat, float(stats.chi2.sf(stat, df)), df, null, f"chi2({df})")

    def wald_days(self, event_id, window=None) -> _inf.TestResult:
        """Joint Wald test that every day of the event's window has zero abnormal change (day dummies)."""
        cols = self.day_index[self._key(event_id, window)]
        R = np.eye(len(self.params))[cols]
        return self.wald(R, name="wald_days", null="every day of the window has zero abnormal change")

    def wald_events(self, window=None) -> _inf.TestResult:
        """Joint Wald test that every event's CAR over ``window`` is zero (across events)."""
        keys = [k for k in self.contrasts if window is None or k[1] == tuple(window)]
        R = np.array([self.contrasts[k] for k in keys])
        return self.wald(R, name="wald_events", null="every event's CAR is zero")

    def car_table(self) -> pd.DataFrame:
        """One row per (event, window): CAR, its HAC standard error, z, p-value and the joint-days Wald test.

        Changes in ``unit`` (basis points or percent); ``wald_days_*`` is NaN for window dummies.
        """
        keys = list(self.contrasts)
        b, V = self.params.to_numpy(), self.cov.to_numpy()
        R = np.array([self.contrasts[k] for k in keys])
        car = R @ b
        se = np.sqrt(np.einsum("ij,jk,ik->i", R, V, R))
        with np.errstate(invalid="ignore", divide="ignore"):
            z = car / se
        wstat = np.full(len(keys), np.nan)
        wdf = np.full(len(keys), np.nan)
        for i, k in enumerate(keys):
            cols = self.day_index.get(k)
            if cols is not None and len(cols):
                wstat[i], wdf[i] = _wald(np.eye(len(b))[cols], b, V)
        return pd.DataFrame(
            {
                "event_id": [k[0] for k in keys],
                "window_start": [k[1][0] for k in keys],
                "window_end": [k[1][1] for k in keys],
                "car": car,
                "se": se,
                "stat": z,
                "pvalue": _inf._two_sided_normal(z),
                "unit": self.unit,
                "wald_days_stat": wstat,
                "wald_days_df": wdf,
                "wald_days_pvalue": stats.chi2.sf(wstat, wdf),
            }
        )

    def __repr__(self):
        return (
            f"DummyRegressionResults(nobs={self.nobs}, params={len(self.params)}, cov_type={self.cov_type!r}, "
            f"maxlags={self.cov_kwds.get('maxlags')}, event_variance={self.cov_kwds.get('event_variance')!r}, "
            f"unit={self.unit!r})"
        )


def _wald(R, b, V, q=None):
    """Wald statistic of ``R b = q`` and its degrees of freedom (rank of ``R V R'``)."""
    diff = R @ b - (0.0 if q is None else np.asarray(q, float))
    W = R @ V @ R.T
    w, U = np.linalg.eigh(W)
    keep = w > w.max() * 1e-10 if w.size and w.max() > 0 else np.zeros(w.shape, bool)
    proj = U[:, keep].T @ diff
    return float(np.sum(proj**2 / w[keep])), int(keep.sum())


def _fit_dummy(y, pos, dates, event_windows, controls, maxlags, event_variance, dummies, unit):
    """Core of :func:`dummy_regression` on arrays.

    ``y`` (n,) daily changes on sample rows at trading-day positions ``pos`` (dates ``dates``);
    ``event_windows``: dict ``(event_id, (a, b)) -> array of trading-day positions`` of the window's days;
    ``controls``: (n, q) array or None, with names in ``controls.columns`` if a DataFrame.
    """
    if event_variance not in _EVENT_VARIANCES:
        raise TreasuryCardError(f"event_variance must be one of {_EVENT_VARIANCES}, got {event_variance!r}")
    if dummies not in ("day", "window"):
        raise TreasuryCardError(f"dummies must be 'day' or 'window', got {dummies!r}")
    n = y.size
    cols = [np.ones(n)]
    names = ["const"]
    if controls is not None:
        for name in controls.columns:
            cols.append(controls[name].to_numpy(float))
            names.append(str(name))
    k0 = len(names)
    contrasts, day_index = {}, {}
    in_sample = {int(p): i for i, p in enumerate(pos)}
    if dummies == "day":
        all_days = sorted({int(p) for v in event_windows.values() for p in v if int(p) in in_sample})
        for p in all_days:
            col = np.zeros(n)
            col[in_sample[p]] = 1.0
            cols.append(col)
            names.append(f"d_{pd.Timestamp(dates[in_sample[p]]):%Y-%m-%d}")
        day_name = {p: names[k0 + i] for i, p in enumerate(all_days)}
        col_of = {p: k0 + i for i, p in enumerate(all_days)}
        for key, days in event_windows.items():
            idx = np.array([col_of[int(p)] for p in days if int(p) in in_sample], dtype=int)
            day_index[key] = idx
            contrasts[key] = idx
    else:
        for key, days in event_windows.items():
            col = np.zeros(n)
            rows = [in_sample[int(p)] for p in days if int(p) in in_sample]
            col[rows] = 1.0
            cols.append(col)
            names.append(f"{key[0]}[{key[1][0]},{key[1][1]}]")
            contrasts[key] = (len(names) - 1, float(len(rows)))
    X = np.column_stack(cols)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise EstimationError("dummy regression design is singular (identical event windows, or a control collinear with the dummies)")
    null_mask = X[:, k0:].sum(axis=1) == 0 if X.shape[1] > k0 else np.ones(n, bool)
    n0 = int(null_mask.sum())
    if n0 - k0 < 2:
        raise EstimationError(f"dummy regression: only {n0} non-event observations for {k0} regressors")
    if maxlags is None:
        maxlags = _inf.newey_west_maxlags(n0)
    res = OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": int(maxlags)})
    if event_variance == "sandwich":
        V = np.asarray(res.cov_params())
    else:
        bread = np.linalg.inv(X.T @ X)
        V = _inf.stationary_hac_cov(X, bread, np.asarray(res.resid), np.asarray(pos), null_mask, int(maxlags), k0)
    p = len(names)
    for key, c in list(contrasts.items()):
        r = np.zeros(p)
        if isinstance(c, tuple):
            r[c[0]] = c[1]
        else:
            r[c] = 1.0
        contrasts[key] = r
    params = pd.Series(np.asarray(res.params), index=names, name="params")
    cov = pd.DataFrame(V, index=names, columns=names)
    return DummyRegressionResults(
        params=params,
        cov=cov,
        cov_type="HAC",
        cov_kwds={"maxlags": int(maxlags), "kernel": "bartlett", "event_variance": event_variance, "use_correction": True},
        nobs=n,
        unit=unit,
        model_results=res,
        contrasts=contrasts,
        day_index=day_index,
    )


def dummy_regression(
    changes: pd.Series,
    events,
    window=(0, 0),
    controls: pd.DataFrame | None = None,
    maxlags: int | None = None,
    event_variance: str = "stationary",
    dummies: str = "day",
    unit: str | None = None,
) -> DummyRegressionResults:
    """Event dummy regression of daily changes with Newey-West (HAC) standard errors.

    ``dy_t = a + c'x_t + sum_k b_k D_k,t + e_t``, fitted by OLS (statsmodels) on every day where ``changes``
    (and the controls) are observed, with one dummy per event day (``dummies="day"``, default; overlapping
    windows share their days) or one per event window (``dummies="window"``).

    Parameters
    ----------
    changes : pandas.Series
        Daily changes (basis points or percent) on a DatetimeIndex of trading days. The regression sample is
        its non-NaN rows: pass the estimation window and the event windows, NaN elsewhere, to fit the
        constant on the estimation window only; lags are counted in rows of this index.
    events : pandas.Series, mapping, DataFrame or list of dates
        ``event_id -> reaction date`` (a list of dates gets ids ``"YYYY-MM-DD"``).
    window : (int, int) or list of (int, int)
        Event window(s) in trading days relative to the reaction day.
    controls : pandas.DataFrame, optional
        Daily control regressors on the same dates (rows with NaN controls leave the sample).
    maxlags : int, optional
        Bartlett truncation lag; default ``floor(4 (n0/100)^(2/9))`` with n0 the non-event observations.
    event_variance : {"stationary", "sandwich"}
        ``"stationary"`` (default): the Newey-West estimator with autocovariances estimated on non-event
        days, valid for event dummies (:func:`treasurycard.inference.stationary_hac_cov`). ``"sandwich"``:
        statsmodels' ``cov_type="HAC"`` exactly; it understates the variance of a dummy that is 1 on few
        days (their residuals are zero by construction) and is kept for comparison only.
    dummies : {"day", "window"}
        One dummy per event day, or one per event window (coefficient = average daily abnormal change).
    unit : str, optional
        Unit of ``changes`` (``"bp"`` or ``"%"``), carried into :meth:`DummyRegressionResults.car_table`.

    Returns
    -------
    DummyRegressionResults

    Notes
    -----
    Null of :meth:`~DummyRegressionResults.car`: the event's cumulative abnormal change is zero; of
    :meth:`~DummyRegressionResults.wald_days`: every day of the window has zero abnormal change; of
    :meth:`~DummyRegressionResults.wald_events`: every event's CAR is zero. Assumptions: changes covariance
    stationary with autocorrelation negligible beyond ``maxlags``; no event-induced variance; controls
    exogenous. Reference distributions N(0,1) and chi2.

    References
    ----------
    Newey, W. K. and K. D. West (1987), Econometrica 55(3), 703-708; Newey and West (1994), Automatic lag
    selection in covariance matrix estimation, Review of Economic Studies 61(4), 631-653; MacKinlay (1997).
    """
    if not isinstance(changes, pd.Series) or not isinstance(changes.index, pd.DatetimeIndex):
        raise TreasuryCardError("changes must be a pandas Series on a DatetimeIndex of trading days")
    index = changes.index
    if isinstance(events, (list, tuple, pd.DatetimeIndex, np.ndarray)):
        dates = pd.to_datetime(list(events))
        events = pd.Series(dates, index=[f"{d:%Y-%m-%d}" for d in dates])
    ev = _ch.parse_events(events)
    epos = _ch.locate_events(index, ev)
    wins = _ch.normalize_windows(window)
    event_windows = {}
    for w in wins:
        _ch.window_bounds(index, epos, w, ev.index)
        for eid, p in zip(ev.index, epos):
            event_windows[(eid, w)] = p + np.arange(w[0], w[1] + 1)
    ok = changes.notna().to_numpy()
    ctrl = None
    if controls is not None:
        ctrl = controls.reindex(index)
        ok = ok & ctrl.notna().all(axis=1).to_numpy()
    pos = np.flatnonzero(ok)
    y = changes.to_numpy(float)[pos]
    if ctrl is not None:
        ctrl = ctrl.iloc[pos]
    return _fit_dummy(y, pos, index[pos], event_windows, ctrl, maxlags, event_variance, dummies, unit)


# --------------------------------------------------------------------------------------------------------------
# The battery
# --------------------------------------------------------------------------------------------------------------


@dataclass
class EventStudyResult:
    """Output of :func:`event_study`.

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy results, one row per (event_id, series_id, window); see :meth:`to_frame`.
    estimation : pandas.DataFrame
        Per series: estimation window dates, valid observations, mean and standard deviation of daily
        changes (unit per day), unit.
    regressions : dict of str to DummyRegressionResults
        The HAC dummy regression of each series.
    settings : dict
        The options the study ran with.
    """

    table: pd.DataFrame
    estimation: pd.DataFrame
    regressions: dict
    settings: dict
    _pool: dict = field(repr=False, default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per (event_id, series_id, window).

        Columns: ``event_id, reaction_date, series_id, window_start, window_end, start_close, end_close,
        n_days, raw_change, abnormal_change, unit, complete, stale_endpoint, est_mean, est_std, n_est,
        bw_t_stat, bw_t_pvalue, hac_car, hac_se, hac_stat, hac_pvalue, hac_wald_days_stat,
        hac_wald_days_df, hac_wald_days_pvalue, scar, placebo_value, placebo_rank, placebo_pvalue,
        placebo_n`` and, with reference dates, ``cond_placebo_rank, cond_placebo_pvalue, cond_placebo_n``.
        Changes are in ``unit`` (basis points or percent); ``abnormal_change`` is the cumulative abnormal
        change over the window (CAR) against the constant-mean model.
        """
        return self.table.copy()

    def pooled_tests(self, by: str | None = None) -> pd.DataFrame:
        """Cross-sectional tests per window, pooling series and events (or within groups).

        Parameters
        ----------
        by : {None, "event_id", "series_id"}
            ``None`` pools every (event, series) row of a window; ``"event_id"`` pools the series of each
            event (e.g. the yield curve on one day, where the Kolari-Pynnönen adjustment matters);
            ``"series_id"`` pools the events of each series.

        Returns
        -------
        pandas.DataFrame
            Columns ``[by,] window_start, window_end, test, statistic, pvalue, n, null,
            reference_distribution``; tests ``patell, bmp, bmp_kp, corrado, sign, generalized_sign``
            (see :func:`treasurycard.inference.cross_section_tests`). Rows with a missing CAR are left out
            (``n`` counts the members used).
        """
        if by not in (None, "event_id", "series_id"):
            raise TreasuryCardError(f"by must be None, 'event_id' or 'series_id', got {by!r}")
        P = self._pool
        K, S = len(P["event_ids"]), len(P["series_ids"])
        kk, ss = np.meshgrid(np.arange(K), np.arange(S), indexing="ij")
        kk, ss = kk.ravel(), ss.ravel()
        frames = []
        for w, data in P["windows"].items():
            n = w[1] - w[0] + 1
            car = data["car"].ravel()
            groups = {None: np.ones(K * S, bool)}
            if by == "event_id":
                groups = {P["event_ids"][k]: kk == k for k in range(K)}
            elif by == "series_id":
                groups = {P["series_ids"][s]: ss == s for s in range(S)}
            for label, sel in groups.items():
                sel = sel & ~np.isnan(car)
                if sel.sum() < 2:
                    continue
                ki, si = kk[sel], ss[sel]
                est = P["est_abn"][:, si].T
                ev = data["win_abn"][ki, si, :]
                dist = np.abs(P["event_pos"][ki][:, None] - P["event_pos"][ki][None, :])
                overlap = np.maximum(0, n - dist).astype(float)
                res = _inf.cross_section_tests(car[sel], est, ev, overlap)
                labels = {} if by is None else {by: label}
                labels.update({"window_start": w[0], "window_end": w[1]})
                frames.append(_inf.results_frame(res.values(), **labels))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def wald_tests(self) -> pd.DataFrame:
        """Per series and window: joint HAC Wald test that every event's CAR is zero (across events)."""
        rows = []
        for sid, reg in self.regressions.items():
            for w in self.settings["windows"]:
                r = reg.wald_events(w)
                rows.append({"series_id": sid, "window_start": w[0], "window_end": w[1], **r.to_dict()})
        return pd.DataFrame(rows)

    def __repr__(self):
        s = self.settings
        return (
            f"EventStudyResult({len(s['event_ids'])} events x {len(s['series_ids'])} series x "
            f"{len(s['windows'])} windows = {len(self.table)} rows; estimation {s['estimation_start']} to "
            f"{s['estimation_end']}; placebo '{s['placebo_statistic']}' from {s['placebo_start']})"
        )


def _rolling_moments(d: np.ndarray, starts: np.ndarray, stops: np.ndarray):
    """NaN-aware mean, std (ddof=1) and count of rows ``starts..stops`` (inclusive) of ``d``, per column."""
    center = np.nanmean(d, axis=0)
    z = d - center
    obs = ~np.isnan(z)
    zf = np.where(obs, z, 0.0)
    pad = np.zeros((1, d.shape[1]))
    c1 = np.vstack([pad, np.cumsum(zf, axis=0)])
    c2 = np.vstack([pad, np.cumsum(zf * zf, axis=0)])
    cn = np.vstack([pad, np.cumsum(obs, axis=0)])
    s1 = c1[stops + 1] - c1[starts]
    s2 = c2[stops + 1] - c2[starts]
    cnt = cn[stops + 1] - cn[starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = s1 / cnt
        var = (s2 - cnt * m * m) / (cnt - 1)
    return m + center, np.sqrt(np.maximum(var, 0.0)), cnt


def _placebo_values(xe, d, t, window, statistic, length, gap, min_obs):
    """Placebo statistic for windows ``window`` around reaction-day positions ``t`` (rows), all series."""
    a, b = window
    vals = xe[t + b] - xe[t + a - 1]
    if statistic == "change":
        return vals
    n = b - a + 1
    stops = t + min(0, a) - gap
    starts = stops - length + 1
    ok = starts >= 1
    out = np.full(vals.shape, np.nan)
    if ok.any():
        m, sd, cnt = _rolling_moments(d, starts[ok], stops[ok])
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (vals[ok] - n * m) / (sd * np.sqrt(n))
        out[ok] = np.where(cnt >= min_obs, z, np.nan)
    return out


def event_study(
    levels: pd.DataFrame,
    events,
    windows=((0, 0),),
    *,
    units=None,
    estimation_length: int = 250,
    estimation_gap: int = 10,
    estimation_end=None,
    min_estimation_obs: int = 30,
    missing: str = "nan",
    placebo_start="2005-01-01",
    placebo_end=None,
    placebo_statistic: str = "change",
    reference_dates=None,
    hac_maxlags: int | None = None,
    controls: pd.DataFrame | None = None,
) -> EventStudyResult:
    """Run the event-study battery for every series, event and window.

    Parameters
    ----------
    levels : pandas.DataFrame
        Levels on a DatetimeIndex ``date`` of trading days (ascending, unique); one column per series named by
        FRED id; NaN where a series has no value (a holiday in its market). Rates in percent.
    events : pandas.Series, mapping or pandas.DataFrame
        ``event_id -> reaction_date`` (Timestamps that are trading days of ``levels``).
    windows : sequence of (int, int)
        Windows ``(a, b)`` in trading days relative to the reaction day; the change runs from the close of day
        ``a - 1`` to the close of day ``b``.
    units : mapping, optional
        ``{"col": "bp" | "%"}`` overriding :func:`treasurycard.series.change_unit`.
    estimation_length : int
        Daily changes in the constant-mean estimation window (default 250 trading days).
    estimation_gap : int
        The estimation window ends this many trading days before the study's first event day (default 10).
    estimation_end : date-like, optional
        Explicit last day of the estimation window (overrides ``estimation_gap``).
    min_estimation_obs : int
        Fewest valid daily changes a series needs in the estimation window (default 30).
    missing : {"nan", "last", "raise"}
        Missing-endpoint policy of :func:`treasurycard.changes.window_changes`; ``"last"`` also makes daily
        changes run from the last available close (``"nan"`` and ``"raise"`` leave them NaN across a gap).
        Placebo windows with a missing endpoint are dropped under ``"nan"``/``"raise"``.
    placebo_start, placebo_end : date-like, optional
        Reaction days of the placebo windows (default from 2005-01-01 to the end of the data). The study's own
        event days are excluded.
    placebo_statistic : {"change", "standardized"}
        Rank the absolute window change (``"change"``) or the change standardized by each date's own trailing
        constant-mean window of ``estimation_length`` days ending ``estimation_gap`` days before it
        (``"standardized"``, which accounts for volatility regimes).
    reference_dates : sequence of dates, optional
        A conditioning set of placebo reaction days (e.g. all US employment-report days), each a trading day
        of ``levels``; adds the ``cond_placebo_*`` columns. Only reference dates within the placebo period
        (``placebo_start`` to ``placebo_end``) are used.
    hac_maxlags : int, optional
        Newey-West truncation lag of the dummy regressions (default ``floor(4 (L1/100)^(2/9))``).
    controls : pandas.DataFrame, optional
        Daily control regressors for the HAC dummy regressions (only).

    Returns
    -------
    EventStudyResult
        ``.to_frame()`` for the tidy table, ``.pooled_tests()`` for the cross-sectional tests,
        ``.wald_tests()`` for the joint Wald tests across events, ``.regressions`` for the fits.

    Raises
    ------
    EventOutsideData
        A reaction date is not a trading day of the data, or a window runs beyond the data.
    EstimationError
        The estimation window is empty, reaches before the data, or a series has too few observations in it.
    UnknownUnit
        A series' unit is unknown or not ``"bp"``/``"%"``.

    Notes
    -----
    Tests per row: Brown-Warner t (:func:`treasurycard.inference.bw_t_test`); HAC dummy regression
    (:func:`dummy_regression`, one regression per series with a dummy for every day of every event window,
    the constant fitted on the estimation window; ``hac_car`` sums the window's day dummies and equals
    ``abnormal_change`` when the window is complete and there are no controls); the placebo rank
    (:func:`treasurycard.inference.placebo_test`). ``scar`` is the Patell-standardized CAR.

    References
    ----------
    MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic Literature 35(1),
    13-39. Brown and Warner (1985); Newey and West (1987); Patell (1976).
    """
    _ch.check_levels(levels)
    if placebo_statistic not in ("change", "standardized"):
        raise TreasuryCardError(f"placebo_statistic must be 'change' or 'standardized', got {placebo_statistic!r}")
    if missing not in _ch.MISSING_POLICIES:
        raise TreasuryCardError(f"missing must be one of {_ch.MISSING_POLICIES}, got {missing!r}")
    index = levels.index
    series_ids = list(levels.columns)
    u = _ch.resolve_units(series_ids, units, levels.attrs)
    ev = _ch.parse_events(events)
    pos = _ch.locate_events(index, ev)
    wins = _ch.normalize_windows(windows)
    T, S, K = len(index), len(series_ids), len(ev)
    bounds = {w: _ch.window_bounds(index, pos, w, ev.index) for w in wins}

    x = _ch.scaled_levels(levels, u)
    d = _ch._diff(x, "last" if missing == "last" else "nan")
    xe, stale = _ch.endpoint_levels(x, missing)

    e0, e1 = estimation_window(index, pos, wins, estimation_length, estimation_gap, estimation_end)
    est = d[e0 : e1 + 1]
    n_est = np.sum(~np.isnan(est), axis=0)
    for j in np.flatnonzero(n_est < max(min_estimation_obs, 4)):
        raise EstimationError(
            f"series {series_ids[j]!r} has {n_est[j]} valid daily changes in the estimation window "
            f"{index[e0]:%Y-%m-%d} to {index[e1]:%Y-%m-%d}, fewer than min_estimation_obs={min_estimation_obs}; "
            "check the series' coverage or move the estimation window"
        )
    mu = np.nanmean(est, axis=0)
    sd = np.nanstd(est, axis=0, ddof=1)
    abn = d - mu

    # HAC dummy regressions: one per series, a dummy for every day of every window of every event.
    event_windows = {(eid, w): p + np.arange(w[0], w[1] + 1) for w in wins for eid, p in zip(ev.index, pos)}
    event_days = np.unique(np.concatenate(list(event_windows.values())))
    sample = np.union1d(np.arange(e0, e1 + 1), event_days)
    ctrl = None
    if controls is not None:
        ctrl = controls.reindex(index)
    maxlags = hac_maxlags if hac_maxlags is not None else _inf.newey_west_maxlags(e1 - e0 + 1)
    regressions, hac = {}, {}
    for j, sid in enumerate(series_ids):
        ok = ~np.isnan(d[sample, j])
        if ctrl is not None:
            ok = ok & ctrl.iloc[sample].notna().all(axis=1).to_numpy()
        sp = sample[ok]
        c = None if ctrl is None else ctrl.iloc[sp]
        reg = _fit_dummy(d[sp, j], sp, index[sp], event_windows, c, maxlags, "stationary", "day", u[sid])
        regressions[sid] = reg
        ct = reg.car_table()
        vals = ct[["car", "se", "stat", "pvalue", "wald_days_stat", "wald_days_df", "wald_days_pvalue"]].to_numpy()
        for key, v, n_obs in zip(reg.contrasts, vals, (len(reg.day_index[k]) for k in reg.contrasts)):
            hac[(key, sid)] = tuple(v) if n_obs else (np.nan,) * 7

    # Placebo sets
    pl_lo = int(index.searchsorted(pd.Timestamp(placebo_start))) if placebo_start is not None else 0
    pl_hi = T - 1 if placebo_end is None else int(index.searchsorted(pd.Timestamp(placebo_end), side="right")) - 1
    is_event = np.zeros(T, bool)
    is_event[pos] = True
    ref_pos = None
    if reference_dates is not None:
        rd = pd.to_datetime(pd.Index(reference_dates))
        ref_pos = index.get_indexer(rd)
        if (ref_pos < 0).any():
            bad = [f"{dt:%Y-%m-%d}" for dt in rd[ref_pos < 0][:5]]
            raise EventOutsideData(
                f"{int((ref_pos < 0).sum())} reference dates are not trading days of the data "
                f"({_ch._range_text(index)}), e.g. {bad}; map them to reaction days first"
            )
        ref_pos = np.unique(ref_pos)
        ref_pos = ref_pos[(ref_pos >= pl_lo) & (ref_pos <= pl_hi)]  # the placebo period bounds both sets

    frames, pool_windows = [], {}
    for w in wins:
        a, b = w
        n = b - a + 1
        lo, hi = bounds[w]
        raw = xe[hi] - xe[lo]
        if missing == "raise" and np.isnan(raw).any():
            k, j = np.argwhere(np.isnan(raw))[0]
            raise EventOutsideData(
                f"event {ev.index[k]!r}, series {series_ids[j]!r}: no close on {index[lo[k]]:%Y-%m-%d} or "
                f"{index[hi[k]]:%Y-%m-%d} (window ({a}, {b})); use missing='nan' or missing='last'"
            )
        car = raw - n * mu
        days = pos[:, None] + np.arange(a, b + 1)[None, :]
        win_abn = np.transpose(abn[days], (0, 2, 1))  # (K, S, n)
        complete = ~np.isnan(win_abn).any(axis=2)
        bw = _inf.bw_t_test(car, sd, n, n_est)
        scar = car / (sd * np.sqrt(n * (1.0 + n / n_est)))

        # placebo: all windows of this length with reaction day in [pl_lo, pl_hi], events excluded
        t = np.arange(max(pl_lo, 1 - a), min(pl_hi, T - 1 - b) + 1)
        t = t[~is_event[t]]
        pv = _placebo_values(xe, d, t, w, placebo_statistic, estimation_length, estimation_gap, min_estimation_obs)
        if placebo_statistic == "change":
            ev_val = raw
        else:
            ev_val = _placebo_values(xe, d, pos, w, placebo_statistic, estimation_length, estimation_gap, min_estimation_obs)
        pl = np.full((3, K, S), np.nan)
        cond = np.full((3, K, S), np.nan)
        if ref_pos is not None:
            tr = ref_pos[(ref_pos >= 1 - a) & (ref_pos <= T - 1 - b)]
            tr = tr[~is_event[tr]]
            rv = _placebo_values(xe, d, tr, w, placebo_statistic, estimation_length, estimation_gap, min_estimation_obs)
        for j in range(S):
            col = pv[:, j]
            r, p, nn = _inf.placebo_counts(np.sort(np.abs(col[~np.isnan(col)])), ev_val[:, j])
            pl[0, :, j], pl[1, :, j], pl[2, :, j] = r, p, nn
            if ref_pos is not None:
                col = rv[:, j]
                r, p, nn = _inf.placebo_counts(np.sort(np.abs(col[~np.isnan(col)])), ev_val[:, j])
                cond[0, :, j], cond[1, :, j], cond[2, :, j] = r, p, nn

        h = np.array([[hac[((eid, w), sid)] for sid in series_ids] for eid in ev.index])  # (K, S, 7)
        cols = {
            "event_id": np.repeat(ev.index.to_numpy(), S),
            "reaction_date": np.repeat(ev.to_numpy(), S),
            "series_id": np.tile(np.array(series_ids, dtype=object), K),
            "window_start": a,
            "window_end": b,
            "start_close": np.repeat(index[lo].to_numpy(), S),
            "end_close": np.repeat(index[hi].to_numpy(), S),
            "n_days": n,
            "raw_change": raw.ravel(),
            "abnormal_change": car.ravel(),
            "unit": np.tile([u[s] for s in series_ids], K),
            "complete": complete.ravel(),
            "stale_endpoint": ((stale[lo] | stale[hi]) & ~np.isnan(raw)).ravel(),
            "est_mean": np.tile(mu, K),
            "est_std": np.tile(sd, K),
            "n_est": np.tile(n_est, K),
            "bw_t_stat": bw.statistic.ravel(),
            "bw_t_pvalue": bw.pvalue.ravel(),
            "hac_car": h[..., 0].ravel(),
            "hac_se": h[..., 1].ravel(),
            "hac_stat": h[..., 2].ravel(),
            "hac_pvalue": h[..., 3].ravel(),
            "hac_wald_days_stat": h[..., 4].ravel(),
            "hac_wald_days_df": h[..., 5].ravel(),
            "hac_wald_days_pvalue": h[..., 6].ravel(),
            "scar": scar.ravel(),
            "placebo_value": ev_val.ravel(),
            "placebo_rank": pl[0].ravel(),
            "placebo_pvalue": pl[1].ravel(),
            "placebo_n": pl[2].ravel(),
        }
        if ref_pos is not None:
            cols.update({"cond_placebo_rank": cond[0].ravel(), "cond_placebo_pvalue": cond[1].ravel(), "cond_placebo_n": cond[2].ravel()})
        frames.append(pd.DataFrame(cols))
        pool_windows[w] = {"car": car, "win_abn": win_abn}

    table = pd.concat(frames, ignore_index=True)
    for c in ("placebo_rank", "placebo_n", "cond_placebo_rank", "cond_placebo_n", "hac_wald_days_df", "n_est"):
        if c in table and not table[c].isna().any():
            table[c] = table[c].astype("int64")
    estimation = pd.DataFrame(
        {
            "series_id": series_ids,
            "estimation_start": index[e0],
            "estimation_end": index[e1],
            "n_est": n_est,
            "mean": mu,
            "std": sd,
            "unit": [u[s] for s in series_ids],
        }
    )
    settings = {
        "event_ids": list(ev.index),
        "series_ids": series_ids,
        "windows": wins,
        "units": u,
        "estimation_start": f"{index[e0]:%Y-%m-%d}",
        "estimation_end": f"{index[e1]:%Y-%m-%d}",
        "estimation_length": estimation_length,
        "estimation_gap": estimation_gap,
        "missing": missing,
        "placebo_start": None if placebo_start is None else f"{pd.Timestamp(placebo_start):%Y-%m-%d}",
        "placebo_end": None if placebo_end is None else f"{pd.Timestamp(placebo_end):%Y-%m-%d}",
        "placebo_statistic": placebo_statistic,
        "hac_maxlags": maxlags,
        "controls": None if controls is None else list(controls.columns),
    }
    pool = {
        "event_ids": list(ev.index),
        "series_ids": series_ids,
        "event_pos": pos,
        "est_abn": est - mu,
        "windows": pool_windows,
    }
    return EventStudyResult(table=table, estimation=estimation, regressions=regressions, settings=settings, _pool=pool)
