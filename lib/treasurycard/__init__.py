"""The Treasury Card: data access, an event-study engine, and the book built on them.

Three layers; imports run downward only:

``treasurycard.data``        publishers' readers, the store (mirror, cache, manifest), validation, series catalogue,
                             calendars
``treasurycard.eventstudy``  the engine: changes, estimation windows, CARs, HAC regressions, tests, placebo,
                             simulation, weekly history. Pure functions over pandas objects; needs only numpy,
                             pandas, scipy and statsmodels (``import treasurycard.eventstudy`` loads nothing else)
``treasurycard.book``        the book's studies, charts, exports, citation, robustness, scenario, chapters' preamble

The names below are loaded on first use, so importing this package loads no layer.
"""

from importlib import import_module

__version__ = "0.1.0"

_PUBLIC = {
    # data layer
    "DataStore": "data.store", "load_fred": "data.store", "load_tic": "data.store",
    "read_events": "data.calendar", "reaction_days": "data.calendar", "read_release_dates": "data.calendar",
    # engine
    "daily_changes": "eventstudy", "window_changes": "eventstudy", "event_study": "eventstudy",
    "EventStudyResult": "eventstudy", "dummy_regression": "eventstudy", "DummyRegressionResults": "eventstudy",
    "TestResult": "eventstudy", "cross_section_tests": "eventstudy", "minimum_detectable_effect": "eventstudy",
    "size_power": "eventstudy", "weekly_changes": "eventstudy", "rank_in_history": "eventstudy",
    "rolling_correlation": "eventstudy",
    # book
    "run_study": "book.study", "StudyResult": "book.study",
    "write_table": "book.export", "write_figure": "book.export",
    # errors
    "TreasuryCardError": "errors", "DataUnavailable": "errors", "DataFormatError": "errors",
    "DataValidationError": "errors", "EstimationError": "errors", "EventOutsideData": "errors",
    "FetchError": "errors", "UnknownUnit": "errors",
}

__all__ = sorted(_PUBLIC) + ["__version__"]


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'treasurycard' has no attribute {name!r}")


def __dir__():
    return __all__
