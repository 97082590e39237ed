"""Cells of analytics exports as values: counts with thousands separators ("1,234", "1.234.567",
"1 234"), blanks written as "-", money with currency signs, percentages as text, and dates in ISO,
compact (GA4's 20261001), month-name or the market's numeric order (31/12/2026 or 12/31/2026), with the
order read from the file itself when one of its dates settles it."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

BLANKS = frozenset({"", "-", "–", "—", "n/a", "na", "null", "none", "--"})
MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}  # fmt: skip
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?$",
    re.IGNORECASE,
)
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+\-]\d{2}:?\d{2})?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})?$")
_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?"
_MONTH_FIRST = re.compile(
    r"^(?:[a-z]+,?\s+)??([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})" + _TIME + "$", re.IGNORECASE
)
_DAY_FIRST = re.compile(
    r"^(?:[a-z]+,?\s+)?(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})" + _TIME + "$", re.IGNORECASE
)


_PLAIN_INT = re.compile(r"\d{1,15}")
_PLAIN_DEC = re.compile(r"\d{1,12}(\.\d{1,4})?")
_ABBREV = re.compile(r"\d\s*[kmb]$", re.IGNORECASE)
_DIGITS = re.compile(r"[\d.,]+")
_COMMA_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.0+)?|\d+(\.0+)?")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+(,0+)?")
_COMMA_ZERO = re.compile(r"\d+,0+")
_CURRENCY = re.compile(r"[A-Za-z$€£¥₹₫฿₱]|RM|Rp")
_MARKS = re.compile(r"[.,]")


class CellError(ValueError):
    """Why a cell could not be read; the importer adds the row and column."""


def is_blank(text: str) -> bool:
    return text.strip().lower() in BLANKS


def parse_count(text: str, *, signed: bool = False) -> int | None:
    """A whole number as exports write it; None for a blank. Counts have no fractions, so "1.234" is
    one thousand two hundred and thirty-four (dot as thousands separator), never 1.234."""
    raw = text.strip()
    if _PLAIN_INT.fullmatch(raw):  # most cells: no separators, nothing to decide
        return int(raw)
    if raw.lower() in BLANKS:
        return None
    if raw.endswith("%"):
        raise CellError("a percentage where a count was expected")
    if _ABBREV.search(raw):
        raise CellError("an abbreviated number (1.2K): export the full figures")
    s = _SPACES.sub("", raw)
    negative = s.startswith("-") or (s.startswith("(") and s.endswith(")"))
    s = s.strip("()").lstrip("+-")
    if not s or not _DIGITS.fullmatch(s):
        raise CellError("not a number")
    if _COMMA_THOUSANDS.fullmatch(s):
        value = int(s.replace(",", "").split(".")[0])
    elif _DOT_THOUSANDS.fullmatch(s):
        value = int(s.split(",")[0].replace(".", ""))
    elif _COMMA_ZERO.fullmatch(s):
        value = int(s.split(",")[0])
    else:
        raise CellError("not a whole number")
    if negative and not signed and value:
        raise CellError("negative, where the platform counts up from zero")
    if value > 10**15:
        raise CellError("too large to be a count")
    return -value if negative else value


def parse_money(text: str) -> Decimal | None:
    """An amount such as "1,234.50", "$1 234,50", "IDR 150.000" or "1.234,50 €"; None for a blank."""
    raw = text.strip()
    if _PLAIN_DEC.fullmatch(raw):
        return Decimal(raw)
    if raw.lower() in BLANKS:
        return None
    s = _CURRENCY.sub("", raw)
    s = _SPACES.sub("", s)
    negative = s.startswith("-")
    s = s.lstrip("+-")
    if not _DIGITS.fullmatch(s or "x"):
        raise CellError("not an amount")
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    dec = ""
    if last_dot >= 0 and last_comma >= 0:  # the later one is the decimal mark
        dec = "." if last_dot > last_comma else ","
    else:
        # One mark with other than three digits after it is a decimal mark ("12.5", "12,50"); three
        # digits or repeated marks are thousands ("150.000", "1,234,567").
        mark, pos = (",", last_comma) if last_comma >= 0 else (".", last_dot)
        if pos >= 0 and s.count(mark) == 1 and len(s) - pos - 1 != 3:
            dec = mark
    if dec:
        whole, _, frac = s.rpartition(dec)
        s = _MARKS.sub("", whole) + "." + frac
    else:
        s = _MARKS.sub("", s)
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise CellError("not an amount") from None
    if abs(value) >= Decimal(10) ** 12:
        raise CellError("too large for an amount")
    return -value if negative else value


def order_hint(texts: list[str]) -> str | None:
    """ "dmy" or "mdy" when the file's own numeric dates settle it (a 13th or later day in one place),
    None when every date reads both ways."""
    dmy = mdy = False
    for t in texts:
        m = _NUMERIC_DATE.match(t.strip())
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            dmy |= a > 12 >= b
            mdy |= b > 12 >= a
    if dmy and not mdy:
        return "dmy"
    if mdy and not dmy:
        return "mdy"
    return None


def _hour(h: str | None, ampm: str | None) -> int:
    hour = int(h or 0)
    if ampm:
        pm = ampm.lower().startswith("p")
        if not 1 <= hour <= 12:
            raise CellError("an hour over 12 with am/pm")
        hour = hour % 12 + (12 if pm else 0)
    return hour


def parse_when(text: str, order: str) -> datetime | None:
    """A date or date and time (naive, as written; the importer places it in the market's time zone,
    unless the cell carried an offset, which is kept). None for a blank."""
    raw = text.strip()
    if raw.lower() in BLANKS:
        return None
    try:
        if m := _ISO.match(raw):
            y, mo, d, h, mi, s, tz = m.groups()
            when = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
            if tz:
                off = tz.replace(":", "")
                return datetime.fromisoformat(
                    when.isoformat() + ("+00:00" if off == "Z" else f"{off[:3]}:{off[3:]}")
                )
            return when
        if m := _COMPACT.match(raw):
            y, mo, d, h = m.groups()
            return datetime(int(y), int(mo), int(d), int(h or 0))
        if m := _NUMERIC_DATE.match(raw):
            a, b, y, h, mi, s, ampm = m.groups()
            day, month = (int(a), int(b)) if order == "dmy" else (int(b), int(a))
            year = int(y) + (2000 if len(y) == 2 else 0)
            return datetime(year, month, day, _hour(h, ampm), int(mi or 0), int(s or 0))
        if m := _MONTH_FIRST.match(raw):
            mon, d, y, h, mi, s, ampm = m.groups()
            if mon.lower() in MONTHS:
                return datetime(
                    int(y), MONTHS[mon.lower()], int(d), _hour(h, ampm), int(mi or 0), int(s or 0)
                )
        if m := _DAY_FIRST.match(raw):
            d, mon, y, h, mi, s, ampm = m.groups()
            if mon.lower() in MONTHS:
                return datetime(
                    int(y), MONTHS[mon.lower()], int(d), _hour(h, ampm), int(mi or 0), int(s or 0)
                )
    except ValueError as exc:  # datetime() on 31/02 and the like
        if isinstance(exc, CellError):
            raise
        raise CellError(f"not a real date ({exc})") from None
    raise CellError("not a date this importer reads (e.g. 2026-10-01, 01/10/2026, Oct 1, 2026)")


def parse_day(text: str, order: str) -> date | None:
    when = parse_when(text, order)
    if when is None:
        return None
    if not date(2000, 1, 1) <= when.date() <= date(2100, 12, 31):
        raise CellError("outside 2000-2100")
    return when.date()
