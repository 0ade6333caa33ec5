"""An event-study engine for daily market data: pure functions over pandas objects.

Usable on anyone's data without the rest of the package: it needs numpy, pandas, scipy and statsmodels only,
and knows nothing of particular series. Give levels as a DataFrame on a DatetimeIndex (one column per series)
and the unit of each series' changes (``units={"DGS10": "bp", "SP500": "%"}`` or ``levels.attrs["units"]``):
``"bp"`` = 100 x first difference of a level in percent, ``"%"`` = 100 x log change.

Modules: :mod:`.changes` (daily and window changes); the steps of an event study, each testable alone:
:mod:`.windows` (estimation windows, per event by default and clear of excluded days; the constant-mean model;
window CARs), :mod:`.hac` (the HAC dummy-regression columns), :mod:`.placebo` (the placebo distribution);
:mod:`.estimate` (:func:`event_study`, which runs the steps, the dummy regression, the pooled tests' inputs);
:mod:`.inference` (single-series, pooled and rank tests, minimum detectable effect); :mod:`.simulate` (size and
power); :mod:`.history` (weekly changes, ranks in history, rolling correlations).
"""

from .changes import daily_changes, window_changes
from .estimate import DummyRegressionResults, EventStudyResult, dummy_regression, event_study
from .history import HistoryRank, rank_in_history, rolling_correlation, weekly_changes
from .inference import TestResult, cross_section_tests, grank_test, minimum_detectable_effect
from .simulate import size_power

__all__ = [
    "daily_changes", "window_changes",
    "event_study", "EventStudyResult", "dummy_regression", "DummyRegressionResults",
    "TestResult", "cross_section_tests", "grank_test", "minimum_detectable_effect",
    "size_power",
    "weekly_changes", "rank_in_history", "rolling_correlation", "HistoryRank",
]

# one day's cross-series pattern against a reference set of days (e.g. employment-report days)
from .pattern import conditional_pattern_test, reference_noise  # noqa: E402

__all__ += ["conditional_pattern_test", "reference_noise"]
from .comovement import CorrelationRank, paired_changes, window_correlation  # noqa: E402

__all__ += ["paired_changes", "window_correlation", "CorrelationRank"]
