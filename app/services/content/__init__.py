"""app.services.content."""
