"""Import & export: posts in bulk from CSV or XLSX (this tool's template, Hootsuite, Sprout Social) and
the calendar out as CSV, XLSX or ICS."""

from app.ui.components import coming_soon, page_header
from app.ui.context import page_context

ctx = page_context()
page_header("Import & export", ctx)
coming_soon(
    "bulk import and export",
    [
        "Import 10,000 posts at once from this tool's template, Hootsuite or Sprout Social bulk files",
        "A dry run first: what would be created, and every refused row with its row number, column and reason",
        "The calendar as CSV (one row per variant), XLSX or an ICS feed for Google Calendar and Outlook",
    ],
)
