"""app.ui.community."""
