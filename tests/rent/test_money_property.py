"""The ledger holds to the fen (DESIGN §8, hypothesis): over random sequences of bills, online payments
(through the notification service, with replays), counter payments, credit use and refunds, the
month's bill run (which uses the lease's credit on the new bill), rent changes from any day (bills
already made corrected, a period split by days; paid excess to credit) and the lease ended early (its
bills corrected to the day), for the lease at every step

    Σ payments − Σ refunds = Σ amounts applied to bills + credit balance,

each bill's amount_paid is the sum of its allocations, within 0..amount, and its status says so."""

import contextlib
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzufang.bank import signing
from gongzufang.errors import PortalError
from rent.billing import services as billing
from rent.leases import services as lease_services
from rent.models import (
    Bill,
    BillStatus,
    CreditEntry,
    Handover,
    Lease,
    LeaseStatus,
    Payment,
    PaymentAllocation,
    Refund,
    RentCredit,
)
from rent.payments import services
from tests.rent import payment_builders as pb

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")
SECRET = "property-secret"

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1500.00"), places=2)
operations = st.lists(st.one_of(
    st.tuples(st.just("bill"), amounts),
    st.tuples(st.just("counter"), amounts),
    st.tuples(st.just("online"), st.integers(min_value=1, max_value=3), st.integers(min_value=0, max_value=3)),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=50), amounts),
    st.tuples(st.just("credit"),),
    st.tuples(st.just("month"),),
    st.tuples(st.just("rent"), st.integers(min_value=0, max_value=500), amounts, st.sampled_from(["adjust", "market"])),
    st.tuples(st.just("end"), st.integers(min_value=0, max_value=500)),
), min_size=1, max_size=8)


def _sum(queryset, field="amount"):
    # Added up in Python: SQLite's SUM over decimals goes through floats.
    return sum(queryset.values_list(field, flat=True), ZERO)


def _check(lease):
    received = _sum(Payment.objects.filter(lease=lease)) - _sum(Refund.objects.filter(payment__lease=lease))
    applied = _sum(Bill.objects.filter(lease=lease), "amount_paid")
    credit = RentCredit.objects.filter(lease=lease).values_list("balance", flat=True).first() or ZERO
    assert received == applied + credit
    assert credit == _sum(CreditEntry.objects.filter(credit__lease=lease))
    for bill in Bill.objects.filter(lease=lease):
        assert bill.amount_paid == _sum(PaymentAllocation.objects.filter(bill=bill))
        assert ZERO <= bill.amount_paid <= bill.amount
        expected = (BillStatus.PAID if bill.amount_paid == bill.amount else
                    BillStatus.UNPAID if bill.amount_paid == ZERO else BillStatus.PARTLY_PAID)
        assert bill.status == expected, (bill.amount, bill.amount_paid, bill.status)


def _online(lease, n_bills, replays, counter):
    unpaid = list(lease.bills.exclude(status=BillStatus.PAID).order_by("period")[:n_bills])
    if not unpaid:
        return
    from gongzufang import workflow
    from rent.models import PaymentOrder, PaymentOrderBill

    order = PaymentOrder.objects.create(tenant=lease.tenant, lease=lease, district_id=lease.district_id,
                                        amount=sum(b.outstanding for b in unpaid), subject="测试",
                                        expires_at=timezone.now() + timezone.timedelta(minutes=30))
    PaymentOrderBill.objects.bulk_create(PaymentOrderBill(order=order, bill=b, amount=b.outstanding) for b in unpaid)
    workflow.record_start(order, actor=None)
    raw = json.dumps({"order_no": order.order_no, "bank_txn_id": f"CCBPROP{next(counter):08d}",
                      "amount": str(order.amount), "paid_at": timezone.localtime().isoformat(),
                      "status": "SUCCESS"}).encode()
    for _ in range(1 + replays):
        assert services.notification_receive(raw_body=raw, signature=signing.sign(SECRET, raw)).ok


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(ops=operations)
def test_payments_equal_amounts_applied_plus_credit_to_the_fen(ops, lease_and_counter):
    lease, counter = lease_and_counter
    for op in ops:
        kind = op[0]
        if kind == "bill":
            pb.bill(lease, amount=op[1])
        elif kind == "counter":
            services.counter_payment_record(lease=lease, amount=op[1], method="cash",
                                            receipt_no=f"P-{next(counter):08d}", actor=None)
        elif kind == "online":
            _online(lease, op[1], op[2], counter)
        elif kind == "refund":
            payments = list(Payment.objects.filter(lease=lease).order_by("pk"))
            if payments:
                payment = payments[op[1] % len(payments)]
                amount = min(op[2], services.refundable(payment))
                if amount > ZERO:
                    # more than this payment still has on bills or in credit: refused, nothing moved
                    with contextlib.suppress(services.PaymentError):
                        services.refund_record(payment=payment, amount=amount, reason="测试退款")
        elif kind == "credit":
            services.credit_apply(lease=lease)
        elif kind == "month":
            last = lease.bills.order_by("-period").first()
            period = date(2026, 1, 1) if last is None else (last.period + timedelta(days=32)).replace(day=1)
            billing.bills_make_chunk(period=period, lo=lease.pk, hi=lease.pk + 1)
        elif kind == "rent":
            with contextlib.suppress(PortalError):  # the same day and kind at another rent, or the lease ended
                lease_services.lease_rent_change(lease=Lease.objects.get(pk=lease.pk), monthly_rent=op[2],
                                                 effective_from=date(2026, 1, 1) + timedelta(days=op[1]),
                                                 kind=op[3], actor=None, reason="测试调租")
        elif kind == "end":
            with contextlib.suppress(PortalError):  # already ended
                lease_services.lease_terminate(lease=Lease.objects.get(pk=lease.pk), actor=None, reason="测试退租",
                                               on=date(2026, 1, 1) + timedelta(days=op[1]))
        _check(lease)


@pytest.fixture
def lease_and_counter(settings):
    import itertools

    settings.BANK_NOTIFY_SECRET = SECRET
    lease = pb.lease()
    Lease.objects.filter(pk=lease.pk).update(status=LeaseStatus.ACTIVE)  # as after signing and the handover
    Handover.objects.create(lease=lease, handed_over_on=lease.start_on, keys=1, water_meter=0, electricity_meter=0,
                            condition="完好")
    return Lease.objects.get(pk=lease.pk), itertools.count(1)
