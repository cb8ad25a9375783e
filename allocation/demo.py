"""Demo waitlist and rounds for `seed_demo` (idempotent).

- 32 households of 萨尔图区 (230602) on the waitlist, across the priority groups (低保/特困, 重度残疾,
  一般轮候家庭), qualified on dates over the last two years. Their applications are made and submitted
  through the apply services; they are recorded as approved before the portal opened (历史审核通过，迁移
  入库) — the review itself is shown by applications/demo — and enter the waitlist through the same
  service as a city approval.
- One round drawn (positions and choice windows) over one estate's one-bedroom units — its first window
  (7 households, open now) leaves its last household still to choose once the choice and lease demos
  have chosen for the others (the manual's 选房 journey logs in as it) — and one round
  published and not yet drawn over another estate's units, so both halves of the public page show.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongzufang.demo import demo_password_hash
from gongzufang.idnumber import check_character
from gongzufang.models import District, Street, User
from gongzufang.models.users import Role

DEMO_DISTRICT = "230602"
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "德明", "玉梅", "文博", "春花", "国庆", "丽娟", "宏伟", "凤霞",
         "永刚", "淑珍", "晓东"]
HOUSEHOLDS = 32
DRAWN_ROUND = "2026年萨尔图区第一批公租房配租（益民小区）"
PUBLISHED_ROUND = "2026年萨尔图区第二批公租房配租（悦民苑）"
DRAW_ENTROPY = "福彩3D 2026320期 开奖号码 5 1 8"


def _persona(i):
    """(username, name, id number, category, disability, days since qualification) of household i."""
    born = f"19{60 + i % 35:02d}{1 + i % 12:02d}{1 + i % 28:02d}"
    first17 = f"{DEMO_DISTRICT}{born}9{i:02d}"
    id_number = first17 + check_character(first17)
    category = "minimum_living" if i % 5 == 0 else "low_income"
    disability = "grade_2" if i % 7 == 3 else "none"
    return (f"1390602{i:04d}", SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)], id_number, category,
            disability, 30 + (i * 23) % 700)


def seed():
    district = District.objects.filter(code=DEMO_DISTRICT).first()
    caseworker = User.objects.filter(username="saertu").first()
    if district is None or caseworker is None:
        return
    street = Street.objects.filter(district=district).order_by("code").first()
    for i in range(1, HOUSEHOLDS + 1):
        _household(i, street)
    _rounds(district, caseworker)


def _household(i, street):
    from allocation.models import WaitlistEntry

    username, name, id_number, category, disability, days = _persona(i)
    user = User.objects.filter(username=username).first()
    if user is not None and WaitlistEntry.objects.filter(application__applicant=user).exists():
        return
    if user is None:
        if User.objects.filter(id_number_hash=_hash(id_number)).exists():
            return
        user = User.objects.create(username=username, phone=username, real_name=name, id_number=id_number,
                                   role=Role.APPLICANT, password=demo_password_hash(), id_verified_at=timezone.now())
    with transaction.atomic():
        _enter(user, street, category, disability, timezone.localdate() - timedelta(days=days))


def _hash(id_number):
    from gongzufang.pii import pii_hash

    return pii_hash(id_number)


def _enter(user, street, category, disability, qualified_on):
    from allocation import services
    from applications import selectors
    from applications import services as application_services
    from applications.apply import services as apply_services
    from applications.demo.applicants import demo_document
    from applications.models import Application

    app = user.applications.order_by("pk").first()
    if app is None:
        app = application_services.application_start(applicant=user)
        apply_services.application_set_assistance(application=app, actor=user, assistance_type="unit",
                                                  category=category)
        me = app.household.members.get(relationship="self")
        apply_services.member_save(application=app, actor=user, member=me, relationship="self", name=me.name,
                                   id_number=me.id_number, marital_status="unmarried", employer="大庆某单位",
                                   monthly_income=Decimal("900.00" if category == "minimum_living" else "1500.00"),
                                   disability=disability)
        apply_services.application_set_housing(application=app, actor=user, housing_type="private_rent",
                                               housing_area=Decimal("12.00"), housing_address="萨尔图区租住私房")
        apply_services.application_set_assets(application=app, actor=user, vehicle_count=0, vehicle_value=Decimal("0"),
                                              business_count=0, business_capital=Decimal("0"),
                                              property_sold_recently=False)
        app = apply_services.application_set_place(application=app, actor=user, street=street,
                                                   community=street.communities.order_by("code").first())
        apply_services.application_set_preferences(application=app, actor=user, districts=[street.district],
                                                   bedrooms=selectors.bedroom_choices_for(app)[0][0])
        apply_services.application_give_consent(application=app, actor=user, agreed=True)
        for kind in selectors.required_material_kinds(app):
            apply_services.material_upload(application=app, actor=user, kind=kind, upload=demo_document(kind))
        application_services.application_submit(application=app, actor=user)
    # 历史审核通过，迁移入库: recorded as decided on its qualification date (demo only).
    decided = timezone.make_aware(datetime.combine(qualified_on, time(10, 0)))
    Application.objects.filter(pk=app.pk).update(status="approved", decided_at=decided)
    services.waitlist_enter(application=Application.objects.get(pk=app.pk), actor=None, on=qualified_on)


def _rounds(district, caseworker):
    from allocation import services
    from allocation.models import AllocationRound
    from housing.models import Estate

    def estate_id(name):
        return Estate.objects.filter(district=district, name=name).values_list("pk", flat=True).first()

    live = AllocationRound.objects.exclude(status=AllocationRound.Status.VOIDED)
    if not live.filter(name=DRAWN_ROUND).exists() and estate_id("益民小区"):
        round_ = services.round_create(district=district, name=DRAWN_ROUND, actor=caseworker, bedrooms=[1, 2],
                                       estates=[estate_id("益民小区")], max_households=16, households_per_window=7,
                                       window_hours=48, choice_starts_at=timezone.now() - timedelta(hours=2))
        if round_.entries.exists() and round_.units.exists():
            services.round_publish(round=round_, actor=caseworker, opinion="发布配租方案（演示）")
            services.round_draw(round=round_, actor=caseworker, public_entropy=DRAW_ENTROPY)
    if not live.filter(name=PUBLISHED_ROUND).exists() and estate_id("悦民苑"):
        round_ = services.round_create(district=district, name=PUBLISHED_ROUND, actor=caseworker, bedrooms=[1, 2],
                                       estates=[estate_id("悦民苑")], households_per_window=10, window_hours=48)
        if round_.entries.exists() and round_.units.exists():
            services.round_publish(round=round_, actor=caseworker, opinion="发布配租方案（演示），摇号日期另行公告")
