"""Visit figures for statistics (DESIGN §11). Counts reach the table every five minutes
(gongzufang/visits.py); pass `include_buffer=True` for today's not-yet-flushed visits too."""

from django.db.models import Sum
from django.utils import timezone

from gongzufang.models import DailyVisit


def visits_between(start, end, kind=None, *, include_buffer=False) -> int:
    """Visits on days start..end (inclusive, local dates), of one page kind or of all."""
    rows = DailyVisit.objects.filter(day__gte=start, day__lte=end)
    if kind:
        rows = rows.filter(kind=kind)
    total = rows.aggregate(n=Sum("count"))["n"] or 0
    if include_buffer:
        from gongzufang.visits import buffered

        today = timezone.localdate()
        if start <= today <= end:
            pending = buffered(today)
            total += pending.get(kind, 0) if kind else sum(pending.values())
    return total


def visits_by_kind(start, end) -> dict:
    """{kind: visits} for days start..end (inclusive)."""
    rows = DailyVisit.objects.filter(day__gte=start, day__lte=end).values("kind").annotate(n=Sum("count"))
    return {row["kind"]: row["n"] for row in rows}


def visits_by_day(start, end, kind=None) -> dict:
    """{date: visits} for days start..end (inclusive); days without visits are absent."""
    rows = DailyVisit.objects.filter(day__gte=start, day__lte=end)
    if kind:
        rows = rows.filter(kind=kind)
    return {row["day"]: row["n"] for row in rows.values("day").annotate(n=Sum("count")).order_by("day")}
