"""One exception type for problems the user can fix; the CLI prints it as a single line."""

from __future__ import annotations


class CorpuslabError(Exception):
    """A user-facing error: bad input, bad config, missing file. Message is one line naming the culprit."""


class ConfigError(CorpuslabError):
    """A config file failed validation; the message names the file and the key path."""


class DataError(CorpuslabError):
    """Input data could not be read: the message names the file and, where known, the line."""
