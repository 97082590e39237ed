"""Competitor benchmarks: each competitor's audience, output, engagement and share of voice, and their
import from a file."""
