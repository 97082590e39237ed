"""app.ui.shell."""
