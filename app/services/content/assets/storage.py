"""Asset files on disk: upload limits from the settings, what a file really is (magic bytes, not its
name), image facts and thumbnails (Pillow), and content-addressed storage kept inside `assets/`."""

from __future__ import annotations

import contextlib
import io
import os
import re
import unicodedata
import uuid
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from app.config import ConfigError, get_settings, read_settings, setting
from app.models.enums import AssetKind
from app.services.core import ValidationError

MB = 1024 * 1024
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
THUMBS_DIR = "thumbs"


@dataclass(frozen=True)
class FileFormat:
    """One format the library can recognise by content; `extensions` are the names it may carry."""

    key: str
    kind: AssetKind
    mime: str
    label: str
    extensions: tuple[str, ...]
    pillow: tuple[str, ...] = ()  # Pillow's names for it (images only)

    @property
    def a_label(self) -> str:
        """'a PDF document', 'an MP4 video' (M is read "em")."""
        return ("an " if self.label[0] in "AEIOUM" else "a ") + self.label


FORMATS: dict[str, FileFormat] = {
    f.key: f
    for f in (
        FileFormat("png", AssetKind.IMAGE, "image/png", "PNG image", ("png",), ("PNG",)),
        FileFormat("jpeg", AssetKind.IMAGE, "image/jpeg", "JPEG image", ("jpg", "jpeg"), ("JPEG", "MPO")),
        FileFormat("gif", AssetKind.IMAGE, "image/gif", "GIF image", ("gif",), ("GIF",)),
        FileFormat("webp", AssetKind.IMAGE, "image/webp", "WebP image", ("webp",), ("WEBP",)),
        # MP4 and QuickTime are the same container (ISO BMFF); phones name either kind either way.
        FileFormat("mp4", AssetKind.VIDEO, "video/mp4", "MP4 video", ("mp4", "m4v", "mov")),
        FileFormat("mov", AssetKind.VIDEO, "video/quicktime", "QuickTime video", ("mov", "mp4")),
        FileFormat("webm", AssetKind.VIDEO, "video/webm", "WebM video", ("webm",)),
        FileFormat("pdf", AssetKind.DOCUMENT, "application/pdf", "PDF document", ("pdf",)),
        FileFormat("mp3", AssetKind.AUDIO, "audio/mpeg", "MP3 audio", ("mp3",)),
        FileFormat("wav", AssetKind.AUDIO, "audio/wav", "WAV audio", ("wav",)),
        FileFormat("m4a", AssetKind.AUDIO, "audio/mp4", "M4A audio", ("m4a",)),
    )
}
KNOWN_EXTENSIONS = frozenset(e for f in FORMATS.values() for e in f.extensions)

# The defaults live in the settings table (app/config/table.py); these are for a limit built by hand.
DEFAULT_MAX_IMAGE_PIXELS = setting("asset_max_image_pixels").default
DEFAULT_THUMBNAIL_PX = setting("asset_thumbnail_px").default

KIND_PLURAL = {
    AssetKind.IMAGE: "images",
    AssetKind.VIDEO: "videos",
    AssetKind.DOCUMENT: "documents",
    AssetKind.AUDIO: "audio files",
}


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: Mapping[AssetKind, int]
    types: Mapping[AssetKind, tuple[str, ...]]
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    thumbnail_px: int = DEFAULT_THUMBNAIL_PX

    @property
    def extensions(self) -> list[str]:
        """Every accepted file name ending, for the uploader's `type` list."""
        return sorted({e for exts in self.types.values() for e in exts})

    def kind_of_extension(self, ext: str) -> AssetKind | None:
        return next((k for k, exts in self.types.items() if ext in exts), None)

    def describe(self) -> list[str]:
        """One line per accepted kind, e.g. 'images: jpg, png (up to 20 MB)'."""
        return [
            f"{KIND_PLURAL[k]}: {', '.join(exts)} (up to {human_size(self.max_bytes[k])})"
            for k, exts in self.types.items()
            if exts
        ]


def upload_limits(section: Mapping[str, Any] | None = None) -> UploadLimits:
    """The limits in force, from the settings (environment first, then the [assets] section); a test
    may hand in the section itself."""
    settings = read_settings(None if section is None else {"assets": section})
    max_bytes: dict[AssetKind, int] = {}
    types: dict[AssetKind, tuple[str, ...]] = {}
    for kind in AssetKind:
        max_bytes[kind] = int(settings.value(f"asset_max_mb_{kind.value}") * MB)
        exts = settings.value(f"asset_{kind.value}_types")
        own = {e for f in FORMATS.values() if f.kind == kind for e in f.extensions}
        unknown = [e for e in exts if e not in own]
        if unknown:
            raise ConfigError(
                f"[assets] {kind.value}_types: {', '.join(unknown)} cannot be checked by content "
                f"(known {KIND_PLURAL[kind]}: {', '.join(sorted(own))})"
            )
        types[kind] = exts
    return UploadLimits(
        max_bytes, types, settings.value("asset_max_image_pixels"), settings.value("asset_thumbnail_px")
    )


def human_size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:,.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:,.1f} KB".replace(".0 KB", " KB")
    return f"{n} bytes"


def clean_filename(raw: str | None) -> str:
    """The uploaded name reduced to a harmless label: no folders, no control characters (NUL included:
    'a.png\\x00.exe' becomes 'a.png.exe', whose ending is then refused), at most 200 characters. It is
    metadata only; the stored file is always named by its content hash."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = name.strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 199 - len(ext)] + dot + ext if dot and len(ext) <= 10 else name[:200]
    return name


def extension(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def sniff(data: bytes) -> FileFormat | None:
    """The format the bytes themselves declare (first few bytes), whatever the file is called."""
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FORMATS["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return FORMATS["jpeg"]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return FORMATS["gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FORMATS["webp"]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return FORMATS["wav"]
    if head.startswith(b"%PDF-"):
        return FORMATS["pdf"]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return FORMATS["m4a"]
        return FORMATS["mov"] if brand == b"qt  " else FORMATS["mp4"]
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip") and len(data) >= 8:
        return FORMATS["mov"]  # old QuickTime files start with an atom instead of `ftyp`
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # EBML: WebM declares its doctype early; other Matroska files (.mkv) are not accepted.
        return FORMATS["webm"] if b"webm" in data[:4096] else None
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return FORMATS["mp3"]
    return None


@dataclass(frozen=True)
class CheckedFile:
    filename: str  # the cleaned original name
    ext: str  # the ending the stored file gets
    fmt: FileFormat
    size: int


def check_upload(filename: str | None, data: bytes, limits: UploadLimits) -> CheckedFile:
    """Refuse, with a message naming the file, anything empty, of a type not accepted, whose content
    does not match its name, or over its kind's size limit."""
    name = clean_filename(filename)
    shown = name or "the file"
    size = len(data)
    if size == 0:
        raise ValidationError(f"'{shown}' is empty (0 bytes)", field="data", value=shown)
    accepted = ", ".join(limits.extensions)
    ext = extension(name)
    if ext and limits.kind_of_extension(ext) is None:
        raise ValidationError(
            f"'{shown}': .{ext} files are not accepted; the library takes {accepted}",
            field="filename",
            value=shown,
        )
    fmt = sniff(data)
    if fmt is None:
        raise ValidationError(
            f"'{shown}' is not a file type the library recognises by its content (it takes {accepted})",
            field="data",
            value=shown,
        )
    if ext and ext not in fmt.extensions:
        raise ValidationError(
            f"'{shown}' is named .{ext} but its content is {fmt.a_label}; rename it or upload the real file",
            field="data",
            value=shown,
        )
    ext = ext or next((e for e in fmt.extensions if e in limits.types[fmt.kind]), "")
    if not ext or ext not in limits.types[fmt.kind]:
        raise ValidationError(
            f"'{shown}' is {fmt.a_label}, which the library does not accept (it takes {accepted})",
            field="data",
            value=shown,
        )
    limit = limits.max_bytes[fmt.kind]
    if size > limit:
        raise ValidationError(
            f"'{shown}' is {human_size(size)}; {KIND_PLURAL[fmt.kind]} may be at most {human_size(limit)}",
            field="size",
            value=size,
        )
    return CheckedFile(name or f"upload.{ext}", ext, fmt, size)


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    thumbnail: bytes
    thumbnail_ext: str


def inspect_image(data: bytes, checked: CheckedFile, limits: UploadLimits) -> ImageFacts:
    """Open the image with Pillow (refusing what it cannot read, or reads as another format), check its
    pixel count before decoding (a small file can declare a huge canvas), and draw a thumbnail."""
    shown = checked.filename
    unreadable = ValidationError(f"'{shown}' cannot be read as an image", field="data", value=shown)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; here that is a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > limits.max_image_pixels:
                raise _too_big(shown, width, height, limits)
            # Phones write JPEGs with extra frames that Pillow names MPO.
            if img.format not in checked.fmt.pillow:
                raise unreadable
            img.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            f"'{shown}' declares an image too large to open safely "
            f"(more than {min(limits.max_image_pixels, Image.MAX_IMAGE_PIXELS or 0) / 1e6:,.0f} megapixels)",
            field="data",
            value=shown,
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise unreadable from None
    # Odd EXIF must not refuse a photo that decoded fine: it is then kept unrotated.
    with contextlib.suppress(Exception):
        img = ImageOps.exif_transpose(img) or img
    width, height = img.size
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    thumb = img.convert("RGBA" if has_alpha else "RGB")
    thumb.thumbnail((limits.thumbnail_px, limits.thumbnail_px))
    buf = io.BytesIO()
    if has_alpha:
        thumb.save(buf, format="PNG", optimize=True)
    else:
        thumb.save(buf, format="JPEG", quality=85)
    return ImageFacts(width, height, buf.getvalue(), "png" if has_alpha else "jpg")


def _too_big(shown: str, width: int, height: int, limits: UploadLimits) -> ValidationError:
    return ValidationError(
        f"'{shown}' is {width:,} × {height:,} px ({width * height / 1e6:,.0f} megapixels); images may "
        f"have at most {limits.max_image_pixels / 1e6:,.0f} megapixels",
        field="data",
        value=shown,
    )


def assets_root() -> Path:
    return (get_settings().data_dir / "assets").resolve()


def resolve_asset_path(storage_path: str | None, root: Path | None = None) -> Path | None:
    """The absolute path of a stored file, or None when `storage_path` is empty, absolute, or would
    leave the assets folder (e.g. `../../etc/passwd` or a symlink pointing outside): a database row
    must never make the app read an arbitrary file."""
    if not storage_path or "\x00" in storage_path:
        return None
    base = (root or assets_root()).resolve()
    relative = Path(storage_path)
    if relative.is_absolute() or relative.drive:
        return None
    candidate = (base / relative).resolve()
    if candidate == base or not candidate.is_relative_to(base):
        return None
    return candidate


def storage_name(brand_slug: str, sha: str, ext: str, *, thumbnail: bool = False) -> str:
    """`<brand>/<sha256>.<ext>` (or `<brand>/thumbs/...`): built only from checked parts, so nothing a
    user typed reaches the file system."""
    if not SLUG_RE.match(brand_slug) or not SHA256_RE.match(sha) or ext not in KNOWN_EXTENSIONS:
        raise ValueError(f"unsafe storage name parts: {brand_slug!r}, {sha!r}, {ext!r}")
    return f"{brand_slug}/{THUMBS_DIR}/{sha}.{ext}" if thumbnail else f"{brand_slug}/{sha}.{ext}"


def write_file(relative: str, data: bytes, root: Path | None = None) -> Path:
    """Write atomically (temp file + rename), so a reader never sees half a file; content-addressed,
    so a file already there with the same size is kept."""
    path = resolve_asset_path(relative, root)
    if path is None:
        raise ValueError(f"refusing to write outside the assets folder: {relative!r}")
    if path.is_file() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def remove_files(relatives: Iterable[str], root: Path | None = None) -> None:
    """Best effort: a file that is already gone, or a path that would leave the folder, is skipped."""
    for relative in relatives:
        path = resolve_asset_path(relative, root)
        if path is not None and path.is_file():
            path.unlink(missing_ok=True)
