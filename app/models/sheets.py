"""Google Sheets mirror: which worksheet of which spreadsheet mirrors what for a brand, what each synced
row last looked like, and the sync problems (refused edits, conflicts, removed rows) people must see."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin, utcnow


class ConflictPolicy(StrEnum):
    """Who wins when the sheet and the database both changed a row since the last sync."""

    DATABASE_WINS = "database_wins"
    SHEET_WINS = "sheet_wins"
    FLAG = "flag"

    @property
    def label(self) -> str:
        return {"database_wins": "Database wins", "sheet_wins": "Sheet wins", "flag": "Flag for a person"}[
            self.value
        ]


class RemovedRowPolicy(StrEnum):
    """What a row removed in the sheet does to its record (never a silent delete)."""

    IGNORE = "ignore"
    ARCHIVE = "archive"
    FLAG = "flag"

    @property
    def label(self) -> str:
        return {
            "ignore": "Ignore (the row comes back)",
            "archive": "Archive the record",
            "flag": "Flag for a person",
        }[self.value]


class SyncStatus(StrEnum):
    NEVER = "never"
    OK = "ok"
    FAILED = "failed"


class ProblemKind(StrEnum):
    REFUSED = "refused"  # a sheet edit the rules refused; the row keeps the editor's values
    CONFLICT = "conflict"  # changed on both sides, flagged for a person
    OVERWRITTEN = "overwritten"  # changed on both sides, the database won: the sheet's values kept here
    REMOVED = "removed"  # the row was removed in the sheet, flagged for a person

    @property
    def label(self) -> str:
        return {
            "refused": "Edit refused",
            "conflict": "Conflict",
            "overwritten": "Sheet edit overwritten",
            "removed": "Row removed in the sheet",
        }[self.value]


class ProblemStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class SheetBinding(CreatedAtMixin, VersionedMixin, Base):
    """One worksheet (a tab of a spreadsheet opened by key) mirroring one sheets_schema file for a brand."""

    __tablename__ = "sheet_bindings"
    __table_args__ = (UniqueConstraint("brand_id", "schema_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    # The sheets_schema/<name>.yaml this worksheet follows.
    schema_name: Mapped[str] = mapped_column(String(64))
    spreadsheet_key: Mapped[str] = mapped_column(String(200))
    worksheet_title: Mapped[str] = mapped_column(String(100))
    # Google's id of the tab (the gid), learned on the first export: a renamed tab is still found.
    sheet_id: Mapped[int | None] = mapped_column(Integer)
    # The person whose permissions every sheet edit is checked against (and who is named in the log).
    sync_as_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    conflict_policy: Mapped[ConflictPolicy] = mapped_column(
        StrEnumType(ConflictPolicy), default=ConflictPolicy.FLAG
    )
    removed_rows: Mapped[RemovedRowPolicy] = mapped_column(
        StrEnumType(RemovedRowPolicy), default=RemovedRowPolicy.FLAG
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sync_at: Mapped[datetime | None]
    last_status: Mapped[SyncStatus] = mapped_column(StrEnumType(SyncStatus), default=SyncStatus.NEVER)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    # What the last sync did: rows, applied, created, refused, conflicts, requests, seconds...
    last_counts: Mapped[dict] = mapped_column(JSON, default=dict)


class SheetRowState(Base):
    """What one record's row held after the last sync, so the next one can tell who changed what."""

    __tablename__ = "sheet_row_states"
    __table_args__ = (UniqueConstraint("binding_id", "record_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    binding_id: Mapped[int] = mapped_column(ForeignKey("sheet_bindings.id", ondelete="CASCADE"))
    record_key: Mapped[str] = mapped_column(String(64))
    # The record's version(s) when the row was last written; a change means the database moved on.
    db_version: Mapped[str] = mapped_column(String(64), default="")
    # Column name -> the value last written, in canonical text; None until a write-back is confirmed.
    exported: Mapped[dict | None] = mapped_column(JSON)
    values_hash: Mapped[str | None] = mapped_column(String(64))
    # Hash of a row added in the sheet whose new id has not reached the sheet yet: if the write-back
    # failed, the next sync recognises the row instead of creating the record twice.
    origin_hash: Mapped[str | None] = mapped_column(String(64))
    # The row was removed in the sheet and stays off it (flagged, archived or left off by a person).
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    # A person's decision for the next sync: database | sheet | restore | archive.
    resolution: Mapped[str | None] = mapped_column(String(16))
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class SheetProblem(Base):
    """A row the sync could not settle by itself; open until the sheet or a person settles it."""

    __tablename__ = "sheet_problems"
    __table_args__ = (
        Index("ix_sheet_problems_binding_status", "binding_id", "status"),
        Index("ix_sheet_problems_brand_status", "brand_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    binding_id: Mapped[int] = mapped_column(ForeignKey("sheet_bindings.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    # The record key, or "new:<hash>" for a row added in the sheet: the same row keeps one problem.
    identity: Mapped[str] = mapped_column(String(80))
    record_key: Mapped[str | None] = mapped_column(String(64))
    row_number: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[ProblemKind] = mapped_column(StrEnumType(ProblemKind))
    message: Mapped[str] = mapped_column(Text)
    # Header -> value, as the sheet held it (the editor's values are never lost) and as the database has it.
    sheet_values: Mapped[dict] = mapped_column(JSON, default=dict)
    db_values: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[ProblemStatus] = mapped_column(StrEnumType(ProblemStatus), default=ProblemStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(254))
    resolution: Mapped[str | None] = mapped_column(Text)
