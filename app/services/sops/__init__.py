"""app.services.sops."""
