"""The payment half's figure of the bureau's report (DESIGN §11): households that paid rent in the
period (registered from rent/apps.py through rent/payments/setup.py)."""

from gongzufang import statistics
from gongzufang.statistics import Measure
from rent.models import Payment

NOTES = {
    "households_paid_rent": "按缴费时间统计期内有缴费记录（网上支付、柜台缴费或对账认定）的租赁合同户数；一户一份合同。",
}


def _payments(period):
    return period.scoped(Payment.objects).filter(district_id__in=period.district_ids)


# Each lease once in the period, through the month cube (the monthly aggregate for closed months; ADR 0016).
statistics.register_measures(Measure("households_paid_rent", _payments, "paid_at", "district_id", distinct="lease_id"))


def rent_payment_figures(period, rows, total) -> None:
    """Distinct leases with a payment in the period, per district."""
    counts = period.cube.by_district("households_paid_rent")
    for district_id, figures in rows.items():
        figures.households_paid_rent = counts.get(district_id, 0)
    total.households_paid_rent = sum(counts.get(d, 0) for d in rows)


def rent_payment_series(period, trend) -> None:
    trend.put("households_paid_rent", period.cube.series("households_paid_rent"))


statistics.register_series(rent_payment_series, labels={"households_paid_rent": "缴纳租金户数"})
