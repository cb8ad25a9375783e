"""Housing stock for tests, made through the real services (as the portal makes it)."""

import io
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzufang.models import District, Street
from housing import services
from housing.models import Building, Estate, Unit

_seq = itertools.count(1)


def estate(district_code="230602", *, name=None, published=True, rent_per_sqm="8.00", actor=None, **fields) -> Estate:
    street = Street.objects.filter(district__code=district_code).order_by("code").first()
    made = services.estate_create(
        name=name or f"测试小区{next(_seq)}", street=street, address=f"测试路 {next(_seq)} 号",
        rent_per_sqm=Decimal(rent_per_sqm), actor=actor, **fields,
    )
    if published:
        services.estate_publish(estate=made, actor=actor)
    return made


def building(estate_obj, *, name=None, floors=6, has_lift=False) -> Building:
    made = services.building_save(
        building=Building(estate=estate_obj, name=name or f"{next(_seq)}号楼", floors=floors, has_lift=has_lift)
    )
    made.estate = estate_obj
    return made


def unit(building_obj, *, number=None, floor=1, area="45.00", bedrooms=1, published=False, actor=None, **fields) -> Unit:
    made = services.unit_create(
        building=building_obj, number=number or f"{next(_seq)}", floor=floor, area=Decimal(str(area)),
        bedrooms=bedrooms, actor=actor, **fields,
    )
    if published:
        services.unit_publish(unit=made, actor=actor)
    return made


def stock(district_code="230602", *, units=3, published=True, **unit_fields):
    """An estate with one building and `units` units (published or not)."""
    e = estate(district_code)
    b = building(e)
    made = [unit(b, floor=1 + i % 6, published=published, **unit_fields) for i in range(units)]
    return e, b, made


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 30, 30), **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save_kwargs)
    return out.getvalue()


def image_upload(name="photo.jpg", fmt="JPEG", size=(64, 48), **kwargs):
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, image_bytes(fmt, size, **kwargs), content_type=content_type)


def district(code) -> District:
    return District.objects.get(code=code)
