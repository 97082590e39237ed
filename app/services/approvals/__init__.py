"""app.services.approvals."""
