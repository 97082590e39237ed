"""app.services.org."""
