"""app.ui.measurement."""
