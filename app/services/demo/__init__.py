"""Demo data: the realistic "Kopi Digital Agency" workspace a newcomer sees on first start, and the
agency-scale synthetic data set (thousands of brands, millions of metric rows) for load and speed tests."""

from app.services.demo.agency import build_agency
from app.services.demo.common import DemoSummary
from app.services.demo.workspace import seed_demo_workspace

__all__ = ["DemoSummary", "build_agency", "seed_demo_workspace"]
