"""Demo data of tenancy for `seed_demo` (萨尔图区 230602), after rent's and subsidies' seeders:

- annual reviews of the demo subsidy households opening within 30 days: one waiting for the
  household, one answered 无变化 and decided (继续保障), one answered and being checked, one overdue;
- monitoring alerts: a car bought, a death;
- the demo's whole story (tenancy/demo_story.py): one household from registering to moving out;
- an exit case in its move-out period (a lease of the district: rent's demo lease if there is one,
  else one made through rent's services from a held offer of allocation's demo round).

Idempotent: every row is looked up by its number first."""

import logging
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def seed(*args, **kwargs):
    from gongzufang.models import District, User

    district = District.objects.filter(code="230602").first()
    caseworker = User.objects.filter(username="saertu").first()
    if district is None or caseworker is None:
        return
    with transaction.atomic():
        _reviews(district, caseworker)
        _alerts(district)
    try:
        with transaction.atomic():
            _exit_in_move_out(district, caseworker)
    except Exception as exc:  # the lease half depends on other apps' demo data and signing keys
        logger.warning("tenancy demo: no exit case in its move-out period (%s)", exc)
    # Last: the one household whose whole story the demo tells (tenancy/demo_story.py).
    from . import demo_story

    with transaction.atomic():
        demo_story.seed()


def _grants(district):
    from subsidies.models import SubsidyGrant

    return list(SubsidyGrant.objects.filter(district=district, status="active").order_by("pk")[:6])


def _reviews(district, caseworker):
    from gongzufang import workflow

    from . import services
    from .models import AnnualReview, ReviewStatus

    today = timezone.localdate()
    plan = [("open", 20), ("decided", 25), ("checking", 28), ("overdue", -1)]
    for grant, (state, due_in) in zip(_grants(district), plan, strict=False):
        number = services.review_number("G", grant.pk, today.year)
        if AnnualReview.objects.filter(number=number).exists():
            continue
        due = today + timedelta(days=due_in)
        review = AnnualReview.objects.create(number=number, year=today.year, anniversary=due,
                                             opens_on=due - timedelta(days=30), due_on=due,
                                             **services.subject_values(grant=grant))
        workflow.record_start(review, actor=None, opinion="年审开启")
        if state in ("decided", "checking"):
            services.review_declare(review=review, actor=review.holder, no_change=True, consent=True,
                                    run_checks_now=False)
        if state == "decided":
            services.review_decide(review=review, actor=caseworker, outcome="continue")
        if state == "overdue" and review.status == ReviewStatus.OPENED:
            workflow.transition(review, "lapse", actor=None, opinion=f"截至{due:%Y-%m-%d}未申报（演示）")


def _alerts(district):
    from gongzufang.models.users import Level

    from .models import AlertStatusChange, MonitoringAlert

    today = timezone.localdate()
    grants = _grants(district)[4:6]
    facts = [("vehicles", "vehicle", "新增机动车 1 辆，车辆评估价值合计 150000.00 元", "公安车辆管理部门"),
             ("death", "death", f"登记死亡（{today - timedelta(days=12):%Y-%m-%d}）", "殡葬/死亡登记部门")]
    for grant, (department, kind, fact, source) in zip(grants, facts, strict=False):
        if MonitoringAlert.objects.filter(grant=grant, kind=kind).exists():
            continue
        member = grant.application.household.members.order_by("sort_order", "id").last()
        alert = MonitoringAlert.objects.create(
            application_id=grant.application_id, grant=grant, household_kind="grant", holder_name=grant.holder_name,
            district=district, member_name=member.name if member else grant.holder_name, department=department,
            kind=kind, fact=fact, source=f"{source} {today:%Y-%m-%d} 查询",
            fact_date=today - timedelta(days=12 if kind == "death" else 3), due_on=today + timedelta(days=14))
        AlertStatusChange.objects.create(alert=alert, from_status="", to_status="open", actor=None,
                                         actor_level=Level.SYSTEM, opinion="动态监管发现变化（演示）")


def _demo_lease(district):
    from notifications.models import SmsOutbox
    from rent.leases import services as lease_services
    from rent.models import Lease

    lease = Lease.objects.filter(district=district, status="active").order_by("pk").first()
    if lease is not None:
        return lease
    from allocation.models import Offer

    offer = Offer.objects.filter(district=district, status="held", lease__isnull=True).order_by("pk").first()
    if offer is None:
        return None
    lease = lease_services.lease_from_offer(offer=offer, actor=None)
    if lease.status == "issued":
        lease_services.sign_code_send(lease=lease, user=lease.tenant)
        text = SmsOutbox.objects.filter(phone=lease.tenant.phone).order_by("-id").values_list("text", flat=True).first()
        lease_services.lease_sign(lease=lease, user=lease.tenant, code=re.search(r"验证码 (\d{6})", text).group(1),
                                  ip_address="127.0.0.1", user_agent="seed_demo")
    lease.refresh_from_db()
    if lease.status == "signed":
        lease_services.lease_hand_over(lease=lease, actor=None, handed_over_on=lease.start_on, keys=2,
                                       water_meter="10.0", electricity_meter="200.0", condition="完好（演示）")
    return Lease.objects.get(pk=lease.pk)


def _exit_in_move_out(district, caseworker):
    from . import services
    from .models import ExitCase

    if ExitCase.objects.filter(district=district, status="move_out").exists():
        return
    lease = _demo_lease(district)
    if lease is None or lease.status != "active":
        logger.info("tenancy demo: no active lease in 230602 for the move-out example")
        return
    case = services.live_exit_case(lease=lease) or services.exit_apply(
        lease=lease, actor=lease.tenant, reason="家庭已购买商品住房，申请退租（演示）")
    if case.status == "opened":
        services.exit_decide(case=case, actor=caseworker, opinion="同意退租（演示）")
