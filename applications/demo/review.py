"""Demo applications at every step of the review, for `seed_demo` (idempotent).

The people are those seeded in the simulated exchange (applications/crosscheck/exchange/fixtures/records.json),
so the cross-department checks give each the result its record was made for: some pass, others fail
for different reasons (property, a car, income by tax records), one waits on a department that answers
garbage. While seeding, an in-process simulated exchange answers the checks, so the demo is the same
whether or not `run_exchange` is running. Every step goes through the real services, as the demo
clerk and caseworkers would take it; all demo applicants log in with the demo password.
"""

import copy
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.test import override_settings
from django.utils import timezone

from gongzufang.demo import demo_password_hash
from gongzufang.models import Street, User
from gongzufang.models.users import Role


@dataclass(frozen=True)
class Persona:
    username: str
    name: str
    id_number: str
    category: str
    assistance: str
    street: str
    stage: str  # draft, accepted, cross_check, district_review, public_notice, city_review, approved, rejected
    income: str = "1500.00"
    marital: str = "married"
    members: list = field(default_factory=list)
    note: str = ""


PERSONAS = [
    Persona("13800000011", "张伟", "230602198807203015", "low_income", "unit", "230602001", "accepted",
            note="已受理，待街道初审"),
    Persona("13800000012", "林晓", "230602199903180022", "new_graduate", "subsidy", "230602001", "district_review",
            income="4000.00", marital="unmarried", note="新就业，部门联审全部符合，待区县审核"),
    Persona("13800000013", "马涛", "230602198206150034", "low_income", "unit", "230602001", "district_review",
            income="1400.00", note="名下有住房，资格规则不符合，待区县作不通过决定"),
    Persona("13800000014", "黄静", "230602199107070025", "low_income", "unit", "230602001", "cross_check",
            income="1300.00", marital="unmarried", note="税务部门应答异常，部门联审等待中"),
    Persona("13800000015", "钱芳", "230602198612250022", "low_income", "unit", "230602001", "rejected",
            income="1500.00", note="近 5 年内出售过住房，区县审核不通过（可申请复核）"),
    Persona("13800000016", "罗兰", "230603197808090042", "minimum_living", "unit", "230603001", "public_notice",
            income="800.00", marital="divorced", note="低保家庭，公示中"),
    Persona("13800000017", "高峰", "230603198711020050", "low_income", "unit", "230603001", "district_review",
            income="1600.00", note="机动车价值超过标准，待区县审核"),
    Persona("13800000018", "谢勇", "230602197203040011", "special", "unit", "230602001", "approved",
            income="1200.00", note="残疾人家庭，审核通过"),
    Persona("13800000019", "刘建国", "230602197505051111", "low_income", "unit", "230602001", "city_review",
            income="1450.00", note="公示期满无异议，待市级复核"),
    Persona("13800000021", "赵强", "230603199202110052", "low_income", "unit", "230603001", "draft",
            income="1400.00", note="资格申请填写到一半（草稿：已填保障方式、家庭成员和现住房，待填家庭资产）"),
]


def _applicant(p: Persona):
    from applications.crosscheck.exchange.simulated import load_records

    user = User.objects.filter(username=p.username).first()
    if user is None:
        if User.objects.filter(phone=p.username).exists():
            return None
        if load_records().get("hukou", {}).get(p.id_number) is None:
            return None  # the exchange's records changed: skip rather than seed a person it does not know
        user = User.objects.create(username=p.username, phone=p.username, real_name=p.name, id_number=p.id_number,
                                   role=Role.APPLICANT, password=demo_password_hash(),
                                   id_verified_at=timezone.now())
    return user


def _build(user, p: Persona):
    from applications import selectors, services
    from applications.apply import services as apply_services
    from applications.demo.applicants import demo_document
    from applications.models import Application

    app = services.application_start(applicant=user)
    apply_services.application_set_assistance(application=app, actor=user, assistance_type=p.assistance, category=p.category)
    me = app.household.members.get(relationship="self")
    apply_services.member_save(application=app, actor=user, member=me, relationship="self", name=me.name,
                         id_number=me.id_number, marital_status=p.marital, employer="大庆某单位",
                         monthly_income=Decimal(p.income), disability="grade_2" if p.category == "special" else "none")
    apply_services.application_set_housing(application=app, actor=user, housing_type="private_rent",
                                     housing_area=Decimal("20.00"), housing_address="租住私房")
    if p.stage == "draft":
        return None  # left half way in the wizard, for a demo log-in to go on with
    apply_services.application_set_assets(application=app, actor=user, vehicle_count=0, vehicle_value=Decimal("0"),
                                    business_count=0, business_capital=Decimal("0"), property_sold_recently=False)
    street = Street.objects.get(code=p.street)
    app = apply_services.application_set_place(application=app, actor=user, street=street,
                                         community=street.communities.order_by("code").first())
    if p.assistance == "unit":
        apply_services.application_set_preferences(application=app, actor=user, districts=[street.district],
                                             bedrooms=selectors.bedroom_choices_for(app)[0][0])
    apply_services.application_give_consent(application=app, actor=user, agreed=True)
    for kind in selectors.required_material_kinds(app):
        apply_services.material_upload(application=app, actor=user, kind=kind, upload=demo_document(kind))
    services.application_submit(application=app, actor=user)
    return Application.objects.get(pk=app.pk)


def _walk(app, p: Persona, staff):
    from applications import services
    from applications.crosscheck import runner as crosscheck
    from applications.models import Application
    from applications.review import services as review

    if app is None:
        return
    clerk = staff["clerk_" + p.street[:6]]
    caseworker = staff["district_" + p.street[:6]]
    services.application_accept(application=app, actor=clerk, opinion="材料齐全，予以受理")
    if p.stage == "accepted":
        return
    review.street_approve(application=Application.objects.get(pk=app.pk), actor=clerk, opinion="家庭情况属实")
    crosscheck.run_checks([app.pk])  # the in-process exchange answers; the task may run it again (fresh → reused)
    app = Application.objects.get(pk=app.pk)
    if p.stage in ("cross_check", "district_review") or app.status != "district_review":
        return
    if p.stage == "rejected":
        review.reject(application=app, actor=caseworker, opinion="经部门联审，不符合保障条件，详见未通过原因")
        return
    review.district_approve(application=app, actor=caseworker, opinion="经审核符合条件，同意公示")
    if p.stage == "public_notice":
        # A notice starts the day after the approval; the demo shows it running today (dates moved back).
        Application.objects.filter(pk=app.pk).update(notice_starts_on=timezone.localdate() - timedelta(days=1))
        return
    # Approved: the notice has run its course (demo only: dates moved back, then the real services).
    app = Application.objects.get(pk=app.pk)
    ended = timezone.localdate() - timedelta(days=1)
    Application.objects.filter(pk=app.pk).update(notice_ends_on=ended)
    review.close_notice(application=Application.objects.get(pk=app.pk), actor=caseworker)
    if p.stage == "city_review":
        return
    review.city_approve(application=Application.objects.get(pk=app.pk), actor=staff["city"], opinion="同意")


def seed():
    from applications.crosscheck.exchange.simulated import SimulatedExchange, load_records

    staff = {
        "clerk_230602": User.objects.filter(username="saertu_jd").first(),
        "clerk_230603": User.objects.filter(username="longfeng_jd").first(),
        "district_230602": User.objects.filter(username="saertu").first(),
        "district_230603": User.objects.filter(username="longfeng").first(),
        "city": User.objects.filter(username="shi").first(),
    }
    if not all(staff.values()):
        return
    todo = []
    for p in PERSONAS:
        user = _applicant(p)
        if user is not None and not user.applications.exists():
            todo.append((user, p))
    if not todo:
        return
    with SimulatedExchange(copy.deepcopy(load_records()), port=0) as exchange, \
            override_settings(EXCHANGE_URL=exchange.url):
        for user, p in todo:
            _walk(_build(user, p), p, staff)


def logins():
    """(username, name, what the demo shows) for the printed demo log-ins."""
    return [(p.username, p.name, p.note) for p in PERSONAS]
