"""app.ui.sops."""
