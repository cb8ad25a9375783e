"""Housing's figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
units published in the period, units listed today, and the vacancy rate today (vacant units among those
in stock, i.e. not taken out of use). Registered in `HousingConfig.ready()`; the month-by-month series
(`unit_series`) when this module is imported there."""

from decimal import Decimal

from django.db.models import Count

from gongzufang import statistics
from gongzufang.statistics import Current, Period, Trend, add_up, grouped, monthly, two_places

from .models import Unit, UnitStatusChange

NOTES = {
    "units_published": "期间内由未发布或已撤回变为已发布的房屋套数（同一套多次发布计一次）。",
    "vacancy_rate": "截至今天，空置可配的房屋占在管房屋（停用的除外）的比例。",
}


def _vacancy(figures) -> None:
    figures.vacancy_rate = (two_places(Decimal(figures.units_vacant) * 100 / figures.units_in_stock)
                            if figures.units_in_stock else None)


def _units(period: Period):
    return period.scoped(Unit.objects).filter(district_id__in=period.district_ids)


def _listed(period: Period) -> list:
    """[(district_id, "", units published now)]."""
    return [(district_id, "", n)
            for district_id, n in grouped(_units(period).filter(listing=Unit.Listing.PUBLISHED), "district_id").items()]


def _by_status(period: Period) -> list:
    """[(district_id, status, units)] in stock (not taken out of use), one grouped query."""
    return [(row["district_id"], row["status"], row["n"]) for row in _units(period).exclude(
        status=Unit.Status.OFFLINE).values("district_id", "status").annotate(n=Count("pk")).order_by()]


# As of today: the beat job's snapshot when fresh (shown "截至 HH:MM"), else live (ADR 0016).
statistics.register_current(Current("units_listed_now", _listed), Current("units_by_status", _by_status))


def unit_figures(period: Period, rows: dict, total) -> None:
    units = _units(period)
    published = grouped(
        UnitStatusChange.objects.filter(field="listing", to_status=Unit.Listing.PUBLISHED, unit__in=units,
                                        **period.moments("created_at")),
        "unit__district_id", distinct="unit_id")
    now = period.now()
    listed = now.by_district("units_listed_now")
    stock = {district_id: (sum(statuses.values()), statuses.get(Unit.Status.VACANT, 0))
             for district_id, statuses in now.by_district_key("units_by_status").items()}
    for district_id, figures in rows.items():
        figures.units_published = published.get(district_id, 0)
        figures.units_listed_now = listed.get(district_id, 0)
        figures.units_in_stock, figures.units_vacant = stock.get(district_id, (0, 0))
        _vacancy(figures)
    add_up(rows, total, ("units_published", "units_listed_now", "units_in_stock", "units_vacant"))
    _vacancy(total)


def unit_series(period: Period, trend: Trend) -> None:
    """Units published per month and district (a unit published twice in a month counts once)."""
    units = period.scoped(Unit.objects).filter(district_id__in=period.district_ids)
    trend.put("units_published", monthly(
        UnitStatusChange.objects.filter(field="listing", to_status=Unit.Listing.PUBLISHED, unit__in=units,
                                        **period.moments("created_at")),
        "created_at", "unit__district_id", distinct="unit_id"))


# Imported by HousingConfig.ready(), which registers unit_figures; the series go with it.
statistics.register_series(unit_series, labels={"units_published": "发布房源"})
