"""Benchmarks: scripts run by hand (`python -m benchmarks.<name>`), never as timed tests."""
