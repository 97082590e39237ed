"""app.ui.sheets."""
