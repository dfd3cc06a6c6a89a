"""What a file really is (by its first bytes, never its name), and images re-encoded by Pillow:
turned upright, without metadata (a phone photo's EXIF carries where it was taken), with a
thumbnail.

Pillow is imported when a file is processed, not when the app starts: a web worker that never
receives an upload does not carry it (issue 11's per-worker memory budget).
"""

from __future__ import annotations

import dataclasses
import io
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

from forum.core.errors import ForumError


class UnsupportedType(ForumError):
    """The file is not a type the forum accepts (SVG, HTML, executables, anything unknown)."""

    status = 415
    code = "unsupported_type"
    default_message = "This type of file cannot be uploaded."


class TooLarge(ForumError):
    """The file, the image's pixels or the uploader's quota are over their limit."""

    status = 413
    code = "too_large"
    default_message = "The file is too large."


@dataclasses.dataclass(frozen=True)
class FileType:
    name: str  # "png", "jpeg", "webp", "gif", "pdf"
    content_type: str
    extension: str
    is_image: bool


IMAGE_TYPES = {
    "png": FileType("png", "image/png", "png", True),
    "jpeg": FileType("jpeg", "image/jpeg", "jpg", True),
    "webp": FileType("webp", "image/webp", "webp", True),
    "gif": FileType("gif", "image/gif", "gif", True),
}
DOCUMENT_TYPES = {"pdf": FileType("pdf", "application/pdf", "pdf", False)}
# Pillow's name for each image format, so the decoder must agree with the first bytes.
_PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}


def sniff(data: bytes, document_types: list[str]) -> FileType:
    """The type of `data` by its signature: one of the four raster image types, or one of the
    configured document types. Raises UnsupportedType for anything else (SVG and HTML are
    text and have no such signature)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE_TYPES["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return IMAGE_TYPES["jpeg"]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return IMAGE_TYPES["webp"]
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return IMAGE_TYPES["gif"]
    if "pdf" in document_types and data.startswith(b"%PDF-"):
        return DOCUMENT_TYPES["pdf"]
    accepted = ", ".join(["PNG", "JPEG", "WebP", "GIF", *(t.upper() for t in document_types)])
    raise UnsupportedType(
        f"This file is not one the forum accepts ({accepted}).",
        fields={"file": f"Choose a {accepted} file."},
    )


@dataclasses.dataclass(frozen=True)
class Processed:
    data: bytes
    thumbnail: bytes
    thumbnail_type: FileType
    width: int
    height: int


def _open(data: bytes, kind: FileType, max_pixels: int) -> Image.Image:
    """The image, checked against the pixel limit before its pixels are decoded."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise TooLarge(
                    f"The image is {width} by {height} pixels; the most is {max_pixels:,} pixels.",
                    fields={"file": "Use a smaller image."},
                )
            frames = getattr(image, "n_frames", 1) if kind.name == "gif" else 1
            if width * height * frames > max_pixels:
                raise TooLarge(
                    f"The animation has {frames} frames of {width} by {height} pixels; the most "
                    f"is {max_pixels:,} pixels in all.",
                    fields={"file": "Use a shorter or smaller animation."},
                )
            if image.format != _PILLOW_FORMATS[kind.name]:
                raise UnidentifiedImageError(image.format)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLarge(
            "The image has too many pixels.", fields={"file": "Use a smaller image."}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedType(
            "The image could not be read.", fields={"file": "The image is damaged or incomplete."}
        ) from exc
    return image


def _save(image: Image.Image, kind: FileType, **options: object) -> bytes:
    out = io.BytesIO()
    if kind.name == "jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(out, _PILLOW_FORMATS[kind.name], **options)
    return out.getvalue()


def process_image(data: bytes, kind: FileType, *, max_pixels: int, thumb_size: int) -> Processed:
    """`data` decoded, turned by its EXIF orientation, and encoded again from the pixels alone
    (no EXIF, XMP, comments or text chunks; the colour profile stays), with a thumbnail no
    larger than `thumb_size` on its longest side. An animated GIF keeps its frames.

    Raises TooLarge past `max_pixels`, UnsupportedType when Pillow cannot decode it."""
    from PIL import Image, ImageOps

    image = _open(data, kind, max_pixels)
    icc = image.info.get("icc_profile")
    animated = kind.name == "gif" and getattr(image, "n_frames", 1) > 1
    if animated:
        frames = _frames(image)
        out = io.BytesIO()
        frames[0].save(
            out,
            "GIF",
            save_all=True,
            append_images=frames[1:],
            loop=image.info.get("loop", 0),
            duration=image.info.get("duration", 100),
        )
        encoded = out.getvalue()
        upright = frames[0]
    else:
        upright = ImageOps.exif_transpose(image) or image
        clean = Image.new(upright.mode, upright.size)
        if upright.mode == "P":
            clean.putpalette(upright.getpalette() or [])
            if "transparency" in upright.info:
                clean.info["transparency"] = upright.info["transparency"]
        clean.paste(upright)
        options: dict[str, object] = {}
        if icc:
            options["icc_profile"] = icc
        if kind.name == "jpeg":
            options.update(quality=88, optimize=True)
        if kind.name == "gif" and "transparency" in clean.info:
            options["transparency"] = clean.info["transparency"]
        encoded = _save(clean, kind, **options)
        upright = clean
    thumb = upright.convert("RGBA") if upright.mode in ("P", "LA") else upright.copy()
    thumb.thumbnail((thumb_size, thumb_size))
    thumb_kind = IMAGE_TYPES["jpeg"] if kind.name == "jpeg" else IMAGE_TYPES["png"]
    thumbnail = _save(thumb, thumb_kind, **({"quality": 85} if thumb_kind.name == "jpeg" else {}))
    return Processed(encoded, thumbnail, thumb_kind, upright.width, upright.height)


def _frames(image: Image.Image) -> list[Image.Image]:
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frames.append(image.convert("RGBA"))
    return frames
