"""Size and power of the event-study tests by Monte Carlo simulation, vectorised over draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import signal

from . import inference as _inf
from ..errors import TreasuryCardError

__all__ = ["simulate_changes", "size_power", "TESTS"]

#: Tests simulated by :func:`size_power`: single-series tests on the first series, pooled tests on all.
TESTS = {
    "bw_t": "single series",
    "hac": "single series",
    "patell": "pooled",
    "bmp": "pooled",
    "bmp_kp": "pooled",
    "corrado": "pooled",
    "grank": "pooled",
    "sign": "pooled",
    "generalized_sign": "pooled",
}


def simulate_changes(rng, n_draws: int, n_series: int, n_days: int, sigma_bp: float, rho: float = 0.0, ar: float = 0.0, df: float | None = None):
    """Synthetic daily changes in basis points, shape ``(n_draws, n_series, n_days)``.

    Each series is AR(1) with coefficient ``ar`` and unconditional standard deviation ``sigma_bp``;
    series share a common factor so that contemporaneous correlation is ``rho``; innovations are normal,
    or Student t with ``df`` degrees of freedom scaled to unit variance (fat tails).
    """
    if not 0.0 <= rho < 1.0:
        raise TreasuryCardError(f"rho must be in [0, 1), got {rho}")
    if not -1.0 < ar < 1.0:
        raise TreasuryCardError(f"ar must be in (-1, 1), got {ar}")
    burn = 100 if ar else 0
    shape = (n_draws, n_series, n_days + burn)

    def draw(size):
        if df is None:
            return rng.standard_normal(size)
        return rng.standard_t(df, size) * np.sqrt((df - 2.0) / df)

    eps = np.sqrt(1.0 - rho) * draw(shape) + np.sqrt(rho) * draw((n_draws, 1, n_days + burn))
    if ar:
        eps = signal.lfilter([np.sqrt(1.0 - ar**2)], [1.0, -ar], eps, axis=-1)[..., burn:]
    return sigma_bp * eps


def size_power(
    effects_bp=(0.0, 5.0, 10.0, 20.0),
    sigma_bp: float = 5.0,
    n_series: int = 10,
    window=(0, 0),
    estimation_length: int = 250,
    gap: int = 10,
    rho: float = 0.0,
    ar: float = 0.0,
    df: float | None = None,
    n_draws: int = 2000,
    alpha: float = 0.05,
    maxlags: int | None = None,
    seed: int = 0,
    chunk: int = 500,
) -> pd.DataFrame:
    """Rejection rates of the event-study tests at planted effects (size at 0, power above).

    Each draw simulates ``n_series`` series of daily changes (basis points) over an estimation window of
    ``estimation_length`` days and, ``gap`` days after its end, an event window of ``b - a + 1`` days that
    all series share (one event date); ``effect`` basis points are added to every series' window total,
    spread evenly over its days. The same noise is reused across effects (common random numbers).

    Parameters
    ----------
    effects_bp : sequence of float
        Planted cumulative abnormal changes over the window, in basis points.
    sigma_bp : float
        Standard deviation of daily changes, basis points.
    n_series : int
        Cross-section size for the pooled tests.
    window : (int, int)
        Event window in trading days (only its length matters here).
    estimation_length, gap : int
        Estimation window length and the distance (trading days) from its last day to the first event day.
    rho : float
        Contemporaneous correlation across series (a yield curve has ``rho`` near 0.8-0.9).
    ar : float
        AR(1) coefficient of daily changes.
    df : float, optional
        Student-t innovations with ``df`` degrees of freedom (default normal).
    n_draws : int
        Monte Carlo draws.
    alpha : float
        Nominal size of the two-sided tests.
    maxlags : int, optional
        HAC truncation lag (default Newey-West rule on ``estimation_length``).
    seed : int
        Seed of ``numpy.random.default_rng``.
    chunk : int
        Draws simulated at once (memory: ``chunk * n_series * (estimation_length + gap + L2)`` floats).

    Returns
    -------
    pandas.DataFrame
        One row per (test, effect): ``test, scope, effect_bp, rejection_rate, mc_se, n_draws, alpha,
        n_series, sigma_bp, rho, ar, window_start, window_end, estimation_length``. ``mc_se`` is the Monte
        Carlo standard error ``sqrt(r (1 - r) / n_draws)``. Single-series tests (``bw_t``, ``hac``) use the
        first series; pooled tests use all ``n_series``.
    """
    a, b = int(window[0]), int(window[1])
    L2 = b - a + 1
    L1 = estimation_length
    if gap < 1 or L2 < 1 or L1 < 10:
        raise TreasuryCardError("need gap >= 1, a window of at least one day and estimation_length >= 10")
    effects = np.asarray(list(effects_bp), float)
    rng = np.random.default_rng(seed)
    n_days = L1 - 1 + gap + L2
    counts = {name: np.zeros(effects.size) for name in TESTS}
    done = 0
    while done < n_draws:
        m = min(chunk, n_draws - done)
        y = simulate_changes(rng, m, n_series, n_days, sigma_bp, rho, ar, df)
        est = y[..., :L1]
        ev0 = y[..., n_days - L2 :]
        mean = est.mean(axis=-1)
        sd = est.std(axis=-1, ddof=1)
        est_abn = est - mean[..., None]
        for e, eff in enumerate(effects):
            ev = ev0 + eff / L2
            car = ev.sum(axis=-1) - L2 * mean
            ev_abn = ev - mean[..., None]
            res = {
                "bw_t": _inf.bw_t_test(car[:, 0], sd[:, 0], L2, L1),
                "hac": _inf.hac_car_test(est[:, 0], ev[:, 0], gap, maxlags),
            }
            res.update(_inf.cross_section_tests(car, est_abn, ev_abn))
            for name in TESTS:
                counts[name][e] += np.sum(np.asarray(res[name].pvalue) < alpha)
        done += m
    rows = []
    for name, scope in TESTS.items():
        for e, eff in enumerate(effects):
            r = counts[name][e] / n_draws
            rows.append(
                {
                    "test": name,
                    "scope": scope,
                    "effect_bp": eff,
                    "rejection_rate": r,
                    "mc_se": np.sqrt(r * (1 - r) / n_draws),
                    "n_draws": n_draws,
                    "alpha": alpha,
                    "n_series": 1 if scope == "single series" else n_series,
                    "sigma_bp": sigma_bp,
                    "rho": rho,
                    "ar": ar,
                    "window_start": a,
                    "window_end": b,
                    "estimation_length": L1,
                }
            )
    return pd.DataFrame(rows)
