"""app.services.measurement.metrics."""
