"""The monthly aggregate's job (ADR 0016): `refresh_monthly_figures()` stores, for every closed month (before
the current one), each registered measure's rows per district (gongzufang.statistics.MEASURES), so that a
year's dashboard reads a few hundred rows instead of scanning the year's source rows; the current month is
always read live.

Idempotent and resumable: each (figure, month) is written in its own transaction with its fingerprint (the
count, the latest id and the latest change of the source rows placed in that month); a month whose
fingerprint is unchanged is not recomputed. A late change — a decision recorded in a closed month, a bill
of a closed month paid now — changes the fingerprint, and the next run recomputes that month (for a figure
counting each thing once per period, also the later months, whose "previous month" may have changed). A
month not stored yet, or stale between runs, is read live by the report: the figures are exact either way.
"""

import zlib
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gongzufang.models import District
from gongzufang.statistics import MEASURES, CityWidePrincipal, Measure, Period, live_rows, month_start

from .models import MonthlyFigure, MonthlyState

FIRST_DAY = date(2000, 1, 1)


def _period(today: date) -> Period:
    districts = tuple(District.objects.order_by("sort_order", "code"))
    return Period(start=FIRST_DAY, end=today, today=today, principal=CityWidePrincipal(), districts=districts)


def _next(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def fingerprints(measure: Measure, period: Period, current: date) -> dict:
    """{month: fingerprint} of the closed months that hold source rows, one grouped query."""
    rows = measure.source(period).filter(**measure.bounds(FIRST_DAY, current))
    values = {"n": Count("pk"), "last": Max("pk")}
    if measure.changed:
        values["changed"] = Max(measure.changed)
    found = {}
    for row in rows.annotate(month=TruncMonth(measure.moment)).values("month").annotate(**values).order_by():
        changed = row.get("changed")
        changed = changed.isoformat() if changed else ""
        found[month_start(row["month"])] = f"{row['n']}:{row['last']}:{changed}"[:120]
    return found


def month_rows(measure: Measure, period: Period, month: date) -> list:
    """[(district_id, key, previous month, value)] of one month, as the report reads them."""
    if not measure.distinct:
        return [(district_id, key, None, value)
                for _month, district_id, key, value in live_rows(measure, period, month, _next(month))]
    return distinct_rows(measure, period, [month])[month]


def _as_month(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns the truncated moment as text
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") else value


def distinct_rows(measure: Measure, period: Period, months: list) -> dict:
    """{month: [(district_id, "", previous month, things)]} for a distinct measure, in one query over the
    source: each (thing, district, month) once, with the thing's previous month (LAG over its months)."""
    from django.db import connections

    from gongzufang.db_router import report_database

    pairs = (measure.source(period).filter(**measure.bounds(FIRST_DAY, _next(max(months)))).order_by()
             .annotate(month=TruncMonth(measure.moment)).values(measure.district, measure.distinct, "month")
             .distinct())
    inner, params = pairs.query.sql_with_params()
    district, thing = connections["default"].ops.quote_name(measure.district), \
        connections["default"].ops.quote_name(measure.distinct)
    sql = (f"SELECT {district}, month, previous, COUNT(*) FROM ("  # noqa: S608 (names from the registry)
           f"SELECT {district}, month, LAG(month) OVER (PARTITION BY {thing} ORDER BY month) AS previous "
           f"FROM ({inner}) pairs) ordered GROUP BY {district}, month, previous")
    wanted = set(months)
    found: dict = {month: [] for month in months}
    with connections[report_database()].cursor() as cursor:
        cursor.execute(sql, params)
        for district_id, month, previous, n in cursor.fetchall():
            month = _as_month(month)
            if month in wanted:
                found[month].append((district_id, "", _as_month(previous), n))
    return found


def figure_lock(figure: str, day: date) -> None:
    """Two runs of a figure's job at once (a retried beat, two workers) write one (figure, month or day) one
    after the other, in the caller's transaction: the second replaces the first's rows, never adds to them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        key = zlib.crc32(figure.encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [key - 2**32 if key >= 2**31 else key,
                                                                     day.toordinal()])


def _store(measure: Measure, month: date, rows: list, fingerprint: str) -> None:
    with transaction.atomic():
        figure_lock(measure.name, month)
        MonthlyFigure.objects.filter(figure=measure.name, month=month).delete()
        MonthlyFigure.objects.bulk_create(
            [MonthlyFigure(figure=measure.name, month=month, district_id=district_id, key=key, previous=prev,
                           value=value or 0) for district_id, key, prev, value in rows], batch_size=2000)
        MonthlyState.objects.update_or_create(figure=measure.name, month=month,
                                              defaults={"fingerprint": fingerprint})


def refresh_monthly_figures(today: date | None = None, *, names=None) -> dict:
    """Recompute the stale closed months of every measure (or of `names`); returns {figure: months redone}."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    period = _period(today)
    done = {}
    for name, measure in MEASURES.items():
        if names is not None and name not in names:
            continue
        prints = fingerprints(measure, period, current)
        stored = dict(MonthlyState.objects.filter(figure=name).values_list("month", "fingerprint"))
        # Every closed month since FIRST_DAY has a state, empty ones too (fingerprint ""), so a report never
        # reads a month live just because nothing happened in it.
        months, month = [], FIRST_DAY
        while month < current:
            months.append(month)
            month = _next(month)
        stale = [m for m in months if stored.get(m) != prints.get(m, "")]
        if measure.distinct and stale:
            stale = [m for m in months if m >= stale[0]]
        empty = [m for m in stale if m not in prints]
        if empty:
            with transaction.atomic():
                MonthlyFigure.objects.filter(figure=name, month__in=empty).delete()
                MonthlyState.objects.filter(figure=name, month__in=empty).delete()
                MonthlyState.objects.bulk_create([MonthlyState(figure=name, month=m, fingerprint="") for m in empty],
                                                 ignore_conflicts=True)
        filled = [m for m in stale if m in prints]
        if measure.distinct and filled:
            rows = distinct_rows(measure, period, filled)
            for month in filled:
                _store(measure, month, rows[month], prints[month])
        else:
            for month in filled:
                _store(measure, month, month_rows(measure, period, month), prints[month])
        # Months at or after the current one are never stored (read live); drop any left from a clock change.
        MonthlyState.objects.filter(figure=name, month__gte=current).delete()
        MonthlyFigure.objects.filter(figure=name, month__gte=current).delete()
        done[name] = len(stale) - len(empty)
    MonthlyState.objects.exclude(figure__in=list(MEASURES)).delete()
    MonthlyFigure.objects.exclude(figure__in=list(MEASURES)).delete()
    return done

