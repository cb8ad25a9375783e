"""Build applications through the real services (STYLE.md: tests build data through the actions)."""

import io
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from applications import selectors, services
from applications.apply import services as apply_services
from applications.models import Application, Relationship
from gongzufang.idnumber import check_character
from gongzufang.models import Street
from tests import factories
from tests.helpers import pdf_bytes

_serial = itertools.count(1)


def fresh_id_number(district_code="230602", born="19900101", sex="female"):
    """A valid ID number not used before in this test run."""
    while True:
        n = next(_serial)
        seq = f"{n % 100:02d}{(2 * (n // 100) + (0 if sex == 'female' else 1)) % 10}"
        first17 = f"{district_code}{born}{seq}"
        if len(first17) == 17:
            return first17 + check_character(first17)


def fresh_phone():
    return f"137{next(_serial) + 10_000_000:08d}"


def applicant(name="测试申请人", id_number=None, phone=None):
    phone = phone or fresh_phone()
    return factories.UserFactory(username=phone, phone=phone, real_name=name,
                                 id_number=id_number or fresh_id_number(), id_verified_at=timezone.now())


def png_bytes(size=(40, 30), exif=False):
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {2: (45.0, 0.0, 0.0)}  # GPS
        image.save(out, "JPEG", exif=data)
    else:
        image.save(out, "PNG")
    return out.getvalue()


PDF_BYTES = pdf_bytes()  # complete (cross-reference table and all): uploads are parsed with pypdf


def upload(name="proof.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type=content_type)


def draft(user=None, *, assistance="unit", category="low_income", street=None, members=(), materials=True,
          consent=True):
    """A complete draft (ready to submit) unless told otherwise. `members`: [(relationship, name, id_number)]."""
    user = user or applicant()
    app = services.application_start(applicant=user)
    apply_services.application_set_assistance(application=app, actor=user, assistance_type=assistance, category=category)
    me = app.household.members.get(relationship=Relationship.SELF)
    apply_services.member_save(application=app, actor=user, member=me, relationship="self", name=me.name,
                         id_number=me.id_number, marital_status="married", employer="大庆某公司",
                         monthly_income=Decimal("1500.00"), disability="none")
    for relationship, name, number in members:
        apply_services.member_save(application=app, actor=user, relationship=relationship, name=name, id_number=number,
                             marital_status="married" if relationship == "spouse" else "unmarried",
                             monthly_income=Decimal("1000"))
    apply_services.application_set_housing(application=app, actor=user, housing_type="private_rent",
                                     housing_area=Decimal("12.50"), housing_address="萨尔图区某街 1 号")
    apply_services.application_set_assets(application=app, actor=user, vehicle_count=0, vehicle_value=Decimal("0"),
                                    business_count=0, business_capital=Decimal("0"), property_sold_recently=False)
    street = street or factories.first_street("230602")
    if isinstance(street, str):
        street = Street.objects.get(code=street)
    apply_services.application_set_place(application=app, actor=user, street=street,
                                   community=street.communities.order_by("code").first())
    app = Application.objects.get(pk=app.pk)
    if assistance == "unit":
        apply_services.application_set_preferences(application=app, actor=user, districts=[street.district],
                                             bedrooms=selectors.bedroom_choices_for(app)[0][0])
    if consent:
        apply_services.application_give_consent(application=app, actor=user, agreed=True)
    if materials:
        for kind in selectors.required_material_kinds(app):
            apply_services.material_upload(application=app, actor=user, kind=kind, upload=upload(f"{kind}.png"))
    return Application.objects.get(pk=app.pk)


def submitted(user=None, **kwargs):
    app = draft(user, **kwargs)
    app, _changed = services.application_submit(application=app, actor=app.applicant)
    return Application.objects.get(pk=app.pk)
