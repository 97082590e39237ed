"""Setup (admins): the first-run steps with where each is done, then the starter packs to load."""

from app.ui.context import page_context
from app.ui.org import setup
from app.ui.widgets import page_header, show_flash

ctx = page_context()
page_header("Setup", ctx)
show_flash()
setup.steps_section(ctx)
setup.starters_section(ctx)
