"""Fixtures of the feedback suites: photos go to a fresh private directory per test; `tom` is a
tenant with a phone (for the SMS); helpers build items through the real services."""

import io
import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints import services
from complaints.models import Category, Kind
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
_phones = itertools.count(1)


def at(*args):
    """A moment in Daqing's time zone, for time_machine."""
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def person(name="赵小明", **extra):
    phone = f"1355{next(_phones):07d}"
    return factories.UserFactory(username=phone, phone=phone, real_name=name, **extra)


@pytest.fixture
def tom(db):
    return person("赵小明")


@pytest.fixture
def mary(db):
    return person("钱小红")


def jpeg_bytes(size=(64, 48), exif=False):
    image = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"
        data[0x8825] = {2: (45.0, 0.0, 0.0)}
        image.save(out, "JPEG", exif=data)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def photo(name="leak.jpg", content=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, jpeg_bytes() if content is None else content, content_type=content_type)


def fake_photo():
    return SimpleUploadedFile("not-a-photo.jpg", b"#!/bin/sh\necho this is not an image\n" * 20,
                              content_type="image/jpeg")


def oversized_photo():
    # Valid JPEG start, then padding: refused on size before anything is decoded.
    return SimpleUploadedFile("huge.jpg", jpeg_bytes() + b"\0" * (6 * 1024 * 1024), content_type="image/jpeg")


def submit(user, *, kind=Kind.SUGGESTION, category=Category.OTHER, text="建议延长周末办事大厅开放时间。",
           district=None, **kwargs):
    if district is None and not any(kwargs.get(k) for k in ("estate", "unit", "application")):
        district = factories.district("230602")
    item, created = services.feedback_submit(submitter=user, kind=kind, category=category, text=text,
                                             district=district, **kwargs)
    assert created
    return item
