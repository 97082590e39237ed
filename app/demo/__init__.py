"""Demo data: the realistic "Kopi Digital Agency" workspace a newcomer sees on first start, and the
agency-scale synthetic data set (thousands of brands, millions of metric rows) for load and speed tests."""

from app.demo.agency import build_agency
from app.demo.common import DemoSummary
from app.demo.workspace import seed_demo_workspace

__all__ = ["DemoSummary", "build_agency", "seed_demo_workspace"]
