"""Checks for applicants' materials: PDF, JPEG or PNG by content (never by name), 10 MB at most;
images re-encoded without metadata (gongzufang/uploads.py does the work)."""

import hashlib
from dataclasses import dataclass

import magic
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from gongzufang.uploads import (
    HEADER_BYTES,
    MB,
    clean_pdf_upload,
    strip_image_metadata,
    upload_size,
    validate_image_upload,
)

MAX_BYTES = 10 * MB
MAX_FILES_PER_KIND = 5
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}
ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile  # what is stored: the rewritten PDF, or the re-encoded image
    content_type: str
    extension: str
    sha256: str


def check_material_file(upload) -> CheckedFile:
    """Raise ValidationError (Chinese message) unless the upload is an acceptable material."""
    size = upload_size(upload)
    if size == 0:
        raise ValidationError("文件为空，请重新选择。", code="empty")
    if size > MAX_BYTES:
        raise ValidationError(
            "文件过大（%(size).2f MB），每个文件不能超过 %(limit)d MB。可以压缩图片或分页上传。", code="too_large",
            params={"size": size / MB, "limit": MAX_BYTES // MB},
        )
    upload.seek(0)
    mime = magic.from_buffer(upload.read(HEADER_BYTES), mime=True)
    upload.seek(0)
    if mime == "application/pdf":
        # Stored is pypdf's rewrite of the pages: no JavaScript, actions or embedded files (gongzufang.uploads).
        data = clean_pdf_upload(upload, max_bytes=MAX_BYTES, name="material").read()
        upload.seek(0)
        return CheckedFile(ContentFile(data, name="material.pdf"), "application/pdf", "pdf", hashlib.sha256(data).hexdigest())
    if mime in IMAGE_TYPES:
        validate_image_upload(upload, max_bytes=MAX_BYTES, allowed=IMAGE_TYPES)
        try:
            content = strip_image_metadata(upload, name="material")
        except ValidationError:
            raise
        except Exception:  # passes verify() yet cannot be decoded (truncated data)
            raise ValidationError("图片文件已损坏，请重新拍照或导出后上传。", code="not_an_image") from None
        data = content.read()
        content.seek(0)
        ext = "jpg" if mime == "image/jpeg" else "png"
        return CheckedFile(content, mime, ext, hashlib.sha256(data).hexdigest())
    raise ValidationError(
        "文件内容不是 PDF、JPG 或 PNG（系统按文件内容识别，改扩展名无效），请上传扫描件或照片。", code="type_not_allowed",
    )
