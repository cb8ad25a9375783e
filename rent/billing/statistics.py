"""Rent's figures in the bureau's report (DESIGN §11; the report: gongzufang/statistics.py), registered
in RentConfig.ready(): the collection rate of the rent billed in the period, and arrears as of today
(overdue unpaid rent and the households owing it). Households that paid rent: rent/payments/statistics.py."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Sum

from gongzufang import statistics
from gongzufang.statistics import Current, Measure, Period

from ..models import Bill, BillStatus

NOTES = {
    "rent_collection_rate": "期内缴费截止的租金账单中已缴金额占应缴金额的百分比（截至今天的缴纳情况）。",
    "rent_arrears_amount": "截至今天已过缴费截止日仍未缴清的租金合计（元）。",
    "rent_arrears_households": "截至今天有逾期未缴租金的租赁合同户数。",
}
HUNDRED = Decimal(100)
# Not paid in full (every status but PAID), as a list: the (district, status, due_on) index serves it.
OWING = [status for status in BillStatus.values if status != BillStatus.PAID]


def _rate(paid, due):
    if not due:
        return None
    return (Decimal(paid or 0) * HUNDRED / Decimal(due)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _bills(period: Period):
    return period.scoped(Bill.objects).filter(district_id__in=period.district_ids)


# The rent billed in the period (by due date) and what of it is paid, through the month cube (ADR 0016):
# a bill paid after its month closed changes its updated_at, and the job recomputes that month.
statistics.register_measures(
    Measure("rent_billed", _bills, "due_on", "district_id", total="amount", dated=True, changed="updated_at"),
    Measure("rent_billed_paid", _bills, "due_on", "district_id", total="amount_paid", dated=True,
            changed="updated_at"),
)


def _arrears(period: Period) -> list:
    """[(district_id, "owed" | "leases", value)]: rent past its due date and not paid on period.today, and
    the leases owing it, one grouped query."""
    rows = []
    for r in (_bills(period).filter(due_on__lt=period.today, status__in=OWING).values("district_id")
              .annotate(owed=Sum(F("amount") - F("amount_paid")), leases=Count("lease_id", distinct=True))
              .order_by()):
        rows += [(r["district_id"], "owed", r["owed"] or 0), (r["district_id"], "leases", r["leases"])]
    return rows


# As of today: the beat job's snapshot when fresh (shown "截至 HH:MM"), else live (ADR 0016).
statistics.register_current(Current("rent_arrears", _arrears))


def rent_figures(period: Period, rows: dict, total) -> None:
    due, paid = period.cube.by_district("rent_billed"), period.cube.by_district("rent_billed_paid")
    billed = {d: {"due": due[d], "paid": paid.get(d)} for d in due}
    owing = period.now().by_district_key("rent_arrears")
    zero = Decimal("0.00")
    due_total = paid_total = owed_total = zero
    households = 0
    for district_id, figures in rows.items():
        b = billed.get(district_id, {})
        o = owing.get(district_id, {})
        figures.rent_collection_rate = _rate(b.get("paid"), b.get("due"))
        figures.rent_arrears_amount = Decimal(o.get("owed") or 0).quantize(Decimal("0.01"))
        figures.rent_arrears_households = o.get("leases", 0)
        due_total += b.get("due") or zero
        paid_total += b.get("paid") or zero
        owed_total += figures.rent_arrears_amount
        households += figures.rent_arrears_households
    total.rent_collection_rate = _rate(paid_total, due_total)
    total.rent_arrears_amount = owed_total
    total.rent_arrears_households = households
