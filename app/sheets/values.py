"""Cell values both ways, by column type: what the sync writes (RAW JSON values: text stays text), how a
cell an editor typed is read back and checked, and the canonical text both sides are compared in."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from app.sheets.schema import Column

# Day 0 of spreadsheet serial numbers (Sheets and Excel agree since 1900-03-01).
SERIAL_EPOCH = datetime(1899, 12, 30)
DATE_OUT = "%Y-%m-%d"
DATETIME_OUT = "%Y-%m-%d %H:%M"
SHEET_DIGITS = 15  # significant digits Google Sheets keeps of a number
FIRST_YEAR, LAST_YEAR = 1900, 9999
_TRUE = {"true", "yes", "y", "1", "x", "✓", "✔"}
_FALSE = {"false", "no", "n", "0", ""}
_INT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$|^[+-]?\d+$")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


class CellError(ValueError):
    """A cell an editor typed that its column cannot take; the message names the column and why."""


@dataclass
class RefLookup:
    """A reference column's names and ids (one query per sync, not one per row)."""

    by_name: dict[str, Any] = field(default_factory=dict)
    by_id: dict[Any, str] = field(default_factory=dict)
    noun: str = "record"


@dataclass
class CellContext:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    # The brand market's date format (e.g. %d/%m/%Y): accepted besides ISO dates.
    date_format: str = "%d/%m/%Y"
    lookups: dict[str, RefLookup] = field(default_factory=dict)

    def zone_for(self, col: Column) -> ZoneInfo:
        return self.tz if col.timezone == "brand" else ZoneInfo(col.timezone)


def _text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _from_serial(value: float) -> datetime:
    return SERIAL_EPOCH + timedelta(days=value)


def _parse_date(text: str, ctx: CellContext) -> date:
    for fmt in (DATE_OUT, ctx.date_format, "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_datetime(text: str, tz: ZoneInfo, ctx: CellContext) -> datetime:
    iso = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
    if _OFFSET.search(iso) or "T" in iso:
        try:
            parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
        except ValueError:
            pass
    for fmt in (ctx.date_format + " %H:%M", ctx.date_format + " %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise ValueError(text)


def parse(raw: Any, col: Column, ctx: CellContext) -> Any:
    """The typed value of a sheet cell (None when empty); CellError when the column cannot take it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str) and raw.lstrip().startswith("="):
        # Read with valueRenderOption=FORMULA, a formula and a text beginning with "=" look alike;
        # neither is a value the hub can store from a sheet (change such text in the app).
        raise CellError(
            f"{col.header}: {raw[:40]!r} is a formula (or text starting with =); "
            "the sync takes plain values only"
        )
    try:
        return _PARSERS[col.type](raw, col, ctx)
    except CellError:
        raise
    except (ValueError, TypeError, InvalidOperation, OverflowError):
        raise CellError(f"{col.header}: {_text(raw)[:60]!r} {_EXPECTED[col.type](col)}") from None


def _p_text(raw: Any, col: Column, ctx: CellContext) -> str:
    text = _text(raw).strip()
    if "\x00" in text:
        raise CellError(f"{col.header}: contains a NUL character, which cannot be stored")
    if col.max_length and len(text) > col.max_length:
        raise CellError(f"{col.header}: longer than {col.max_length} characters ({len(text)})")
    return text


def _p_int(raw: Any, col: Column, ctx: CellContext) -> int:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        if not float(raw).is_integer():
            raise ValueError(raw)
        return int(_sheet_sized(Decimal(int(raw)), raw, col))
    text = str(raw).strip()
    if not _INT.match(text):
        raise ValueError(text)
    return int(_sheet_sized(Decimal(int(text.replace(",", ""))), raw, col))


def _p_decimal(raw: Any, col: Column, ctx: CellContext) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(raw)
        value = Decimal(repr(raw))
    elif isinstance(raw, int):
        value = Decimal(raw)
    else:
        text = str(raw).strip().replace(" ", "")
        if re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", text):
            text = text.replace(",", "")
        value = Decimal(text)
        if not value.is_finite():
            raise ValueError(text)
    return _sheet_sized(value.quantize(Decimal(1).scaleb(-col.scale), rounding=ROUND_HALF_UP), raw, col)


def _sheet_sized(value: Decimal, raw: Any, col: Column) -> Decimal:
    """A number the sheet can hold as written: Google Sheets keeps 15 significant digits, so a longer one
    would come back changed after the sync wrote it."""
    if len(value.normalize().as_tuple().digits) > SHEET_DIGITS:
        raise CellError(
            f"{col.header}: {_text(raw)[:40]!r} has more than {SHEET_DIGITS} significant digits, "
            "more than Google Sheets keeps"
        )
    return value


def _p_bool(raw: Any, col: Column, ctx: CellContext) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def _in_years(day: date, raw: Any, col: Column) -> None:
    # Outside these years the sheet's own format (DATE_OUT) does not read back as the same day.
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CellError(
            f"{col.header}: {_text(raw)[:40]!r} is not a date between {FIRST_YEAR} and {LAST_YEAR}"
        )


def _p_date(raw: Any, col: Column, ctx: CellContext) -> date:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        day = _from_serial(float(raw)).date()
    else:
        day = _parse_date(str(raw).strip(), ctx)
    _in_years(day, raw, col)
    return day


def _p_datetime(raw: Any, col: Column, ctx: CellContext) -> datetime:
    tz = ctx.zone_for(col)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        local = _from_serial(float(raw)).replace(tzinfo=tz)
    else:
        local = _parse_datetime(str(raw).strip(), tz, ctx)
    _in_years(local.date(), raw, col)
    # The sheet shows minutes (DATETIME_OUT): seconds typed or carried by a serial number would be stored
    # but never shown. Cut them in the cell's own zone, so what is written back reads as the same moment.
    return local.replace(second=0, microsecond=0).astimezone(UTC)


def _p_enum(raw: Any, col: Column, ctx: CellContext) -> str:
    value = re.sub(r"[\s-]+", "_", _text(raw).strip().lower())
    if value not in col.values:
        raise CellError(f"{col.header}: {_text(raw)[:40]!r} is not one of: {', '.join(col.values)}")
    return value


def _p_reference(raw: Any, col: Column, ctx: CellContext) -> Any:
    lookup = ctx.lookups.get(col.name) or RefLookup()
    name = _text(raw).strip()
    found = lookup.by_name.get(name.lower())
    if found is None:
        known = sorted(lookup.by_id.values())
        hint = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
        raise CellError(
            f"{col.header}: no {lookup.noun} {name[:40]!r}" + (f" (known: {hint})" if hint else "")
        )
    return found


_PARSERS = {
    "text": _p_text,
    "int": _p_int,
    "decimal": _p_decimal,
    "bool": _p_bool,
    "date": _p_date,
    "datetime": _p_datetime,
    "enum": _p_enum,
    "reference": _p_reference,
}
_EXPECTED = {
    "text": lambda c: "is not text",
    "int": lambda c: "is not a whole number",
    "decimal": lambda c: "is not a number",
    "bool": lambda c: "is not TRUE or FALSE",
    "date": lambda c: "is not a date (write 2026-12-31)",
    "datetime": lambda c: "is not a date and time (write 2026-12-31 09:30)",
    "enum": lambda c: f"is not one of: {', '.join(c.values)}",
    "reference": lambda c: "is not a known name",
}


def to_cell(value: Any, col: Column, ctx: CellContext) -> str | int | float | bool:
    """The JSON value written for a database value (RAW: a string is stored as text, never parsed)."""
    if value is None:
        return ""
    kind = col.type
    if kind == "int":
        return int(value)
    if kind == "decimal":
        return float(Decimal(value).quantize(Decimal(1).scaleb(-col.scale), rounding=ROUND_HALF_UP))
    if kind == "bool":
        return bool(value)
    return canon_value(value, col, ctx)


def canon_value(value: Any, col: Column, ctx: CellContext) -> str:
    """A database (typed) value as the canonical text compared with the sheet's."""
    if value is None:
        return ""
    kind = col.type
    if kind == "decimal":
        return format(Decimal(value).quantize(Decimal(1).scaleb(-col.scale), rounding=ROUND_HALF_UP), "f")
    if kind == "bool":
        return "TRUE" if value else "FALSE"
    if kind == "date":
        return value.strftime(DATE_OUT)
    if kind == "datetime":
        return value.astimezone(ctx.zone_for(col)).strftime(DATETIME_OUT)
    if kind == "reference":
        lookup = ctx.lookups.get(col.name)
        return lookup.by_id.get(value, f"#{value}") if lookup else str(value)
    if kind == "enum":
        return str(getattr(value, "value", value))
    if kind == "int":
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class SheetCell:
    """One cell as read: its canonical text (what is compared), the typed value, or why it is refused."""

    canon: str
    value: Any = None
    error: str | None = None


def read_cell(raw: Any, col: Column, ctx: CellContext) -> SheetCell:
    try:
        value = parse(raw, col, ctx)
    except CellError as exc:
        text = _text(raw)
        if text.lstrip().startswith("="):
            # Text beginning with "=" that the hub itself wrote (RAW, so it stayed text) reads back the
            # same and must compare equal to it; only a changed one is an edit, and then refused.
            return SheetCell(text.strip(), None, str(exc))
        # Prefixed so that no other refused cell ever compares equal to a valid value.
        return SheetCell("\x01" + text, None, str(exc))
    return SheetCell(canon_value(value, col, ctx), value)
