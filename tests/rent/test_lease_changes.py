"""Rent changes (annual review / market rent after the move-out period) and renewals, as the tenancy
issue calls them: bills at the rent in force each day, a period the change falls inside split by
days, bills already made corrected; renewal with a bureau-signed renewal contract."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzufang.errors import PortalError
from rent.billing import services as billing
from rent.leases import contract, services
from rent.models import Bill, BillAdjustment, BillStatus, CreditEntry, Lease, LeaseRentChange, LeaseStatus
from rent.payments import services as pay
from tests.rent.bulk import active_leases

pytestmark = pytest.mark.django_db


def _lease(**fields) -> Lease:
    (pk,) = active_leases(1)
    if fields:
        Lease.objects.filter(pk=pk).update(**fields)
    return Lease.objects.get(pk=pk)


def test_an_adjustment_from_the_first_of_next_month_bills_that_month_at_the_new_rent():
    ids = active_leases(4)  # 180.00 a month, from 1 January 2026
    changed = Lease.objects.get(pk=ids[1])
    change = services.lease_rent_change(lease=changed, monthly_rent=Decimal("240.50"), effective_from=date(2026, 4, 1),
                                        kind="adjust", actor=None, reason="年度复核：收入超低保标准，系数调整为 0.67")
    assert (change.old_monthly_rent, change.new_monthly_rent) == (Decimal("180.00"), Decimal("240.50"))
    billing.bills_make(period=date(2026, 3, 1), chunk_size=2)
    billing.bills_make(period=date(2026, 4, 1), chunk_size=2)
    march, april = (Bill.objects.get(lease=changed, period=date(2026, m, 1)) for m in (3, 4))
    assert march.amount == Decimal("180.00")
    assert (april.amount, april.monthly_rent, april.lines) == (Decimal("240.50"), Decimal("240.50"), [])
    others = Bill.objects.filter(period=date(2026, 4, 1)).exclude(lease=changed)
    assert set(others.values_list("amount", flat=True)) == {Decimal("180.00")}
    assert Lease.objects.get(pk=changed.pk).monthly_rent == Decimal("180.00")  # the signed rent is kept


def test_a_change_inside_a_period_splits_that_bill_by_days_each_part_rounded():
    lease = _lease()
    services.lease_rent_change(lease=lease, monthly_rent=Decimal("1000.00"), effective_from=date(2026, 3, 15),
                               kind="market", actor=None, reason="腾退期满仍未腾退，按市场租金计收")
    billing.bills_make(period=date(2026, 3, 1))
    bill = Bill.objects.get(lease=lease, period=date(2026, 3, 1))
    # 1–14 March: 180 × 14 / 31 = 81.290… → 81.29; 15–31 March: 1000 × 17 / 31 = 548.387… → 548.39
    assert bill.amount == Decimal("629.68")
    assert [(x["days"], x["monthly_rent"], x["amount"]) for x in bill.lines] == [(14, "180.00", "81.29"),
                                                                               (17, "1000.00", "548.39")]
    assert "按天分段计费" in bill.note and bill.days == 31
    assert Bill.objects.filter(lease=lease, period=date(2026, 3, 1)).count() == 1
    billing.bills_make(period=date(2026, 4, 1))
    assert Bill.objects.get(lease=lease, period=date(2026, 4, 1)).amount == Decimal("1000.00")


def test_the_same_change_again_is_the_same_record_and_another_amount_is_refused():
    lease = _lease()
    args = {"lease": lease, "effective_from": date(2026, 5, 1), "kind": "adjust", "actor": None, "reason": "年度复核"}
    first = services.lease_rent_change(monthly_rent="200", **args)
    assert services.lease_rent_change(monthly_rent=Decimal("200.00"), **args).pk == first.pk
    with pytest.raises(PortalError, match="已登记为月租金 200.00 元"):
        services.lease_rent_change(monthly_rent="210", **args)
    assert LeaseRentChange.objects.filter(lease=lease).count() == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "raise"}, "租金调整类型"),
    ({"monthly_rent": "-1"}, "不能为负数"),
    ({"monthly_rent": "abc"}, "金额格式不正确"),
    ({"reason": "  "}, "请填写调整租金的原因"),
    ({"effective_from": date(2031, 1, 1)}, "起算日须在租期内"),
])
def test_bad_rent_changes_are_refused_in_chinese(kwargs, message):
    lease = _lease()
    args = {"lease": lease, "monthly_rent": "200", "effective_from": date(2026, 5, 1), "kind": "adjust",
            "actor": None, "reason": "年度复核"} | kwargs
    with pytest.raises(PortalError, match=message):
        services.lease_rent_change(**args)
    assert not LeaseRentChange.objects.exists()


def test_a_rent_change_on_an_ended_lease_is_refused():
    lease = _lease(status=LeaseStatus.ENDED, ended_on=date(2026, 6, 30))
    with pytest.raises(PortalError, match="不能调整租金"):
        services.lease_rent_change(lease=lease, monthly_rent="200", effective_from=date(2026, 5, 1), kind="adjust",
                                   actor=None, reason="年度复核")


def test_a_change_from_a_day_already_billed_corrects_the_open_bill_and_credits_a_paid_one():
    lease = _lease()
    billing.bills_make(period=date(2026, 5, 1))
    billing.bills_make(period=date(2026, 6, 1))
    may = Bill.objects.get(lease=lease, period=date(2026, 5, 1))
    pay.counter_payment_record(lease=lease, amount=Decimal("180.00"), method="cash", receipt_no="RC-CHG-1", actor=None)
    assert Bill.objects.get(pk=may.pk).status == BillStatus.PAID
    services.lease_rent_change(lease=lease, monthly_rent=Decimal("90.00"), effective_from=date(2026, 5, 1),
                               kind="adjust", actor=None, reason="年度复核：转为低保家庭")
    may, june = Bill.objects.get(pk=may.pk), Bill.objects.get(lease=lease, period=date(2026, 6, 1))
    assert (may.amount, may.amount_paid, may.status) == (Decimal("90.00"), Decimal("90.00"), BillStatus.PAID)
    assert (june.amount, june.status) == (Decimal("90.00"), BillStatus.UNPAID)
    assert lease.credit.balance == Decimal("90.00")
    assert CreditEntry.objects.get(kind=CreditEntry.Kind.ADJUSTED).amount == Decimal("90.00")
    assert set(BillAdjustment.objects.values_list("old_amount", "new_amount")) == {
        (Decimal("180.00"), Decimal("90.00"))}
    assert BillAdjustment.objects.count() == 2


def test_the_tenant_sees_the_change_on_my_lease_and_my_bills(client):
    lease = _lease(status=LeaseStatus.ACTIVE)
    services.lease_rent_change(lease=lease, monthly_rent=Decimal("1000.00"), effective_from=date(2026, 3, 15),
                               kind="market", actor=None, reason="腾退期满按市场租金")
    billing.bills_make(period=date(2026, 3, 1))
    client.force_login(lease.tenant)
    page = client.get(reverse("rent:lease", args=[lease.pk])).content.decode()
    assert "租金调整" in page and "腾退期满按市场租金" in page and "1000.00" in page
    bills = client.get(reverse("rent:bills")).content.decode()
    assert "按天分段计费" in bills and "629.68" in bills


# --- renewal ------------------------------------------------------------------------------------------


def test_renewal_extends_the_term_with_a_signed_renewal_contract_and_a_log_row(client):
    today = date.today()
    lease = _lease(end_on=today + timedelta(days=60))
    renewed = services.lease_renew(lease=lease, actor=None, reason="2026 年度复核：仍符合保障条件", years=3)
    old_end = today + timedelta(days=60)
    assert renewed.end_on == date(old_end.year + 3, old_end.month, old_end.day) - timedelta(days=1) or \
        renewed.end_on.year == old_end.year + 3
    renewal = renewed.renewals.get()
    assert (renewal.sequence, renewal.years, renewal.old_end_on) == (1, 3, old_end)
    with renewal.contract_pdf.open("rb") as fh:
        data = fh.read()
    assert contract.sha256_hex(data) == renewal.contract_sha256
    assert contract.validate_signature(data)[0] is True
    log = renewed.status_changes.order_by("-id").first()
    assert (log.from_status, log.to_status) == ("active", "active") and "续租 3 年" in log.opinion
    verify = client.get(reverse("rent:contract_verify", args=[renewal.verification_code]))
    assert verify.status_code == 200 and renewal.contract_sha256 in verify.content.decode()
    assert Lease.objects.get(pk=lease.pk).status == LeaseStatus.ACTIVE


def test_renewal_refuses_a_lease_not_active_and_terms_over_five_years():
    today = date.today()
    lease = _lease(end_on=today + timedelta(days=60))
    with pytest.raises(PortalError, match="超过单个租期最长 5 年"):
        services.lease_renew(lease=lease, actor=None, reason="年度复核", years=6)
    services.lease_renew(lease=lease, actor=None, reason="年度复核", years=4)
    with pytest.raises(PortalError, match="自今日起超过 5 年"):
        services.lease_renew(lease=Lease.objects.get(pk=lease.pk), actor=None, reason="年度复核", years=2)
    ended = _lease(status=LeaseStatus.ENDED, ended_on=today)
    with pytest.raises(PortalError, match="只有履行中的合同可以续租"):
        services.lease_renew(lease=ended, actor=None, reason="年度复核")
    assert Lease.objects.get(pk=lease.pk).renewals.count() == 1


def test_renewing_twice_from_the_same_view_renews_once():
    """A double click (two requests that both loaded the lease before either renewed it) extends the lease
    once: the second finds the renewal made from the end it saw and answers with it."""
    today = date.today()
    lease = _lease(end_on=today + timedelta(days=60))
    first_view = Lease.objects.get(pk=lease.pk)
    second_view = Lease.objects.get(pk=lease.pk)
    renewed = services.lease_renew(lease=first_view, actor=None, reason="年度复核", years=2)
    again = services.lease_renew(lease=second_view, actor=None, reason="年度复核", years=2)
    assert again.end_on == renewed.end_on == Lease.objects.get(pk=lease.pk).end_on
    assert Lease.objects.get(pk=lease.pk).renewals.count() == 1
    assert Lease.objects.get(pk=lease.pk).status_changes.filter(opinion__contains="续租").count() == 1
    stale = Lease.objects.get(pk=lease.pk)
    stale.end_on = today + timedelta(days=30)  # an end this lease never had
    with pytest.raises(PortalError, match="请刷新页面后再办理续租"):
        services.lease_renew(lease=stale, actor=None, reason="年度复核", years=1)
    assert Lease.objects.get(pk=lease.pk).renewals.count() == 1


def test_a_renewed_lease_last_month_is_billed_in_full_again():
    lease = _lease(end_on=date(2026, 12, 15))
    billing.bills_make(period=date(2026, 12, 1))
    bill = Bill.objects.get(lease=lease, period=date(2026, 12, 1))
    assert bill.days == 15
    services.lease_renew(lease=lease, actor=None, reason="年度复核", years=1)
    bill.refresh_from_db()
    assert (bill.days, bill.amount) == (31, Decimal("180.00"))
