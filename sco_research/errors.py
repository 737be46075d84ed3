"""Exception hierarchy of sco-research.

Every error the library raises on purpose derives from :class:`SCOResearchError`, so callers can
catch the whole family at once, or one kind precisely.

Examples
--------
>>> from sco_research.errors import ParameterError, SCOResearchError
>>> issubclass(ParameterError, SCOResearchError)
True
"""

from __future__ import annotations

__all__ = ["SCOResearchError", "DataError", "ParameterError", "RenderError", "ConfigError"]


class SCOResearchError(Exception):
    """Base class of every error raised by sco-research."""


class DataError(SCOResearchError):
    """A bundled data file is missing, malformed or breaks its schema.

    The message names the file, row, field, the bad value and the rule it breaks.
    ``problems`` holds the same details as a list of dicts
    (``table``, ``row``, ``field``, ``value``, ``rule``).
    """

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems: list[dict] = list(problems or [])


class ParameterError(SCOResearchError, ValueError):
    """A function or notebook was given an argument it cannot accept.

    The message names the argument, the value (``repr``) and what is allowed.
    """


class ConfigError(SCOResearchError):
    """A configuration file (such as ``reports.yaml``) is malformed."""


class RenderError(SCOResearchError):
    """One or more reports failed to render."""
