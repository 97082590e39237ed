"""Settling one worksheet against the database, row by row: who changed what since the last sync (the
sheet, the database, both), applying valid sheet edits through the source (in a savepoint each, so a
refusal undoes only its own row), and deciding what each row of the sheet shows afterwards."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.models import SheetRowState
from app.models.sheets import ConflictPolicy, ProblemKind, RemovedRowPolicy
from app.services.core import ServiceError, ValidationError
from app.sheets.layout import SheetRow, canon_hash
from app.sheets.schema import Column
from app.sheets.sources import ArchiveUnsupported, Record, Source, SyncContext
from app.sheets.values import canon_value, parse

CONFLICT_NOTE = "Conflict: changed here and in the app since the last sync; kept as typed until a person decides (Settings → Sheets)"
OVERWRITTEN_NOTE = (
    "Replaced by the app's values: changed on both sides; what you typed is kept in Settings → Sheets"
)
# A sync that would treat this many tracked rows as removed at once suspects an accident (a cleared
# or filtered-away sheet): it flags them instead of archiving anything.
MASS_REMOVAL_SHARE = 0.5
MASS_REMOVAL_MIN = 5


class OutOfRange(ValidationError):
    pass


@dataclass
class ProblemDraft:
    identity: str
    record_key: str | None
    row_number: int | None
    kind: ProblemKind
    message: str
    sheet_values: dict[str, str]
    db_values: dict[str, str] | None = None


@dataclass
class Plan:
    """What the sync decided: the sheet's rows after it (by row number), and the state to keep."""

    # row number -> record key whose database values the row shows now
    synced: dict[int, str] = field(default_factory=dict)
    # row number -> status text for rows that keep the editor's values (refused, flagged)
    kept: dict[int, str] = field(default_factory=dict)
    # row number -> status text for synced rows that carry a note (the database won a conflict)
    notes: dict[int, str] = field(default_factory=dict)
    # rows deleted from the sheet (their record left the worksheet's range)
    cleared: set[int] = field(default_factory=set)
    # records to add at the end of the sheet, in order
    appended: list[str] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # new record key -> origin hash
    removed: dict[str, bool] = field(default_factory=dict)  # record key -> state.removed
    dropped: set[str] = field(default_factory=set)  # states to forget
    still_removed: set[str] = field(default_factory=set)  # identities whose REMOVED problem stays open
    problems: list[ProblemDraft] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    changed_db: bool = False


class Reconciler:
    def __init__(
        self,
        ctx: SyncContext,
        source: Source,
        records: dict[str, Record],
        states: dict[str, SheetRowState],
        rows: list[SheetRow],
        conflicts: ConflictPolicy,
        removed: RemovedRowPolicy,
    ) -> None:
        self.ctx, self.source, self.records, self.states, self.rows = ctx, source, records, states, rows
        self.conflicts, self.removed_policy = conflicts, removed
        schema = ctx.schema
        self.schema = schema
        self.editable = [c for c in schema.columns if not c.read_only]
        self.readonly = [c for c in schema.columns if c.read_only and c.name != schema.key]
        self.plan = Plan()
        self.db = {k: self.canon(r) for k, r in records.items()}

    # --- helpers ------------------------------------------------------------------------------

    def canon(self, record: Record) -> dict[str, str]:
        return {
            c.name: canon_value(record.values.get(c.field), c, self.ctx.cells) for c in self.schema.columns
        }

    def shown_db(self, key: str) -> dict[str, str]:
        return {c.header: v for c in self.schema.columns if (v := self.db[key][c.name])}

    def refuse(self, row: SheetRow, message: str, key: str | None = None) -> None:
        identity = key or row.key or f"new:{row.values_hash[:16]}"
        self.plan.kept[row.number] = f"Refused: {message}"
        self.plan.problems.append(
            ProblemDraft(
                identity,
                key or row.key or None,
                row.number,
                ProblemKind.REFUSED,
                message,
                row.shown(self.schema),
                self.shown_db(key) if key and key in self.db else None,
            )
        )
        self.plan.counts["refused"] += 1

    def attempt(self, work: Callable[[], None]) -> str | None:
        """Run one row's change in a savepoint; the refusal's message, or None when it landed."""
        try:
            with self.ctx.session.begin_nested():
                work()
        except (ServiceError, ValueError) as exc:
            return str(exc)
        except StaleDataError:
            return "changed in the app at the same moment; the next sync tries again"
        except IntegrityError as exc:
            return f"the database refused it ({type(exc.orig).__name__})"
        self.plan.changed_db = True
        return None

    def in_range(self, key: str) -> None:
        if key not in self.source.load(self.ctx, keys=[key]):
            ctx = self.ctx
            span = f" ({ctx.start:%d %b %Y} – {ctx.end:%d %b %Y})" if ctx.start and ctx.end else ""
            raise OutOfRange(f"it would fall outside this worksheet{span}; make that change in the app")

    def sheet_canon(self, row: SheetRow, fallback: dict[str, str]) -> dict[str, str]:
        # A column missing from the sheet has not been edited there: it counts as unchanged.
        return {
            c.name: row.cells[c.name].canon if c.name in row.cells else fallback[c.name]
            for c in self.schema.columns
        }

    # --- the pass -----------------------------------------------------------------------------

    def run(self) -> Plan:
        seen: dict[str, int] = {}
        keyless: list[SheetRow] = []
        for row in self.rows:
            if not row.cells:
                self.plan.kept[row.number] = ""  # a blank row with an old status: clear it
                continue
            if not row.key:
                keyless.append(row)
            elif row.key in seen:
                self.refuse(
                    row,
                    f"{self.schema.key_column.header} {row.key} is on row {seen[row.key]} too; clear the ID cell to add this row as a new one",
                )
            elif row.key_error or row.key not in self.records:
                seen[row.key] = row.number
                self.foreign(row)
            else:
                seen[row.key] = row.number
                self.existing(row, self.records[row.key], self.states.get(row.key))
        pending = {
            s.origin_hash: k
            for k, s in self.states.items()
            if s.origin_hash and k not in seen and k in self.records
        }
        for row in keyless:
            if row.values_hash in pending:  # added earlier; its new ID never reached the sheet
                key = pending.pop(row.values_hash)
                seen[key] = row.number
                self.plan.synced[row.number] = key
            else:
                self.new(row)
        self.missing_rows(set(seen))
        return self.plan

    def foreign(self, row: SheetRow) -> None:
        state = self.states.get(row.key)
        if state is not None:
            # The record left the worksheet (moved out of its period, deleted): drop the row unless
            # the editor changed it meanwhile, which is then refused and kept.
            self.plan.dropped.add(row.key)
            base = state.exported or {}
            if all(row.cells[c].canon == base.get(c, "") for c in row.cells):
                self.plan.cleared.add(row.number)
                self.plan.counts["left_sheet"] += 1
                return
            self.refuse(
                row,
                "this record is no longer in this worksheet (moved out of its range or removed in the app); the edit was not applied",
            )
            return
        self.refuse(
            row,
            f"{self.schema.key_column.header} {row.key} is not a record of this worksheet; clear the ID cell to add the row as a new one",
        )

    def existing(self, row: SheetRow, record: Record, state: SheetRowState | None) -> None:
        key = record.key
        db = self.db[key]
        base = state.exported if state is not None and state.exported is not None else None
        resolution = state.resolution if state is not None else None
        ref = base if base is not None else db
        sheet = self.sheet_canon(row, ref)
        if state is not None and state.removed:
            self.plan.removed[key] = False  # the row is back
        if sheet == db or resolution == "database":
            self.plan.synced[row.number] = key
            return
        ro = [
            c
            for c in self.readonly
            if base is not None and sheet[c.name] != base[c.name] and sheet[c.name] != db[c.name]
        ]
        if ro:
            names = ", ".join(c.header for c in ro)
            self.refuse(
                row,
                f"{names} {'is' if len(ro) == 1 else 'are'} filled in by the hub and cannot be changed here",
                key,
            )
            return
        edits = [c for c in self.editable if sheet[c.name] != ref[c.name] and sheet[c.name] != db[c.name]]
        if not edits:
            self.plan.synced[row.number] = key  # only the database moved on
            return
        both = base is None or any(db[c.name] != base[c.name] for c in self.editable)
        if both and resolution != "sheet":
            self.plan.counts["conflicts"] += 1
            if self.conflicts == ConflictPolicy.DATABASE_WINS:
                self.plan.synced[row.number] = key
                self.plan.notes[row.number] = OVERWRITTEN_NOTE
                self.plan.problems.append(self.conflict(row, key, ProblemKind.OVERWRITTEN, base))
                return
            if self.conflicts == ConflictPolicy.FLAG:
                self.plan.kept[row.number] = CONFLICT_NOTE
                self.plan.problems.append(self.conflict(row, key, ProblemKind.CONFLICT, base))
                return
        self.apply(row, record, edits)

    def conflict(
        self, row: SheetRow, key: str, kind: ProblemKind, base: dict[str, str] | None
    ) -> ProblemDraft:
        changed = [c.header for c in self.editable if base is None or self.db[key][c.name] != base[c.name]]
        what = "the database's values were kept" if kind == ProblemKind.OVERWRITTEN else "nothing was applied"
        message = f"changed in the sheet and in the app ({', '.join(changed) or 'no baseline'}) since the last sync; {what}"
        return ProblemDraft(key, key, row.number, kind, message, row.shown(self.schema), self.shown_db(key))

    def checked(self, row: SheetRow, cols: list[Column], new: bool) -> tuple[dict[str, Any], list[str]]:
        values: dict[str, Any] = {}
        errors: list[str] = []
        for col in cols:
            cell = row.cells.get(col.name)
            if col.create_only and not new:
                errors.append(f"{col.header} cannot change on an existing row; add a new row instead")
                continue
            if cell is None or cell.canon == "":
                if new and col.default is not None:
                    values[col.field] = parse(col.default, col, self.ctx.cells)
                elif col.required:
                    errors.append(f"{col.header} is required")
                else:
                    values[col.field] = None
                continue
            if cell.error:
                errors.append(cell.error)
                continue
            values[col.field] = cell.value
        return values, errors

    def apply(self, row: SheetRow, record: Record, edits: list[Column]) -> None:
        changes, errors = self.checked(row, edits, new=False)
        if errors:
            self.refuse(row, "; ".join(errors), record.key)
            return

        def work() -> None:
            self.source.update(self.ctx, record, changes)
            self.in_range(record.key)

        refusal = self.attempt(work)
        if refusal:
            self.refuse(row, refusal, record.key)
            return
        self.plan.synced[row.number] = record.key
        self.plan.counts["applied"] += 1

    def new(self, row: SheetRow) -> None:
        if not (self.schema.allow_add and self.source.writable):
            self.refuse(row, f"rows cannot be added to {self.schema.title!r} from the sheet")
            return
        values, errors = self.checked(row, self.editable, new=True)
        if errors:
            self.refuse(row, "; ".join(errors))
            return
        made: list[str] = []

        def work() -> None:
            key = self.source.create(self.ctx, values)
            self.in_range(key)
            made.append(key)

        refusal = self.attempt(work)
        if refusal:
            self.refuse(row, refusal)
            return
        self.plan.synced[row.number] = made[0]
        self.plan.created[made[0]] = row.values_hash
        self.plan.counts["created"] += 1

    def missing_rows(self, seen: set[str]) -> None:
        """Records the sheet does not show: new in the database (added), or rows removed in the sheet."""
        gone = [
            k
            for k, r in self.records.items()
            if k not in seen and (s := self.states.get(k)) is not None and not s.removed
        ]
        tracked = sum(1 for s in self.states.values() if not s.removed)
        mass = len(gone) >= MASS_REMOVAL_MIN and len(gone) > MASS_REMOVAL_SHARE * tracked
        # States of records that left the worksheet and whose rows are gone too: nothing to keep.
        self.plan.dropped.update(k for k in self.states if k not in self.records and k not in seen)
        for key, record in self.records.items():
            if key in seen:
                continue
            state = self.states.get(key)
            if state is None:
                self.plan.appended.append(key)
            elif state.removed:
                if state.resolution == "restore":
                    self.plan.removed[key] = False
                    self.plan.appended.append(key)
                elif state.resolution == "archive":
                    self.archive(record, guarded=False)
                else:
                    self.plan.still_removed.add(key)
            else:
                self.removed_row(record, mass)

    def removed_row(self, record: Record, mass: bool) -> None:
        policy = self.removed_policy
        if mass and policy == RemovedRowPolicy.ARCHIVE:
            policy = RemovedRowPolicy.FLAG
        if policy == RemovedRowPolicy.IGNORE:
            self.plan.appended.append(record.key)  # the database is the record: the row comes back
            self.plan.counts["restored"] += 1
            return
        self.plan.removed[record.key] = True
        self.plan.counts["removed"] += 1
        if policy == RemovedRowPolicy.ARCHIVE:
            self.archive(record, guarded=True)
            return
        why = (
            " (many rows vanished at once, so nothing was archived)"
            if mass and self.removed_policy == RemovedRowPolicy.ARCHIVE
            else ""
        )
        self.flag_removed(
            record, f"the row of {record.label!r} was removed in the sheet; the record is unchanged{why}"
        )

    def archive(self, record: Record, guarded: bool) -> None:
        refusal = self.attempt(lambda: self.source.archive(self.ctx, record))
        if refusal is None:
            self.plan.counts["archived"] += 1
            return
        note = (
            "it cannot be archived from here"
            if guarded and "cannot be archived" in refusal
            else "archiving it was refused"
        )
        self.flag_removed(record, f"the row of {record.label!r} was removed in the sheet; {note}: {refusal}")

    def flag_removed(self, record: Record, message: str) -> None:
        self.plan.removed[record.key] = True
        self.plan.still_removed.add(record.key)
        self.plan.problems.append(
            ProblemDraft(
                record.key, record.key, None, ProblemKind.REMOVED, message, {}, self.shown_db(record.key)
            )
        )

    def state_values(self, record: Record) -> tuple[dict[str, str], str]:
        canon = self.canon(record)
        return canon, canon_hash([canon[c.name] for c in self.schema.columns if c.name != self.schema.key])


__all__ = ["ArchiveUnsupported", "Plan", "ProblemDraft", "Reconciler"]
