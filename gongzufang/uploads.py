"""Checks for uploaded files, reused by every form that takes a file (photos, articles, applicant materials).

- The type is decided by the content (libmagic, then Pillow), never by the file name or the browser's
  Content-Type: a text file renamed `.jpg` is refused.
- Size is checked before anything is decoded; pixel dimensions are read from the header and checked
  before the pixels are decoded, so a small file that expands to gigabytes (a decompression bomb) is
  refused without being decompressed.
- Accepted images are re-encoded, which drops EXIF (GPS position, camera serial), comments, ICC and
  XMP segments and any trailing data: nothing but the pixels survives (an HTML comment cannot).
- PDFs are parsed with pypdf (what does not parse is refused) and stored as a rewritten copy of their
  pages only, without JavaScript, embedded files, form actions, OpenAction/AA or launch actions, and
  without anything hidden between or after the objects (an executable glued to a PDF header).

    from gongzufang.uploads import clean_image_upload
    content = clean_image_upload(form.cleaned_data["photo"], max_bytes=8 * MB, max_pixels=40_000_000)

Every refusal is a `django.core.exceptions.ValidationError` with a Chinese message and a `code`.
"""

import io
import logging
import struct
import warnings
from dataclasses import dataclass

import magic
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MB = 1024 * 1024
DEFAULT_IMAGE_MAX_BYTES = 8 * MB
DEFAULT_IMAGE_MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000, well above any phone camera
DEFAULT_PDF_MAX_BYTES = 10 * MB

# Content type (as libmagic names it) → Pillow format. GIF and SVG are not accepted: SVG is a
# script carrier and GIF adds nothing for photos of housing or scanned documents.
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
HEADER_BYTES = 8192

# Pillow's own guard stays on as a second line of defence; our limit is checked first and is lower.
Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, 2 * DEFAULT_IMAGE_MAX_PIXELS)


@dataclass(frozen=True)
class ImageInfo:
    mime: str
    format: str
    width: int
    height: int


def upload_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        pos = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(pos)
    return size


def _head(file) -> bytes:
    file.seek(0)
    head = file.read(HEADER_BYTES)
    file.seek(0)
    return head


def _check_size(file, max_bytes):
    size = upload_size(file)
    if size == 0:
        raise ValidationError("文件为空，请重新选择。", code="empty")
    if size > max_bytes:
        raise ValidationError(
            "文件过大（%(size)s），不能超过 %(limit)s。",
            code="too_large", params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )


def _not_an_image():
    return ValidationError(
        "文件内容不是有效的图片，请上传 JPG、PNG 或 WebP 格式的照片。", code="not_an_image"
    )


def _too_many_pixels(width, height, max_pixels):
    if not (width and height):
        return ValidationError(
            "图片尺寸过大，像素总数不能超过 %(limit)s 万。", code="too_many_pixels",
            params={"limit": max_pixels // 10_000},
        )
    return ValidationError(
        "图片尺寸过大（%(width)s × %(height)s 像素），像素总数不能超过 %(limit)s 万。",
        code="too_many_pixels",
        params={"width": width, "height": height, "limit": max_pixels // 10_000},
    )


def validate_image_upload(
    file, *, max_bytes=DEFAULT_IMAGE_MAX_BYTES, max_pixels=DEFAULT_IMAGE_MAX_PIXELS, allowed=IMAGE_TYPES
) -> ImageInfo:
    """Raise ValidationError unless `file` is a real JPEG/PNG/WebP within the limits.

    Returns what was found (type, format, size in pixels). The file position is left at 0.
    """
    _check_size(file, max_bytes)
    mime = magic.from_buffer(_head(file), mime=True)
    if mime not in allowed:
        raise _not_an_image()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:  # reads the header only
                width, height = image.size
                if width * height > max_pixels:
                    raise _too_many_pixels(width, height, max_pixels)
                if image.format != allowed[mime]:
                    raise _not_an_image()
                image.verify()  # checks structure and checksums without decoding pixels
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refused before we could read the size: far beyond any limit of ours.
        raise _too_many_pixels(0, 0, max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise _not_an_image() from None
    finally:
        file.seek(0)
    return ImageInfo(mime=mime, format=allowed[mime], width=width, height=height)


def _pixels_only(image, fmt):
    """The picture without what rode along with it: Pillow writes a JPEG comment (COM) and a PNG ICC
    profile back from `image.info` unless told otherwise, and either can carry HTML or anything else.
    Colours are converted to sRGB first, so dropping the ICC profile does not change how they look;
    a PNG's transparency is kept, since it is part of the picture."""
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "L"):
        try:
            from PIL import ImageCms

            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
                outputMode=image.mode,
            )
        except Exception:  # a broken or unusual profile: keep the colours as they are
            pass
    kept = {"transparency": image.info["transparency"]} if fmt == "PNG" and "transparency" in image.info else {}
    image.info = kept
    return image


def strip_image_metadata(file, *, max_pixels=DEFAULT_IMAGE_MAX_PIXELS, quality=88, name=None) -> ContentFile:
    """Re-encode an image (already validated) without its metadata; EXIF orientation is applied first
    so the picture still stands the right way up. Returns a ContentFile named `<name>.<ext>`."""
    file.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(file) as image:
            if image.size[0] * image.size[1] > max_pixels:
                raise _too_many_pixels(*image.size, max_pixels)
            fmt = image.format
            image = _pixels_only(ImageOps.exif_transpose(image), fmt)
            out = io.BytesIO()
            if fmt == "JPEG":
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                image.save(out, "JPEG", quality=quality, optimize=True)
            elif fmt == "WEBP":
                image.save(out, "WEBP", quality=quality)
            else:
                if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
    file.seek(0)
    base = (name or getattr(file, "name", "") or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "image"
    return ContentFile(out.getvalue(), name=f"{base}.{EXTENSIONS[fmt]}")


def clean_image_upload(file, *, max_bytes=DEFAULT_IMAGE_MAX_BYTES, max_pixels=DEFAULT_IMAGE_MAX_PIXELS) -> ContentFile:
    """Validate and re-encode in one step: what forms call in `clean_<field>()`."""
    validate_image_upload(file, max_bytes=max_bytes, max_pixels=max_pixels)
    try:
        return strip_image_metadata(file, max_pixels=max_pixels)
    except ValidationError:
        raise
    except Exception:  # a file that passes verify() can still fail to decode (truncated data)
        raise _not_an_image() from None


# Annotations that play, attach or embed something: dropped whole. Others (links, notes, form widgets
# whose appearance shows what was filled in) are kept without their actions.
_DROPPED_ANNOTATIONS = {"/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/3D"}
# Keys that run something or carry a file, wherever they appear in the rewritten document.
_DROPPED_KEYS = {"/AA", "/OpenAction", "/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/RichMediaContent",
                 "/Launch", "/Next", "/XFA"}
# The only actions kept on a link: going to a page of the same document, or opening a web address.
_KEPT_ACTIONS = {"/GoTo", "/URI"}

logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf's notes on odd but readable files are noise


def _not_a_pdf():
    return ValidationError("文件内容不是有效的 PDF 文档。", code="not_a_pdf")


def _unreadable_pdf():
    return ValidationError(
        "PDF 文件无法解析（可能已损坏，或只是伪装成 PDF 的其他文件），请用“另存为 PDF”或扫描软件重新导出后上传。",
        code="unreadable_pdf",
    )


def _check_pdf_frame(file, max_bytes):
    _check_size(file, max_bytes)
    head = _head(file)
    mime = magic.from_buffer(head, mime=True)
    if mime != "application/pdf" or not head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        raise _not_a_pdf()
    file.seek(-min(upload_size(file), 2048), io.SEEK_END)
    tail = file.read()
    file.seek(0)
    if b"%%EOF" not in tail:
        raise ValidationError("PDF 文件不完整，请重新导出后上传。", code="truncated_pdf")


def _strip_actions(root):
    """Walk everything reachable from the rewritten catalog and remove what runs or carries a file."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, DictionaryObject):  # stream dictionaries too
            for key in [k for k in node if k in _DROPPED_KEYS]:
                del node[key]
            action = node.get("/A")
            if action is not None and action.get_object().get("/S") not in _KEPT_ACTIONS:
                del node["/A"]
            if node.get("/Type") == "/Filespec":
                for key in ("/EF", "/RF"):
                    node.pop(key, None)
            annotations = node.get("/Annots")
            if annotations is not None:
                kept = ArrayObject(a for a in annotations.get_object()
                                   if a.get_object().get("/Subtype") not in _DROPPED_ANNOTATIONS)
                node[NameObject("/Annots")] = kept
            stack.extend(v for k, v in node.items() if k not in ("/Parent", "/P"))
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def _rewrite_pdf(file) -> bytes:
    """The pages of the PDF in `file`, written anew: ValidationError if pypdf cannot read it."""
    file.seek(0)
    try:
        reader = PdfReader(io.BytesIO(file.read()), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError("PDF 文件设有打开密码，请取消密码后重新上传。", code="encrypted_pdf")
        writer = PdfWriter()
        writer.pdf_header = reader.pdf_header  # the version the pages were written for
        for page in reader.pages:
            writer.add_page(page)
        _strip_actions(writer.root_object)
        # What was cut off above would still be written as unreferenced objects: leave them out.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
        PdfReader(io.BytesIO(data), strict=False).pages  # noqa: B018 — what we wrote must read back
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds (PdfReadError, KeyError, RecursionError…) for broken files
        raise _unreadable_pdf() from None
    finally:
        file.seek(0)
    return data


def clean_pdf_upload(file, *, max_bytes=DEFAULT_PDF_MAX_BYTES, name=None) -> ContentFile:
    """Validate a PDF and return the copy to store: its pages rewritten by pypdf, without scripts,
    actions or embedded files (see the module docstring). Returns a ContentFile named `<name>.pdf`."""
    _check_pdf_frame(file, max_bytes)
    data = _rewrite_pdf(file)
    base = (name or getattr(file, "name", "") or "document").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "document"
    return ContentFile(data, name=f"{base}.pdf")


def validate_pdf_upload(file, *, max_bytes=DEFAULT_PDF_MAX_BYTES) -> None:
    """Raise ValidationError unless `file` is a PDF (by content, and readable by pypdf) within the size
    limit; then put the rewritten copy (clean_pdf_upload) in the upload's place, so that a caller which
    stores `file` after this check stores the clean copy. New callers use clean_pdf_upload instead."""
    cleaned = clean_pdf_upload(file, max_bytes=max_bytes)
    data = cleaned.read()
    try:
        file.seek(0)
        file.truncate()
        file.write(data)
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        # A read-only file cannot take the clean copy: refuse rather than store the original.
        raise ValidationError("PDF 文件无法处理，请重新上传。", code="pdf_not_rewritable") from None
    file.seek(0)
    if hasattr(file, "size"):
        file.size = len(data)


class ImageUploadField(forms.FileField):
    """A form field that accepts only real images within the limits and hands back the re-encoded
    file (metadata stripped). Use it instead of `forms.ImageField`, whose messages are vaguer and
    which would decode a decompression bomb before any limit is checked."""

    default_error_messages = {"required": "请选择图片。"}

    def __init__(self, *, max_bytes=DEFAULT_IMAGE_MAX_BYTES, max_pixels=DEFAULT_IMAGE_MAX_PIXELS, **kwargs):
        self.max_bytes, self.max_pixels = max_bytes, max_pixels
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ",".join(IMAGE_TYPES)}))
        kwargs.setdefault(
            "help_text",
            f"JPG、PNG 或 WebP，不超过 {filesizeformat(max_bytes)}；上传后会去除拍摄位置等元数据。",
        )
        super().__init__(**kwargs)

    def to_python(self, data):
        data = super().to_python(data)
        if data is None:
            return None
        return clean_image_upload(data, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
