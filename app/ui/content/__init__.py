"""app.ui.content."""
