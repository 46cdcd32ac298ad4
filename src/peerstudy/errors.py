"""Exceptions whose messages are written for the person holding the data.

A message names the file, the row or column, what was found, what was
expected and what to do about it, so that no one has to read a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class PeerstudyError(Exception):
    """Base class: anything the user can fix in their data or config."""


class ConfigError(PeerstudyError):
    """The study config or an instrument file is wrong."""


class DataError(PeerstudyError):
    """A raw export cannot be used as it is."""


def closest(value: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the nearest choice, or a list of choices."""
    choices = sorted({str(c) for c in choices})
    match = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
    if match:
        return f" (did you mean '{match[0]}'?)"
    if len(choices) <= 12:
        return f" (valid: {', '.join(choices)})"
    return ""
