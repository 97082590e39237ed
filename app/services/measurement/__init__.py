"""app.services.measurement."""
