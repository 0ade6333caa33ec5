"""The data layer: publishers' readers, the store (mirror, cache, manifest, offline switch), validation, the
series catalogue (id, label, unit, observation time) and the event and release calendars.

Imports nothing from :mod:`treasurycard.eventstudy` or :mod:`treasurycard.book`.
"""
