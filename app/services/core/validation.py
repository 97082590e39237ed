"""Checks for the values people type (slugs, e-mails, time zones, codes); each failure names the field."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from app.services.core.errors import ValidationError

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
HEX_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")

E = TypeVar("E", bound=StrEnum)


def slugify(text: str) -> str:
    """'Teh Tarik House (MY)' → 'teh-tarik-house-my'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:64].strip("-")


def slug(value: str, field: str = "slug") -> str:
    value = (value or "").strip().lower()
    if not SLUG_RE.match(value):
        raise ValidationError(
            f"{field} {value!r} must be 1-64 lowercase letters, digits or dashes (e.g. 'lumi-sg')",
            field=field,
            value=value,
        )
    return value


NUL_REASON = "contains a NUL character (\\x00), which cannot be stored; remove it"


def no_nul(value: str | None, field: str) -> str:
    """Text as typed, unless it holds a NUL character: PostgreSQL cannot store one in text, and on
    either store it is never intended (a corrupt paste or file). Refused the same way on both."""
    value = value or ""
    if "\x00" in value:
        raise ValidationError(f"{field} {NUL_REASON}", field=field)
    return value


def required_text(value: str | None, field: str, max_len: int = 200) -> str:
    value = no_nul(value, field).strip()
    if not value:
        raise ValidationError(f"{field} is required", field=field, value=value)
    if len(value) > max_len:
        raise ValidationError(f"{field} is longer than {max_len} characters", field=field, value=value[:40])
    return value


def email(value: str, field: str = "email") -> str:
    value = (value or "").strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise ValidationError(f"{field} {value!r} is not an e-mail address", field=field, value=value)
    return value


def timezone(value: str, field: str = "timezone") -> str:
    value = (value or "").strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{field} {value!r} is not a known time zone (e.g. 'Asia/Singapore')", field=field, value=value
        ) from None
    return value


def languages(values: list[str] | str, field: str = "languages") -> list[str]:
    items = [v.strip() for v in values.split(",")] if isinstance(values, str) else [v.strip() for v in values]
    items = [v for v in items if v]
    if not items:
        raise ValidationError(f"{field}: give at least one language code (e.g. 'en')", field=field)
    for item in items:
        if not LANG_RE.match(item):
            raise ValidationError(
                f"{field}: {item!r} is not a language code (e.g. 'en', 'ms', 'zh-Hans')",
                field=field,
                value=item,
            )
    return items


def code(value: str, length: int, field: str) -> str:
    value = (value or "").strip().upper()
    if len(value) != length or not value.isalpha():
        raise ValidationError(f"{field} {value!r} must be {length} letters", field=field, value=value)
    return value


def color(value: str, field: str = "color") -> str:
    value = (value or "").strip()
    if not HEX_RE.match(value):
        raise ValidationError(f"{field} {value!r} must look like '#4C78A8'", field=field, value=value)
    return value.upper()


def choice(enum_cls: type[E], value: str | E, field: str) -> E:
    try:
        return enum_cls(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ValidationError(
            f"{field} {value!r} is not one of: {allowed}", field=field, value=value
        ) from None


def _refuse_nul_on_flush(session: Session, _flush_context: object, _instances: object) -> None:
    """Every ORM write, whatever service made it: a text value holding NUL is refused with the model
    and field named, the same on SQLite as on PostgreSQL (which would fail with a driver error)."""
    for obj in (*session.new, *session.dirty):
        for attr in sa_inspect(obj).mapper.column_attrs:
            value = getattr(obj, attr.key, None)
            if isinstance(value, str) and "\x00" in value:
                raise ValidationError(f"{type(obj).__name__.lower()} {attr.key} {NUL_REASON}", field=attr.key)


event.listen(Session, "before_flush", _refuse_nul_on_flush)
