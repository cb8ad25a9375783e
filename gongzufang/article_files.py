"""Upload checks for article images and PDF attachments, on top of gongzufang/uploads.py.

uploads.py judges the type by content (libmagic, then Pillow), checks size before anything is
decoded and pixel count from the header (decompression bombs are refused undecoded), and
re-encodes accepted images without EXIF. Articles add their own limits: a smaller file size, a
longest side, a smallest side, and a larger PDF limit (scanned policy documents). PDFs are stored as
uploads.py rewrites them (pages only, no scripts, actions or embedded files).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from gongzufang import uploads

# Defaults; a deployment may override each in settings (read at call time).
LIMITS = {
    "ARTICLE_IMAGE_MAX_BYTES": 5 * uploads.MB,
    "ARTICLE_IMAGE_MAX_SIDE": 6000,
    "ARTICLE_IMAGE_MAX_PIXELS": 24_000_000,
    "ARTICLE_IMAGE_MIN_SIDE": 16,
    "ARTICLE_PDF_MAX_BYTES": 20 * uploads.MB,
}


def limit(name):
    return getattr(settings, name, LIMITS[name])


@dataclass(frozen=True)
class StoredImage:
    content_type: str
    width: int
    height: int


def _check_sides(width, height):
    max_side, min_side = limit("ARTICLE_IMAGE_MAX_SIDE"), limit("ARTICLE_IMAGE_MIN_SIDE")
    if width > max_side or height > max_side:
        raise ValidationError(
            "图片尺寸过大（%(w)s × %(h)s 像素），长边不能超过 %(side)s 像素。",
            code="too_many_pixels", params={"w": width, "h": height, "side": max_side},
        )
    if width < min_side or height < min_side:
        raise ValidationError(
            "图片太小（%(w)s × %(h)s 像素），每边至少 %(side)s 像素。",
            code="too_few_pixels", params={"w": width, "h": height, "side": min_side},
        )


def clean_image_upload(file):
    """(re-encoded file without metadata, StoredImage) — or ValidationError with the reason."""
    max_bytes, max_pixels = limit("ARTICLE_IMAGE_MAX_BYTES"), limit("ARTICLE_IMAGE_MAX_PIXELS")
    info = uploads.validate_image_upload(file, max_bytes=max_bytes, max_pixels=max_pixels)
    _check_sides(info.width, info.height)
    cleaned = uploads.clean_image_upload(file, max_bytes=max_bytes, max_pixels=max_pixels)
    # EXIF orientation may have turned the picture: the stored size is the re-encoded one.
    width, height = (info.height, info.width) if _turned(cleaned, info) else (info.width, info.height)
    return cleaned, StoredImage(info.mime, width, height)


def _turned(cleaned, info):
    from PIL import Image

    cleaned.seek(0)
    with Image.open(cleaned) as image:
        size = image.size
    cleaned.seek(0)
    return size != (info.width, info.height)


def clean_pdf_upload(file):
    """The PDF to store: parsed and rewritten without scripts, actions or embedded files
    (gongzufang.uploads.clean_pdf_upload), within the article limit — or ValidationError."""
    return uploads.clean_pdf_upload(file, max_bytes=limit("ARTICLE_PDF_MAX_BYTES"))
