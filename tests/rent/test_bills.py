"""Bills: one per active lease and period, never two; prorated first and last months; the month's run
in chunks that can be run again without doubling anything; amounts applied move the status."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from rent.billing import services
from rent.billing.tasks import bills_make_month
from rent.models import Bill, BillingRun, BillStatus
from tests.rent.builders import active_lease, issued_lease
from tests.rent.bulk import active_leases

pytestmark = pytest.mark.django_db


def test_one_bill_per_active_lease_and_none_for_a_lease_not_yet_started():
    ids = active_leases(7, prorated_every=3, start_on=date(2026, 11, 1))
    issued_lease()  # signed by nobody yet: no bill
    assert services.bills_make(period=date(2026, 11, 1), chunk_size=2) == 7
    bills = Bill.objects.filter(period=date(2026, 11, 1))
    assert sorted(bills.values_list("lease_id", flat=True)) == sorted(ids)
    prorated = bills.get(lease_id=ids[0])  # starts on 16 November: 15 of 30 days
    assert (prorated.days, prorated.amount, prorated.due_on) == (15, Decimal("90.00"), date(2026, 11, 26))
    full = bills.get(lease_id=ids[1])
    assert (full.amount, full.due_on, full.status) == (Decimal("180.00"), date(2026, 11, 10), BillStatus.UNPAID)


def test_running_the_month_again_makes_no_second_bill():
    active_leases(5, prorated_every=2)
    assert services.bills_make(period=date(2026, 3, 1), chunk_size=2) == 5
    assert services.bills_make(period=date(2026, 3, 1), chunk_size=3) == 0
    assert bills_make_month.delay("2026-03-01", 1).get() == 5  # the beat job, its chord run in process
    assert Bill.objects.count() == 5
    run = BillingRun.objects.get(period=date(2026, 3, 1))
    assert run.finished_at is not None and run.chunks == 5


def test_the_database_refuses_a_second_bill_for_the_same_period():
    lease = active_lease(start_on=date(2026, 1, 1))
    services.bills_make(period=date(2026, 2, 1))
    bill = Bill.objects.get(lease=lease)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.create(lease=lease, tenant=lease.tenant, district=lease.district, period=date(2026, 2, 1),
                            period_start=date(2026, 2, 1), period_end=date(2026, 2, 28), days=28,
                            days_in_period=28, monthly_rent=bill.monthly_rent, amount=bill.amount, due_on=bill.due_on)


def test_the_last_month_is_prorated_and_no_bill_follows_it():
    lease = active_lease(start_on=date(2026, 1, 1))
    assert lease.end_on == date(2028, 12, 31)
    from rent.models import Lease

    Lease.objects.filter(pk=lease.pk).update(end_on=date(2026, 3, 20))
    services.bills_make(period=date(2026, 3, 1))
    services.bills_make(period=date(2026, 4, 1))
    bill = Bill.objects.get(lease=lease)
    assert bill.period == date(2026, 3, 1) and bill.days == 20
    assert bill.amount == (lease.monthly_rent * 20 / 31).quantize(Decimal("0.01"))


def test_amounts_applied_move_the_bill_through_partly_paid_to_paid_and_back_on_refund():
    lease = active_lease(start_on=date(2026, 1, 1))
    services.bills_make(period=date(2026, 2, 1))
    bill = Bill.objects.get(lease=lease)
    bill = services.bill_apply_amount(bill=bill, amount=Decimal("1.00"))
    assert bill.status == BillStatus.PARTLY_PAID
    bill = services.bill_apply_amount(bill=bill, amount=bill.amount - Decimal("1.00"))
    assert bill.status == BillStatus.PAID and bill.paid_at is not None
    with pytest.raises(ValueError):
        services.bill_apply_amount(bill=bill, amount=Decimal("0.01"))
    bill = services.bill_apply_amount(bill=bill, amount=-bill.amount)
    assert bill.status == BillStatus.UNPAID and bill.amount_paid == 0
    assert list(bill.status_changes.values_list("to_status", flat=True)) == ["partly_paid", "paid", "unpaid"]


def test_my_bills_page_lists_the_tenants_bills_with_a_form_for_paying(client):
    lease = active_lease(start_on=date(2026, 1, 1))
    services.bills_make(period=date(2026, 1, 1))
    services.bills_make(period=date(2026, 2, 1))
    client.force_login(lease.tenant)
    page = client.get("/rent/bills/").content.decode()
    assert "2026年1月" in page and "2026年2月" in page and str(lease.monthly_rent) in page
    assert "已逾期" in page
    from django.urls import NoReverseMatch, reverse

    try:
        pay = reverse("rent:pay")
    except NoReverseMatch:
        pay = None
    if pay:
        bill = Bill.objects.filter(lease=lease).first()
        assert f'action="{pay}"' in page and f'name="bill" value="{bill.pk}"' in page


def test_another_tenants_bills_are_not_shown(client):
    lease = active_lease(start_on=date(2026, 1, 1))
    services.bills_make(period=date(2026, 1, 1))
    other = issued_lease().tenant
    client.force_login(other)
    assert lease.number not in client.get("/rent/bills/").content.decode()
    assert "暂无账单" in client.get("/rent/bills/").content.decode()


def test_the_chunk_statement_prorates_as_the_terms_say_to_the_fen():
    """The chunk's one INSERT … SELECT (PostgreSQL round) gives every first and last month the amount and
    due date rent/leases/terms.py's bill_for gives (Decimal, half up)."""
    from rent.leases.terms import bill_for
    from rent.models import Lease

    ids = active_leases(12)
    rents = ["180.00", "333.33", "0.50", "1234.57", "99.99", "10.01"]
    for i, pk in enumerate(ids):
        start = date(2026, 1, 1 + (i * 5) % 28)
        end = date(2026, 2, 1 + (i * 7) % 28) if i % 2 else date(2029, 12, 31)
        Lease.objects.filter(pk=pk).update(start_on=start, end_on=end, monthly_rent=Decimal(rents[i % len(rents)]))
    for period in (date(2026, 1, 1), date(2026, 2, 1)):
        services.bills_make(period=period, chunk_size=5)
    for lease in Lease.objects.filter(pk__in=ids):
        for bill in Bill.objects.filter(lease=lease):
            line = bill_for(monthly_rent=lease.monthly_rent, start_on=lease.start_on, end_on=lease.end_on,
                            period=bill.period)
            assert (bill.amount, bill.days, bill.period_start, bill.period_end, bill.due_on) == (
                line.amount, line.days, line.period_start, line.period_end, line.due_on), (lease.pk, bill.period)
    assert Bill.objects.filter(lease_id__in=ids).exclude(days__in=[28, 31]).count() >= 10
