"""Settings (admins): users and roles, brands, markets, channels, Google Sheets, the audit log and the
workspace."""

import streamlit as st

from app.ui.context import page_context
from app.ui.org import admin_forms
from app.ui.sheets import settings as sheets_settings
from app.ui.widgets import page_header, show_flash

ctx = page_context()
page_header("Settings", ctx)
show_flash()

users_tab, brands_tab, markets_tab, channels_tab, sheets_tab, audit_tab, workspace_tab = st.tabs(
    ["Users & roles", "Brands", "Markets", "Channels", "Sheets", "Audit log", "Workspace"]
)
with users_tab:
    admin_forms.users_section(ctx)
with brands_tab:
    admin_forms.brands_section(ctx)
with markets_tab:
    admin_forms.markets_section(ctx)
with channels_tab:
    admin_forms.channels_section(ctx)
with sheets_tab:
    sheets_settings.sheets_section(ctx)
with audit_tab:
    admin_forms.audit_section(ctx)
with workspace_tab:
    admin_forms.workspace_section(ctx)
