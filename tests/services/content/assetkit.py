"""Real files for the asset tests, made in memory: Pillow images, a PNG whose header declares a huge
canvas, the first bytes of an MP4 and a PDF."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png(
    size: tuple[int, int] = (800, 600), color: str = "#4C78A8", alpha: bool = False, seed: int = 0
) -> bytes:
    img = Image.new("RGBA" if alpha else "RGB", size, color)
    # A pixel that differs per seed, so two test files never share a content hash by accident.
    img.putpixel((seed % size[0], 0), (seed % 256, 7, 9, 128) if alpha else (seed % 256, 7, 9))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def jpeg(size: tuple[int, int] = (640, 480), orientation: int | None = None, seed: int = 0) -> bytes:
    img = Image.new("RGB", size, "#E45756")
    img.putpixel((seed % size[0], 0), (seed % 256, 1, 2))
    buf = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        img.save(buf, format="JPEG", exif=exif.tobytes())
    else:
        img.save(buf, format="JPEG")
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int, height: int) -> bytes:
    """A valid-looking PNG of a few hundred bytes that declares width × height pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def mp4(extra: bytes = b"") -> bytes:
    """An ISO BMFF `ftyp` box (brand mp42) and some filler: what an MP4 starts with."""
    return struct.pack(">I", 24) + b"ftypmp42" + b"\x00\x00\x00\x00mp42isom" + b"\x00" * 200 + extra


def mov() -> bytes:
    return struct.pack(">I", 20) + b"ftypqt  " + b"\x00\x00\x02\x00qt  " + b"\x00" * 200


def pdf(extra: bytes = b"") -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + extra
