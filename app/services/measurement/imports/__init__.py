"""app.services.measurement.imports."""
