"""The waitlist's figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
households waiting today, their average wait in days, and households allocated a unit (lease signed)
in the period. Registered in `AllocationConfig.ready()`."""

from decimal import Decimal

from django.db.models import Count

from gongzufang.statistics import Period, add_up, grouped, two_places

from .models import WaitlistEntry, WaitlistEntryStatusChange

NOTES = {
    "waitlist_size": "截至当日处于“轮候中”的家庭户数（暂停轮候的不计）。",
    "average_wait_days": "截至当日轮候中家庭自取得资格之日起的平均等待天数。",
    "allocations": "期间内签订租赁合同、由轮候转为已配租的家庭户数。",
}


def allocation_figures(period: Period, rows: dict, total) -> None:
    entries = period.scoped(WaitlistEntry.objects).filter(district_id__in=period.district_ids)
    waiting = entries.filter(status=WaitlistEntry.Status.WAITING, qualified_on__lte=period.today)
    waits = _waits(waiting, period.today)
    allocated = grouped(
        WaitlistEntryStatusChange.objects.filter(
            entry__in=entries, to_status=WaitlistEntry.Status.ALLOCATED,
            created_at__date__gte=period.start, created_at__date__lte=period.end),
        "entry__district_id", distinct="entry_id")
    for district_id, figures in rows.items():
        n, days = waits.get(district_id, (0, 0))
        figures.waitlist_size = n
        figures.average_wait_days = two_places(Decimal(days) / n) if n else None
        figures.allocations = allocated.get(district_id, 0)
    add_up(rows, total, ("waitlist_size", "allocations"))
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

