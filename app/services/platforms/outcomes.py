"""What a sync learned about a connection, kept on its connector account for the health page: the last
success, the last error in the platform's own words, and ok / degraded / broken."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.connectors.base import ConnectorError, Health, PermanentError
from app.models import ConnectorAccount
from app.models.enums import HealthStatus
from app.services.core import Actor, audit


def error_text(exc: BaseException) -> str:
    """The message people see: what we were doing and the platform's own words for a connector error (its
    HTTP status when it gave one), the type and text for anything else."""
    if isinstance(exc, ConnectorError):
        text, said = str(exc), exc.platform_message or ""
        if said and said not in text:
            text = f"{text}: {said}"
        if exc.status and str(exc.status) not in text:
            text = f"{text} (HTTP {exc.status})"
        return text[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def _set_status(
    session: Session, actor: Actor, account: ConnectorAccount, status: HealthStatus, why: str, brand_id: int
) -> None:
    # Only a change of state is audit-logged: a sync every five minutes would otherwise bury the log.
    if account.status != status:
        audit.record(
            session,
            actor,
            "connection.status",
            "connector_account",
            account.id,
            label=why[:300],
            brand_id=brand_id,
            before={"status": account.status.value},
            after={"status": status.value},
        )
        account.status = status


def note_success(
    session: Session, actor: Actor, account: ConnectorAccount, brand_id: int, now: datetime
) -> None:
    account.last_success_at = now
    _set_status(session, actor, account, HealthStatus.OK, "a sync succeeded", brand_id)


def note_failure(
    session: Session,
    actor: Actor,
    account: ConnectorAccount,
    brand_id: int,
    exc: BaseException,
    now: datetime,
) -> str:
    """Record the failure; a permanent one (bad credentials, refused) breaks the connection, anything else
    degrades it. Returns the message recorded."""
    message = error_text(exc)
    account.last_error_at, account.last_error = now, message
    status = HealthStatus.BROKEN if isinstance(exc, PermanentError) else HealthStatus.DEGRADED
    _set_status(session, actor, account, status, message, brand_id)
    return message


def note_headroom(account: ConnectorAccount, health: Health) -> None:
    """Token expiry and rate-limit headroom as the platform reported them after a sync, so the health page
    shows them current without anyone pressing "Check now"."""
    account.token_expires_at = health.token_expires_at
    account.rate_limit_remaining = health.rate_limit_remaining
    account.rate_limit_reset_at = health.rate_limit_reset_at
