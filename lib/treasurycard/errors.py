"""One small hierarchy of errors; every message names the series or file and the remedy."""

from __future__ import annotations

import os
import re


class TreasuryCardError(Exception):
    """Base class of every error raised by :mod:`treasurycard`."""


class DataUnavailable(TreasuryCardError):
    """A series or file is in neither the cache nor the mirror, and may not (or could not) be fetched."""


class FetchError(DataUnavailable):
    """A live fetch failed (network fault, HTTP error, or a body that is not the expected data)."""


class DataFormatError(TreasuryCardError, ValueError):
    """A data file does not have the expected layout.

    Attributes
    ----------
    path : str
        The file that failed to parse.
    line : int or None
        1-based line number of the offending line, when one can be named.
    expected : str
        What the parser expected to find there.
    remedy : str or None
        What to do about it, appended to the message.
    """

    def __init__(self, path, line, expected, found=None, remedy=None):
        self.path = str(path)
        self.line = line
        self.expected = expected
        self.found = found
        self.remedy = remedy
        where = f"{self.path}, line {line}" if line is not None else self.path
        msg = f"{where}: expected {expected}"
        if found is not None:
            msg += f", found {found!r}"
        if remedy:
            msg += f". {remedy}"
        super().__init__(msg)


class DataValidationError(TreasuryCardError, ValueError):
    """Loaded data fail a schema or plausibility check (order, duplicates, bounds, missing series)."""


class EventOutsideData(TreasuryCardError, KeyError):
    """An event's reaction day (or a window around it) falls outside the dates the data cover."""

    def __str__(self):  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class EstimationError(TreasuryCardError, ValueError):
    """An estimator cannot be fitted (for example an empty or too short estimation window)."""


class UnknownUnit(TreasuryCardError, ValueError):
    """A unit or series kind that the package does not know."""


class DataProvenanceWarning(UserWarning):
    """Data were read, but where they came from is not quite what was asked (see the message)."""


class StaleDataWarning(DataProvenanceWarning):
    """A refresh failed and an older stored copy was used instead; the message names its vintage."""


#: Environment variables whose values are secrets and must never reach a message, manifest, log or page.
SECRET_ENV_VARS = ("FRED_API_KEY",)

_SECRET_PARAM = re.compile(r"(?i)\b(api[_-]?key|access[_-]?token|token|secret|password)=([^&#\s'\"<>]+)")


def redact_secrets(text, environ=None) -> str:
    """``text`` with secrets replaced by ``<redacted>``.

    Removes the value of any ``api_key=``, ``token=``, ``secret=`` or ``password=`` URL parameter and every
    occurrence of the values of :data:`SECRET_ENV_VARS` (``FRED_API_KEY``) set in ``environ`` (default: the
    process environment). The project itself uses no key; this guards error messages, warnings, the cache
    manifest and provenance should one ever appear in a URL or in a server's reply.
    """
    env = os.environ if environ is None else environ
    out = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=<redacted>", str(text))
    for name in SECRET_ENV_VARS:
        value = (env.get(name) or "").strip()
        if len(value) >= 4:
            out = out.replace(value, "<redacted>")
    return out
