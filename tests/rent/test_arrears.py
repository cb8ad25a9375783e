"""Arrears: reminders on the due date +3 and +10 days, once per bill and stage however often the job
runs; six months' rent overdue in total flags the lease; the ageing report and the bureau's figures."""

from datetime import date
from decimal import Decimal

import pytest

from notifications.models import SiteMessage, SmsOutbox
from rent.billing import selectors, services
from rent.billing.statistics import rent_figures
from rent.models import BillReminder, Lease
from tests.rent.builders import active_lease

pytestmark = pytest.mark.django_db


@pytest.fixture
def lease():
    lease = active_lease(start_on=date(2026, 1, 1))
    services.bills_make(period=date(2026, 1, 1))  # due 10 January
    return lease


def _sms(lease):
    return SmsOutbox.objects.filter(phone=lease.tenant.phone, purpose="rent_arrears")


def test_no_reminder_before_due_plus_three_days(lease):
    assert services.reminders_send(today=date(2026, 1, 12)) == 0 and not _sms(lease).exists()


def test_reminders_at_plus_three_and_plus_ten_each_once(lease):
    assert services.reminders_send(today=date(2026, 1, 13)) == 1
    assert services.reminders_send(today=date(2026, 1, 13)) == 0  # the job run twice the same day
    assert services.reminders_send(today=date(2026, 1, 15)) == 0  # and the days after
    assert services.reminders_send(today=date(2026, 1, 20)) == 1
    assert services.reminders_send(today=date(2026, 1, 25)) == 0
    assert list(BillReminder.objects.order_by("stage").values_list("stage", flat=True)) == ["d10", "d3"]
    texts = list(_sms(lease).order_by("id").values_list("text", flat=True))
    assert len(texts) == 2 and "逾期3日" in texts[0] and "逾期10日" in texts[1]
    assert SiteMessage.objects.filter(recipient=lease.tenant, title="租金逾期提醒").count() == 2


def test_a_paid_bill_gets_no_reminder(lease):
    bill = lease.bills.get()
    services.bill_apply_amount(bill=bill, amount=bill.amount)
    assert services.reminders_send(today=date(2026, 1, 20)) == 0


def test_six_months_overdue_in_total_flags_the_lease_and_paying_clears_it(lease):
    for month in range(2, 8):
        services.bills_make(period=date(2026, month, 1))
    assert services.arrears_flag(today=date(2026, 6, 10)) == 0  # five bills overdue (Jan–May; June's due today)
    lease.refresh_from_db()
    assert lease.arrears_months == Decimal("5.00") and lease.arrears_flagged_at is None
    assert services.arrears_flag(today=date(2026, 6, 11)) == 1
    lease.refresh_from_db()
    assert lease.arrears_months == Decimal("6.00") and lease.arrears_amount == lease.monthly_rent * 6
    first = lease.bills.order_by("period").first()
    services.bill_apply_amount(bill=first, amount=first.amount)
    services.arrears_flag(today=date(2026, 6, 11))
    assert Lease.objects.get(pk=lease.pk).arrears_flagged_at is None


def test_the_ageing_report_puts_each_lease_by_its_oldest_overdue_bill(lease, dave, bob):
    for month in (2, 3, 4):
        services.bills_make(period=date(2026, month, 1))
    rows, total = selectors.ageing(dave, today=date(2026, 4, 20))  # oldest: due 10 January, 100 days late
    assert total.buckets["6"]["leases"] == 1 and total.buckets["6"]["amount"] == lease.monthly_rent * 4
    assert rows[0].district == "萨尔图区"
    _rows, bob_total = selectors.ageing(bob, today=date(2026, 4, 20))
    assert bob_total.total_leases == 0  # another district's caseworker sees none of it


def test_the_ageing_page_and_its_excel_export(client, lease, dave):
    services.bills_make(period=date(2026, 2, 1))
    client.force_login(dave)
    page = client.get("/admin/rent/bill/ageing/").content.decode()
    assert "欠费账龄分析" in page and "萨尔图区" in page
    response = client.get("/admin/rent/bill/ageing/?format=xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["账龄汇总", "逾期账单明细"]
    numbers = [row[1] for row in book["逾期账单明细"].iter_rows(min_row=2, values_only=True)]
    assert lease.number in numbers


def test_collection_rate_and_arrears_figures(lease, dave):
    from gongzufang.statistics import summary

    services.bills_make(period=date(2026, 2, 1))
    february = lease.bills.get(period=date(2026, 2, 1))
    services.bill_apply_amount(bill=february, amount=february.amount)
    report = summary(start=date(2026, 1, 1), end=date(2026, 2, 28), principal=dave, today=date(2026, 3, 1))
    row = next(r for r in report.districts if r.district.code == "230602")
    assert row.rent_collection_rate == Decimal("50.00")
    assert row.rent_arrears_amount == lease.monthly_rent and row.rent_arrears_households == 1
    assert report.total.rent_arrears_households == 1
    assert rent_figures  # registered provider

