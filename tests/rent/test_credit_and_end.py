"""Credit (预存余额) used on new bills when the month's bills are made and by the admin's 用余额抵扣;
the tenant's 我的账单 shows refunds and the credit; a lease ended inside a month is billed to the day
(bill made after the end, or the open bill corrected when the lease ends after it was made)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from rent.billing import services as billing
from rent.leases import services as leases
from rent.models import (
    Bill,
    BillAdjustment,
    BillStatus,
    Handover,
    Lease,
    LeaseStatus,
    Payment,
    PaymentAllocation,
    Refund,
    RentCredit,
)
from rent.payments import services as pay
from tests.rent import payment_builders as pb
from tests.rent.bulk import active_leases

pytestmark = pytest.mark.django_db


def _lease() -> Lease:
    (pk,) = active_leases(1)  # 180.00 a month from 1 January 2026
    lease = Lease.objects.get(pk=pk)
    Handover.objects.create(lease=lease, handed_over_on=lease.start_on, keys=1, water_meter=0, electricity_meter=0,
                            condition="完好")
    return lease


def _ledger(lease):
    """(payments − refunds, applied to bills, bills' amount_paid, credit): the first must equal the last two's sum."""
    paid = Payment.objects.filter(lease=lease).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    refunded = Refund.objects.filter(payment__lease=lease).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    applied = PaymentAllocation.objects.filter(bill__lease=lease).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    on_bills = Bill.objects.filter(lease=lease).aggregate(s=Sum("amount_paid"))["s"] or Decimal(0)
    credit = RentCredit.objects.filter(lease=lease).values_list("balance", flat=True).first() or Decimal(0)
    return paid - refunded, applied, on_bills, credit


def test_credit_pays_the_new_bills_when_the_month_is_billed_once_only():
    lease = _lease()
    pay.counter_payment_record(lease=lease, amount=Decimal("500.00"), method="cash", receipt_no="PRE-1", actor=None)
    assert RentCredit.objects.get(lease=lease).balance == Decimal("500.00")  # no bill yet: all kept as credit
    billing.bills_make(period=date(2026, 3, 1))
    billing.bills_make(period=date(2026, 3, 1))  # run again: the credit is not used twice
    march = Bill.objects.get(lease=lease, period=date(2026, 3, 1))
    assert (march.status, march.amount_paid) == (BillStatus.PAID, Decimal("180.00"))
    assert RentCredit.objects.get(lease=lease).balance == Decimal("320.00")
    assert PaymentAllocation.objects.filter(bill=march, from_credit=True).count() == 1
    billing.bills_make(period=date(2026, 4, 1))
    billing.bills_make(period=date(2026, 5, 1))
    may = Bill.objects.get(lease=lease, period=date(2026, 5, 1))
    assert (may.status, may.amount_paid) == (BillStatus.PARTLY_PAID, Decimal("140.00"))
    net, applied, on_bills, credit = _ledger(lease)
    assert credit == Decimal("0.00") and net == applied + credit == on_bills + credit == Decimal("500.00")


def test_the_monthly_job_on_workers_uses_the_credit_too():
    from rent.billing.tasks import bills_make_month

    lease = _lease()
    pay.counter_payment_record(lease=lease, amount=Decimal("100.00"), method="cash", receipt_no="PRE-2", actor=None)
    bills_make_month.delay("2026-03-01", 1).get()
    bill = Bill.objects.get(lease=lease, period=date(2026, 3, 1))
    assert (bill.status, bill.amount_paid) == (BillStatus.PARTLY_PAID, Decimal("100.00"))


def test_the_admin_button_uses_the_credit_on_unpaid_bills(client, dave):
    lease = pb.lease()
    pay.counter_payment_record(lease=lease, amount=Decimal("200.00"), method="cash", receipt_no="PRE-3", actor=None)
    bill = pb.bill(lease, date(2026, 2, 1))
    client.force_login(dave)
    page = client.get(reverse("admin:rent_lease_change", args=[lease.pk])).content.decode()
    assert "用余额抵扣" in page and "200.00 元" in page
    response = client.post(reverse("admin:rent_lease_credit_apply", args=[lease.pk]))
    assert response.status_code == 302
    bill.refresh_from_db()
    assert (bill.status, bill.amount_paid) == (BillStatus.PARTLY_PAID, Decimal("200.00"))
    assert RentCredit.objects.get(lease=lease).balance == Decimal("0.00")
    page = client.get(reverse("admin:rent_lease_change", args=[lease.pk])).content.decode()
    assert 'id="credit-apply"' not in page  # nothing left to use
    net, applied, on_bills, credit = _ledger(lease)
    assert net == applied + credit == on_bills + credit


def test_another_districts_caseworker_cannot_use_the_credit(client, bob):
    lease = pb.lease()
    pay.counter_payment_record(lease=lease, amount=Decimal("50.00"), method="cash", receipt_no="PRE-4", actor=None)
    pb.bill(lease, date(2026, 2, 1))
    client.force_login(bob)
    assert client.post(reverse("admin:rent_lease_credit_apply", args=[lease.pk])).status_code == 404
    assert RentCredit.objects.get(lease=lease).balance == Decimal("50.00")


def test_the_tenant_sees_refunds_and_the_credit_balance(client):
    lease = _lease()
    billing.bills_make(period=date(2026, 3, 1))
    payment = pay.counter_payment_record(lease=lease, amount=Decimal("300.00"), method="cash", receipt_no="PRE-5",
                                         actor=None)
    pay.refund_record(payment=payment, amount=Decimal("50.00"), reason="多缴退回")
    client.force_login(lease.tenant)
    page = client.get(reverse("rent:bills")).content.decode()
    assert "预存余额：<b>70.00 元</b>" in page
    assert "多缴退回" in page and "50.00" in page and "PRE-5" in page


# --- the last month of a lease ended early ------------------------------------------------------------


def test_a_lease_ended_mid_month_is_billed_to_its_last_day_and_not_after():
    lease = _lease()
    Lease.objects.filter(pk=lease.pk).update(status=LeaseStatus.TERMINATED, ended_on=date(2026, 3, 15))
    billing.bills_make(period=date(2026, 3, 1))
    billing.bills_make(period=date(2026, 4, 1))
    bill = Bill.objects.get(lease=lease)
    # 180 × 15 / 31 = 87.096… → 87.10
    assert (bill.period, bill.days, bill.period_end, bill.amount) == (date(2026, 3, 1), 15, date(2026, 3, 15),
                                                                      Decimal("87.10"))


def test_ending_a_lease_after_its_bill_was_made_corrects_the_open_bill():
    lease = _lease()
    billing.bills_make(period=date(2026, 3, 1))
    billing.bills_make(period=date(2026, 4, 1))
    leases.lease_terminate(lease=lease, actor=None, reason="承租人申请退租", on=date(2026, 3, 20))
    march, april = (Bill.objects.get(lease=lease, period=date(2026, m, 1)) for m in (3, 4))
    # 180 × 20 / 31 = 116.129… → 116.13
    assert (march.amount, march.days, march.status) == (Decimal("116.13"), 20, BillStatus.UNPAID)
    assert (april.amount, april.status) == (Decimal("0.00"), BillStatus.PAID) and "不计租金" in april.note
    adjustment = BillAdjustment.objects.get(bill=march)
    assert (adjustment.old_amount, adjustment.new_amount, adjustment.to_credit) == (
        Decimal("180.00"), Decimal("116.13"), Decimal("0.00"))
    assert "合同于 2026年03月20日 解除" in adjustment.reason


def test_ending_a_lease_whose_last_bill_was_paid_puts_the_difference_in_credit():
    lease = _lease()
    billing.bills_make(period=date(2026, 3, 1))
    pay.counter_payment_record(lease=lease, amount=Decimal("180.00"), method="cash", receipt_no="END-1", actor=None)
    leases.lease_terminate(lease=lease, actor=None, reason="腾退", on=date(2026, 3, 20))
    march = Bill.objects.get(lease=lease, period=date(2026, 3, 1))
    assert (march.amount, march.amount_paid, march.status) == (Decimal("116.13"), Decimal("116.13"), BillStatus.PAID)
    assert RentCredit.objects.get(lease=lease).balance == Decimal("63.87")
    net, applied, on_bills, credit = _ledger(lease)
    assert net == applied + credit == on_bills + credit == Decimal("180.00")
