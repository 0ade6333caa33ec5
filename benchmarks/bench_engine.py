"""Benchmark of the event-study engine: the full battery against a naive per-placebo-date statsmodels loop.

Run: ``.venv/bin/python benchmarks/bench_engine.py``. Synthetic data only (random walks with a planted jump).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm

from treasurycard.eventstudy.estimate import event_study
from treasurycard.eventstudy.inference import newey_west_maxlags

N_SERIES = 20
N_DAYS = 10_400  # business days (about 40 years), so that each placebo distribution has >= 10,000 dates
WINDOWS = [(0, 0), (0, 1), (-1, 1), (0, 5)]
EST_LENGTH, EST_GAP = 250, 10
REPEATS = 3
NAIVE_SAMPLE = 200  # placebo dates timed in the naive loop (then extrapolated per date)


def synthetic_data(seed: int = 20250402):
    """20 synthetic series (12 'yields' in percent, 8 'prices'), 8 events with planted moves."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range(end="2025-12-31", periods=N_DAYS, name="date")
    n_rates = 12
    common = rng.normal(0, 0.05, (N_DAYS, 1))
    rates = 4.0 + np.cumsum(0.8 * common + 0.6 * rng.normal(0, 0.05, (N_DAYS, n_rates)), axis=0)
    prices = 100 * np.exp(np.cumsum(rng.normal(0, 0.006, (N_DAYS, N_SERIES - n_rates)), axis=0))
    cols = [f"Y{i:02d}" for i in range(n_rates)] + [f"P{i:02d}" for i in range(N_SERIES - n_rates)]
    levels = pd.DataFrame(np.hstack([rates, prices]), index=idx, columns=cols)
    ev_pos = N_DAYS - 180 + np.array([0, 1, 4, 20, 21, 30, 35, 60])
    levels.iloc[ev_pos[0] :, :n_rates] += 0.15  # a planted 15 bp jump on the first event day
    events = pd.Series(idx[ev_pos], index=[f"event_{k}" for k in range(len(ev_pos))])
    units = {c: ("bp" if c.startswith("Y") else "%") for c in cols}
    reference = idx[::21]  # a monthly "reference" calendar (e.g. employment-report days)
    return levels, events, units, reference


def full_battery(levels, events, units, reference):
    res = event_study(
        levels,
        events,
        WINDOWS,
        units=units,
        estimation_length=EST_LENGTH,
        estimation_gap=EST_GAP,
        placebo_start=None,
        placebo_statistic="standardized",
        reference_dates=reference,
    )
    res.pooled_tests(direction=1)
    res.pooled_tests(by="event_id", direction=1)
    res.wald_tests()
    return res


def naive_per_date_seconds(levels, n_dates: int = NAIVE_SAMPLE) -> float:
    """Seconds per (placebo date, series, window) of the straightforward loop: refit statsmodels OLS with HAC.

    For each placebo date: slice the 250-day estimation window ending 10 days before it plus the event
    window, regress the daily changes on a constant and an event-window dummy, and keep the HAC t statistic.
    """
    col = levels.columns[0]
    d = (100 * levels[col]).diff().to_numpy()
    a, b = WINDOWS[-1]
    L = newey_west_maxlags(EST_LENGTH)
    dates = np.linspace(EST_LENGTH + EST_GAP + 2, len(d) - b - 1, n_dates).astype(int)
    t0 = time.perf_counter()
    for t in dates:
        stop = t + min(0, a) - EST_GAP
        rows = np.r_[np.arange(stop - EST_LENGTH + 1, stop + 1), np.arange(t + a, t + b + 1)]
        y = d[rows]
        X = np.column_stack([np.ones(rows.size), np.r_[np.zeros(EST_LENGTH), np.ones(b - a + 1)]])
        sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L}).tvalues[1]
    return (time.perf_counter() - t0) / n_dates


def main():
    levels, events, units, reference = synthetic_data()
    print(f"cores available: {os.cpu_count()}")
    print(f"data: {levels.shape[1]} series x {levels.shape[0]} business days "
          f"({levels.index[0]:%Y-%m-%d} to {levels.index[-1]:%Y-%m-%d}); {len(events)} events; windows {WINDOWS}")
    res = full_battery(levels, events, units, reference)  # warm-up
    n_placebo = int(res.table["placebo_n"].min())
    times, cpu = [], []
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        full_battery(levels, events, units, reference)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    fast = min(times)
    print(f"placebo distribution: {n_placebo:,} dates per (series, window), standardized statistic; "
          f"conditioned set: {int(res.table['cond_placebo_n'].min())} dates")
    print(f"full battery (event_study + pooled tests + Wald tests): best of {REPEATS} = {fast:.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in times)}; CPU time {min(cpu):.3f} s, which a busy machine "
          "inflates less than the wall time)")
    per_date = naive_per_date_seconds(levels)
    n_fits = n_placebo * levels.shape[1] * len(WINDOWS)
    naive = per_date * n_fits
    print(f"naive loop: statsmodels OLS+HAC refit per placebo date, timed on {NAIVE_SAMPLE} dates "
          f"= {1e3 * per_date:.3f} ms per fit; extrapolated to {n_fits:,} fits "
          f"({n_placebo:,} dates x {levels.shape[1]} series x {len(WINDOWS)} windows) = {naive:.1f} s "
          "(placebo part only, so the ratio understates the gap)")
    print(f"speed-up: {naive / fast:,.0f}x  (target >= 50x); target < 1 s: {'met' if fast < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
