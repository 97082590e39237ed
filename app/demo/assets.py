"""Demo assets: small real PNG files drawn with Pillow (brand colour and a shape) stored by content
hash under the data folder, their rights (UGC permission, an expired licence), tags and variant links."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw

from app.config import get_settings
from app.demo.people import BRAND_EDITOR
from app.demo.state import DemoState
from app.models.enums import AssetKind, PostStatus, PostType, TagScope

# (title, alt text, shape, (width, height), rights)
ASSETS: dict[str, tuple[tuple[str, str, str, tuple[int, int], str], ...]] = {
    "lumi": (
        (
            "Barrier Repair Cream hero",
            "A white tube of Barrier Repair Cream on a pale pink background.",
            "circle",
            (320, 400),
            "brand",
        ),
        (
            "Humid-day routine flat-lay",
            "Cleanser, cream and sunscreen laid out on a towel.",
            "rect",
            (320, 320),
            "agency",
        ),
        (
            "Ceramide Serum teaser",
            "A glass dropper bottle in soft light, label hidden.",
            "triangle",
            (320, 568),
            "agency",
        ),
        (
            "Customer shelf (UGC)",
            "A bathroom shelf with three Lumi products and a plant.",
            "rect",
            (320, 320),
            "ugc",
        ),
        (
            "Clinic photoshoot, model portrait",
            "A smiling woman touching her cheek.",
            "circle",
            (320, 400),
            "expired",
        ),
        ("Logo lockup", "", "rect", (320, 180), "brand"),
    ),
    "warisan": (
        (
            "Nasi lemak set, top view",
            "Nasi lemak with sambal, egg, peanuts and anchovies on a banana leaf.",
            "circle",
            (320, 320),
            "agency",
        ),
        (
            "Kopi O pour",
            "Dark coffee poured from a height into a thick white cup.",
            "triangle",
            (320, 400),
            "agency",
        ),
        (
            "1972 outlet photo (archive)",
            "Black-and-white photo of a corner coffee shop with marble tables.",
            "rect",
            (320, 240),
            "brand",
        ),
        (
            "Teh tarik 2 m (UGC clip cover)",
            "A barista pulling tea high above his head.",
            "triangle",
            (320, 568),
            "ugc",
        ),
        (
            "Breakfast set RM9.90 key visual",
            "Toast, two half-boiled eggs and coffee with a price tag.",
            "rect",
            (320, 320),
            "licensed",
        ),
        ("Logo lockup", "Warisan Kopitiam logo.", "circle", (320, 180), "brand"),
    ),
    "senja": (
        (
            "Es kopi susu, golden hour",
            "An iced milk coffee on a table at sunset.",
            "circle",
            (320, 400),
            "agency",
        ),
        (
            "Bajawa farm, Flores",
            "Coffee cherries on a branch with mountains behind.",
            "triangle",
            (320, 240),
            "licensed",
        ),
        (
            "Pak Yosef portrait",
            "An older farmer holding a basket of red coffee cherries.",
            "rect",
            (320, 400),
            "expired",
        ),
        (
            "Community repost #NgopiDulu",
            "Two friends laughing over iced coffees.",
            "circle",
            (320, 320),
            "ugc",
        ),
        (
            "Senja Rewards app screen",
            "The rewards screen of the Kopi Senja app showing double points.",
            "rect",
            (320, 568),
            "brand",
        ),
        ("Logo lockup", "Kopi Senja logo.", "triangle", (320, 180), "brand"),
    ),
}
RIGHTS: dict[str, tuple[str, str]] = {
    "brand": ("{brand}", "Brand-owned"),
    "agency": ("Kopi Digital Agency", "Work for hire, all rights assigned to the client"),
    "ugc": ("@{handle} (customer)", "UGC: permission granted by DM, repost with credit"),
    "licensed": ("Studio Halo Photography", "Social media usage licence, 24 months"),
    "expired": ("Studio Halo Photography", "Social media usage licence, 12 months (expired)"),
}
ASSET_TAGS = ("product shot", "ugc", "lifestyle", "logo", "archive")


def _png(color: str, shape: str, size: tuple[int, int], n: int) -> bytes:
    """A small, deterministic PNG: brand colour, a white shape and n+1 dots (so no two files of a
    brand share a hash), nothing random."""
    img = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(img)
    w, h = size
    for k in range(n + 1):
        draw.ellipse((12 + 18 * k, 12, 24 + 18 * k, 24), fill="white")
    box = (w * 0.25, h * 0.25, w * 0.75, h * 0.75)
    if shape == "circle":
        draw.ellipse(box, fill="white")
    elif shape == "triangle":
        draw.polygon([(w / 2, h * 0.2), (w * 0.8, h * 0.8), (w * 0.2, h * 0.8)], fill="white")
    else:
        draw.rectangle(box, outline="white", width=8)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def build(st: DemoState) -> None:
    w, rng, now = st.w, st.rng, st.now
    root = get_settings().data_dir / "assets"
    tag_ids = {
        name: w.add("tags", workspace_id=st.workspace_id, scope=TagScope.ASSET, name=name, color="#72B7B2")
        for name in ASSET_TAGS
    }
    for brand in st.brands.values():
        handle = rng.choice(("jasmine.skin", "aiman_makan", "dindaa.ngopi"))
        usable: list[tuple[int, str]] = []
        expired_ids: list[tuple[int, str]] = []
        for n, (title, alt, shape, size, rights) in enumerate(ASSETS[brand.slug]):
            data = _png(brand.spec.color, shape, size, n)
            sha = hashlib.sha256(data).hexdigest()
            _store(root / brand.slug, f"{sha}.png", data)
            owner, licence = RIGHTS[rights]
            aid = w.add(
                "assets",
                brand_id=brand.id,
                filename=f"{brand.slug}-{n + 1:02d}.png",
                storage_path=f"{brand.slug}/{sha}.png",
                content_hash=sha,
                mime_type="image/png",
                kind=AssetKind.IMAGE,
                size_bytes=len(data),
                width=size[0],
                height=size[1],
                duration_seconds=None,
                title=title,
                alt_text=alt,
                rights_owner=owner.format(brand=brand.spec.name, handle=handle),
                licence=licence,
                ugc_permission=rights == "ugc",
                rights_expire_at=(
                    now - timedelta(days=10)
                    if rights == "expired"
                    else now + timedelta(days=400)
                    if rights == "licensed"
                    else None
                ),
                uploaded_by_id=st.people[BRAND_EDITOR[brand.slug]],
                extra={"source": "demo", "shape": shape},
                created_at=now - timedelta(days=170 - 25 * n),
            )
            tag = (
                "logo"
                if "Logo" in title
                else "ugc"
                if rights == "ugc"
                else "product shot"
                if n < 2
                else "lifestyle"
            )
            w.add("asset_tags", asset_id=aid, tag_id=tag_ids[tag])
            (expired_ids if rights == "expired" else usable).append((aid, alt))
        video_id = _video(st, brand, root, tag_ids["product shot"])
        _link(st, brand.slug, usable, expired_ids, video_id)


def _store(folder: Path, name: str, data: bytes) -> None:
    """Content-addressed, so a second seed of the same demo finds the file already there."""
    path = folder / name
    if path.exists() and path.stat().st_size == len(data):
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


# The smallest file the library recognises as MP4 (an `ftyp` box): the demo's clip for the channels that
# only take video. It has no frames, so the library shows an icon, not a thumbnail.
DEMO_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
MEDIA_ONLY = {"instagram", "tiktok", "youtube", "pinterest"}
VIDEO_FIRST = {"youtube", "tiktok"}


def _video(st: DemoState, brand: object, root: Path, tag_id: int) -> int:
    data = DEMO_MP4 + brand.slug.encode()  # type: ignore[attr-defined]
    sha = hashlib.sha256(data).hexdigest()
    _store(root / brand.slug, f"{sha}.mp4", data)  # type: ignore[attr-defined]
    aid = st.w.add(
        "assets",
        brand_id=brand.id,
        filename=f"{brand.slug}-clip.mp4",
        storage_path=f"{brand.slug}/{sha}.mp4",  # type: ignore[attr-defined]
        content_hash=sha,
        mime_type="video/mp4",
        kind=AssetKind.VIDEO,
        size_bytes=len(data),
        width=1080,
        height=1920,
        duration_seconds=15.0,
        title=f"{brand.spec.name} 15-second clip",  # type: ignore[attr-defined]
        alt_text="",
        rights_owner=brand.spec.name,
        licence="Brand-owned",
        ugc_permission=False,  # type: ignore[attr-defined]
        rights_expire_at=None,
        uploaded_by_id=st.people[BRAND_EDITOR[brand.slug]],  # type: ignore[attr-defined]
        extra={"source": "demo"},
        created_at=st.now - timedelta(days=160),
    )
    st.w.add("asset_tags", asset_id=aid, tag_id=tag_id)
    return aid


def _link(
    st: DemoState, slug: str, usable: list[tuple[int, str]], expired: list[tuple[int, str]], video_id: int
) -> None:
    """Attach media the way the platform rules want it: images to image-like posts, and to every variant
    on a channel that only takes media (Instagram, TikTok, YouTube, Pinterest) — a video where the
    channel is video-first. Only images with alt text; an expired licence only to posts already out."""
    visual = (PostType.IMAGE, PostType.CAROUSEL, PostType.STORY)
    live = (PostStatus.PUBLISHED, PostStatus.SCHEDULED, PostStatus.APPROVED, PostStatus.IN_REVIEW)
    described = [(aid, alt) for aid, alt in usable if alt]
    for post in st.posts:
        if post.brand.slug != slug:
            continue
        pool = described + ([e for e in expired if e[1]] if post.status == PostStatus.PUBLISHED else [])
        k = 3 if post.post_type == PostType.CAROUSEL else 1
        chosen = st.rng.sample(pool, min(k, len(pool)))
        wants_images = (
            post.post_type in visual and post.status in live and post.day >= st.today - timedelta(days=60)
        )
        for v in post.variants:
            platform = v.channel.platform.value
            if platform in VIDEO_FIRST and (
                platform == "youtube" or post.post_type in (PostType.VIDEO, PostType.REEL)
            ):
                st.w.add("variant_assets", variant_id=v.id, asset_id=video_id, position=0, alt_text=None)
                continue
            if not (wants_images or platform in MEDIA_ONLY):
                continue
            for pos, (aid, alt) in enumerate(chosen):
                # A variant-specific alt text only where the platform crop changes what is visible.
                own_alt = f"{alt} (cropped 9:16)" if platform == "tiktok" else None
                st.w.add("variant_assets", variant_id=v.id, asset_id=aid, position=pos, alt_text=own_alt)
