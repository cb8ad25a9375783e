"""Leases and bills for the payment tests. The lease row is made directly from a held offer (its
contract PDF is the lease room's business and costs seconds); bills are made as the monthly job
makes them, one per period."""

import calendar
import itertools
from datetime import date, timedelta
from decimal import Decimal

from rent.models import Bill, Lease
from tests.rent.builders import held_offer

_n = itertools.count(1)


def lease(*, district_code="230602", monthly_rent="500.00", name=None) -> Lease:
    offer = held_offer(district_code=district_code, name=name)
    application = offer.round_entry.entry.application
    tenant = application.applicant
    start = date(2026, 1, 1)
    return Lease.objects.create(
        offer=offer, tenant=tenant, tenant_name=tenant.real_name or tenant.username, unit=offer.unit,
        district_id=offer.unit.district_id, category="low_income", household_size=1, start_on=start,
        end_on=start.replace(year=start.year + 3) - timedelta(days=1), term_years=3, area=Decimal("50.00"),
        rent_per_sqm=Decimal("10.00"), coefficient=Decimal("1.00"), monthly_rent=Decimal(monthly_rent),
        deposit_months=2, deposit=Decimal(monthly_rent) * 2, number=f"TEST-PAY-{next(_n):05d}-{district_code}",
    )


def bill(lease_obj, period=None, amount=None) -> Bill:
    """The bill of `period` (a month's first day; the next free month when not given)."""
    if period is None:
        last = lease_obj.bills.order_by("-period").first()
        period = date(2026, 1, 1) if last is None else (last.period + timedelta(days=32)).replace(day=1)
    days = calendar.monthrange(period.year, period.month)[1]
    amount = Decimal(amount or lease_obj.monthly_rent)
    return Bill.objects.create(
        lease=lease_obj, tenant=lease_obj.tenant, district_id=lease_obj.district_id, period=period,
        period_start=period, period_end=period.replace(day=days), days=days, days_in_period=days,
        monthly_rent=lease_obj.monthly_rent, amount=amount, due_on=period.replace(day=10),
    )


def bills(lease_obj, n, amount=None) -> list[Bill]:
    return [bill(lease_obj, amount=amount) for _ in range(n)]


def pending_order(lease_obj=None, *, district_code="230602"):
    """A pending order for one new bill, made without the bank (for samples; pay_url empty)."""
    from django.utils import timezone

    from gongzufang import workflow
    from rent.models import PaymentOrder, PaymentOrderBill

    lease_obj = lease_obj or lease(district_code=district_code)
    b = bill(lease_obj)
    order = PaymentOrder.objects.create(tenant=lease_obj.tenant, lease=lease_obj, district_id=lease_obj.district_id,
                                        amount=b.amount, subject="测试订单",
                                        expires_at=timezone.now() + timedelta(minutes=30))
    PaymentOrderBill.objects.create(order=order, bill=b, amount=b.amount)
    workflow.record_start(order, actor=None)
    return order


def counter_payment(lease_obj=None, *, district_code="230602", amount="100.00"):
    from rent.payments import services

    lease_obj = lease_obj or lease(district_code=district_code)
    bill(lease_obj)
    return services.counter_payment_record(lease=lease_obj, amount=Decimal(amount), method="cash",
                                           receipt_no=f"GT-{next(_n):06d}", actor=None)


def statement(district, *, txn=None):
    """A statement of one day with one line the portal does not know (unmatched)."""
    from rent.payments import reconciliation

    txn = txn or f"CCBTEST{next(_n):08d}"
    content = f"交易日期,银行流水号,订单号,金额,状态\n2026-12-01,{txn},,88.00,成功\n".encode()
    return reconciliation.statement_import(district=district, content=content, filename="s.csv", actor=None)
