"""app.services.content.assets."""
