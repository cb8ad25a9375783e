"""Reads about bills: the tenant's (我的账单), staff's (scoped), and the arrears ageing report."""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Min, Sum
from django.utils import timezone

from ..models import Bill, BillStatus

# Ageing buckets by how long the oldest overdue bill of a lease is past due (months of 30 days).
AGEING_BUCKETS = OrderedDict([("1", "1个月以内"), ("2", "1–2个月"), ("3", "2–3个月"), ("6", "3–6个月"),
                              ("6+", "6个月以上")])


def bills_of(user):
    if not getattr(user, "is_authenticated", False):
        return Bill.objects.none()
    return Bill.objects.filter(tenant=user).select_related("lease__unit__estate").order_by("-period", "lease_id")


def credit_balance_of(user) -> Decimal:
    """The tenant's credit (预存余额) over their leases."""
    from ..models import RentCredit

    if not getattr(user, "is_authenticated", False):
        return Decimal("0.00")
    total = RentCredit.objects.filter(tenant=user).aggregate(s=Sum("balance"))["s"] or Decimal("0")
    return Decimal(total).quantize(Decimal("0.01"))  # SQLite's SUM drops the trailing zeros


def refunds_of(user):
    from ..models import Refund

    if not getattr(user, "is_authenticated", False):
        return Refund.objects.none()
    return Refund.objects.filter(payment__tenant=user).select_related("payment").order_by("-created_at", "-id")


def adjustments_of(user):
    from ..models import BillAdjustment

    if not getattr(user, "is_authenticated", False):
        return BillAdjustment.objects.none()
    return BillAdjustment.objects.filter(bill__tenant=user).select_related("bill").order_by("-created_at", "-id")


def payable_bills_of(user):
    return bills_of(user).exclude(status=BillStatus.PAID)


def bills_of_lease(lease):
    return lease.bills.order_by("-period")


def bucket_of(days_late: int) -> str:
    if days_late <= 30:
        return "1"
    if days_late <= 60:
        return "2"
    if days_late <= 90:
        return "3"
    if days_late <= 180:
        return "6"
    return "6+"


@dataclass
class AgeingRow:
    district: str
    buckets: dict = field(default_factory=lambda: {k: {"leases": 0, "amount": Decimal("0.00")} for k in AGEING_BUCKETS})

    @property
    def total_amount(self):
        return sum((b["amount"] for b in self.buckets.values()), Decimal("0.00"))

    @property
    def total_leases(self):
        return sum(b["leases"] for b in self.buckets.values())


def ageing(principal, *, today: date | None = None) -> tuple[list[AgeingRow], AgeingRow]:
    """Per district, leases with overdue rent and their outstanding amounts by the age of their oldest
    overdue bill (1, 2, 3, 6, 6+ months)."""
    today = today or timezone.localdate()
    rows = (Bill.objects.for_user(principal).filter(due_on__lt=today).exclude(status=BillStatus.PAID)
            .values("lease_id", "district__name", "district__sort_order")
            .annotate(oldest=Min("due_on"), owed=Sum(F("amount") - F("amount_paid")))
            .order_by("district__sort_order", "lease_id"))
    by_district: dict[str, AgeingRow] = {}
    total = AgeingRow(district="合计")
    for row in rows:
        key = bucket_of((today - row["oldest"]).days)
        target = by_district.setdefault(row["district__name"], AgeingRow(district=row["district__name"]))
        for agg in (target, total):
            agg.buckets[key]["leases"] += 1
            agg.buckets[key]["amount"] += row["owed"]
    return list(by_district.values()), total


def overdue_lines(principal, *, today=None):
    """Every overdue bill with its lease, for the export."""
    today = today or timezone.localdate()
    return (Bill.objects.for_user(principal).filter(due_on__lt=today).exclude(status=BillStatus.PAID)
            .select_related("lease__unit__estate", "district").order_by("district__sort_order", "lease_id", "period"))
