"""app.services.measurement.competitors."""
