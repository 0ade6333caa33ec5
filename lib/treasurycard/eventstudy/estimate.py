"""Event-study estimation: the HAC dummy regression, and the battery that runs every step for all series.

The battery (:func:`event_study`) is a sequence of steps, each a function of its own that a reader can
follow and test alone:

1. estimation windows (:func:`treasurycard.eventstudy.windows.estimation_windows`), per event by default,
   skipping the study's own event days and any ``exclude_dates``;
2. the constant-mean model and each window's CAR (:mod:`treasurycard.eventstudy.windows`);
3. the HAC dummy-regression columns (:mod:`treasurycard.eventstudy.hac`);
4. the placebo distribution (:mod:`treasurycard.eventstudy.placebo`);
5. the pooled tests' inputs (:func:`pool_inputs`), used by :meth:`EventStudyResult.pooled_tests`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from scipy import stats

from . import changes as _ch
from . import hac as _hac
from . import inference as _inf
from . import placebo as _pl
from . import windows as _win
from ..errors import EstimationError, EventOutsideData, TreasuryCardError

__all__ = [
    "dummy_regression",
    "DummyRegressionResults",
    "event_study",
    "EventStudyResult",
    "pool_inputs",
]

_EVENT_VARIANCES = ("stationary", "sandwich")


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
        cov_kwds={"maxlags": int(maxlags), "kernel": "bartlett", "event_variance": event_variance,
                  # the sandwich is statsmodels' HAC as fitted above, whose default is use_correction=False; the
                  # stationary estimator divides its autocovariances by n0 - k0 (non-event days less regressors)
                  **({"use_correction": False} if event_variance == "sandwich" else {"gamma_denominator": "n0 - k0"})},
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


@dataclass(frozen=True)
class _Study:
    """What the result keeps for the pooled tests, the joint Wald tests and refits (not public)."""

    index: pd.DatetimeIndex
    event_ids: list
    series_ids: list
    units: dict
    event_pos: np.ndarray
    d: np.ndarray
    est: _win.EstimationWindows
    moments: _win.Moments
    changes: dict  # window -> WindowChanges
    hac: _hac.HacInputs
    controls: pd.DataFrame | None
    xe: np.ndarray | None = None  # window-endpoint levels (scaled), for the placebo reference distribution
    placebo: tuple | None = None  # (PlaceboSets, statistic, estimation_length, estimation_gap, min_obs)


def pool_inputs(study: _Study, window, members, signs) -> dict:
    """Step 5: the inputs of :func:`treasurycard.eventstudy.inference.cross_section_tests` for a pool.

    Parameters
    ----------
    study : the result's internal data
    window : (int, int)
    members : (numpy.ndarray, numpy.ndarray)
        Event and series positions ``(k, s)`` of the pool's members.
    signs : numpy.ndarray
        +1 or -1 per member: the direction in which its moves count.

    Returns
    -------
    dict
        ``car``, ``raw`` (N,), ``estimation`` (N, U) estimation-window abnormal changes on the union ``U``
        of the members' estimation days (NaN outside a member's own window), ``event`` (N, L2), ``overlap``
        (N, N) shared window days, ``groups`` (N,) each member's series.
    """
    ki, si = members
    wc = study.changes[tuple(window)]
    L2 = window[1] - window[0] + 1
    rows = study.est.rows[ki]
    union = np.unique(rows)
    est = np.full((ki.size, union.size), np.nan)
    est[np.arange(ki.size)[:, None], np.searchsorted(union, rows)] = study.moments.abnormal[ki, si] * signs[:, None]
    dist = np.abs(study.event_pos[ki][:, None] - study.event_pos[ki][None, :])
    return {
        "car": wc.car[ki, si] * signs,
        "raw": wc.raw[ki, si] * signs,
        "estimation": est,
        "event": wc.daily[ki, si, :] * signs[:, None],
        "overlap": np.maximum(0, L2 - dist).astype(float),
        "groups": np.asarray(study.series_ids, dtype=object)[si],
    }


def _directions(series, direction) -> np.ndarray:
    """+1/-1 per member from ``direction`` (int or mapping); refuse a pool of several series without it."""
    names = list(dict.fromkeys(series))
    if direction is None:
        if len(names) > 1:
            raise TreasuryCardError(
                f"pooling different series ({', '.join(map(str, names))}) needs an explicit direction for each: a "
                "yield and a price, or the VIX and the S&P 500, move in opposite directions on the same news and "
                "would cancel. Pass direction={series: +1 or -1} (+1: a rise counts as positive), or direction=1 "
                "if every series is counted as it is, or pool by='series_id'"
            )
        return np.ones(len(series))
    if np.isscalar(direction):
        given = {s: direction for s in names}
    else:
        missing = [s for s in names if s not in direction]
        if missing:
            raise TreasuryCardError(f"direction gives no sign for {missing}; give +1 or -1 for every pooled series")
        given = dict(direction)
    bad = {s: given[s] for s in names if given[s] not in (1, -1)}
    if bad:
        raise TreasuryCardError(f"directions must be +1 or -1, got {bad}")
    return np.array([float(given[s]) for s in series])


@dataclass
class EventStudyResult:
    """Output of :func:`event_study`.

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy results, one row per (event_id, series_id, window); see :meth:`to_frame`.
    estimation : pandas.DataFrame
        Per (event, series): the estimation window's first and last day, excluded days skipped inside it,
        valid observations, mean and standard deviation of daily changes (unit per day), unit.
    settings : dict
        The options the study ran with.
    """

    table: pd.DataFrame
    estimation: pd.DataFrame
    settings: dict
    _study: _Study = field(repr=False, default=None)

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per (event_id, series_id, window).

        Columns: ``event_id, reaction_date, series_id, window_start, window_end, start_close, end_close,
        n_days, raw_change, abnormal_change, unit, complete, stale_endpoint, est_start, est_end, est_mean,
        est_std, n_est, bw_t_stat, bw_t_pvalue, hac_car, hac_se, hac_stat, hac_pvalue, hac_wald_days_stat,
        hac_wald_days_df, hac_wald_days_pvalue, scar, placebo_value, placebo_rank, placebo_pvalue,
        placebo_n`` and, with reference dates, ``cond_placebo_rank, cond_placebo_pvalue, cond_placebo_n``.
        Changes are in ``unit`` (basis points or percent); ``abnormal_change`` is the cumulative abnormal
        change over the window (CAR) against the constant-mean model of the event's own estimation window
        (``est_start`` to ``est_end``). The ``hac_*`` columns are NaN where ``complete`` is False.
        """
        return self.table.copy()

    def pooled_tests(self, by: str | None = None, direction=None) -> pd.DataFrame:
        """Cross-sectional tests per window, pooling series and events (or within groups).

        Parameters
        ----------
        by : {None, "event_id", "series_id"}
            ``None`` pools every (event, series) row of a window; ``"event_id"`` pools the series of each
            event (e.g. the yield curve on one day, where the Kolari-Pynnönen adjustment matters);
            ``"series_id"`` pools the events of each series (overlapping windows are allowed for).
        direction : int or mapping of str to int, optional
            Required when a pool holds more than one series: ``{series_id: +1 or -1}``, the direction in which
            each series' moves count (e.g. ``{"DGS10": 1, "SP500": -1}`` to count a falling stock market with
            rising yields), or ``1`` to count every series as it is.

        Returns
        -------
        pandas.DataFrame
            Columns ``[by,] window_start, window_end, test, statistic, pvalue, n, null,
            reference_distribution, note``; tests ``patell, bmp, bmp_kp, corrado, grank, sign,
            generalized_sign`` (:func:`treasurycard.eventstudy.inference.cross_section_tests`). Rows with a
            missing CAR are left out (``n`` counts the members used); a pool with fewer than three members or
            without spread gives NaN and the reason in ``note``.
        """
        if by not in (None, "event_id", "series_id"):
            raise TreasuryCardError(f"by must be None, 'event_id' or 'series_id', got {by!r}")
        st = self._study
        K, S = len(st.event_ids), len(st.series_ids)
        kk, ss = (a.ravel() for a in np.meshgrid(np.arange(K), np.arange(S), indexing="ij"))
        groups, rows = {None: np.ones(K * S, bool)}, []
        if by == "event_id":
            groups = {st.event_ids[k]: kk == k for k in range(K)}
        elif by == "series_id":
            groups = {st.series_ids[s]: ss == s for s in range(S)}
        for w, wc in st.changes.items():
            car = wc.car.ravel()
            for label, sel in groups.items():
                sel = sel & ~np.isnan(car)
                if not sel.any():
                    continue
                signs = _directions([st.series_ids[s] for s in ss[sel]], direction)
                inp = pool_inputs(st, w, (kk[sel], ss[sel]), signs)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    res = _inf.cross_section_tests(inp["car"], inp["estimation"], inp["event"], inp["overlap"],
                                                   inp["groups"], inp["raw"])
                labels = ({} if by is None else {by: label}) | {"window_start": w[0], "window_end": w[1]}
                rows.extend(_inf.results_rows(res.values(), **labels))
        return pd.DataFrame(rows)

    def wald_tests(self) -> pd.DataFrame:
        """Per series and window: joint HAC Wald test that every event's CAR is zero (across events).

        The CARs' joint covariance is the stationary Newey-West covariance of their contrasts on the union of
        the events' days, with the events' residual autocovariances pooled (one set per series); events whose
        window is incomplete are left out. Columns ``series_id, window_start, window_end`` and
        :meth:`TestResult.to_dict`'s; ``n`` is the degrees of freedom.
        """
        st = self._study
        rows = []
        for j, sid in enumerate(st.series_ids):
            for w in self.settings["windows"]:
                car = st.changes[w].car[:, j]
                ok = np.flatnonzero(st.changes[w].complete[:, j])
                V = _hac.joint_car_covariance(st.d[:, j], st.est.rows[ok], st.event_pos[ok], w, st.hac.n0[ok, j],
                                              st.hac.gamma[ok, j], st.hac.maxlags)
                stat, df = _wald(np.eye(len(ok)), car[ok], V)
                r = _inf.TestResult("wald_events", stat, float(stats.chi2.sf(stat, df)), df,
                                    "every event's CAR is zero", f"chi2({df})")
                rows.append({"series_id": sid, "window_start": w[0], "window_end": w[1], **r.to_dict()})
        return pd.DataFrame(rows)

    def placebo_distribution(self, series_id: str, window=(0, 0), conditioned: bool = False,
                             event_id: str | None = None) -> pd.Series:
        """The placebo statistics an event's placebo p-value ranks against (their absolute values are ranked).

        Parameters
        ----------
        series_id : str
        window : (int, int)
            One of the study's windows.
        conditioned : bool
            ``False``: every placebo day (``placebo_*`` columns); ``True``: the reference days
            (``cond_placebo_*`` columns).
        event_id : str, optional
            With the ``"standardized"`` statistic, express the distribution in the series' unit on the scale
            of this event: each value times the event's own ``sd * sqrt(n)`` (the standard deviation of its
            trailing window times the root of the window length), so that shifting the event's change by
            ``delta`` shifts its statistic by ``delta`` on the same scale. Ignored for ``"change"``, whose values
            are already window changes in the series' unit.

        Returns
        -------
        pandas.Series
            Indexed by placebo reaction day, NaN dropped; ``len`` equals ``placebo_n`` (``cond_placebo_n``).
        """
        st = self._study
        w = tuple(window)
        if w not in st.changes:
            raise TreasuryCardError(f"no window {w} in this study; it has {list(st.changes)}")
        sets, statistic, length, gap, min_obs = st.placebo
        if conditioned and sets.reference is None:
            raise TreasuryCardError("this study has no reference dates, so no conditioned placebo")
        j = st.series_ids.index(series_id)
        t = _pl.placebo_positions(st.xe.shape[0], w, sets, conditioned)
        vals = _pl.placebo_values(st.xe[:, [j]], st.d[:, [j]], t, w, statistic, length, gap, min_obs)[:, 0]
        if statistic == "standardized" and event_id is not None:
            k = st.event_ids.index(event_id)
            vals = vals * _pl.placebo_scale(st.d[:, [j]], st.event_pos[[k]], w, length, gap, min_obs)[1][0, 0]
        out = pd.Series(vals, index=st.index[t], name=series_id)
        return out[out.notna()]

    def dummy_regression(self, series_id: str, event_id: str) -> DummyRegressionResults:
        """Refit the HAC dummy regression behind one (series, event) row: :func:`dummy_regression` on the
        event's estimation window and its window days, with the study's lags (for inspection; the table's
        ``hac_*`` columns equal its :meth:`~DummyRegressionResults.car_table` for complete windows)."""
        st = self._study
        k, j = st.event_ids.index(event_id), st.series_ids.index(series_id)
        keep = np.zeros(len(st.index), bool)
        keep[st.hac.positions[k]] = True
        y = pd.Series(np.where(keep, st.d[:, j], np.nan), index=st.index)
        ctrl = None if st.controls is None else st.controls
        return dummy_regression(y, {event_id: st.index[st.event_pos[k]]}, self.settings["windows"], controls=ctrl,
                                maxlags=self.settings["hac_maxlags"], unit=st.units[series_id])

    def __repr__(self):
        s = self.settings
        return (
            f"EventStudyResult({len(s['event_ids'])} events x {len(s['series_ids'])} series x "
            f"{len(s['windows'])} windows = {len(self.table)} rows; estimation {s['estimation']} "
            f"({s['estimation_length']} days, gap {s['estimation_gap']}, {s['n_exclude_dates']} exclude dates); "
            f"placebo '{s['placebo_statistic']}' from {s['placebo_start']})"
        )


def _hac_with_controls(st: _Study, window) -> np.ndarray:
    """HAC columns when there are controls: one :func:`dummy_regression` per (event, series) (slow path)."""
    K, S = len(st.event_ids), len(st.series_ids)
    out = np.full((K, S, len(_hac.HAC_COLUMNS)), np.nan)
    cols = ["car", "se", "stat", "pvalue", "wald_days_stat", "wald_days_df", "wald_days_pvalue"]
    for k in range(K):
        sample = st.hac.positions[k]
        for j in range(S):
            if not st.changes[window].complete[k, j]:
                continue
            ok = ~np.isnan(st.d[sample, j]) & st.controls.iloc[sample].notna().all(axis=1).to_numpy()
            sp = sample[ok]
            wins = {(st.event_ids[k], w): st.event_pos[k] + np.arange(w[0], w[1] + 1) for w in st.changes}
            reg = _fit_dummy(st.d[sp, j], sp, st.index[sp], wins, st.controls.iloc[sp], st.hac.maxlags,
                             "stationary", "day", st.units[st.series_ids[j]])
            ct = reg.car_table().set_index(["window_start", "window_end"])
            out[k, j] = ct.loc[window, cols].to_numpy(float)
    return out


def _window_table(st: _Study, wc: _win.WindowChanges, hac: np.ndarray, pl: _pl.PlaceboColumns,
                  bw_estimation_error: bool) -> pd.DataFrame:
    """The tidy rows of one window: (event, series) pairs, events outer, series inner."""
    (a, b), n = wc.window, wc.window[1] - wc.window[0] + 1
    K, S = wc.car.shape
    m = st.moments
    bw = _inf.bw_t_test(wc.car, m.std, n, m.n, estimation_error=bw_estimation_error)
    scar = wc.car / (m.std * np.sqrt(n * (1.0 + n / m.n)))
    per_event = lambda v: np.repeat(np.asarray(v), S)  # noqa: E731
    cols = {
        "event_id": per_event(st.event_ids), "reaction_date": per_event(st.index[st.event_pos]),
        "series_id": np.tile(np.array(st.series_ids, dtype=object), K), "window_start": a, "window_end": b,
        "start_close": per_event(st.index[wc.lo]), "end_close": per_event(st.index[wc.hi]), "n_days": n,
        "raw_change": wc.raw.ravel(), "abnormal_change": wc.car.ravel(),
        "unit": np.tile([st.units[s] for s in st.series_ids], K), "complete": wc.complete.ravel(),
        "stale_endpoint": wc.stale.ravel(), "est_start": per_event(st.index[st.est.first]),
        "est_end": per_event(st.index[st.est.last]), "est_mean": m.mean.ravel(), "est_std": m.std.ravel(),
        "n_est": m.n.ravel(), "bw_t_stat": np.asarray(bw.statistic).ravel(), "bw_t_pvalue": np.asarray(bw.pvalue).ravel(),
    }
    cols.update({name: hac[..., i].ravel() for i, name in enumerate(_hac.HAC_COLUMNS)})
    cols.update({"scar": scar.ravel(), "placebo_value": pl.value.ravel(), "placebo_rank": pl.rank.ravel(),
                 "placebo_pvalue": pl.pvalue.ravel(), "placebo_n": pl.n.ravel()})
    if pl.cond is not None:
        cols.update({f"cond_placebo_{k}": v.ravel() for k, v in zip(("rank", "pvalue", "n"), pl.cond)})
    return pd.DataFrame(cols)


def _estimation_frame(st: _Study) -> pd.DataFrame:
    K, S = st.moments.mean.shape
    return pd.DataFrame({
        "event_id": np.repeat(st.event_ids, S),
        "series_id": np.tile(np.array(st.series_ids, dtype=object), K),
        "estimation_start": np.repeat(st.index[st.est.first], S),
        "estimation_end": np.repeat(st.index[st.est.last], S),
        "n_excluded": np.repeat(st.est.excluded, S),
        "n_est": st.moments.n.ravel(),
        "mean": st.moments.mean.ravel(),
        "std": st.moments.std.ravel(),
        "unit": np.tile([st.units[s] for s in st.series_ids], K),
    })


def _check_options(placebo_statistic, missing, estimation):
    if placebo_statistic not in _pl.PLACEBO_STATISTICS:
        raise TreasuryCardError(f"placebo_statistic must be 'change' or 'standardized', got {placebo_statistic!r}")
    if missing not in _ch.MISSING_POLICIES:
        raise TreasuryCardError(f"missing must be one of {_ch.MISSING_POLICIES}, got {missing!r}")
    if estimation not in _win.ESTIMATION_MODES:
        raise TreasuryCardError(f"estimation must be one of {_win.ESTIMATION_MODES}, got {estimation!r}")


def _refuse_missing_endpoint(st: _Study, wc: _win.WindowChanges):
    """``missing="raise"``: raise :class:`EventOutsideData` for the first NaN window change."""
    if np.isnan(wc.raw).any():
        k, j = np.argwhere(np.isnan(wc.raw))[0]
        raise EventOutsideData(
            f"event {st.event_ids[k]!r}, series {st.series_ids[j]!r}: no close on {st.index[wc.lo[k]]:%Y-%m-%d} "
            f"or {st.index[wc.hi[k]]:%Y-%m-%d} (window {wc.window}); use missing='nan' or missing='last'"
        )


def _settings(st, wins, kw) -> dict:
    start = end = None
    if st.est.mode != "per_event":
        start, end = (f"{st.index[st.est.rows[0, i]]:%Y-%m-%d}" for i in (0, -1))
    day = lambda v: None if v is None else f"{pd.Timestamp(v):%Y-%m-%d}"  # noqa: E731
    return {
        "event_ids": list(st.event_ids), "series_ids": list(st.series_ids), "windows": wins, "units": st.units,
        "estimation": st.est.mode, "estimation_start": start, "estimation_end": end,
        "estimation_length": kw["estimation_length"], "estimation_gap": kw["estimation_gap"],
        "n_exclude_dates": 0 if kw["exclude_dates"] is None else len(kw["exclude_dates"]),
        "missing": kw["missing"], "placebo_start": day(kw["placebo_start"]), "placebo_end": day(kw["placebo_end"]),
        "placebo_statistic": kw["placebo_statistic"], "hac_maxlags": st.hac.maxlags,
        "controls": None if st.controls is None else list(st.controls.columns),
        "bw_estimation_error": kw["bw_estimation_error"],
    }


def event_study(
    levels: pd.DataFrame,
    events,
    windows=((0, 0),),
    *,
    units=None,
    estimation_length: int = 250,
    estimation_gap: int = 10,
    estimation_end=None,
    estimation: str = "per_event",
    exclude_dates=None,
    min_estimation_obs: int = 30,
    missing: str = "nan",
    placebo_start="2005-01-01",
    placebo_end=None,
    placebo_statistic: str = "change",
    reference_dates=None,
    hac_maxlags: int | None = None,
    controls: pd.DataFrame | None = None,
    bw_estimation_error: bool = False,
) -> EventStudyResult:
    """Run the event-study battery for every series, event and window.

    Parameters
    ----------
    levels : pandas.DataFrame
        Levels on an ascending, unique DatetimeIndex of trading days, one column per series, NaN where a
        series has no value. Rates in percent.
    events : pandas.Series, mapping or pandas.DataFrame
        ``event_id -> reaction_date`` (trading days of ``levels``).
    windows : sequence of (int, int)
        Windows ``(a, b)`` in trading days relative to the reaction day; the change runs from the close of day
        ``a - 1`` to the close of day ``b``.
    units : str or mapping, optional
        ``"bp"`` or ``"%"`` per series (else ``levels.attrs["units"]``).
    estimation_length, estimation_gap : int
        Each estimation window holds ``estimation_length`` daily changes (default 250) and ends
        ``estimation_gap`` trading days (default 10) before its event's first window day.
    estimation_end : date-like, optional
        One common last day of the estimation window (overrides the gap).
    estimation : {"per_event", "common"}
        ``"per_event"`` (default): a window per event; ``"common"``: one, before the earliest event.
    exclude_dates : sequence of dates, optional
        Days no estimation window uses (e.g. the reaction days of other known events); the window reaches
        back past them. The study's own event-window days are always excluded.
    min_estimation_obs : int
        Fewest valid daily changes a series needs in an estimation window (default 30).
    missing : {"nan", "last", "raise"}
        Missing-endpoint policy of :func:`treasurycard.eventstudy.changes.window_changes`.
    placebo_start, placebo_end : date-like, optional
        Reaction days of the placebo windows (default 2005-01-01 to the end); the study's event days excluded.
    placebo_statistic : {"change", "standardized"}
        Rank the absolute window change, or the change standardized by each date's trailing window.
    reference_dates : sequence of dates, optional
        A conditioning set of placebo reaction days (e.g. jobs-report days), adds ``cond_placebo_*``.
    hac_maxlags : int, optional
        Newey-West lag (default ``floor(4 (L1/100)^(2/9))``).
    controls : pandas.DataFrame, optional
        Daily control regressors for the HAC dummy regressions (only).
    bw_estimation_error : bool
        Brown-Warner t with the estimation-error term ``1 + L2/L1`` of Campbell, Lo and MacKinlay.

    Returns
    -------
    EventStudyResult
        ``.to_frame()``, ``.pooled_tests()``, ``.wald_tests()``, ``.estimation``.

    Raises
    ------
    EventOutsideData, EstimationError, UnknownUnit

    References
    ----------
    MacKinlay (1997); Brown and Warner (1985); Newey and West (1987); Patell (1976).
    """
    _ch.check_levels(levels)
    _check_options(placebo_statistic, missing, estimation)
    index, series_ids = levels.index, list(levels.columns)
    u = _ch.resolve_units(series_ids, units, levels.attrs)
    ev = _ch.parse_events(events)
    pos = _ch.locate_events(index, ev)
    wins = _ch.normalize_windows(windows)
    bounds = {w: _ch.window_bounds(index, pos, w, ev.index) for w in wins}
    x = _ch.scaled_levels(levels, u)
    d = _ch._diff(x, "last" if missing == "last" else "nan")
    xe, stale = _ch.endpoint_levels(x, missing)
    excluded = _win.exclusion_mask(index, pos, wins, exclude_dates)
    est = _win.estimation_windows(index, pos, wins, estimation_length, estimation_gap, estimation_end, excluded,
                                  estimation)
    mom = _win.estimation_moments(d, est, min_estimation_obs, series_ids, index)
    maxlags = hac_maxlags if hac_maxlags is not None else _inf.newey_west_maxlags(estimation_length)
    hac_in = _hac.hac_inputs(d, est.rows, pos, wins, mom.mean, maxlags)
    ctrl = None if controls is None else controls.reindex(index)
    changes = {w: _win.window_changes_at(xe, d, stale, *bounds[w], pos, w, mom.mean) for w in wins}
    sets = _pl.placebo_sets(index, pos, placebo_start, placebo_end, reference_dates)
    st = _Study(index, list(ev.index), series_ids, u, pos, d, est, mom, changes, hac_in, ctrl, xe,
                (sets, placebo_statistic, estimation_length, estimation_gap, min_estimation_obs))
    frames = []
    for w, wc in changes.items():
        if missing == "raise":
            _refuse_missing_endpoint(st, wc)
        hac = _hac.hac_columns(hac_in, w, mom.mean) if ctrl is None else _hac_with_controls(st, w)
        pl = _pl.placebo_columns(xe, d, pos, w, sets, placebo_statistic, estimation_length, estimation_gap,
                                 min_estimation_obs, wc.raw)
        frames.append(_window_table(st, wc, hac, pl, bw_estimation_error))
    table = pd.concat(frames, ignore_index=True)
    for c in ("placebo_rank", "placebo_n", "cond_placebo_rank", "cond_placebo_n", "hac_wald_days_df", "n_est"):
        if c in table and not table[c].isna().any():
            table[c] = table[c].astype("int64")
    kw = dict(estimation_length=estimation_length, estimation_gap=estimation_gap, exclude_dates=exclude_dates,
              missing=missing, placebo_start=placebo_start, placebo_end=placebo_end,
              placebo_statistic=placebo_statistic, bw_estimation_error=bw_estimation_error)
    return EventStudyResult(table, _estimation_frame(st), _settings(st, wins, kw), st)
