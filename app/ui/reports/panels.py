"""The Reports page's panels: produce a report (preview + PDF/XLSX download), the schedules with their
form and deliveries, and the recommendation rules editor. Writes go through app.ui.actions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.db import read_session
from app.models.reports import Cadence, DeliveryMethod, ReportFormat
from app.services.core import Perm, ServiceError, clock, parse_period
from app.services.reports import OPERATORS, TEMPLATES, VARIABLES, RuleRow
from app.services.reports import produce as reports
from app.services.reports import rules as report_rules
from app.services.reports import schedules as report_schedules
from app.ui.context import PageContext
from app.ui.reports.views import last_quarter_label, section_block
from app.ui.widgets import perform, plain


def template_title(key: str) -> str:
    return TEMPLATES[key].title


def brand_choice(ctx: PageContext, key: str) -> str | None:
    """The brand a report is about: the selected one, or a pick among the visible ones."""
    if ctx.brand:
        return ctx.brand.slug
    if not ctx.brands:
        return None
    slugs = [b.slug for b in ctx.brands]
    names = {b.slug: b.name for b in ctx.brands}
    return st.selectbox("Brand", slugs, format_func=names.get, key=key)


def produce_panel(ctx: PageContext) -> None:
    brand = brand_choice(ctx, "report_brand")
    if brand is None:
        st.info("No brand to report on.")
        return
    left, mid, right = st.columns(3)
    template = left.selectbox("Template", list(TEMPLATES), format_func=template_title, key="report_template")
    period = mid.text_input(
        "Period",
        value=last_quarter_label(clock.today()),
        key="report_period",
        help="2026-Q3 or 2026-08",
    )
    fmt = right.radio("Format", reports.FORMATS, horizontal=True, key="report_format")
    if st.button("Build report", key="report_build", type="primary", icon=":material/summarize:"):
        try:
            start, end = parse_period(period)
            with read_session() as s:
                report, data = reports.produce(s, ctx.actor, brand, template, start, end, fmt)
        except ServiceError as exc:
            st.error(plain(exc), icon=":material/error:")
            return
        st.session_state["report_built"] = (report, data, fmt)
    built = st.session_state.get("report_built")
    if not built:
        return
    report, data, fmt = built
    st.download_button(
        f"Download {fmt.upper()}",
        data,
        file_name=reports.file_name(report, fmt),
        mime="application/pdf" if fmt == "pdf" else "application/vnd.ms-excel",
        icon=":material/download:",
        key="report_download",
    )
    st.markdown(f"### {plain(report.title)} · {plain(report.period_label)}")
    for section in report.sections:
        section_block(section, key="preview")


def _schedule_form(ctx: PageContext, brand: str, existing: pd.Series | None) -> None:
    edit = existing is not None
    with st.form("schedule_edit" if edit else "schedule_new", clear_on_submit=not edit):
        audience = st.text_input(
            "Audience", value=existing["audience"] if edit else "", key=f"sched_aud_{edit}"
        )
        c1, c2, c3, c4 = st.columns(4)
        tkeys, cadences = list(TEMPLATES), [c.value for c in Cadence]
        template = c1.selectbox("Template", tkeys, index=tkeys.index(existing["template"]) if edit else 0,
                                format_func=template_title, key=f"sched_tpl_{edit}")  # fmt: skip
        cadence = c2.selectbox("Cadence", cadences, index=cadences.index(existing["cadence"]) if edit else 2,
                               key=f"sched_cad_{edit}")  # fmt: skip
        formats = [f.value for f in ReportFormat]
        fmt = c3.selectbox("Format", formats, index=formats.index(existing["format"]) if edit else 0,
                           key=f"sched_fmt_{edit}")  # fmt: skip
        methods = [m.value for m in DeliveryMethod]
        delivery = c4.selectbox("Delivery", methods, index=methods.index(existing["delivery"]) if edit else 0,
                                key=f"sched_del_{edit}")  # fmt: skip
        recipients = st.text_input("Recipients (e-mail delivery)", value=existing["recipients"] if edit else "",
                                   help="Addresses separated by commas", key=f"sched_rcp_{edit}")  # fmt: skip
        roots = ", ".join(str(r) for r in report_schedules.report_folders())
        folder = st.text_input("Folder (folder delivery)", value=existing["folder"] if edit else "",
                               help=f"A folder on the server inside {roots}", key=f"sched_dir_{edit}")  # fmt: skip
        active = st.checkbox(
            "Active", value=bool(existing["active"]) if edit else True, key=f"sched_act_{edit}"
        )
        submitted = st.form_submit_button("Save changes" if edit else "Add schedule")
    if not submitted:
        return
    data = report_schedules.ScheduleInput(
        audience,
        template,
        cadence,
        delivery,
        fmt,
        report_schedules.parse_recipients(recipients),
        folder,
        active,
    )
    if edit:
        sid = int(existing["id"])
        perform(lambda s: report_schedules.update_schedule(s, ctx.actor, sid, data), "Schedule saved.")
    else:
        perform(lambda s: report_schedules.create_schedule(s, ctx.actor, brand, data), "Schedule added.")


def schedules_panel(ctx: PageContext) -> None:
    with read_session() as s:
        schedules = report_schedules.list_schedules(s, ctx.actor, list(ctx.brand_ids))
        sent = report_schedules.deliveries(s, ctx.actor, list(ctx.brand_ids))
    st.caption("The job `send_reports` produces each schedule's last complete period once and mails it (SMTP) "
               "or saves it to the folder.")  # fmt: skip
    if schedules.empty:
        st.caption("No report schedules yet.")
    else:
        st.dataframe(schedules, hide_index=True, key="schedules_table")
    if ctx.can(Perm.REPORTS_MANAGE):
        brand = brand_choice(ctx, "schedule_brand")
        if brand:
            st.markdown("#### New schedule")
            _schedule_form(ctx, brand, None)
        if not schedules.empty:
            st.markdown("#### Edit a schedule")
            labels = {int(r.id): f"#{r.id} {r.brand} · {r.audience}" for r in schedules.itertuples()}
            sid = st.selectbox("Schedule", list(labels), format_func=labels.get, key="schedule_pick")
            row = schedules[schedules["id"] == sid].iloc[0]
            _schedule_form(ctx, str(row["brand"]), row)
            if st.button("Delete this schedule", key="schedule_delete", icon=":material/delete:"):
                perform(lambda s: report_schedules.delete_schedule(s, ctx.actor, sid), "Schedule deleted.")
    st.markdown("#### Deliveries")
    if sent.empty:
        st.caption("Nothing produced yet.")
        return
    st.dataframe(sent, hide_index=True, key="deliveries_table")
    unconfirmed = sent[sent["status"].isin(["unconfirmed", "failed"])]
    if ctx.can(Perm.REPORTS_MANAGE) and not unconfirmed.empty:
        did = st.selectbox("Unconfirmed or failed delivery", unconfirmed["id"].tolist(), key="delivery_pick")
        if st.button("It did not arrive: send it again on the next run", key="delivery_release"):
            perform(
                lambda s: report_schedules.release_unconfirmed(s, ctx.actor, int(did)),
                "It will be sent again.",
            )


RULE_COLUMNS = ["id", "name", "brand", "expression", "operator", "threshold", "text", "priority", "active"]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def _text(value: object) -> str:
    return "" if _blank(value) else str(value).strip()


def rules_from_editor(frame: pd.DataFrame) -> list[RuleRow]:
    """The edited table as rule rows: blank rows dropped, blank cells as empty text (never "nan"), a
    blank priority as 50 and a blank active as on. Validation happens in the service."""
    out = []
    for r in frame.to_dict("records"):
        if not any(_text(r.get(c)) for c in ("name", "expression", "text")):
            continue
        rid, priority, active = r.get("id"), r.get("priority"), r.get("active")
        out.append(
            RuleRow(
                None if _blank(rid) else int(rid),  # type: ignore[arg-type]
                _text(r.get("name")),
                _text(r.get("brand")),
                _text(r.get("expression")),
                _text(r.get("operator")),
                r.get("threshold"),  # type: ignore[arg-type]
                _text(r.get("text")),
                50 if _blank(priority) else priority,  # type: ignore[arg-type]
                True if _blank(active) else bool(active),
            )
        )
    return out


def rules_panel(ctx: PageContext) -> None:
    with read_session() as s:
        rules = report_rules.list_rules(s, ctx.actor)
    frame = pd.DataFrame([r.__dict__ for r in rules], columns=RULE_COLUMNS)
    st.caption("When a rule's expression compares true with its threshold, reports recommend its text. "
               "Percentages are percent numbers (engagement_rate_change <= -10: fell 10% or more); "
               "{name} in the text shows that value.")  # fmt: skip
    with st.expander("Values a rule can use"):
        st.dataframe(
            pd.DataFrame([(k, u, d) for k, (u, d) in VARIABLES.items()], columns=["name", "unit", "meaning"]),
            hide_index=True,
        )
    if not ctx.actor.can(Perm.REPORTS_MANAGE):
        st.dataframe(frame.drop(columns=["id"]), hide_index=True, key="rules_table")
        return
    edited = st.data_editor(
        frame,
        num_rows="dynamic",
        hide_index=True,
        disabled=["id"],
        column_config={"operator": st.column_config.SelectboxColumn(options=list(OPERATORS))},
        key="rules_editor",
    )
    if st.button("Save rules", key="rules_save", type="primary"):
        rows = rules_from_editor(edited)
        perform(
            lambda s: report_rules.save_rules(s, ctx.actor, rows),
            lambda c: f"Rules saved: {c['added']} added, {c['changed']} changed, {c['removed']} removed.",
        )
