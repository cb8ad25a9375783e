"""gongzufang.uploads: the type comes from the content, sizes and pixel counts are limited before
decoding, accepted images are re-encoded without their metadata, and PDFs are parsed and rewritten
without scripts, actions or embedded files."""

import io
import struct
import sys
import time
import zlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from gongzufang import uploads
from tests.helpers import pdf_bytes
from tests.housing.factories import image_bytes


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_of_size(width, height) -> bytes:
    """A valid 1-bit PNG of any size that stays tiny on disk: the shape of a decompression bomb."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_real_images_are_accepted(fmt, mime):
    info = uploads.validate_image_upload(upload(image_bytes(fmt, (120, 80)), name="x.bin"))
    assert (info.mime, info.format, info.width, info.height) == (mime, fmt, 120, 80)


def test_a_text_file_renamed_jpg_is_refused():
    with pytest.raises(ValidationError, match="文件内容不是有效的图片") as exc:
        uploads.validate_image_upload(upload(b"hello, this is text\n" * 10, name="photo.jpg"))
    assert exc.value.code == "not_an_image"


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\x00" * 100,
        b"%PDF-1.4\n%%EOF\n",
        b"\xff\xd8\xff\xe0" + b"\x00" * 50,  # a JPEG header and nothing after it
    ],
)
def test_other_content_is_refused_whatever_the_name(data):
    with pytest.raises(ValidationError, match="不是有效的图片"):
        uploads.validate_image_upload(upload(data, name="photo.png"))


def test_a_truncated_image_is_refused_when_cleaned():
    data = image_bytes("PNG", (300, 300), color=(1, 2, 3))
    with pytest.raises(ValidationError, match="不是有效的图片"):
        uploads.clean_image_upload(upload(data[: len(data) // 2], name="cut.png"))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    data = image_bytes("PNG", (400, 400))
    with pytest.raises(ValidationError, match="文件过大") as exc:
        uploads.validate_image_upload(upload(data, name="big.png"), max_bytes=len(data) - 1)
    assert exc.value.code == "too_large"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="文件为空"):
        uploads.validate_image_upload(upload(b""))


def test_a_20000_by_20000_png_bomb_is_refused_without_decoding_it():
    bomb = png_of_size(20000, 20000)
    assert len(bomb) < 200_000  # 50 MB of pixels in a small file
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="图片尺寸过大") as exc:
        uploads.clean_image_upload(upload(bomb, name="bomb.png", content_type="image/png"))
    assert exc.value.code == "too_many_pixels"
    assert time.perf_counter() - started < 2


def test_an_image_over_our_pixel_limit_names_its_size():
    big = png_of_size(10000, 5000)
    with pytest.raises(ValidationError, match="10000 × 5000"):
        uploads.validate_image_upload(upload(big, name="wide.png"), max_pixels=40_000_000)


def test_metadata_is_stripped_and_orientation_applied():
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (46.0, 35.0, 0.0)}
    raw = image_bytes("JPEG", (120, 80), exif=exif.tobytes())
    cleaned = uploads.clean_image_upload(upload(raw, name="IMG_1.JPG"))
    assert isinstance(cleaned, ContentFile)
    assert cleaned.name == "IMG_1.jpg"
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.size == (80, 120)


def test_a_jpeg_comment_with_html_does_not_survive_re_encoding():
    raw = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(raw, "JPEG", comment=b"<script>alert(1)</script>")
    raw = raw.getvalue()
    assert b"<script>" in raw  # a COM segment
    cleaned = uploads.clean_image_upload(upload(raw, name="photo.jpg")).read()
    assert b"<script>" not in cleaned and b"alert(1)" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert "comment" not in image.info


def test_a_png_keeps_no_text_or_icc_profile_but_keeps_transparency():
    from PIL import ImageCms, PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<script>alert(2)</script>")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = io.BytesIO()
    picture = Image.new("P", (20, 20), 0)
    picture.putpalette([255, 0, 0, 0, 255, 0])
    picture.save(raw, "PNG", pnginfo=text, icc_profile=icc, transparency=0)
    cleaned = uploads.clean_image_upload(upload(raw.getvalue(), name="x.png")).read()
    assert b"<script>" not in cleaned and b"iCCP" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.convert("RGBA").getpixel((0, 0))[3] == 0  # still see-through


def test_trailing_data_is_dropped_by_re_encoding():
    raw = image_bytes("PNG", (20, 20)) + b"PK\x03\x04 hidden zip archive"
    cleaned = uploads.clean_image_upload(upload(raw, name="poly.png"))
    assert b"hidden zip" not in cleaned.read()


def test_the_extension_follows_the_content():
    cleaned = uploads.clean_image_upload(upload(image_bytes("JPEG"), name="really.png"))
    assert cleaned.name == "really.jpg"


class PhotoForm(forms.Form):
    photo = uploads.ImageUploadField(max_bytes=50_000, max_pixels=1_000_000)


def test_the_form_field_cleans_to_a_re_encoded_file():
    form = PhotoForm(files={"photo": upload(image_bytes("PNG", (30, 30)), name="a.png")})
    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["photo"], ContentFile)
    assert "accept" in str(form["photo"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"plain text", "文件内容不是有效的图片"),
        (png_of_size(2000, 1000), "图片尺寸过大"),
    ],
)
def test_the_form_field_shows_the_message(data, message):
    form = PhotoForm(files={"photo": upload(data)})
    assert not form.is_valid()
    assert message in form.errors["photo"][0]


# ---------------------------------------------------------------- PDF

MINIMAL_PDF = pdf_bytes()
N = NameObject


def test_a_pdf_is_accepted_and_left_ready_to_save():
    file = upload(MINIMAL_PDF, name="证明.pdf", content_type="application/pdf")
    assert uploads.validate_pdf_upload(file) is None  # no ValidationError
    stored = file.read()  # rewound: the upload now holds the rewritten copy, whole
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1 and file.size == len(stored)


def test_clean_pdf_upload_hands_back_the_copy_to_store():
    cleaned = uploads.clean_pdf_upload(upload(MINIMAL_PDF, name="dir/收入证明.PDF"))
    assert isinstance(cleaned, ContentFile) and cleaned.name == "收入证明.pdf"
    assert len(PdfReader(io.BytesIO(cleaned.read())).pages) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just text pretending\n", "不是有效的 PDF"),
        (image_bytes("PNG"), "不是有效的 PDF"),
        (MINIMAL_PDF.replace(b"%%EOF", b""), "PDF 文件不完整"),
        # Header and trailer of a PDF around something else: nothing inside parses.
        (b"%PDF-1.4\n" + b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8 + b"\n%%EOF\n", "PDF 文件无法解析"),
        (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", "PDF 文件无法解析"),
    ],
)
def test_what_is_not_a_complete_pdf_is_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        uploads.validate_pdf_upload(upload(data, name="x.pdf", content_type="application/pdf"))


def test_an_elf_executable_behind_a_pdf_header_is_refused():
    with open(sys.executable, "rb") as binary:
        elf = binary.read(200_000)
    assert elf.startswith(b"\x7fELF")
    polyglot = b"%PDF-1.4\n" + elf + b"\n%%EOF\n"
    with pytest.raises(ValidationError, match="PDF 文件无法解析") as excinfo:
        uploads.validate_pdf_upload(upload(polyglot, name="x.pdf", content_type="application/pdf"))
    assert excinfo.value.code == "unreadable_pdf"


def _pdf_with_everything_active() -> bytes:
    """A one-page PDF that runs JavaScript on opening, on closing and on the page, launches a program
    from a link, and carries an embedded executable."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    script = DictionaryObject({N("/S"): N("/JavaScript"), N("/JS"): TextStringObject("app.alert('XSSMARK');")})
    writer.root_object[N("/OpenAction")] = writer._add_object(script)
    writer.root_object[N("/AA")] = DictionaryObject({N("/WC"): script})
    writer.add_attachment("payload.exe", b"MZ EMBEDDEDMARK")
    page = writer.pages[0]
    page[N("/AA")] = DictionaryObject({N("/O"): script})
    launch = DictionaryObject({N("/S"): N("/Launch"), N("/F"): TextStringObject("LAUNCHMARK.exe")})
    web = DictionaryObject({N("/S"): N("/URI"), N("/URI"): TextStringObject("https://www.daqing.gov.cn/"),
                            N("/Next"): script})
    rect = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)])
    annotations = [
        DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"), N("/Rect"): rect, N("/A"): launch}),
        DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"), N("/Rect"): rect, N("/A"): web}),
        DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/FileAttachment"), N("/Rect"): rect}),
    ]
    page[N("/Annots")] = ArrayObject(writer._add_object(a) for a in annotations)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_with_a_javascript_open_action_is_stored_without_it():
    data = _pdf_with_everything_active()
    for mark in (b"/JavaScript", b"XSSMARK", b"/OpenAction", b"/Launch", b"LAUNCHMARK", b"/EmbeddedFiles"):
        assert mark in data  # the test file really has them
    file = upload(data, name="policy.pdf", content_type="application/pdf")
    uploads.validate_pdf_upload(file)
    stored = file.read()
    for mark in (b"/JavaScript", b"/JS", b"XSSMARK", b"/OpenAction", b"/AA", b"/Launch", b"LAUNCHMARK",
                 b"/EmbeddedFile", b"EMBEDDEDMARK", b"/FileAttachment", b"/Next"):
        assert mark not in stored, mark
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 1
    links = [a.get_object() for a in reader.pages[0]["/Annots"]]
    # The web link stays a web link; the launching one is left without an action.
    assert [link.get("/A", {}).get("/S") for link in links] == [None, "/URI"]


def test_a_pdf_over_the_limit_is_refused():
    with pytest.raises(ValidationError, match="文件过大"):
        uploads.validate_pdf_upload(upload(MINIMAL_PDF, name="x.pdf"), max_bytes=10)
