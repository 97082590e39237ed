"""What the Strategy tabs share: which brands the person may edit, the create and edit forms side by side,
the brand a new item goes to, the row picked for editing, archiving, pickers' options, and saving
through `perform` with a refusal that names the field it is about."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from app.services.core import Perm, ValidationError
from app.services.org import BrandInfo
from app.ui.context import PageContext
from app.ui.widgets import Labels, perform, plain, table

T = TypeVar("T")

# The services' `field=` names, as the forms label them.
FIELD_LABELS = {
    "brand": "Brand",
    "name": "Name",
    "slug": "Slug",
    "kind": "Kind",
    "description": "Description",
    "kpi_metric": "KPI",
    "kpi_metric_key": "KPI",
    "target_value": "Target",
    "period_start": "From",
    "period_end": "To",
    "period": "Period",
    "markets": "Markets",
    "market": "Markets",
    "platforms": "Platforms",
    "platform": "Platforms",
    "color": "Colour",
    "target_share_pct": "Target share",
    "objective": "Objective",
    "objective_id": "Objective",
    "pillars": "Pillars",
    "pillar": "Pillars",
    "pillar_ids": "Pillars",
    "start_date": "Starts",
    "end_date": "Ends",
    "budget": "Budget",
    "currency": "Currency",
    "channels": "Channels",
    "channel": "Channels",
    "channel_ids": "Channels",
    "utm_campaign": "UTM campaign",
    "status": "Status",
    "version": "Version",
}


def editable_brands(ctx: PageContext) -> list[BrandInfo]:
    """The brands in view on which this person may change the strategy."""
    in_view = [ctx.brand] if ctx.brand else list(ctx.brands)
    return [b for b in in_view if ctx.actor.can(Perm.STRATEGY_EDIT, b.id)]


def may_edit(ctx: PageContext, brand_slug: str) -> bool:
    brand = next((b for b in ctx.brands if b.slug == brand_slug), None)
    return brand is not None and ctx.actor.can(Perm.STRATEGY_EDIT, brand.id)


def create_and_edit(
    ctx: PageContext,
    rows: Sequence[Any],
    create: Callable[[list[BrandInfo]], None],
    edit: Callable[[list[Any]], None],
) -> None:
    """The tab's create form (given the brands it may go to) beside its edit form (given the rows of the
    brands this person may edit, when there are any); neither for someone who may edit no brand in view."""
    brands = editable_brands(ctx)
    if not brands:
        return
    left, right = st.columns(2)
    with left:
        create(brands)
    mine = [r for r in rows if may_edit(ctx, r.brand_slug)]
    if mine:
        with right:
            edit(mine)


def brand_for_new(brands: Sequence[BrandInfo], key: str) -> BrandInfo:
    """The brand a new item goes to: the one chosen in the sidebar, or picked here under All brands."""
    if len(brands) == 1:
        return brands[0]
    by_slug = {b.slug: b for b in brands}
    slug = st.selectbox("Brand", list(by_slug), format_func=Labels({b.slug: b.name for b in brands}), key=key)
    return by_slug[slug]


def field_named(exc: ValidationError) -> ValidationError:
    """The refusal in the form's words: the service's field name ("end_date ...") read as the form's
    label ("Ends ..."), or the label put in front when the message does not say it."""
    if not exc.field:
        return exc
    label = FIELD_LABELS.get(exc.field, exc.field.replace("_", " ").capitalize())
    message = str(exc)
    if message.startswith(exc.field):
        message = label + message[len(exc.field) :]
    elif not message.lower().startswith(label.lower()):
        message = f"{label}: {message}"
    return ValidationError(message, field=exc.field, value=exc.value)


def save(action: Callable[[Session], T], success: str | Callable[[T], str]) -> T | None:
    """`perform` (one transaction, message, rerun), with a validation refusal naming its field."""

    def named(session: Session) -> T:
        try:
            return action(session)
        except ValidationError as exc:
            raise field_named(exc) from exc

    return perform(named, success)


def pick_row(items: Sequence[Any], label: str, key: str) -> Any:
    """The item chosen for editing. Options are ids; labels are the name and the brand, which stay put
    when another field changes or the item is archived, so the browser keeps the choice."""
    by_id = {i.id: i for i in items}
    # No "(archived)" in the label: archiving would change it, and the browser would drop the choice.
    labels = Labels({i.id: f"{i.name} · {i.brand_name}" for i in items})
    chosen = st.selectbox(label, list(by_id), format_func=labels, key=key)
    return by_id[chosen]


def archive_button(item: Any, noun: str, key: str, archive: Callable[[Session, bool], object]) -> None:
    """Archive (or bring back) the chosen item; archived items leave the pickers, never old posts."""
    if item.archived:
        if st.button(f"Unarchive this {noun}", key=key, icon=":material/unarchive:"):
            save(lambda s: archive(s, False), f"{item.name} is back in use.")
    elif st.button(
        f"Archive this {noun}",
        key=key,
        icon=":material/archive:",
        help="It leaves the pickers of new posts and campaigns; posts that carry it keep it.",
    ):
        save(lambda s: archive(s, True), f"{item.name} archived.")


def show_archived(key: str) -> bool:
    return st.toggle("Show archived", key=key)


def optional_dates(a: Any, b: Any, key: str, start: date | None, end: date | None) -> tuple[Any, Any]:
    """Two date inputs that may stay empty (an objective without a set period)."""
    lo = a.date_input("From", value=start, key=f"{key}_from", format="DD/MM/YYYY")
    hi = b.date_input("To", value=end, key=f"{key}_to", format="DD/MM/YYYY")
    return lo, hi


def strategy_table(ctx: PageContext, frame: pd.DataFrame, name: str, noun: str) -> None:
    """The tab's table, or what to do when there is nothing yet (the shared table speaks of periods,
    which the strategy does not follow)."""
    if frame.empty:
        hint = " Create the first one below." if editable_brands(ctx) else ""
        st.caption(f"No {noun} for {plain(ctx.scope_label)} yet.{hint}")
        return
    table(frame, name=name)
