"""Subsidies' figures in the bureau's report (DESIGN §11; the report: gongzufang/statistics.py):
households paid a subsidy (租赁补贴发放户数) and the money paid, counted by the months the subsidy is
for that fall in the period (a payment confirmed paid by the bank's result file). Registered in
`SubsidiesConfig.ready()`."""

from django.db.models import Count, Sum

from gongzufang.statistics import Period, grouped, monthly, two_places

from .models import PaymentStatus, SubsidyPayment

NOTES = {
    "households_paid_subsidy": "租赁补贴发放户数：统计期内各补贴月份银行代发成功的家庭数（同一家庭多个月只计一户）。",
    "subsidy_paid_amount": "租赁补贴发放金额：统计期内各补贴月份银行代发成功的金额合计（元）。",
}


def _paid(period: Period):
    return SubsidyPayment.objects.filter(status=PaymentStatus.PAID, period__gte=period.start.replace(day=1),
                                         period__lte=period.end, district_id__in=period.district_ids)


def subsidy_figures(period: Period, rows: dict, total) -> None:
    paid = _paid(period)
    households = grouped(paid, "district_id", distinct="grant_id")
    amounts = {row["district_id"]: row["n"] for row in
               paid.values("district_id").annotate(n=Sum("amount")).order_by()}
    for district_id, figures in rows.items():
        figures.households_paid_subsidy = households.get(district_id, 0)
        figures.subsidy_paid_amount = two_places(amounts.get(district_id) or 0)
    everything = paid.aggregate(n=Count("grant_id", distinct=True), amount=Sum("amount"))
    total.households_paid_subsidy = everything["n"] or 0
    total.subsidy_paid_amount = two_places(everything["amount"] or 0)


def subsidy_series(period: Period, trend) -> None:
    paid = _paid(period)
    trend.put("households_paid_subsidy", monthly(paid, "period", "district_id", distinct="grant_id"))
    trend.put("subsidy_paid_amount", monthly(paid, "period", "district_id", value=Sum("amount")))
