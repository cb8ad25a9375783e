"""Housing's figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
units published in the period and units listed today. Registered in `HousingConfig.ready()`."""

from gongzufang.statistics import Period, add_up, grouped

from .models import Unit, UnitStatusChange

NOTES = {"units_published": "期间内由未发布或已撤回变为已发布的房屋套数（同一套多次发布计一次）。"}


def unit_figures(period: Period, rows: dict, total) -> None:
    units = period.scoped(Unit.objects).filter(district_id__in=period.district_ids)
    published = grouped(
        UnitStatusChange.objects.filter(field="listing", to_status=Unit.Listing.PUBLISHED, unit__in=units,
                                        created_at__date__gte=period.start, created_at__date__lte=period.end),
        "unit__district_id", distinct="unit_id")
    listed = grouped(units.filter(listing=Unit.Listing.PUBLISHED), "district_id")
    for district_id, figures in rows.items():
        figures.units_published = published.get(district_id, 0)
        figures.units_listed_now = listed.get(district_id, 0)
    add_up(rows, total, ("units_published", "units_listed_now"))
