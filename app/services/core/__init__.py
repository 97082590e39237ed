"""app.services.core."""
