"""app.ui.widgets."""
