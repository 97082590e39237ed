"""app.services.crisis."""
