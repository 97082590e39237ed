"""app.services.publishing."""
