"""Settings → Sheets: the connected worksheets and their sync health, "Sync now", the open sync problems
(refused edits, conflicts with both values, removed rows) and the decisions on them, and connecting,
changing or removing a worksheet. Every read and change goes through app.sheets services."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.config import ConfigError
from app.db import get_engine, read_session
from app.models.sheets import ConflictPolicy, ProblemKind, RemovedRowPolicy
from app.services.org import users
from app.sheets import bindings, problems
from app.sheets.settings import load_sheets_settings
from app.sheets.sync import SyncResult, sync_brands
from app.ui.context import PageContext
from app.ui.widgets import Labels, finish, perform, plain, table

CONFLICT_LABELS = Labels({p.value: p.label for p in ConflictPolicy})
REMOVED_LABELS = Labels({p.value: p.label for p in RemovedRowPolicy})
WHEN = "D MMM, HH:mm"


def _summary(results: list[SyncResult]) -> str:
    if not results:
        return "No worksheets to sync."
    failed = [r for r in results if not r.ok]
    requests = sum(r.requests for r in results)
    rows = sum(r.counts.get("rows", 0) for r in results if r.ok)
    text = f"Synced {len(results)} worksheet(s) ({rows:,} rows on the sheets) in {requests} requests"
    if failed:
        return text + f"; {len(failed)} failed: " + "; ".join(f"{r.worksheet}: {r.error}" for r in failed)
    changed = sum(r.counts.get("applied", 0) + r.counts.get("created", 0) for r in results)
    refused = sum(r.counts.get("refused", 0) for r in results)
    return text + f": {changed} sheet edit(s) applied, {refused} refused."


def sheets_section(ctx: PageContext) -> None:
    try:
        config = load_sheets_settings()
    except ConfigError as exc:
        st.error(plain(exc))
        return
    if config.configured:
        st.caption(
            f"Service account {plain(config.client_email)} · endpoint {plain(config.api_url)}. "
            "Share each spreadsheet with the service account as an editor."
        )
    else:
        st.info(
            "Google Sheets is not set up: add the service account's key as [sheets.service\\_account] to "
            ".streamlit/secrets.toml (see secrets.toml.example)."
        )
    brand_ids = list(ctx.brand_ids)
    with read_session() as session:
        connected = bindings.list_bindings(session, ctx.actor, brand_ids)
        open_problems = problems.list_problems(session, ctx.actor, brand_ids)
        people = [u.email for u in users.list_users(session, ctx.actor, include_inactive=False)]
    schemas = bindings.schema_choices()
    st.markdown("**Connected worksheets**")
    df = pd.DataFrame(
        [
            {
                "id": b.id,
                "brand": b.brand,
                "worksheet": schemas.get(b.schema, b.schema),
                "tab": b.worksheet,
                "spreadsheet": b.spreadsheet_key,
                "sync as": b.sync_as,
                "conflicts": CONFLICT_LABELS(b.conflict_policy),
                "removed rows": REMOVED_LABELS(b.removed_rows),
                "on": b.enabled,
                "last sync": b.last_sync_at,
                "status": b.last_status,
                "open problems": b.open_problems,
                "requests": b.last_requests,
                "last error": b.last_error,
            }
            for b in connected
        ]
    )
    table(
        df, name="sheet-worksheets", column_config={"last sync": st.column_config.DatetimeColumn(format=WHEN)}
    )
    if st.button(
        "Sync now",
        type="primary",
        icon=":material/sync:",
        disabled=not (config.configured and connected),
        help="Pull every connected worksheet of "
        + (ctx.brand.name if ctx.brand else "all brands")
        + ", apply valid edits, write back.",
    ):
        with st.spinner("Syncing with Google Sheets…"):
            finish(lambda: sync_brands(get_engine(), ctx.actor, brand_ids, settings=config), _summary)

    st.markdown("**Open sync problems**")
    st.caption(
        "Edits the sheet could not make, conflicts (both values shown) and removed rows. The sheet keeps what "
        "was typed; a problem closes when the sheet is put right or someone decides here."
    )
    table(
        open_problems,
        name="sheet-problems",
        column_config={"since": st.column_config.DatetimeColumn(format=WHEN)},
    )
    if not open_problems.empty:
        _decide_form(ctx, open_problems)
    with st.expander("Connect a worksheet"):
        _connect_form(ctx, schemas, people)
    if connected:
        with st.expander("Change or remove a worksheet"):
            _manage_form(ctx, connected, people)


def _decide_form(ctx: PageContext, frame: pd.DataFrame) -> None:
    labels = Labels(
        {int(r.id): f"#{r.id} {r.worksheet} row {r.row or '—'}: {r.problem}" for r in frame.itertuples()}
    )
    kinds = {int(r.id): next(k for k in ProblemKind if k.label == r.problem) for r in frame.itertuples()}
    left, right = st.columns(2)
    pick = left.selectbox("Problem", list(labels), format_func=labels, key="sheet_problem_pick")
    choices = problems.DECISIONS[kinds[pick]]
    if not choices:
        return
    decision = right.selectbox(
        "Decision", list(choices), format_func=Labels(choices), key="sheet_problem_decision"
    )
    if st.button("Decide", key="sheet_problem_decide"):
        perform(
            lambda s: problems.decide(s, ctx.actor, pick, decision),
            "Decided: the next sync carries it out (press Sync now to do it at once).",
        )


def _connect_form(ctx: PageContext, schemas: dict[str, str], people: list[str]) -> None:
    with st.form("connect_sheet", clear_on_submit=True):
        c1, c2 = st.columns(2)
        slugs = [b.slug for b in ctx.brands]
        brand = c1.selectbox("Brand", slugs, index=slugs.index(ctx.brand.slug) if ctx.brand else 0)
        schema = c2.selectbox("Worksheet", list(schemas), format_func=Labels(schemas))
        key = st.text_input(
            "Spreadsheet key or URL", placeholder="https://docs.google.com/spreadsheets/d/…/edit"
        )
        title = c1.text_input("Tab title", help="Empty: the worksheet's own name (made on the first sync).")
        sync_as = c2.selectbox(
            "Sync as", people, help="Every sheet edit is checked against this person's permissions."
        )
        conflicts = c1.selectbox(
            "When both sides changed a row",
            [p.value for p in ConflictPolicy],
            index=2,
            format_func=CONFLICT_LABELS,
        )
        removed = c2.selectbox(
            "When a row is removed in the sheet",
            [p.value for p in RemovedRowPolicy],
            index=2,
            format_func=REMOVED_LABELS,
        )
        if st.form_submit_button("Connect", type="primary"):
            perform(
                lambda s: bindings.connect(
                    s,
                    ctx.actor,
                    brand=brand or "",
                    schema=schema or "",
                    spreadsheet=key,
                    sync_as=sync_as or "",
                    worksheet_title=title or None,
                    conflict_policy=conflicts,
                    removed_rows=removed,
                ),
                f"Connected {schemas.get(schema or '', schema)} for {brand}: the next sync exports it.",
            )


def _manage_form(ctx: PageContext, connected: list[bindings.BindingInfo], people: list[str]) -> None:
    labels = Labels({b.id: f"{b.brand}: {b.worksheet}" for b in connected})
    pick = st.selectbox("Worksheet", list(labels), format_func=labels, key="sheet_binding_pick")
    current = next(b for b in connected if b.id == pick)
    with st.form(f"manage_sheet_{pick}"):
        enabled = st.checkbox("Synced (by the job and Sync now)", value=current.enabled)
        policies = [p.value for p in ConflictPolicy]
        conflicts = st.selectbox(
            "When both sides changed a row",
            policies,
            index=policies.index(current.conflict_policy),
            format_func=CONFLICT_LABELS,
        )
        removals = [p.value for p in RemovedRowPolicy]
        removed = st.selectbox(
            "When a row is removed in the sheet",
            removals,
            index=removals.index(current.removed_rows),
            format_func=REMOVED_LABELS,
        )
        options = people if current.sync_as in people else [current.sync_as, *people]
        sync_as = st.selectbox("Sync as", options, index=options.index(current.sync_as))
        if st.form_submit_button("Save"):
            changes = {"enabled": enabled, "conflict_policy": conflicts, "removed_rows": removed}
            if sync_as != current.sync_as:
                changes["sync_as"] = sync_as
            perform(
                lambda s: bindings.update_binding(s, ctx.actor, pick, **changes), "Worksheet settings saved."
            )
    left, right = st.columns(2)
    if left.button(
        "Export again", help="Forget what the sync knew about the tab; the next sync exports it anew."
    ):
        perform(
            lambda s: bindings.export_again(s, ctx.actor, pick), "The next sync exports this worksheet again."
        )
    confirm = right.checkbox("Yes, stop mirroring this worksheet", key=f"sheet_remove_confirm_{pick}")
    if right.button("Remove", disabled=not confirm):
        perform(
            lambda s: bindings.remove_binding(s, ctx.actor, pick),
            "Worksheet disconnected; the spreadsheet was left as it is.",
        )
