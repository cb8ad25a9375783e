"""Subsidies' figures in the bureau's report (DESIGN §11; the report: gongzufang/statistics.py):
households paid a subsidy (租赁补贴发放户数) and the money paid, counted by the months the subsidy is
for that fall in the period (a payment confirmed paid by the bank's result file). Registered in
`SubsidiesConfig.ready()`."""

from gongzufang import statistics
from gongzufang.statistics import Measure, Period, two_places

from .models import PaymentStatus, SubsidyPayment

NOTES = {
    "households_paid_subsidy": "租赁补贴发放户数：统计期内各补贴月份银行代发成功的家庭数（同一家庭多个月只计一户）。",
    "subsidy_paid_amount": "租赁补贴发放金额：统计期内各补贴月份银行代发成功的金额合计（元）。",
}


def _paid(period: Period):
    return SubsidyPayment.objects.filter(status=PaymentStatus.PAID, district_id__in=period.district_ids)


# By the month the subsidy is for (its first day in the period), through the month cube (ADR 0016).
statistics.register_measures(
    Measure("households_paid_subsidy", _paid, "period", "district_id", distinct="grant_id", dated=True,
            changed="updated_at"),
    Measure("subsidy_paid_amount", _paid, "period", "district_id", total="amount", dated=True,
            changed="updated_at"),
)


def subsidy_figures(period: Period, rows: dict, total) -> None:
    households = period.cube.by_district("households_paid_subsidy")
    amounts = period.cube.by_district("subsidy_paid_amount")
    for district_id, figures in rows.items():
        figures.households_paid_subsidy = households.get(district_id, 0)
        figures.subsidy_paid_amount = two_places(amounts.get(district_id) or 0)
    # A grant belongs to one district: the total is the sum of the districts'.
    total.households_paid_subsidy = sum(households.get(district_id, 0) for district_id in rows)
    total.subsidy_paid_amount = two_places(sum(amounts.get(district_id) or 0 for district_id in rows))


def subsidy_series(period: Period, trend) -> None:
    trend.put("households_paid_subsidy", period.cube.series("households_paid_subsidy"))
    trend.put("subsidy_paid_amount", period.cube.series("subsidy_paid_amount"))
