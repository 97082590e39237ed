"""Import & export: posts in bulk from CSV or XLSX (this tool's template, Hootsuite, Sprout Social) with
a dry run first, and the calendar out as CSV, XLSX or ICS."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from app.db import read_session, write_session
from app.models.enums import PostStatus
from app.services.content import (
    DATE_ORDERS,
    FORMAT_LABELS,
    FORMATS,
    TEMPLATE_COLUMNS,
    template_csv,
    template_xlsx,
)
from app.services.content import export as calendar_export
from app.services.content import imports as post_import
from app.services.core import Actor, Perm, ServiceError, ValidationError
from app.services.org import channels
from app.ui.context import page_context
from app.ui.measurement import metrics_import_section
from app.ui.widgets import Labels, finish, page_header, plain, show_flash, table

REPORT_KEY = "bulk_report"  # (file id, ImportReport) of the last check or import
IMPORTED_KEY = "bulk_imported"  # file id -> batch id: the same upload is not imported twice
XLSX_MIME = calendar_export.MIME_TYPES["xlsx"]

ctx = page_context()
page_header("Import & export", ctx)
show_flash()


def report_view(report: post_import.ImportReport) -> None:
    """The outcome of a check or an import: counts, refused rows, warnings and a preview."""
    st.markdown(plain(report.summary()))
    cols = st.columns(4)
    cols[0].metric("Rows read", f"{report.rows:,}")
    if report.dry_run:
        cols[1].metric("Posts that pass", f"{report.valid_posts:,}")
        cols[2].metric("Their variants", f"{report.valid_variants:,}")
    else:
        cols[1].metric("Posts created", f"{report.created_posts:,}")
        cols[2].metric("Variants created", f"{report.created_variants:,}")
    cols[3].metric("Rows refused", f"{len(report.refused_rows):,}")
    st.caption(
        plain(f"Format: {FORMAT_LABELS.get(report.format, report.format)} · encoding {report.encoding}")
    )
    for note in report.notes:
        st.caption(plain(note))
    if report.problems:
        st.subheader("Refused rows")
        table(pd.DataFrame([asdict(p) for p in report.problems]), name="refused_rows")
    if report.warnings:
        with st.expander(f"{len(report.warnings):,} warnings (these rows are imported)"):
            table(pd.DataFrame([asdict(p) for p in report.warnings]), name="import_warnings")
    if report.variants_per_channel:
        per_channel = pd.DataFrame(list(report.variants_per_channel.items()), columns=["channel", "variants"])
        st.dataframe(per_channel, hide_index=True)
    if report.preview:
        st.subheader("Preview" + (" of what would be created" if report.dry_run else ""))
        shown = len(report.preview)
        st.caption(
            f"The first {shown:,} of {report.valid_variants:,} variants."
            if shown < report.valid_variants
            else ""
        )
        table(pd.DataFrame([asdict(p) for p in report.preview]), name="import_preview")


def export_file(
    actor: Actor, brand_ids: tuple[int, ...], start: date, end: date, fmt: str, statuses: tuple[str, ...]
) -> bytes:
    """Built only when the download button is clicked (Streamlit calls it on its own thread)."""
    with read_session() as session:
        return calendar_export.export_calendar(
            session, actor, list(brand_ids), start, end, fmt, statuses or None
        )


import_tab, export_tab, metrics_tab = st.tabs(["Import posts", "Export calendar", "Import metrics"])

with import_tab:
    left, right = st.columns(2)
    left.download_button(
        "Template (XLSX)",
        template_xlsx,  # built on click only (~50 ms)
        file_name="socialops-posts-template.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        key="dl_template_xlsx",
    )
    right.download_button(
        "Template (CSV)",
        template_csv,
        file_name="socialops-posts-template.csv",
        mime="text/csv",
        icon=":material/download:",
        key="dl_template_csv",
    )
    with st.expander("Template columns and the other formats"):
        st.dataframe(pd.DataFrame([asdict(c) for c in TEMPLATE_COLUMNS]), hide_index=True)
        st.markdown(
            "One row per channel; rows with the same `post_key` (or title) make one post. Times without "
            "an offset are in the brand's market time zone. **Hootsuite** files (date and time, message, "
            "link; no header needed) and **Sprout Social** files (`date`, `time_24hr`, `message_text`, "
            "`link`) go to the one channel you pick below. Posts arrive as ideas or drafts and go through "
            "approval as usual."
        )

    brand = ctx.brand
    if brand is None:
        st.info("Pick one brand in the sidebar to import posts into it.", icon=":material/info:")
    elif not ctx.actor.can(Perm.CONTENT_EDIT, brand.id):
        st.info(f"Your role on {plain(brand.name)} does not include creating posts.", icon=":material/lock:")
    else:
        with read_session() as session:
            brand_channels = [
                c for c in channels.list_channels(session, ctx.actor, brand=brand.slug) if c.active
            ]
        upload = st.file_uploader("CSV or XLSX file", type=["csv", "xlsx", "txt"], key="bulk_file")
        c1, c2, c3 = st.columns(3)
        fmt = c1.selectbox("Format", ["auto", *FORMATS], format_func=Labels(FORMAT_LABELS), key="bulk_format")
        date_order = c2.selectbox(
            "Dates are written", list(DATE_ORDERS), format_func=Labels(DATE_ORDERS), key="bulk_date_order"
        )
        channel_labels = Labels(
            {"": "None (the file names them)", **{c.slug: f"{c.slug} ({c.platform})" for c in brand_channels}}
        )
        channel = c3.selectbox(
            "Channel",
            list(channel_labels),
            format_func=channel_labels,
            key="bulk_channel",
            help="Needed for Hootsuite and Sprout files; for the template, the channel of rows that leave it empty.",
        )
        valid_only = st.checkbox("Import the valid rows and skip the refused ones", key="bulk_valid_only")
        file_id = upload.file_id if upload else None
        already = st.session_state.get(IMPORTED_KEY, {}).get(file_id) if file_id else None
        b1, b2 = st.columns(2)
        check = b1.button("Check file", icon=":material/rule:", disabled=upload is None, key="bulk_check")
        run = b2.button(
            "Import",
            type="primary",
            icon=":material/upload:",
            disabled=upload is None or already is not None,
            key="bulk_import",
        )
        if already:
            st.caption(
                plain(f"This file was imported (batch {already}); upload another file to import more.")
            )
        options = {"fmt": fmt, "channel": channel or None, "date_order": date_order, "valid_only": valid_only}
        if check and upload is not None:
            try:
                with read_session() as session:
                    report = post_import.import_posts(
                        session,
                        ctx.actor,
                        brand.slug,
                        upload.getvalue(),
                        upload.name,
                        dry_run=True,
                        **options,
                    )
                st.session_state[REPORT_KEY] = (file_id, report)
            except ServiceError as exc:
                st.session_state.pop(REPORT_KEY, None)
                st.error(plain(exc), icon=":material/error:")
        if run and upload is not None and not already:
            bar = st.progress(0.0, text="Starting")

            def run_import() -> post_import.ImportReport:
                with write_session() as session:
                    report = post_import.import_posts(
                        session,
                        ctx.actor,
                        brand.slug,
                        upload.getvalue(),
                        upload.name,
                        progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
                        **options,
                    )
                    # Kept for the report view whatever happens next (a refusal rolls back, not this).
                    st.session_state[REPORT_KEY] = (file_id, report)
                    if report.blocked:
                        raise ValidationError(
                            f"Nothing imported: {len(report.refused_rows):,} rows refused (see below). Fix "
                            "them, or tick “Import the valid rows and skip the refused ones”."
                        )
                # Committed: the same upload must not be imported a second time by another click.
                imported = st.session_state.get(IMPORTED_KEY, {})
                st.session_state[IMPORTED_KEY] = {**imported, file_id: report.batch_id}
                return report

            # No rerun: the report below is the outcome (and a rerun here lost the sidebar brand in AppTest).
            finish(run_import, "Import finished; the summary is below.", rerun=False)
        shown = st.session_state.get(REPORT_KEY)
        if shown and shown[0] == file_id and file_id is not None:
            report_view(shown[1])

with export_tab:
    st.caption(
        plain(
            f"{ctx.scope_label} · {ctx.start:%d %b %Y} – {ctx.end:%d %b %Y} (the sidebar's brand and period)"
        )
    )
    e1, e2 = st.columns(2)
    export_fmt = e1.selectbox(
        "Format",
        list(calendar_export.EXPORT_FORMATS),
        format_func=Labels(calendar_export.EXPORT_FORMATS),
        key="export_format",
    )
    statuses = e2.multiselect(
        "Statuses (none: all)",
        [s.value for s in PostStatus],
        format_func=Labels({s.value: s.label for s in PostStatus}),
        key="export_statuses",
    )
    st.download_button(
        f"Download the calendar ({export_fmt.upper()})",
        partial(export_file, ctx.actor, ctx.brand_ids, ctx.start, ctx.end, export_fmt, tuple(statuses)),
        file_name=f"socialops-calendar-{ctx.start:%Y%m%d}-{ctx.end:%Y%m%d}.{export_fmt}",
        mime=calendar_export.MIME_TYPES[export_fmt],
        icon=":material/download:",
        key="dl_calendar",
        type="primary",
    )
    st.caption(
        "CSV: one row per post variant, times in UTC and in the brand's time zone. ICS: one event per variant, for Google Calendar or Outlook."
    )

with metrics_tab:
    metrics_import_section(ctx)
