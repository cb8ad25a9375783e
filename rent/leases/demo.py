"""Demo leases and bills for `seed_demo` (idempotent), in 萨尔图区 (230602): households of allocation's
drawn round choose a unit at the counter (allocation's own service), their bureau-signed leases are
signed (a demo signing code, no SMS sent), handed over and started three months ago, with three
months of bills — none paid here: the payment half's seeder (rent/payments/demo.py) pays some, the
last lease stays in arrears. One more household's lease is left awaiting its signature."""

import logging
from datetime import timedelta

from django.utils import timezone

from ..models import Lease, LeaseStatus, SignCode
from .terms import add_months, month_start

logger = logging.getLogger(__name__)

DISTRICT = "230602"
ROUND_NAME = "2026年萨尔图区第一批公租房配租（益民小区）"
ACTIVE = 4
AWAITING = 1
DEMO_CODE = "246810"


def _offers(caseworker):
    """Held or signed offers of the drawn round, made at the counter until there are enough."""
    from allocation.choice import services as choice_services
    from allocation.models import AllocationRound, Offer, RoundUnit

    round_ = AllocationRound.objects.filter(district__code=DISTRICT, name=ROUND_NAME, status="drawn").first()
    if round_ is None:
        return []
    wanted = ACTIVE + AWAITING
    offers = list(Offer.objects.filter(round_entry__round=round_, status__in=["held", "signed"]).order_by("pk"))
    for round_entry in round_.entries.order_by("draw__position"):
        if len(offers) >= wanted:
            break
        if any(o.round_entry_id == round_entry.pk for o in offers):
            continue
        units = (RoundUnit.objects.filter(round=round_, unit__status="vacant", unit__listing="published",
                                          unit__bedrooms__lte=round_entry.entry.max_bedrooms)
                 .select_related("unit").order_by("unit__pk"))
        for round_unit in units[:3]:
            try:
                offers.append(choice_services.offer_choose(round_entry=round_entry, unit=round_unit.unit,
                                                           actor=caseworker, at_counter=True))
                break
            except Exception as exc:  # noqa: BLE001 — a window not open yet, a unit taken: try the next
                logger.info("demo offer for %s not made: %s", round_entry.pk, exc)
                if "选房时间" in str(exc) or "轮候状态" in str(exc):
                    break
    return offers[:wanted]


def _sign(lease):
    from . import services

    lease = Lease.objects.get(pk=lease.pk)
    phone = lease.tenant.phone
    now = timezone.now()
    lease.sign_codes.filter(used_at__isnull=True).update(voided_at=now)
    SignCode.objects.create(lease=lease, phone=phone, code_hash=services._code_hash(lease.pk, phone, DEMO_CODE),
                            created_at=now, expires_at=now + timedelta(minutes=5))
    services.lease_sign(lease=lease, user=lease.tenant, code=DEMO_CODE, ip_address="127.0.0.1",
                        user_agent="seed_demo（演示数据）")


def seed():
    from gongzufang.models import User

    from ..billing import services as billing_services
    from . import services

    caseworker = User.objects.filter(username="saertu").first()
    if caseworker is None:
        return
    today = timezone.localdate()
    start = add_months(month_start(today), -3)
    for i, offer in enumerate(_offers(caseworker)):
        lease = Lease.objects.filter(offer=offer).first()
        if lease is None:
            if offer.status != "held":
                continue
            lease = services.lease_from_offer(offer=offer, actor=None, start_on=start if i < ACTIVE else None)
        if i >= ACTIVE:
            continue  # left for the tenant to sign
        if lease.status == LeaseStatus.ISSUED:
            _sign(lease)
            lease = Lease.objects.get(pk=lease.pk)
        if lease.status == LeaseStatus.SIGNED:
            services.lease_hand_over(lease=lease, actor=caseworker, handed_over_on=lease.start_on, keys=3,
                                     access_cards=1, water_meter="105.30", electricity_meter="2310.50",
                                     gas_meter="88.20", condition="墙面、门窗完好；厨卫设施齐全；燃气灶、热水器可用。")
    for months_back in (3, 2, 1):
        billing_services.bills_make(period=add_months(month_start(today), -months_back))
    billing_services.arrears_flag(today=today)


def logins():
    """(username, name, what the demo shows) for the printed demo log-ins."""
    rows = []
    for lease in Lease.objects.filter(district__code=DISTRICT, offer__isnull=False).select_related("tenant") \
            .order_by("pk")[:ACTIVE + AWAITING]:
        what = "租赁合同待签署（短信验证码签约）" if lease.status == LeaseStatus.ISSUED else "租赁合同与我的账单"
        rows.append((lease.tenant.username, lease.tenant.real_name, what))
    return rows
