"""app.ui.ops."""
