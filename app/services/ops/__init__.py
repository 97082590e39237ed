"""app.services.ops."""
