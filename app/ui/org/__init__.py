"""app.ui.org."""
