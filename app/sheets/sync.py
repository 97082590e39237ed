"""Syncing worksheets: read the tab (one request), settle it against the database in one transaction
(edits go through the services as the worksheet's sync person), write back every changed cell (one
request, RAW), then remember what the sheet now holds. No transaction stays open across a request, and
each worksheet commits on its own, so one failure never undoes another worksheet's applied edits."""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import gspread
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from app.db import read_session, write_session
from app.faults import maybe_crash
from app.models import Brand, SheetBinding, SheetRowState, User
from app.models.sheets import SyncStatus
from app.services.core import Actor, Perm, ServiceError, clock, require
from app.services.org import users
from app.sheets import grid, problems
from app.sheets.catalog import get_schema
from app.sheets.client import SheetsError, http_of, make_client
from app.sheets.layout import Layout, make_layout, read_rows
from app.sheets.reconcile import Plan, Reconciler
from app.sheets.schema import WorksheetSchema
from app.sheets.settings import SheetsSettings
from app.sheets.sources import Record, SyncContext, get_source
from app.sheets.sources.base import build_lookups, period_bounds
from app.sheets.values import CellContext, to_cell

# Room left below the data when a tab is made or grown, so that editors can add rows.
SPARE_ROWS = 200
log = logging.getLogger("socialops.sheets")


@dataclass
class SyncResult:
    binding_id: int
    brand: str
    schema: str
    worksheet: str
    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    requests: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if not self.ok:
            return f"{self.brand} / {self.worksheet}: FAILED: {self.error}"
        shown = ", ".join(
            f"{k} {v}" for k, v in sorted(self.counts.items()) if v and k not in ("requests", "seconds")
        )
        return f"{self.brand} / {self.worksheet}: ok in {self.requests} requests, {self.seconds:.1f} s ({shown or 'no changes'})"


def sync_actor(session: Session, binding: SheetBinding) -> Actor:
    """The worksheet's sync person, named as coming through the sheet in the audit log."""
    user = session.get(User, binding.sync_as_id) if binding.sync_as_id else None
    actor = users.load_actor(session, user.email) if user is not None else None
    if actor is None:
        who = user.email if user is not None else "nobody"
        raise SheetsError(
            f"this worksheet syncs as {who}, who is not an active user: choose a person in Settings → Sheets"
        )
    return dataclasses.replace(actor, email=f"sheets:{actor.email}")


def _context(session: Session, binding: SheetBinding, schema: WorksheetSchema) -> SyncContext:
    brand = session.get(Brand, binding.brand_id)
    assert brand is not None
    actor = sync_actor(session, binding)
    require(actor, Perm.VIEW, brand.id, brand.slug)
    tz = ZoneInfo(brand.market.timezone)
    cells = CellContext(
        tz=tz, date_format=brand.market.date_format, lookups=build_lookups(session, schema, brand)
    )
    start, end = period_bounds(schema, clock.today(brand.market.timezone))
    return SyncContext(session, actor, schema, brand, cells, start, end)


class WorksheetSync:
    """One binding's sync against an open client (tabs are shared by the bindings of one spreadsheet)."""

    def __init__(
        self, engine: Engine, binding_id: int, client: gspread.Client, tabs: dict[str, dict[int, grid.Tab]]
    ) -> None:
        self.engine, self.binding_id, self.client, self.tabs = engine, binding_id, client, tabs

    def run(self) -> SyncResult:
        http = http_of(self.client)
        started, calls = time.monotonic(), len(http.calls)
        with read_session(self.engine) as s:
            b = s.get(SheetBinding, self.binding_id)
            assert b is not None
            brand = s.get(Brand, b.brand_id)
            result = SyncResult(
                b.id, brand.slug if brand else "?", b.schema_name, b.worksheet_title, ok=False
            )
            key, title, sheet_id = b.spreadsheet_key, b.worksheet_title, b.sheet_id
        http.start_deadline()
        try:
            schema = get_schema(result.schema)
            tab, new_tab = self._tab(key, title, sheet_id)
            data = [] if new_tab else grid.read_tab(self.client, key, tab.title)
            settled = self._settle(schema, data)
            maybe_crash("sheets.settled")  # edits committed, the sheet not yet written back
            tab = self._write(schema, key, tab, new_tab, settled)
            maybe_crash("sheets.written")  # the sheet written, its new baseline not yet remembered
            result.ok, result.counts = True, self._remember(tab, settled)
            maybe_crash("sheets.remembered")
            result.worksheet = tab.title
        except (ServiceError, ValueError) as exc:
            result.error = str(exc)
        except Exception as exc:  # a bug must not stop the other worksheets; it is logged and reported
            log.exception("sheet sync of binding %s failed", self.binding_id)
            result.error = f"unexpected {type(exc).__name__}: {exc}"
        result.requests, result.seconds = len(http.calls) - calls, round(time.monotonic() - started, 3)
        self._record(result)
        return result

    def _tab(self, key: str, title: str, sheet_id: int | None) -> tuple[grid.Tab, bool]:
        """The binding's tab: by its id once known (a renamed tab is followed), else by title; a tab that
        does not exist yet is made when the first export is written."""
        if key not in self.tabs:
            self.tabs[key] = grid.fetch_tabs(self.client, key)
        tabs = self.tabs[key]
        if sheet_id is not None:
            if sheet_id not in tabs:
                raise SheetsError(
                    f"the worksheet {title!r} (id {sheet_id}) is missing from the spreadsheet: it was deleted. "
                    "Nothing was changed; use Export again to make a new one"
                )
            return tabs[sheet_id], False
        same = [t for t in tabs.values() if t.title == title]
        if same:
            return same[0], False
        return grid.Tab(0, title, 0, 0), True

    def _settle(self, schema: WorksheetSchema, data: list[list[Any]]) -> Settled:
        with write_session(self.engine) as s:
            binding = s.get(SheetBinding, self.binding_id)
            assert binding is not None
            ctx = _context(s, binding, schema)
            source = get_source(schema.source)
            layout = make_layout(schema, data, ctx.cells)
            rows = read_rows(schema, data, layout, ctx.cells)
            states = {
                st.record_key: st
                for st in s.scalars(select(SheetRowState).where(SheetRowState.binding_id == binding.id))
            }
            records = source.load(ctx)
            rec = Reconciler(
                ctx, source, records, states, rows, binding.conflict_policy, binding.removed_rows
            )
            plan = rec.run()
            final = source.load(ctx) if plan.changed_db else records
            cells, shown = _cells(rec, plan, final, rows, layout, len(data))
            now = clock.now()
            for st in states.values():
                st.resolution = None  # every decision was carried out (or refused, and reported) now
            for key, removed in plan.removed.items():
                if key in states:
                    states[key].removed = removed
            if plan.created:
                s.execute(
                    insert(SheetRowState),
                    [
                        {
                            "binding_id": binding.id,
                            "record_key": k,
                            "db_version": final[k].version if k in final else "",
                            "origin_hash": h,
                            "removed": False,
                            "synced_at": now,
                        }
                        for k, h in plan.created.items()
                    ],
                )
            plan.counts.update(problems.settle(s, binding, plan.problems, plan.still_removed, now))
            plan.counts["rows"] = len(final)
            maybe_crash("sheets.applied")  # edits applied in the transaction, not committed
        return Settled(plan, rec, final, layout, cells, shown)

    def _write(
        self, schema: WorksheetSchema, key: str, tab: grid.Tab, new_tab: bool, settled: Settled
    ) -> grid.Tab:
        """At most two requests: one structural (make the tab, or delete the rows of records that left
        it and grow the grid) and one with every changed cell."""
        layout = settled.layout
        deleted = sorted(settled.plan.cleared)
        cells = grid.shift_rows(settled.cells, deleted)
        if not cells and not deleted:
            return tab
        height = max(cells, default=1) + SPARE_ROWS
        if new_tab:
            enums = {
                layout.positions[c.name]: c.values
                for c in schema.columns
                if c.type == "enum" and not c.read_only
            }
            sheet_id = grid.add_tab(self.client, key, tab.title, height, layout.width)
            # The dropdowns go in a request of their own, naming the tab by the id the server gave it (one
            # request more on a worksheet's first sync, only for tabs with enum columns).
            requests = grid.dropdown_requests(sheet_id, height, enums)
            tab = grid.Tab(sheet_id, tab.title, height, layout.width)
        else:
            requests = grid.delete_rows_requests(tab.sheet_id, deleted)
            tab = dataclasses.replace(tab, rows=tab.rows - len(deleted))
            grow = grid.grow_request(
                tab, height if max(cells, default=1) > tab.rows else tab.rows, layout.width
            )
            if grow is not None:
                requests.append(grow)
                props = grow["updateSheetProperties"]["properties"]["gridProperties"]
                tab = dataclasses.replace(tab, rows=props["rowCount"], cols=props["columnCount"])
        grid.restructure(self.client, key, requests)
        self.tabs[key][tab.sheet_id] = tab
        grid.write_cells(self.client, key, grid.ranges_for(tab.title, cells))
        return tab

    def _remember(self, tab: grid.Tab, settled: Settled) -> dict[str, int]:
        """The write landed: what each row shows now becomes the baseline of the next sync."""
        rec, final, plan = settled.rec, settled.final, settled.plan
        now = clock.now()
        with write_session(self.engine) as s:
            ids = dict(
                s.execute(
                    select(SheetRowState.record_key, SheetRowState.id).where(
                        SheetRowState.binding_id == self.binding_id
                    )
                ).all()
            )
            updates, inserts = [], []
            for key in settled.shown:
                canon, values_hash = rec.state_values(final[key])
                row = {
                    "db_version": final[key].version,
                    "exported": canon,
                    "values_hash": values_hash,
                    "origin_hash": None,
                    "removed": False,
                    "synced_at": now,
                }
                if key in ids:
                    updates.append({"id": ids[key], **row})
                else:
                    inserts.append({"binding_id": self.binding_id, "record_key": key, **row})
            if updates:
                s.execute(update(SheetRowState), updates)
            if inserts:
                s.execute(insert(SheetRowState), inserts)
            gone = [ids[k] for k in plan.dropped if k in ids and k not in settled.shown]
            if gone:
                s.execute(delete(SheetRowState).where(SheetRowState.id.in_(gone)))
            binding = s.get(SheetBinding, self.binding_id)
            if binding is not None and tab.sheet_id:
                # Learned on the first export; a renamed tab keeps its id and its new title is kept.
                binding.sheet_id, binding.worksheet_title = tab.sheet_id, tab.title
        return {**plan.counts, "written_rows": len(settled.cells)}

    def _record(self, result: SyncResult) -> None:
        with write_session(self.engine) as s:
            b = s.get(SheetBinding, self.binding_id)
            if b is None:
                return
            b.last_sync_at = clock.now()
            if result.ok:
                b.last_status, b.last_error = SyncStatus.OK, None
            else:
                b.last_status, b.last_error, b.last_error_at = SyncStatus.FAILED, result.error, b.last_sync_at
            b.last_counts = {**result.counts, "requests": result.requests, "seconds": result.seconds}


@dataclass
class Settled:
    plan: Plan
    rec: Reconciler
    final: dict[str, Record]
    layout: Layout
    cells: dict[int, dict[int, grid.Cell]]
    shown: list[str]


def _cells(
    rec: Reconciler, plan: Plan, final: dict[str, Record], rows: list[Any], layout: Layout, height: int
) -> tuple[dict[int, dict[int, grid.Cell]], list[str]]:
    """Every cell to write (row -> column -> value) and which records the sheet shows afterwards."""
    schema, ctx = rec.schema, rec.ctx.cells
    by_number = {r.number: r for r in rows}
    cells: dict[int, dict[int, grid.Cell]] = {}
    shown: list[str] = []

    def put(row: int, col: int, value: grid.Cell) -> None:
        cells.setdefault(row, {})[col] = value

    for col, text in layout.header_writes.items():
        put(1, col, text)

    def show(number: int, key: str, current: Any) -> None:
        record = final.get(key)
        if record is None:  # it left the worksheet meanwhile: empty the row
            for col in layout.positions.values():
                put(number, col, "")
            put(number, layout.status_col, "")
            return
        for c in schema.columns:
            value = to_cell(record.values.get(c.field), c, ctx)
            # Same value typed another way ("in review", a reformatted date) is written back in the
            # hub's own form, so the sheet reads the same everywhere.
            if current is None or c.name not in current.cells or current.raw[c.name] != value:
                put(number, layout.positions[c.name], value)
        note = plan.notes.get(number, "")
        if current is None or current.status != note:
            put(number, layout.status_col, note)
        shown.append(key)

    for number, key in plan.synced.items():
        show(number, key, by_number.get(number))
    for number, text in plan.kept.items():
        current = by_number.get(number)
        if current is None or current.status != text:
            put(number, layout.status_col, text)
    start = max(height, 1) + 1
    for i, key in enumerate(k for k in plan.appended if k in final):
        show(start + i, key, None)
    return cells, shown


def sync_bindings(
    engine: Engine,
    actor: Actor,
    binding_ids: list[int],
    *,
    settings: SheetsSettings | None = None,
    client: gspread.Client | None = None,
) -> list[SyncResult]:
    """Sync these worksheets now, one client for all (one token), the tabs of each spreadsheet read once."""
    with read_session(engine) as s:
        for b in s.scalars(select(SheetBinding).where(SheetBinding.id.in_(binding_ids))):
            require(actor, Perm.CONNECTIONS_VIEW, b.brand_id)
    client = client or make_client(settings)
    tabs: dict[str, dict[int, grid.Tab]] = {}
    return [WorksheetSync(engine, bid, client, tabs).run() for bid in binding_ids]


def enabled_bindings(engine: Engine, brand_ids: list[int] | None = None) -> list[int]:
    with read_session(engine) as s:
        stmt = (
            select(SheetBinding.id)
            .where(SheetBinding.enabled.is_(True))
            .order_by(SheetBinding.brand_id, SheetBinding.id)
        )
        if brand_ids is not None:
            stmt = stmt.where(SheetBinding.brand_id.in_(brand_ids))
        return list(s.scalars(stmt))


def sync_brands(
    engine: Engine,
    actor: Actor,
    brand_ids: list[int] | None = None,
    *,
    settings: SheetsSettings | None = None,
    client: gspread.Client | None = None,
) -> list[SyncResult]:
    """Every enabled worksheet of these brands (None: all brands)."""
    ids = enabled_bindings(engine, brand_ids)
    return sync_bindings(engine, actor, ids, settings=settings, client=client) if ids else []
