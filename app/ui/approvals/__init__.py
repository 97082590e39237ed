"""app.ui.approvals."""
