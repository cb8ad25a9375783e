"""The demo's one whole story, for `seed_demo` (idempotent; run last, from tenancy/demo.py).

周建民 of 萨尔图区 (log in with 13800000020 and the demo password) goes through every step of a public
rental household's life over about three years, each step through the same service the pages and
the admin call, by the demo caseworker whose work it is:

  registers with an SMS code and verifies his identity → fills in the application (household of
  three) and submits it → 萨尔图街道 accepts it and approves it (saertu_jd) → the departments answer
  (an in-process simulated exchange) → 萨尔图区 approves it (saertu) → 公示 → notice closed (saertu) →
  the city approves it (shi) → he waits on the list for ten months → a round over 益民小区 is
  published and drawn (saertu) → he chooses a unit online with an SMS code → the bureau-signed
  lease is issued, he signs it with an SMS code → handover, the lease starts → a bill every month,
  paid online (the simulated bank, asked by the portal) and every sixth month in cash at the counter
  (saertu) → his annual review opens, he declares 无变化, the departments are asked again, saertu
  decides 继续保障 → he applies to move out (退租) → saertu accepts, inspects the unit, settles the
  deposit and closes the case: the lease ends and the unit is vacant again.

Dates. Services stamp `now` (and some take a day: `on=`, `today=`, `start_on=`, `period=`,
`handed_over_on=`, `inspected_on=`, `paid_at=`). Every step runs inside `Story.at(when)`: when the
step is done, every status-log row it wrote (all `StatusChange` tables) is moved to `when` (a minute
apart, in order), and the step then moves the few timestamp fields of the story's own records it
wrote (`Story.stamp`). That is the one place the demo rewrites time; nothing else is moved. Messages
and SMS of the story (notifications) keep the day the demo was seeded.
"""

import copy
import re
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

PHONE = "13800000020"
NAME = "周建民"
ID_FIRST17 = "23060219840512003"
MEMBERS = [  # relationship, name, first 17 digits of the ID number, marital status, employer, monthly income
    ("spouse", "吴秀芳", "23060219860903002", "married", "萨尔图区某商场", "1000.00"),
    ("child", "周小雨", "23060220140618002", "unmarried", "", "0"),
]
SELF_INCOME = "1500.00"
ROUND_NAME_FORMAT = "{year}年萨尔图区公租房配租（益民小区·轮候家庭专场）"
ENTROPY_FORMAT = "福彩3D {year}{serial:03d}期 开奖号码 3 7 2"
CASH_EVERY = 6  # every sixth bill is paid in cash at the counter, the others online
EXIT_REASON = "家庭已购买商品住房，申请退租"


def id_number(first17):
    from gongzufang.idnumber import check_character

    return first17 + check_character(first17)


def _months(day, n):
    from tenancy.services import add_months

    return add_months(day, n)


def timeline(today=None):
    """The story's dates, about three years back from `today` (all derived from it: the demo is seeded
    on any day). A dict of name → date."""
    today = today or timezone.localdate()
    first = date(today.year, today.month, 1)
    t0 = _months(first, -36) + timedelta(days=3)
    lease_start = _months(first, -24)
    exit_month = _months(first, -2)
    return {
        "register": t0, "submit": t0 + timedelta(days=6), "accept": t0 + timedelta(days=8),
        "street": t0 + timedelta(days=10), "district": t0 + timedelta(days=17),
        # 公示 from the day after the district's approval, for the parameter's days (filled in below)
        "round": _months(lease_start, -1) + timedelta(days=2), "draw": _months(lease_start, -1) + timedelta(days=9),
        "choose": _months(lease_start, -1) + timedelta(days=10), "issue": _months(lease_start, -1) + timedelta(days=10),
        "sign": _months(lease_start, -1) + timedelta(days=13), "lease_start": lease_start,
        "review_anniversary": _months(lease_start, 12),
        "exit_apply": exit_month + timedelta(days=4), "exit_decide": exit_month + timedelta(days=6),
        "inspect": exit_month + timedelta(days=25), "settle": exit_month + timedelta(days=27),
        "close": exit_month + timedelta(days=29),
    }


def _at(day, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Story:
    """Runs steps and moves what each wrote to its day (see the module's docstring)."""

    def __init__(self):
        from gongzufang.models.audit import StatusChange

        self.logs = [m for m in apps.get_models() if issubclass(m, StatusChange) and not m._meta.abstract]

    @contextmanager
    def at(self, when):
        marks = {m: m.objects.aggregate(top=Max("pk"))["top"] or 0 for m in self.logs}
        yield
        # In the order they were written (their real times), a minute apart from `when`.
        written = sorted((at, model._meta.label, pk) for model, mark in marks.items()
                         for pk, at in model.objects.filter(pk__gt=mark).values_list("pk", "created_at"))
        models = {model._meta.label: model for model in marks}
        for i, (_at, label, pk) in enumerate(written):
            models[label].objects.filter(pk=pk).update(created_at=when + timedelta(minutes=i))

    @staticmethod
    def stamp(model, pk, **fields):
        model.objects.filter(pk=pk).update(**fields)


def seed():
    from gongzufang.models import User

    if User.objects.filter(username=PHONE).exists() or User.objects.filter(phone=PHONE).exists():
        return
    staff = {name: User.objects.filter(username=name).first() for name in ("saertu_jd", "saertu", "shi")}
    if not all(staff.values()):
        return
    _tell_story(staff)


def _records():
    """The exchange's records with the story's household added (a copy: the fixture file is untouched).
    Their facts match what the household declares, so every department's check passes."""
    from applications.crosscheck.exchange.simulated import load_records

    records = copy.deepcopy(load_records())
    people = [(NAME, id_number(ID_FIRST17), "married", SELF_INCOME, "大庆某物流公司")] + [
        (name, id_number(first17), marital, income, employer)
        for _rel, name, first17, marital, employer, income in MEMBERS]
    for name, number, marital, income, employer in people:
        working = Decimal(income) > 0
        records["hukou"][number] = {"name": name, "hukou_district": "230602", "status": "normal",
                                    "hukou_address": "黑龙江省大庆市萨尔图区萨尔图街道东安社区 5-2-302",
                                    "residence_permit": False}
        records["vehicles"][number] = {"vehicles": []}
        records["property"][number] = {"properties": [], "sales": []}
        records["civil_affairs"][number] = {"minimum_living": False, "extreme_poverty": False, "since": None}
        records["social_insurance"][number] = {"insured": working, "months_contributed": 60 if working else 0,
                                               "employer": employer, "labour_contract_months": 24 if working else 0}
        records["housing_fund"][number] = {"account_status": "none", "monthly_deposit": "0.00",
                                           "has_housing_loan": False}
        records["business"][number] = {"businesses": []}
        records["tax"][number] = {"year": 2025, "annual_income": f"{Decimal(income) * 12:.2f}"}
        records["disability"][number] = {"disabled": False, "grade": None, "kind": ""}
        records["death"][number] = {"deceased": False, "died_on": None}
        records["marriage"][number] = {"marital_status": marital, "registered_on": "2012-05-01" if marital == "married" else None}
        records["education"][number] = {"highest_degree": "高中", "school": "", "graduated_on": None}
    return records


def _tell_story(staff):
    from applications.crosscheck.exchange.simulated import SimulatedExchange
    from gongzufang.bank.simulated import SimulatedBank

    days = timeline()
    story = Story()
    secret = settings.BANK_NOTIFY_SECRET or "seed-demo"
    bank = SimulatedBank(port=0, notify_secret=secret).start()
    try:
        with SimulatedExchange(_records(), port=0) as exchange, \
                override_settings(EXCHANGE_URL=exchange.url, BANK_URL=bank.url):
            user, app = _apply(story, staff, days)
            app = _review(story, staff, days, app)
            offer = _allocate(story, staff, days, app)
            lease = _lease(story, staff, days, offer)
            _rent(story, staff, days, lease, bank, until=days["close"])
            _annual_review(story, staff, days, lease)
            _move_out(story, staff, days, lease, bank)
    finally:
        bank.stop()


# --- registering and applying ------------------------------------------------------------------------


def _apply(story, staff, days):
    from applications import selectors
    from applications import services as application_services
    from applications.accounts import services as accounts
    from applications.apply import services as apply_services
    from applications.demo.applicants import demo_document
    from applications.models import Application, Material, SmsCode, SmsPurpose
    from gongzufang.demo import DEMO_PASSWORD
    from gongzufang.models import Street, User

    registered = _at(days["register"], 9, 12)
    with story.at(registered):
        # As on the register page: a code (kept only as its hash; the seeded code is not texted) and then entered.
        code, now = "135790", timezone.now()
        SmsCode.objects.create(phone=PHONE, purpose=SmsPurpose.REGISTER, created_at=now,
                               expires_at=now + timedelta(minutes=5),
                               code_hash=accounts._code_hash(PHONE, SmsPurpose.REGISTER, code))
        user = accounts.applicant_register(phone=PHONE, code=code, password=DEMO_PASSWORD)
        user = accounts.applicant_verify_identity(user=user, name=NAME, id_number=id_number(ID_FIRST17))
        story.stamp(User, user.pk, date_joined=registered, id_verified_at=registered + timedelta(minutes=8))
        SmsCode.objects.filter(phone=PHONE).update(created_at=registered, used_at=registered,
                                                   expires_at=registered + timedelta(minutes=5))
        user.identity_verifications.update(created_at=registered + timedelta(minutes=8))

    submitted = _at(days["submit"], 20, 5)
    with story.at(submitted):
        app = application_services.application_start(applicant=user)
        apply_services.application_set_assistance(application=app, actor=user, assistance_type="unit",
                                                  category="low_income")
        me = app.household.members.get(relationship="self")
        apply_services.member_save(application=app, actor=user, member=me, relationship="self", name=me.name,
                                   id_number=me.id_number, marital_status="married", employer="大庆某物流公司",
                                   monthly_income=Decimal(SELF_INCOME))
        for relationship, name, first17, marital, employer, income in MEMBERS:
            apply_services.member_save(application=app, actor=user, relationship=relationship, name=name,
                                       id_number=id_number(first17), marital_status=marital, employer=employer,
                                       monthly_income=Decimal(income))
        apply_services.application_set_housing(application=app, actor=user, housing_type="private_rent",
                                               housing_area=Decimal("26.00"),
                                               housing_address="萨尔图区东安社区 5-2-302（租住私房）")
        apply_services.application_set_assets(application=app, actor=user, vehicle_count=0,
                                              vehicle_value=Decimal("0"), business_count=0,
                                              business_capital=Decimal("0"), property_sold_recently=False)
        street = Street.objects.get(code="230602001")
        app = apply_services.application_set_place(application=app, actor=user, street=street,
                                                   community=street.communities.order_by("code").first())
        apply_services.application_set_preferences(application=app, actor=user, districts=[street.district],
                                                   bedrooms=selectors.bedroom_choices_for(app)[-1][0])
        apply_services.application_give_consent(application=app, actor=user, agreed=True)
        for kind in selectors.required_material_kinds(app):
            apply_services.material_upload(application=app, actor=user, kind=kind, upload=demo_document(kind))
        application_services.application_submit(application=app, actor=user)
        story.stamp(Application, app.pk, created_at=submitted - timedelta(minutes=40),
                    consent_at=submitted - timedelta(minutes=5), submitted_at=submitted, updated_at=submitted)
        Material.objects.filter(application=app).update(uploaded_at=submitted - timedelta(minutes=3))
        app.household.members.update(confirmed_at=submitted - timedelta(minutes=20))
    return user, Application.objects.get(pk=app.pk)


# --- the review ---------------------------------------------------------------------------------------


def _review(story, staff, days, app):
    from applications import services as application_services
    from applications.crosscheck import runner as crosscheck
    from applications.models import Application
    from applications.review import services as review
    from gongzufang.parameters import param

    def fresh():
        return Application.objects.get(pk=app.pk)

    clerk, district, city = staff["saertu_jd"], staff["saertu"], staff["shi"]
    accepted = _at(days["accept"], 10, 15)
    with story.at(accepted):
        application_services.application_accept(application=fresh(), actor=clerk, opinion="材料齐全，予以受理")
        story.stamp(Application, app.pk, accepted_at=accepted, step_started_on=days["accept"])
    with story.at(_at(days["street"], 15, 40)):
        review.street_approve(application=fresh(), actor=clerk,
                              opinion="入户核查：一家三口租住私房 26 平方米，家庭收入情况属实")
        crosscheck.run_checks([app.pk])  # the departments answer at once (the in-process exchange)
    if fresh().status != "district_review":
        raise RuntimeError(f"demo story: after the cross-check the application is {fresh().status}")
    with story.at(_at(days["district"], 9, 30)):
        review.district_approve(application=fresh(), actor=district,
                                opinion="经审核，家庭人均收入及住房符合低收入住房困难家庭条件，同意公示")
    notice_days = int(param("review.public_notice_days", on=days["district"], district=fresh().district_id))
    starts, ends = days["district"] + timedelta(days=1), days["district"] + timedelta(days=notice_days)
    # The notice ran its days back then: its dates are the story's (close_notice refuses before they end).
    story.stamp(Application, app.pk, notice_starts_on=starts, notice_ends_on=ends)
    closed = ends + timedelta(days=1)
    with story.at(_at(closed, 9, 0)):
        review.close_notice(application=fresh(), actor=district)
    approved = _at(closed + timedelta(days=4), 14, 20)
    with story.at(approved):
        review.city_approve(application=fresh(), actor=city, opinion="市级复核通过，同意纳入公租房保障，进入轮候")
        story.stamp(Application, app.pk, decided_at=approved, updated_at=approved)
        _stamp_entry(app, approved)
    days["approved"] = approved.date()
    return fresh()


def _stamp_entry(app, approved):
    from allocation.models import WaitlistEntry

    entry = WaitlistEntry.objects.get(application=app)
    WaitlistEntry.objects.filter(pk=entry.pk).update(qualified_on=timezone.localdate(approved), created_at=approved,
                                                     updated_at=approved)


# --- waiting, the round, choosing ----------------------------------------------------------------------


def _allocate(story, staff, days, app):
    from allocation import services
    from allocation.choice import selectors as choice_selectors
    from allocation.choice import services as choice_services
    from allocation.models import AllocationRound, Offer, RoundEntry, WaitlistEntry
    from applications.accounts.services import _code_hash
    from applications.models import SmsCode
    from housing.models import Estate

    caseworker = staff["saertu"]
    entry = WaitlistEntry.objects.get(application=app)
    estate = Estate.objects.get(district=app.district, name="益民小区")
    name = ROUND_NAME_FORMAT.format(year=days["round"].year)
    created = _at(days["round"], 9, 0)
    with story.at(created):
        round_ = services.round_create(district=app.district, name=name, actor=caseworker, estates=[estate.pk],
                                       bedrooms=[entry.max_bedrooms], max_households=1, households_per_window=1,
                                       window_hours=48, choice_starts_at=timezone.now() - timedelta(hours=1))
        if list(round_.entries.values_list("entry_id", flat=True)) != [entry.pk]:
            raise RuntimeError("demo story: the round did not take the story's household alone")
        services.round_publish(round=round_, actor=caseworker, opinion="发布配租方案，摇号时间另行公告")
        AllocationRound.objects.filter(pk=round_.pk).update(created_at=created, published_at=created)
    drawn = _at(days["draw"], 9, 30)
    with story.at(drawn):
        services.round_draw(round=round_, actor=caseworker,
                            public_entropy=ENTROPY_FORMAT.format(year=drawn.year, serial=drawn.timetuple().tm_yday))
    opens, closes = _at(days["choose"], 9, 0), _at(days["choose"] + timedelta(days=2), 9, 0)
    chosen = _at(days["choose"], 10, 26)
    re_ = RoundEntry.objects.select_related("round", "entry__application__applicant").get(round=round_, entry=entry)
    user = app.applicant
    with story.at(chosen):
        code, now = "246810", timezone.now()
        SmsCode.objects.create(phone=user.phone, purpose=choice_services.CODE_PURPOSE, created_at=now,
                               expires_at=now + timedelta(minutes=5),
                               code_hash=_code_hash(user.phone, choice_services.CODE_PURPOSE, code))
        unit = choice_selectors.units_left(re_)[0]
        offer = choice_services.offer_choose(round_entry=re_, unit=unit, actor=user, sms_code=code)
        # The signing deadline is moved with the rest once the lease is signed (signing checks it).
        days["sign_by"] = days["choose"] + (offer.sign_by - timezone.localdate())
        Offer.objects.filter(pk=offer.pk).update(chosen_at=chosen, created_at=chosen)
    AllocationRound.objects.filter(pk=round_.pk).update(drawn_at=drawn, choice_starts_at=opens, updated_at=drawn)
    try:  # the draw's positions: their own rows (ADR 0012), or on the round's entries before that change
        from allocation.models import DrawPosition

        positions = DrawPosition.objects.filter(round=round_)
    except ImportError:
        positions = RoundEntry.objects.filter(round=round_)
    positions.update(window_opens_at=opens, window_closes_at=closes)
    return Offer.objects.get(pk=offer.pk)


# --- the lease -------------------------------------------------------------------------------------------


def _lease(story, staff, days, offer):
    from allocation.models import Offer
    from notifications.models import SmsOutbox
    from rent.leases import services as lease_services
    from rent.models import Handover, Lease

    issued = _at(days["issue"], 16, 0)
    with story.at(issued):
        lease = lease_services.lease_from_offer(offer=offer, actor=None, start_on=days["lease_start"])
        story.stamp(Lease, lease.pk, created_at=issued, issued_at=issued)
    signed = _at(days["sign"], 10, 40)
    with story.at(signed):
        lease_services.sign_code_send(lease=lease, user=lease.tenant)
        text = SmsOutbox.objects.filter(phone=lease.tenant.phone).order_by("-id").values_list("text", flat=True).first()
        lease_services.lease_sign(lease=Lease.objects.get(pk=lease.pk), user=lease.tenant,
                                  code=re.search(r"验证码\D*(\d{6})", text).group(1), ip_address="127.0.0.1",
                                  user_agent="seed_demo（演示数据）")
        story.stamp(Lease, lease.pk, signed_at=signed)
        lease.sign_codes.update(created_at=signed - timedelta(minutes=2), expires_at=signed + timedelta(minutes=3),
                                used_at=signed)
        # The deadline, and the choice's log line that names it, moved to the story's day.
        held = Offer.objects.get(pk=offer.pk)
        Offer.objects.filter(pk=offer.pk).update(sign_by=days["sign_by"], updated_at=signed)
        for change in held.status_changes.filter(to_status="held"):
            type(change).objects.filter(pk=change.pk).update(opinion=change.opinion.replace(
                f"{held.sign_by:%Y-%m-%d}", f"{days['sign_by']:%Y-%m-%d}"))
    handed = _at(days["lease_start"], 9, 30)
    with story.at(handed):
        lease_services.lease_hand_over(lease=Lease.objects.get(pk=lease.pk), actor=staff["saertu"],
                                       handed_over_on=days["lease_start"], keys=3, access_cards=2,
                                       water_meter="12.40", electricity_meter="356.80", gas_meter="20.10",
                                       condition="墙面、地面、门窗完好；厨卫设施齐全；燃气灶、热水器可用。")
        Handover.objects.filter(lease=lease).update(created_at=handed)
    return Lease.objects.get(pk=lease.pk)


# --- rent --------------------------------------------------------------------------------------------------


def _rent(story, staff, days, lease, bank, *, until):
    """A bill each month from the lease's start to `until`'s month, each paid a few days after it is made."""
    from rent.billing import services as billing
    from rent.leases.terms import add_months, month_start

    period, last = month_start(lease.start_on), month_start(until)
    n = 0
    while period <= last:
        made = _at(period, 2, 0)
        with story.at(made):
            billing.bills_make(period=period)
        bill = lease.bills.get(period=period)
        type(bill).objects.filter(pk=bill.pk).update(created_at=made)
        n += 1
        paid = _at(period + timedelta(days=4 + n % 5), 9 + n % 8, 10 + n % 40)
        with story.at(paid):
            if n % CASH_EVERY == 0:
                _pay_at_counter(staff["saertu"], lease, bill, paid)
            else:
                _pay_online(lease, bill, paid, bank)
        period = add_months(period, 1)


def _pay_online(lease, bill, paid, bank):
    """As the tenant does on 我的账单: an order with the bank, paid on the bank's page; the portal then asks
    the bank (the return page's and the sweep's service)."""
    from gongzufang.bank.client import get_bank
    from rent.models import Bill, Payment, PaymentOrder
    from rent.payments import services

    order = services.order_create(tenant=lease.tenant, bill_ids=[bill.pk])
    bank.pay(order.order_no, notify=False)
    services.order_refresh(order, bank=get_bank(bank.url))
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=paid - timedelta(minutes=2), paid_at=paid,
                                                    expires_at=paid + timedelta(minutes=28), last_queried_at=paid)
    Payment.objects.filter(order=order).update(paid_at=paid, created_at=paid)
    Bill.objects.filter(pk=bill.pk).update(paid_at=paid, updated_at=paid)


def _pay_at_counter(caseworker, lease, bill, paid):
    from rent.models import Bill, PaymentMethod
    from rent.payments import services

    payment = services.counter_payment_record(lease=lease, amount=bill.outstanding, method=PaymentMethod.CASH,
                                              receipt_no=f"DEMO-GT-ZJM-{bill.period:%Y%m}", actor=caseworker,
                                              paid_at=paid, note="柜台现金缴费")
    type(payment).objects.filter(pk=payment.pk).update(created_at=paid)
    Bill.objects.filter(pk=bill.pk).update(paid_at=paid, updated_at=paid)


# --- the annual review ------------------------------------------------------------------------------------


def _annual_review(story, staff, days, lease):
    from gongzufang.parameters import param
    from tenancy import services
    from tenancy.models import AnnualReview

    anniversary = days["review_anniversary"]
    open_days = int(param("annual_review.open_days_before", on=anniversary))
    opened_on = anniversary - timedelta(days=open_days)
    opened = _at(opened_on, 1, 30)
    with story.at(opened):
        services.open_annual_reviews(today=opened_on)
        review = AnnualReview.objects.get(lease=lease, year=anniversary.year)
        AnnualReview.objects.filter(pk=review.pk).update(created_at=opened)
    declared = _at(opened_on + timedelta(days=6), 19, 45)
    with story.at(declared):
        services.review_declare(review=review, actor=lease.tenant, no_change=True, consent=True, run_checks_now=False)
        services.review_run_checks(review=AnnualReview.objects.get(pk=review.pk))
        AnnualReview.objects.filter(pk=review.pk).update(declared_at=declared, consent_at=declared,
                                                         checked_at=declared + timedelta(minutes=3))
    decided = _at(opened_on + timedelta(days=13), 10, 5)
    with story.at(decided):
        services.review_decide(review=AnnualReview.objects.get(pk=review.pk), actor=staff["saertu"],
                               outcome="continue", note="部门核验无变化，继续保障")
        AnnualReview.objects.filter(pk=review.pk).update(decided_at=decided, updated_at=decided)


# --- moving out -----------------------------------------------------------------------------------------------


def _move_out(story, staff, days, lease, bank):
    from rent.models import Lease
    from tenancy import services
    from tenancy.models import ExitCase

    caseworker = staff["saertu"]
    applied = _at(days["exit_apply"], 20, 30)
    with story.at(applied):
        case = services.exit_apply(lease=Lease.objects.get(pk=lease.pk), actor=lease.tenant, reason=EXIT_REASON)
        ExitCase.objects.filter(pk=case.pk).update(created_at=applied)
        # the refund account the tenant gives on the exit page (the settlement refunds through the bank)
        services.exit_refund_account(case=ExitCase.objects.get(pk=case.pk), actor=lease.tenant,
                                     account_name=lease.tenant_name, account_no="6217002026120100000")
    decided = _at(days["exit_decide"], 9, 50)
    with story.at(decided):
        services.exit_decide(case=ExitCase.objects.get(pk=case.pk), actor=caseworker,
                             opinion="同意退租，请于腾退期内腾空房屋并办理验房", today=days["exit_decide"])
        ExitCase.objects.filter(pk=case.pk).update(decided_at=decided)
    with story.at(_at(days["inspect"], 14, 0)):
        services.exit_inspect(case=ExitCase.objects.get(pk=case.pk), actor=caseworker, inspected_on=days["inspect"],
                              condition="房屋已腾空，墙面有钉孔两处，其余完好", damage="墙面钉孔两处（修补）",
                              water_meter="98.60", electricity_meter="2875.30", gas_meter="131.40")
    settled = _at(days["settle"], 10, 0)
    with story.at(settled):
        services.exit_settle(case=ExitCase.objects.get(pk=case.pk), actor=caseworker,
                             deductions=[("墙面修补", "80.00")])
        ExitCase.objects.filter(pk=case.pk).update(settled_at=settled)
    closed = _at(days["close"], 16, 0)
    with story.at(closed):
        services.exit_close(case=ExitCase.objects.get(pk=case.pk), actor=caseworker, today=days["close"])
        ExitCase.objects.filter(pk=case.pk).update(closed_at=closed, updated_at=closed)


def logins():
    """(username, name, what the demo shows) for the printed demo log-ins."""
    return [(PHONE, NAME, "全流程：注册→申请→三级审核→公示→轮候→摇号选房→签约入住→缴租→年审→退租办结（约三年）")]



# --- the log-ins the operation manual's journeys use (printed by seed_demo, docs/manual/demo-accounts.md) ---

FRESH_PHONE = "13800000099"  # never registered by the demo: the 注册认证 journey registers it


def _first(queryset, what):
    """(username, name, what) of the first record's person in `queryset` (of users), or None."""
    user = queryset.order_by("pk").first()
    return (user.username, user.real_name, what) if user else None


def journey():
    """The demo accounts for each journey of the manual: (username, name, what it shows). Some are
    found by what they hold (the draw decides who is in the open choice window)."""
    from allocation.choice.services import window_state
    from allocation.demo import DRAWN_ROUND
    from allocation.models import Offer, RoundEntry
    from gongzufang.models import User
    from tenancy.models import AnnualReview, ExitCase

    rows = [(FRESH_PHONE, "（未注册）", "注册认证：未注册的手机号，注册并实名认证")]
    rows.append(_first(User.objects.filter(username="13800000021"), "资格申请：向导填到一半的草稿，可继续填写并提交"))
    rows.append(_first(User.objects.filter(username="shenqingren"),
                       "进度查询：已提交待受理；意见反馈：已答复的建议和待处理的报修"))
    chosen = Offer.objects.values("round_entry_id")
    for re_ in (RoundEntry.objects.filter(round__name=DRAWN_ROUND).exclude(pk__in=chosen)
                .select_related("round", "entry__application__applicant").order_by("pk")):
        if window_state(re_) == "open":
            user = re_.entry.application.applicant
            rows.append((user.username, user.real_name, "选房：本批选房时间正在进行，可网上选房（短信验证码）"))
            break
    live_exit = ExitCase.objects.filter(lease__isnull=False).exclude(status="closed").values("lease_id")
    rows.append(_first(User.objects.filter(leases__status="issued"), "签约：租赁合同待签署（短信验证码签约）"))
    unpaid = User.objects.filter(leases__status="active", leases__bills__status__in=["unpaid", "partly_paid"]).distinct()
    owing = _first(unpaid.exclude(leases__pk__in=live_exit), "缴租：有未缴账单，可网上缴费")
    rows.append(owing)
    rows.append(_first(User.objects.filter(username="butie01"), "补贴：补贴核算、按月发放记录、脱敏账户"))
    rows.append(_first(User.objects.filter(pk__in=AnnualReview.objects.filter(status="opened").values("holder_id")),
                       "年审：本年度资格年审已开启，待申报（可一键“无变化”）"))
    movable = (User.objects.filter(leases__status="active").exclude(leases__pk__in=live_exit)
               .exclude(username=owing[0] if owing else "").distinct())
    rows.append(_first(movable, "退租：履行中的租赁合同，可网上申请退租"))
    rows.append((PHONE, NAME, "全流程的历史：申请、轮候、合同、账单、年审、退租的每一步记录"))
    return [row for row in rows if row]


def queues():
    """What waits in each demo caseworker's queue: (username, name, what), for the printed log-ins."""
    from applications.models import Application
    from gongzufang.models import User
    from rent.models import Lease
    from subsidies.models import SubsidyBatch
    from tenancy.models import AnnualReview, ExitCase, MonitoringAlert

    def count(queryset):
        return queryset.count()

    rows = []
    for username, street in (("saertu_jd", "230602001"), ("longfeng_jd", "230603001")):
        apps_ = Application.objects.filter(street__code=street)
        rows.append((username, f"待受理 {count(apps_.filter(status='submitted'))} 件，"
                               f"待街道初审 {count(apps_.filter(status__in=['accepted', 'street_review']))} 件"))
    for username, district in (("saertu", "230602"), ("longfeng", "230603")):
        apps_ = Application.objects.filter(district__code=district)
        text = (f"待区县审核 {count(apps_.filter(status='district_review'))} 件，"
                f"公示中 {count(apps_.filter(status='public_notice'))} 件")
        if district == "230602":
            text += (f"；待入住交接 {count(Lease.objects.filter(district__code=district, status='signed'))} 份，"
                     f"年审待核定 {count(AnnualReview.objects.filter(district__code=district, status='checking'))} 件，"
                     f"动态监管预警 {count(MonitoringAlert.objects.filter(district__code=district, status='open'))} 条，"
                     f"退出办理中 {count(ExitCase.objects.filter(district__code=district).exclude(status='closed'))} 件")
        rows.append((username, text))
    rows.append(("shi", f"待市级复核 {count(Application.objects.filter(status='city_review'))} 件，"
                        f"补贴批次待市级确认 {count(SubsidyBatch.objects.filter(status='district_approved'))} 批"))
    names = dict(User.objects.filter(username__in=[u for u, _t in rows]).values_list("username", "real_name"))
    return [(username, names.get(username, ""), text) for username, text in rows]
