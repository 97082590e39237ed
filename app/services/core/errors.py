"""The errors services raise, each message meant to be shown to a person as it is, and the checks that
turn a stale copy into a Conflict."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm.exc import StaleDataError

F = TypeVar("F", bound=Callable[..., Any])


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


def check_version(row: Any, version: int | None, what: str) -> None:
    """Refuse a save made from a copy of `row` read before someone else's change; `what` names the row
    as the message begins (`chain 'Urgent'`)."""
    if version is None or int(version) != row.version:
        raise Conflict(f"{what} was changed by someone else meanwhile (now version {row.version}); reload it")


def conflict_on_stale(fn: F) -> F:
    """A save that lost a race (another transaction bumped the record's version between our read and
    our write; PostgreSQL's READ COMMITTED lets both start) is a Conflict the user can act on, not a
    driver error. The service must flush its changes before it returns, so the race surfaces here."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except StaleDataError:
            raise Conflict(
                "someone else saved this at the same moment; nothing was overwritten. Reload and try again"
            ) from None

    return wrapper  # type: ignore[return-value]
