"""app.services.content.bulk."""
