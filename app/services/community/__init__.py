"""app.services.community."""
