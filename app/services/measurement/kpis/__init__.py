"""app.services.measurement.kpis."""
