"""The "Import metrics" tab of the Import & export page: an analytics export (Meta, LinkedIn, X, TikTok,
YouTube, GA4, CRM) checked first with a preview and the refused cells, then imported with a progress bar,
through app.services.metric_import (permission, all-or-nothing, idempotent, audit)."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from app.db import read_session, write_session
from app.services.core import Perm, ServiceError, ValidationError
from app.services.measurement import FORMATS, PLATFORM_CHOICES, MetricImportReport, import_metrics
from app.services.org import channels
from app.ui.context import PageContext
from app.ui.widgets import Labels, finish, plain, table

REPORT_KEY = "metrics_import_report"  # (file id, MetricImportReport) of the last check or import
PLATFORM_LABELS = {
    "auto": "Detect from the headers",
    "facebook": "Facebook (Meta Business Suite)",
    "instagram": "Instagram (Meta Business Suite)",
    "linkedin": "LinkedIn page analytics",
    "x": "X analytics",
    "tiktok": "TikTok",
    "youtube": "YouTube Studio",
    "ga4": "Google Analytics 4 conversions",
    "crm": "CRM conversions",
}
ORDER_LABELS = {
    "auto": "As the file or platform writes them",
    "dmy": "Day first (31/12/2026)",
    "mdy": "Month first (12/31/2026)",
}


def report_view(report: MetricImportReport) -> None:
    (st.error if report.problems else st.success if report.written else st.info)(plain(report.summary()))
    cols = st.columns(4)
    cols[0].metric("Rows read", f"{report.rows:,}")
    cols[1].metric("New", f"{report.new:,}")
    cols[2].metric("Changed", f"{report.changed:,}")
    cols[3].metric("Refused rows", f"{len(report.refused_rows):,}")
    st.caption(
        plain(f"{report.label} · {report.kind} rows · encoding {report.encoding} · {report.seconds:.1f} s")
    )
    for note in report.notes:
        st.caption(plain(note))
    if report.problems:
        st.subheader("Refused cells")
        table(pd.DataFrame([asdict(p) for p in report.problems]), name="metrics_refused")
    if report.unmatched:
        st.subheader("Post rows that matched no post of the channel")
        st.caption("Not written; kept in the import's audit entry. Import again once the posts are linked.")
        table(pd.DataFrame(report.unmatched, columns=["row", "post id or link"]), name="metrics_unmatched")
    if report.preview:
        with st.expander(f"Preview (first {len(report.preview):,} rows)"):
            table(pd.DataFrame(report.preview), name="metrics_preview")


def metrics_import_section(ctx: PageContext) -> None:
    with st.expander("Which exports are read"):
        st.dataframe(
            pd.DataFrame(
                [(f.label, f.kind, ", ".join(sorted(next(iter(f.signatures))))) for f in FORMATS],
                columns=["export", "rows become", "recognised by the headers"],
            ),
            hide_index=True,
        )
        st.markdown(
            "Daily rows update the channel's days, post rows become snapshots of the matching post (by id "
            "or link), GA4 and CRM rows become conversions for attribution. Importing the same file twice "
            "changes nothing; one refused cell and nothing is written."
        )
    brand = ctx.brand
    if brand is None:
        st.info("Pick one brand in the sidebar to import its analytics.", icon=":material/info:")
        return
    if not ctx.actor.can(Perm.KPI_EDIT, brand.id):
        st.info(f"Your role on {plain(brand.name)} does not include editing KPIs.", icon=":material/lock:")
        return
    with read_session() as session:
        brand_channels = [c for c in channels.list_channels(session, ctx.actor, brand=brand.slug) if c.active]
    upload = st.file_uploader(
        "Analytics export (CSV or XLSX)", type=["csv", "xlsx", "txt"], key="metrics_file"
    )
    c1, c2, c3 = st.columns(3)
    platform = c1.selectbox(
        "Platform", ["auto", *PLATFORM_CHOICES], format_func=Labels(PLATFORM_LABELS), key="metrics_platform"
    )
    order = c2.selectbox(
        "Dates", list(ORDER_LABELS), format_func=Labels(ORDER_LABELS), key="metrics_date_order"
    )
    channel_labels = Labels(
        {
            "": "The brand's channel on the platform",
            **{c.slug: f"{c.slug} ({c.platform})" for c in brand_channels},
        }
    )
    channel = c3.selectbox("Channel", list(channel_labels), format_func=channel_labels, key="metrics_channel")
    options = {"channel": channel or None, "platform": platform, "date_order": order}
    file_id = upload.file_id if upload else None
    b1, b2 = st.columns(2)
    check = b1.button("Check file", icon=":material/rule:", disabled=upload is None, key="metrics_check")
    run = b2.button(
        "Import", type="primary", icon=":material/upload:", disabled=upload is None, key="metrics_run"
    )
    if check and upload is not None:
        try:
            with read_session() as session:
                report = import_metrics(
                    session, ctx.actor, brand.slug, upload.getvalue(), upload.name, dry_run=True, **options
                )
            st.session_state[REPORT_KEY] = (file_id, report)
        except ServiceError as exc:
            st.session_state.pop(REPORT_KEY, None)
            st.error(plain(exc), icon=":material/error:")
    if run and upload is not None:
        bar = st.progress(0.0, text="Starting")

        def run_import() -> MetricImportReport:
            with write_session() as session:
                report = import_metrics(
                    session,
                    ctx.actor,
                    brand.slug,
                    upload.getvalue(),
                    upload.name,
                    progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
                    **options,
                )
                st.session_state[REPORT_KEY] = (file_id, report)
                if report.problems:
                    raise ValidationError(
                        f"Nothing imported: {len(report.refused_rows):,} rows refused (below)."
                    )
            return report

        # Re-importing the same upload is harmless (idempotent), so the button stays enabled.
        finish(run_import, "Import finished; the summary is below.", rerun=False)
    shown = st.session_state.get(REPORT_KEY)
    if shown and file_id is not None and shown[0] == file_id:
        report_view(shown[1])
