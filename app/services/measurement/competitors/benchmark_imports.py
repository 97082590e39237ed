"""Importing competitor benchmarks from a CSV or XLSX file: one row per competitor, platform and date
with followers, posts, engagements and (optionally) mentions. Every row is checked first and the
refusals are listed by row; only a file with no refusal is written, in one transaction (all or
nothing). Re-importing the same file changes nothing: rows are keyed on competitor, platform and date,
and a row already holding the same numbers is left alone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Competitor, CompetitorMetric
from app.models.enums import Platform
from app.services.core import (
    Actor,
    Perm,
    ValidationError,
    audit,
    csv_records,
    decode_text,
    require,
    xlsx_records,
)

METRICS = ("followers", "posts", "engagements", "mentions")
ALIASES: dict[str, tuple[str, ...]] = {
    "competitor": ("competitor", "competitor name", "name", "account", "brand", "page"),
    "platform": ("platform", "network", "social network", "channel"),
    "date": ("date", "day", "as of"),
    "followers": ("followers", "fans", "audience", "subscribers", "page likes"),
    "posts": ("posts", "posts published", "post count", "number of posts", "published posts"),
    "engagements": ("engagements", "engagement", "interactions", "total engagements"),
    "mentions": ("mentions", "mention count", "brand mentions"),
}
REQUIRED = ("competitor", "platform", "date")
MAX_ROWS = 100_000
_PLATFORM_ALIASES = {
    "twitter": "x",
    "fb": "facebook",
    "ig": "instagram",
    "yt": "youtube",
    "linked in": "linkedin",
}


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number
    column: str
    value: str
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.problem}" + (f" ({self.value!r})" if self.value else "")


@dataclass
class CompetitorImport:
    """What an import found and (unless `errors`) did: rows added, changed or already there."""

    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    new_competitors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)


class CompetitorImportRefused(ValidationError):
    """The file had refused rows; nothing was written. `report.errors` lists them."""

    def __init__(self, report: CompetitorImport) -> None:
        first = "; ".join(str(e) for e in report.errors[:3])
        more = f" and {len(report.errors) - 3} more" if len(report.errors) > 3 else ""
        super().__init__(
            f"{len(report.errors)} row(s) refused, nothing imported: {first}{more}", field="file"
        )
        self.report = report


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", str(text).strip().lower().lstrip("\ufeff"))


def _records(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return xlsx_records(data, sheet="Posts")
    text, _ = decode_text(data)
    records, _, _ = csv_records(text)
    return records


def _header(records: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    """The first row naming competitor, platform and date (description rows above it are skipped)."""
    lookup = {alias: key for key, names in ALIASES.items() for alias in names}
    for i, (_, cells) in enumerate(records[:20]):
        found: dict[str, int] = {}
        for j, cell in enumerate(cells):
            key = lookup.get(_norm(cell))
            if key and key not in found:
                found[key] = j
        if all(k in found for k in REQUIRED):
            return i, found
    raise ValidationError(
        "no header row naming the competitor, platform and date columns was found in the first 20 rows "
        f"(expected columns: {', '.join(REQUIRED + METRICS)})",
        field="file",
    )


def _date(text: str, date_format: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", date_format, "%d %b %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date (use YYYY-MM-DD or {date_format.replace('%', '')})")


def _count(text: str) -> int | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text in ("", "-", "–", "n/a", "N/A"):
        return None
    cleaned = text.replace(",", "")
    if re.fullmatch(r"\d+(\.0+)?", cleaned):
        return int(float(cleaned))
    if re.fullmatch(r"\d+(\.\d+)?[kK]", cleaned):
        return round(float(cleaned[:-1]) * 1000)
    raise ValueError("not a whole number of zero or more")


def _platform(text: str) -> Platform:
    key = _PLATFORM_ALIASES.get(_norm(text), _norm(text).replace(" ", ""))
    try:
        return Platform(key)
    except ValueError:
        raise ValueError(f"not a platform ({', '.join(p.value for p in Platform)})") from None


def parse(
    data: bytes, filename: str, date_format: str = "%d/%m/%Y"
) -> tuple[list[dict[str, Any]], CompetitorImport]:
    """Read and check every row: (clean rows, report with errors). Writes nothing."""
    report = CompetitorImport()
    records = _records(data, filename)
    start, cols = _header(records)
    clean: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, date], int] = {}
    for row_no, cells in records[start + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        cell = {k: (cells[j].strip() if j < len(cells) else "") for k, j in cols.items()}
        if _norm(cell["competitor"]) in ("total", "totals", "grand total"):
            continue  # a totals row at the bottom of an export
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.errors.append(RowError(row_no, "", "", f"more than {MAX_ROWS:,} rows: split the file"))
            break
        errors_before = len(report.errors)
        out: dict[str, Any] = {"row": row_no, "competitor": cell["competitor"]}
        if not cell["competitor"]:
            report.errors.append(RowError(row_no, "competitor", "", "the competitor is empty"))
        elif len(cell["competitor"]) > 200:
            report.errors.append(
                RowError(row_no, "competitor", cell["competitor"][:40], "longer than 200 characters")
            )
        for key, parse_one in (("platform", _platform), ("date", lambda t: _date(t, date_format))):
            try:
                out[key] = parse_one(cell[key])
            except ValueError as exc:
                report.errors.append(RowError(row_no, key, cell[key], str(exc)))
        for key in METRICS:
            try:
                out[key] = _count(cell.get(key, ""))
            except ValueError as exc:
                report.errors.append(RowError(row_no, key, cell[key], str(exc)))
        if len(report.errors) == errors_before:
            if all(out[k] is None for k in METRICS):
                report.errors.append(RowError(row_no, "", "", "no followers, posts, engagements or mentions"))
                continue
            key3 = (_norm(out["competitor"]), out["platform"].value, out["date"])
            if key3 in seen:
                report.errors.append(
                    RowError(row_no, "", "", f"same competitor, platform and date as row {seen[key3]}")
                )
                continue
            seen[key3] = row_no
            clean.append(out)
    report.preview = [
        {**{k: r[k] for k in ("row", "competitor", "date", *METRICS)}, "platform": r["platform"].value}
        for r in clean[:20]
    ]
    return clean, report


def _brand(session: Session, actor: Actor, brand_id: int) -> Brand:
    brand = session.get(Brand, brand_id)
    if brand is None:
        raise ValidationError(f"no brand {brand_id}", field="brand")
    require(actor, Perm.COMPETITORS_EDIT, brand.id, brand.slug)
    return brand


def check_file(session: Session, actor: Actor, brand_id: int, data: bytes, filename: str) -> CompetitorImport:
    """The preview: every row checked with the brand's market date format; nothing is written."""
    brand = _brand(session, actor, brand_id)
    return parse(data, filename, brand.market.date_format or "%d/%m/%Y")[1]


def import_competitor_metrics(
    session: Session, actor: Actor, brand_id: int, data: bytes, filename: str
) -> CompetitorImport:
    """Check the whole file, then write it in the caller's transaction, or raise CompetitorImportRefused
    (nothing written) when any row is refused. Competitors the brand does not track yet are added."""
    brand = _brand(session, actor, brand_id)
    clean, report = parse(data, filename, brand.market.date_format or "%d/%m/%Y")
    if report.errors:
        raise CompetitorImportRefused(report)
    if not clean:
        raise ValidationError("the file holds no benchmark rows under its header", field="file")
    existing = {
        _norm(c.name): c for c in session.scalars(select(Competitor).where(Competitor.brand_id == brand.id))
    }
    for r in clean:
        name = _norm(r["competitor"])
        if name not in existing:
            comp = Competitor(
                brand_id=brand.id, name=r["competitor"], notes=f"added by an import of {filename}"
            )
            session.add(comp)
            existing[name] = comp
            report.new_competitors.append(r["competitor"])
    session.flush()
    keys = [(existing[_norm(r["competitor"])].id, r["platform"], r["date"]) for r in clean]
    cm = CompetitorMetric
    stored: dict[tuple, CompetitorMetric] = {}
    ids = sorted({k[0] for k in keys})
    lo, hi = min(k[2] for k in keys), max(k[2] for k in keys)
    for row in session.scalars(select(cm).where(cm.competitor_id.in_(ids), cm.date >= lo, cm.date <= hi)):
        stored[(row.competitor_id, row.platform, row.date)] = row
    for key, r in zip(keys, clean, strict=True):
        row = stored.get(key)
        values = {k: r[k] for k in METRICS}
        if row is None:
            session.add(cm(competitor_id=key[0], platform=key[1], date=key[2], source="import", **values))
            report.added += 1
        elif any(getattr(row, k) != v for k, v in values.items() if v is not None):
            for k, v in values.items():
                if v is not None:
                    setattr(row, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    if report.added or report.updated or report.new_competitors:
        audit.record(
            session,
            actor,
            "import",
            "competitor_metrics",
            None,
            label=filename,
            brand_id=brand.id,
            after={
                "rows": report.rows,
                "added": report.added,
                "updated": report.updated,
                "new_competitors": report.new_competitors,
            },
        )
    return report


__all__ = [
    "ALIASES",
    "CompetitorImport",
    "CompetitorImportRefused",
    "RowError",
    "import_competitor_metrics",
    "parse",
]
