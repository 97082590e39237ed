"""app.services.reports."""
