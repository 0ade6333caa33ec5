"""The book: its studies (which series, events and windows), charts, exports, citation, robustness checks,
the card scenario, TIC holdings helpers and the chapters' preamble (:mod:`.preamble`).

Built on :mod:`treasurycard.data` and :mod:`treasurycard.eventstudy`; holds no estimation logic of its own.
"""
