"""app.services.measurement.dashboards."""
