"""app.ui.publishing."""
