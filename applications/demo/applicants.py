"""Demo data of applications for `seed_demo`. Idempotent.

- The demo applicant 王丽 (shenqingren) is verified as in the simulated exchange's records
  (applications/crosscheck/exchange/fixtures/records.json) and has one submitted application — with her
  husband 李明 and daughter 李小花 — waiting at 萨尔图街道 for the demo clerk (saertu_jd) to accept or
  return for correction.
"""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzufang.models import Street, User

DEMO_APPLICANT = ("shenqingren", "王丽", "230602198503150022", "13800000001")
DEMO_MEMBERS = [("spouse", "李明", "230602199001011238", "married", "大庆某石化公司", "2100.00"),
                ("child", "李小花", "230602201503010083", "unmarried", "", "0")]


def demo_document(title):
    image = Image.new("RGB", (600, 400), (250, 250, 245))
    ImageDraw.Draw(image).text((30, 30), f"DEMO {title}", fill=(60, 60, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile(f"{title}.png", out.getvalue(), content_type="image/png")


def seed():
    username, name, id_number, phone = DEMO_APPLICANT
    user = User.objects.filter(username=username).first()
    if user is None:
        return
    if not user.id_verified_at:
        if User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
            return
        user.real_name, user.id_number, user.phone = name, id_number, phone
        user.id_verified_at = timezone.now()
        user.save(update_fields=["real_name", "id_number", "id_number_hash", "phone", "id_verified_at"])
    if user.applications.exists():
        return
    _seed_application(user)


@transaction.atomic
def _seed_application(user):
    from applications import selectors, services
    from applications.apply import services as apply_services

    app = services.application_start(applicant=user)
    app = apply_services.application_set_assistance(application=app, actor=user, assistance_type="unit",
                                              category="low_income")
    me = app.household.members.get(relationship="self")
    apply_services.member_save(application=app, actor=user, member=me, relationship="self", name=me.name,
                         id_number=me.id_number, marital_status="married", employer="萨尔图区某超市",
                         monthly_income=Decimal("1600.00"))
    for relationship, name, number, marital, employer, income in DEMO_MEMBERS:
        apply_services.member_save(application=app, actor=user, relationship=relationship, name=name, id_number=number,
                             marital_status=marital, employer=employer, monthly_income=Decimal(income))
    apply_services.application_set_housing(application=app, actor=user, housing_type="private_rent",
                                     housing_area=Decimal("28.00"), housing_address="萨尔图区东安社区 3-2-501（租住）")
    apply_services.application_set_assets(application=app, actor=user, vehicle_count=0, vehicle_value=Decimal("0"),
                                    business_count=0, business_capital=Decimal("0"), property_sold_recently=False)
    street = Street.objects.get(code="230602001")
    app = apply_services.application_set_place(application=app, actor=user, street=street,
                                         community=street.communities.order_by("code").first())
    apply_services.application_set_preferences(application=app, actor=user, districts=[street.district],
                                         bedrooms=selectors.bedroom_choices_for(app)[-1][0])
    apply_services.application_give_consent(application=app, actor=user, agreed=True)
    for kind in selectors.required_material_kinds(app):
        apply_services.material_upload(application=app, actor=user, kind=kind, upload=demo_document(kind))
    services.application_submit(application=app, actor=user)
