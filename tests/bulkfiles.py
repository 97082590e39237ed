"""Realistic bulk post files for the import tests, written the way real tools write them: this tool's
template (CSV in several encodings and separators, or XLSX), Hootsuite's three header-less columns with
day-first or month-first dates, Sprout Social's `date,time_24hr,message_text,link`. Copy in Malay,
Indonesian and Chinese, with emoji and cells that look like spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from openpyxl import Workbook

from app.services.content.bulk.formats import TEMPLATE_NAMES

# Copy that real teams write for the demo brands (Warisan Kopitiam: Malaysia; Kopi Senja: Indonesia).
COPY_MS = "Selamat pagi! ☕ Kopi O panas dan roti bakar, RM9.90 sahaja. Jumpa di kedai! #WarisanKopitiam"
COPY_ID = "Es kopi susu gula aren 🧋 diskon 20% hari ini saja. Yuk mampir! #KopiSenja"
COPY_ZH = "早安！☕ 传统咖啡配烤面包，只需 RM9.90。🍞 #WarisanKopitiam"
FORMULA_COPY = '=HYPERLINK("http://evil.example","Klik")'
FORMULA_LIKE = ("+60 12-345 6789 WhatsApp kami", "-20% untuk ahli", "@warisankopitiam terima kasih!")


def local_time(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time `days` from today (naive: the importer reads it in the brand's time zone)."""
    base = datetime.now().replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=days)


def iso_local(days: int, hour: int = 10, minute: int = 0) -> str:
    return local_time(days, hour, minute).strftime("%Y-%m-%d %H:%M")


def template_row(**values: str) -> dict[str, str]:
    return {name: values.get(name, "") for name in TEMPLATE_NAMES}


def template_csv(
    rows: Sequence[dict[str, str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    sep_line: bool = False,
    blank_after_header: bool = False,
    columns: Sequence[str] = TEMPLATE_NAMES,
) -> bytes:
    out = io.StringIO()
    if sep_line:
        out.write(f"sep={delimiter}\r\n")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    if blank_after_header:
        out.write("\r\n")
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def template_xlsx(rows: Sequence[dict[str, str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Posts"
    ws.append(list(TEMPLATE_NAMES))
    for row in rows:
        ws.append([row.get(c, "") for c in TEMPLATE_NAMES])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text in Excel, as users do with a leading apostrophe
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hootsuite_csv(
    rows: Sequence[tuple[str, str, str]], *, header: bool = False, encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(["Date", "Message", "Link"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def hootsuite_time(when: datetime, order: str) -> str:
    return when.strftime("%d/%m/%Y %H:%M" if order == "dmy" else "%m/%d/%Y %H:%M")


def sprout_csv(rows: Sequence[tuple[str, str, str, str]], *, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "time_24hr", "message_text", "link"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def big_template(rows: int, channels: Sequence[str], *, start_days: int = 2) -> bytes:
    """`rows` variants: posts of len(channels) variants each, one post every 20 minutes (local time)."""
    copies = (COPY_MS, COPY_ID.replace("#KopiSenja", "#Warisan"), COPY_ZH, *FORMULA_LIKE)
    out = []
    for i in range(rows):
        post, ch = divmod(i, len(channels))
        when = local_time(start_days) + timedelta(minutes=20 * post)
        out.append(
            template_row(
                post_key=f"p{post}",
                channel=channels[ch],
                scheduled_at=when.strftime("%Y-%m-%d %H:%M"),
                title=f"Bulk post {post}",
                copy=f"{copies[post % len(copies)]} ({post})",
                status="draft",
            )
        )
    return template_csv(out)
