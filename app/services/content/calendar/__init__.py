"""app.services.content.calendar."""
