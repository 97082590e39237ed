"""app.ui.reports."""
