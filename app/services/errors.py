"""The errors services raise; each message is meant to be shown to a person as it is."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a user can act on (the CLI prints them as one line, pages as a warning)."""


class PermissionDenied(ServiceError, PermissionError):
    """The acting user's role does not allow this, whatever the UI showed."""


class ValidationError(ServiceError, ValueError):
    """Input was refused; `field` and `value` say which and what."""

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class NotFound(ServiceError, LookupError):
    """The named object does not exist (or the user may not see it)."""


class Conflict(ServiceError):
    """Someone else changed the record since it was read; nothing was overwritten."""
