"""Malformed analytics exports thrown at the importer (hypothesis): random bytes, real exports cut short,
with bytes spliced in, delimiters swapped, cells replaced by arbitrary text. Expected: a clear
ValidationError naming what is wrong, or refused rows in the report, and in both cases nothing written;
never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.models import AuditLog, Channel, ChannelDailyMetric, Conversion, PostMetricSnapshot
from app.services.core import Actor, ValidationError
from app.services.measurement import import_metrics

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
SAMPLES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".csv", ".xlsx"))
ADMIN = Actor.system("test:fuzz")
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _counts(s: Session) -> tuple:
    return tuple(
        s.scalar(select(func.count()).select_from(t))
        for t in (ChannelDailyMetric, PostMetricSnapshot, Conversion, AuditLog, Channel)
    )


def _attempt(engine: Engine, data: bytes, name: str) -> None:
    with Session(engine) as s:
        before = _counts(s)
        try:
            report = import_metrics(s, ADMIN, "warisan", data, name)
        except ValidationError as exc:
            assert str(exc).strip() and exc.field  # says what is wrong, and where
            assert _counts(s) == before
        else:
            if report.problems:
                assert all(p.row >= 1 and p.reason for p in report.problems)
                assert not report.written and _counts(s) == before
        finally:
            s.rollback()


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["export.csv", "export.xlsx", "Table data.csv"]))
def test_random_bytes(module_demo_db: Engine, data: bytes, name: str) -> None:
    _attempt(module_demo_db, data, name)


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_damaged_real_exports(module_demo_db: Engine, sample: Path, data: st.DataObject) -> None:
    raw = sample.read_bytes()
    how = data.draw(st.sampled_from(["cut", "splice", "delimiter", "nul"]))
    at = data.draw(st.integers(0, len(raw)))
    if how == "cut":
        raw = raw[:at]
    elif how == "splice":
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=40)) + raw[at:]
    elif how == "delimiter":
        raw = raw.replace(b",", data.draw(st.sampled_from([b";", b"\t", b"|", b'"'])))
    else:
        raw = raw[:at] + b"\x00" * 7 + raw[at:]
    _attempt(module_demo_db, raw, sample.name)


_CELL = st.text(max_size=30) | st.sampled_from(
    ["-", "1,234", "1.234,5", "12%", "1.2K", "31/02/2025", "", "Total"]
)


@FUZZ
@given(
    st.sampled_from([p for p in SAMPLES if p.suffix == ".csv"]),
    st.lists(st.lists(_CELL, max_size=12), max_size=6),
)
def test_arbitrary_cells_under_a_real_header(
    module_demo_db: Engine, sample: Path, rows: list[list[str]]
) -> None:
    text = sample.read_bytes().decode("utf-16" if b"\x00" in sample.read_bytes()[:10] else "utf-8-sig")
    lines = text.splitlines()
    header = next(
        i for i, line in enumerate(lines) if line.count(",") + line.count("\t") + line.count(";") >= 3
    )
    delim = max((",", "\t", ";"), key=lines[header].count)
    body = ["".join(c for c in delim.join(r) if c not in "\r\n") for r in rows]
    _attempt(module_demo_db, "\n".join([*lines[: header + 1], *body]).encode(), sample.name)


def test_every_fixture_is_fuzzed() -> None:
    assert len(SAMPLES) >= 12  # a moved fixture folder would silently fuzz nothing
