"""The payment half's figure of the bureau's report (DESIGN §11): households that paid rent in the
period (registered from rent/apps.py through rent/payments/setup.py)."""

from django.db.models import Count

from rent.models import Payment

NOTES = {
    "households_paid_rent": "按缴费时间统计期内有缴费记录（网上支付、柜台缴费或对账认定）的租赁合同户数；一户一份合同。",
}


def rent_payment_figures(period, rows, total) -> None:
    """One grouped query over the districts asked for: distinct leases with a payment in the period."""
    payments = period.scoped(Payment.objects).filter(
        district_id__in=period.district_ids, paid_at__date__gte=period.start, paid_at__date__lte=period.end)
    counts = dict(payments.values_list("district_id").annotate(n=Count("lease_id", distinct=True)).order_by())
    for district_id, figures in rows.items():
        figures.households_paid_rent = counts.get(district_id, 0)
    total.households_paid_rent = sum(counts.get(d, 0) for d in rows)
