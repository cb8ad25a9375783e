"""Demo payments for `seed_demo` (registered after the leases' seeder, rent/payments/setup.py), in
萨尔图区 (230602) on the bills the leases' seeder made: the oldest bills of one lease paid online (as
the bank's notification would have applied them), one bill paid at the counter in cash, and a payment
order left pending at the bank. Idempotent: demo transactions, receipt numbers and the pending order
are looked up before anything is made."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from gongzufang import workflow
from rent.models import Bill, BillStatus, OrderStatus, Payment, PaymentMethod, PaymentOrder, PaymentOrderBill

from . import services

DISTRICT = "230602"
COUNTER_RECEIPT = "DEMO-GT-0001"


def _leases():
    ids = []
    for lease_id in (Bill.objects.filter(district__code=DISTRICT).order_by("lease_id")
                     .values_list("lease_id", flat=True).distinct()):
        ids.append(lease_id)
        if len(ids) == 3:
            break
    from rent.models import Lease

    return list(Lease.objects.filter(pk__in=ids).order_by("pk"))


def _pay_online(lease, bills):
    txn = f"DEMO{lease.pk:06d}{bills[0].period:%Y%m}"
    if Payment.objects.filter(bank_txn_id=txn).exists():
        return
    with transaction.atomic():
        now = timezone.now()
        order = PaymentOrder.objects.create(
            tenant_id=lease.tenant_id, lease=lease, district_id=lease.district_id,
            amount=sum(b.outstanding for b in bills), subject="公租房租金（演示）", expires_at=now + timedelta(minutes=30))
        PaymentOrderBill.objects.bulk_create(PaymentOrderBill(order=order, bill=b, amount=b.outstanding) for b in bills)
        workflow.record_start(order, actor=None, opinion="演示数据")
        locked = workflow.lock(order)
        services._apply_bank_result(locked, status="SUCCESS", bank_txn_id=txn, amount=order.amount, paid_at=now,
                                    source="query")


def seed():
    leases = _leases()
    if not leases:
        return
    first = leases[0]
    unpaid = list(first.bills.filter(status=BillStatus.UNPAID).order_by("period"))
    if len(unpaid) >= 2 and not Payment.objects.filter(lease=first, method=PaymentMethod.ONLINE).exists():
        _pay_online(first, unpaid[:2])
    if len(leases) > 1 and not Payment.objects.filter(receipt_no=COUNTER_RECEIPT).exists():
        second = leases[1]
        bill = second.bills.exclude(status=BillStatus.PAID).order_by("period").first()
        if bill is not None:
            services.counter_payment_record(lease=second, amount=bill.outstanding, method=PaymentMethod.CASH,
                                            receipt_no=COUNTER_RECEIPT, actor=None, note="演示：柜台现金缴费")
    pending_lease = leases[-1]
    if not PaymentOrder.objects.filter(district__code=DISTRICT, status=OrderStatus.PENDING).exists():
        bill = pending_lease.bills.exclude(status=BillStatus.PAID).order_by("-period").first()
        if bill is not None:
            with transaction.atomic():
                order = PaymentOrder.objects.create(
                    tenant_id=pending_lease.tenant_id, lease=pending_lease, district_id=pending_lease.district_id,
                    amount=bill.outstanding, subject=f"公租房租金 {bill.period:%Y年%m月}（演示：待支付）",
                    expires_at=timezone.now() + timedelta(days=365))
                PaymentOrderBill.objects.create(order=order, bill=bill, amount=bill.outstanding)
                workflow.record_start(order, actor=pending_lease.tenant, opinion="演示数据：待银行支付")
