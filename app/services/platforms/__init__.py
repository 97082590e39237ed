"""app.services.platforms."""
