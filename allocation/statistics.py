"""The waitlist's figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
households waiting today, their average wait in days, and households allocated a unit (lease signed)
in the period. Registered in `AllocationConfig.ready()`."""

from decimal import Decimal

from django.db.models import Count

from gongzufang import statistics
from gongzufang.statistics import Current, Measure, Period, add_up, two_places

from .models import WaitlistEntry, WaitlistEntryStatusChange

NOTES = {
    "waitlist_size": "截至当日处于“轮候中”的家庭户数（暂停轮候的不计）。",
    "average_wait_days": "截至当日轮候中家庭自取得资格之日起的平均等待天数。",
    "allocations": "期间内签订租赁合同、由轮候转为已配租的家庭户数。",
}


def _entries(period: Period):
    return period.scoped(WaitlistEntry.objects).filter(district_id__in=period.district_ids)


def _allocations(period: Period):
    return WaitlistEntryStatusChange.objects.filter(entry__in=_entries(period),
                                                    to_status=WaitlistEntry.Status.ALLOCATED)


# Read through the month cube (the monthly aggregate for closed months, live for the rest; ADR 0016).
statistics.register_measures(
    Measure("allocations", _allocations, "created_at", "entry__district_id", distinct="entry_id"))


def _waiting(period: Period) -> list:
    """[(district_id, "households" | "days", n)]: households waiting on period.today and their days waited."""
    waiting = _entries(period).filter(status=WaitlistEntry.Status.WAITING, qualified_on__lte=period.today)
    rows = []
    for district_id, (n, days) in _waits(waiting, period.today).items():
        rows += [(district_id, "households", n), (district_id, "days", days)]
    return rows


# As of today: the beat job's snapshot when fresh (shown "截至 HH:MM"), else live (ADR 0016).
statistics.register_current(Current("waitlist", _waiting))


def allocation_figures(period: Period, rows: dict, total) -> None:
    waits = {district_id: (keys.get("households", 0), keys.get("days", 0))
             for district_id, keys in period.now().by_district_key("waitlist").items()}
    allocated = period.cube.by_district("allocations")
    for district_id, figures in rows.items():
        n, days = waits.get(district_id, (0, 0))
        figures.waitlist_size = n
        figures.average_wait_days = two_places(Decimal(days) / n) if n else None
        figures.allocations = allocated.get(district_id, 0)
    add_up(rows, total, ("waitlist_size",))
    total.allocations = sum(allocated.get(district_id, 0) for district_id in rows)
    n = sum(w[0] for w in waits.values())
    days = sum(w[1] for w in waits.values())
    total.average_wait_days = two_places(Decimal(days) / n) if n else None


def _waits(waiting, today) -> dict:
    """{district_id: (households, total days waited)} — one grouped query over the qualification dates."""
    out: dict = {}
    for row in waiting.values("district_id", "qualified_on").annotate(n=Count("pk")).order_by():
        n, days = out.get(row["district_id"], (0, 0))
        out[row["district_id"]] = (n + row["n"], days + row["n"] * (today - row["qualified_on"]).days)
    return out



def allocation_series(period: Period, trend) -> None:
    trend.put("allocations", period.cube.series("allocations"))


statistics.register_series(allocation_series, labels={"allocations": "配租户数"})
