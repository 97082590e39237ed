"""How fast a bulk post import is, against a naive importer in the same run.

    python -m benchmarks.post_import [--rows 10000] [--database-url URL] [--brand warisan]

Prepares a fresh demo database (default: a new SQLite file under benchmarks/out/), writes a realistic
template CSV of --rows variants (posts on X, Facebook, LinkedIn and Instagram with an image and alt
text; Malay, Chinese and Indonesian copy with emoji), then times:
  1. import_posts as a dry run (reading and every composer check, no writes);
  2. import_posts for real (checks + bulk inserts + audit rows, committed);
  3. a naive importer: csv.DictReader, one channel lookup per row, the same platform check, and the
     ORM one post at a time (session.add + flush per row, audit.record per post), committed.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from app.db import get_engine, read_session, write_session
from app.demo import seed_first_start
from app.models import Asset, Brand, Channel, Post, PostVariant, variant_assets
from app.models.enums import PostStatus, PostType
from app.services.content import import_posts
from app.services.content.bulk.formats import TEMPLATE_NAMES
from app.services.core import Actor, audit
from app.services.org import prepare_database
from app.services.platforms import MediaInfo, check_variant, errors
from benchmarks.results import Figure, record

OUT = Path(__file__).resolve().parent / "out"
COPIES = (
    "Selamat pagi! ☕ Kopi O panas dan roti bakar, RM9.90 sahaja. Jumpa di kedai! #WarisanKopitiam",
    "早安！☕ 传统咖啡配烤面包，只需 RM9.90。🍞",
    "Es kopi susu gula aren 🧋 diskon 20% hari ini saja. Yuk mampir!",
    "Behind the counter: Pak Din has pulled teh tarik here for 31 years. Ask him for the trick. #Kopitiam",
    "+60 12-345 6789: WhatsApp kami untuk tempahan katering 🍛",
)


def build_file(rows: int, channels: list[str], images: list[str], start: datetime) -> bytes:
    """`rows` variants, one post per len(channels) rows, a post every 15 minutes of local time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_NAMES)
    for i in range(rows):
        post, k = divmod(i, len(channels))
        channel = channels[k]
        when = start + timedelta(minutes=15 * post)
        media = images[post % len(images)] if "instagram" in channel else ""
        cells = {
            "post_key": f"bench-{post}",
            "channel": channel,
            "scheduled_at": when.strftime("%Y-%m-%d %H:%M"),
            "title": f"Benchmark post {post}",
            "copy": f"{COPIES[post % len(COPIES)]} ({post})",
            "link": "https://warisan.example/menu" if post % 3 == 0 else "",
            "post_type": "image",
            "status": "draft",
            "media": media,
            "alt_text": "Nasi lemak on a banana leaf" if media else "",
        }
        writer.writerow([cells.get(c, "") for c in TEMPLATE_NAMES])
    return out.getvalue().encode("utf-8-sig")


def naive_import(engine, actor: Actor, brand_slug: str, data: bytes) -> int:  # type: ignore[no-untyped-def]
    """What a simple importer does: row by row through the ORM, a flush per row."""
    written = 0
    with write_session(engine) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == brand_slug)).one()
        tz = ZoneInfo(brand.market.timezone)
        posts: dict[str, Post] = {}
        for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
            channel = s.scalars(
                select(Channel).where(Channel.brand_id == brand.id, Channel.slug == row["channel"])
            ).one()
            media = []
            asset_id = None
            if row["media"]:
                asset = s.scalars(
                    select(Asset).where(Asset.brand_id == brand.id, Asset.filename == row["media"])
                ).one()
                asset_id = asset.id
                media = [MediaInfo(asset.kind, row["alt_text"], asset.filename)]
            if errors(check_variant(channel.platform, row["copy"], media, row["link"] or None)):
                continue
            when = datetime.fromisoformat(row["scheduled_at"]).replace(tzinfo=tz)
            post = posts.get(row["post_key"])
            if post is None:
                post = Post(
                    brand_id=brand.id, title=row["title"], master_copy=row["copy"], link_url=row["link"] or None,
                    post_type=PostType(row["post_type"]), status=PostStatus.DRAFT, owner_id=actor.user_id,
                    created_by_id=actor.user_id, import_batch="naive",
                )  # fmt: skip
                s.add(post)
                s.flush()
                audit.record(s, actor, "import", "post", post.id, label=post.title, brand_id=brand.id)
                posts[row["post_key"]] = post
            variant = PostVariant(
                post_id=post.id, channel_id=channel.id, brand_id=brand.id, copy=row["copy"],
                status=PostStatus.DRAFT, scheduled_at=when,
            )  # fmt: skip
            s.add(variant)
            s.flush()
            if asset_id is not None:
                s.execute(
                    insert(variant_assets),
                    [
                        {
                            "variant_id": variant.id,
                            "asset_id": asset_id,
                            "position": 0,
                            "alt_text": row["alt_text"],
                        }
                    ],
                )
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.post_import", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", help="default: a new SQLite file under benchmarks/out/")
    parser.add_argument("--brand", default="warisan")
    args = parser.parse_args(argv)

    url = args.database_url
    if url is None:
        OUT.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{OUT / f'post-import-{datetime.now():%Y%m%d-%H%M%S}.sqlite'}"
    engine = get_engine(url)
    prepare_database(engine, seed_demo=seed_first_start)
    print(f"database: {engine.url.render_as_string(hide_password=True)} ({engine.dialect.name})")
    actor = Actor.system("benchmark:post_import")
    with read_session(engine) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == args.brand)).one()
        by_platform = {
            c.platform.value: c.slug for c in s.scalars(select(Channel).where(Channel.brand_id == brand.id))
        }
        images = [
            a.filename
            for a in s.scalars(
                select(Asset).where(Asset.brand_id == brand.id, Asset.rights_expire_at.is_(None))
            )
            if a.alt_text
        ]
    channels = [by_platform[p] for p in ("x", "facebook", "linkedin", "instagram") if p in by_platform]
    start = (datetime.now() + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
    data = build_file(args.rows, channels, images, start)
    print(f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB, channels {', '.join(channels)}")

    timings: dict[str, tuple[float, int]] = {}
    for label, dry in (
        ("import_posts, dry run (checks only)", True),
        ("import_posts (checks + bulk write)", False),
    ):
        started = time.perf_counter()
        with write_session(engine) as s:
            report = import_posts(s, actor, args.brand, data, "bench.csv", dry_run=dry)
        seconds = time.perf_counter() - started
        if report.problems:
            print(f"unexpected problems: {report.problems[:3]}")
            return 1
        timings[label] = (seconds, report.valid_variants)
    started = time.perf_counter()
    naive_rows = naive_import(engine, actor, args.brand, data)
    timings["naive ORM importer (flush per row)"] = (time.perf_counter() - started, naive_rows)
    with read_session(engine) as s:
        made = s.scalar(select(func.count()).select_from(Post).where(Post.import_batch.is_not(None)))
    print(f"\n{made:,} imported posts in the database (both importers)\n")
    for label, (seconds, rows) in timings.items():
        print(f"  {label:<38} {seconds:8.2f} s  {rows / seconds:>10,.0f} rows/s")
    bulk = timings["import_posts (checks + bulk write)"]
    naive = timings["naive ORM importer (flush per row)"]
    print(
        f"\n  import_posts is {(naive[0] / naive[1]) / (bulk[0] / bulk[1]):.1f}x faster per row than the naive importer"
    )
    record(
        Figure(
            "post import",
            f"{args.rows:,} rows, template CSV ({engine.dialect.name})",
            bulk[1] / bulk[0],
            naive[1] / naive[0],
            "rows/s",
            "import_posts",
            "ORM, flush per row",
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
