"""The Treasury Card: data access and event-study estimation for the book.

Public API
----------
Data:        DataStore, load_fred, load_tic                        (treasurycard.store)
Calendar:    read_events, reaction_days, read_release_dates        (treasurycard.calendar)
Changes:     daily_changes, window_changes                         (treasurycard.changes)
Estimation:  event_study, EventStudyResult, dummy_regression       (treasurycard.estimate)
Inference:   TestResult, cross_section_tests, minimum_detectable_effect (treasurycard.inference)
Simulation:  size_power                                            (treasurycard.simulate)
History:     weekly_changes, rank_in_history, rolling_correlation  (treasurycard.history)
Book:        run_study, StudyResult                                (treasurycard.study)
Exports:     write_table, write_figure                             (treasurycard.export)
Errors:      TreasuryCardError and subclasses                      (treasurycard.errors)
"""

from .calendar import reaction_days, read_events, read_release_dates
from .changes import daily_changes, window_changes
from .errors import (
    DataFormatError,
    DataUnavailable,
    DataValidationError,
    EstimationError,
    EventOutsideData,
    FetchError,
    TreasuryCardError,
    UnknownUnit,
)
from .estimate import DummyRegressionResults, EventStudyResult, dummy_regression, event_study
from .export import write_figure, write_table
from .history import rank_in_history, rolling_correlation, weekly_changes
from .inference import TestResult, cross_section_tests, minimum_detectable_effect
from .simulate import size_power
from .store import DataStore, load_fred, load_tic
from .study import StudyResult, run_study

__version__ = "0.1.0"
