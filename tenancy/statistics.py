"""Tenancy's figures in the bureau's report (DESIGN §11; gongzufang/statistics.py): annual reviews
done (资格年审户数, one of the nine figures), reviews overdue, exits by ground and open monitoring
alerts. Registered in `TenancyConfig.ready()`."""

from collections import defaultdict

from gongzufang import statistics
from gongzufang.statistics import Current, Measure, Period, grouped

from .models import AlertStatus, AnnualReview, ExitCase, ExitStatus, MonitoringAlert, ReviewStatus

NOTES = {
    "annual_reviews_done": "资格年审户数：统计期内作出年审结论（继续、调整或退出）的家庭数（公租房和租赁补贴分别计）。",
    "annual_reviews_overdue": "逾期未年审：截至今日仍逾期未申报的年审件数。",
    "exits_by_ground": "退出户数：统计期内办结的退出事项，按退出理由分列。",
    "monitoring_alerts_open": "动态监管待处理预警：截至今日尚未处理的预警条数。",
}


def _done(period: Period):
    return AnnualReview.objects.filter(status=ReviewStatus.DECIDED, district_id__in=period.district_ids)


def _exits(period: Period):
    return ExitCase.objects.filter(status=ExitStatus.CLOSED, district_id__in=period.district_ids)


# Period figures through the month cube (the monthly aggregate for closed months, live for the rest; ADR 0016).
statistics.register_measures(
    Measure("annual_reviews_done", _done, "decided_at", "district_id", changed="updated_at"),
    Measure("exits_by_ground", _exits, "closed_at", "district_id", key="ground", changed="updated_at"),
)


def _reviews_overdue(period: Period) -> list:
    found = grouped(AnnualReview.objects.filter(status=ReviewStatus.OVERDUE, district_id__in=period.district_ids),
                    "district_id")
    return [(district_id, "", n) for district_id, n in found.items()]


def _alerts_open(period: Period) -> list:
    found = grouped(MonitoringAlert.objects.filter(status=AlertStatus.OPEN, district_id__in=period.district_ids),
                    "district_id")
    return [(district_id, "", n) for district_id, n in found.items()]


# As of today: the beat job's snapshot when fresh (shown "截至 HH:MM"), else live (ADR 0016).
statistics.register_current(Current("annual_reviews_overdue", _reviews_overdue),
                            Current("monitoring_alerts_open", _alerts_open))


def tenancy_figures(period: Period, rows: dict, total) -> None:
    by_district = defaultdict(dict)
    all_grounds = defaultdict(int)
    for district_id, grounds in period.cube.by_district_key("exits_by_ground").items():
        for ground, n in grounds.items():
            if n:
                by_district[district_id][ground] = n
                all_grounds[ground] += n
    done_n = period.cube.by_district("annual_reviews_done")
    now = period.now()
    overdue_n, alerts_n = now.by_district("annual_reviews_overdue"), now.by_district("monitoring_alerts_open")
    for district_id, figures in rows.items():
        figures.annual_reviews_done = done_n.get(district_id, 0)
        figures.annual_reviews_overdue = overdue_n.get(district_id, 0)
        figures.exits_by_ground = by_district.get(district_id, {})
        if hasattr(figures, "monitoring_alerts_open"):
            figures.monitoring_alerts_open = alerts_n.get(district_id, 0)
    total.annual_reviews_done = sum(done_n.get(district_id, 0) for district_id in rows)
    total.annual_reviews_overdue = sum(overdue_n.values())
    total.exits_by_ground = dict(all_grounds)
    if hasattr(total, "monitoring_alerts_open"):
        total.monitoring_alerts_open = sum(alerts_n.values())


def tenancy_series(period: Period, trend) -> None:
    trend.put("annual_reviews_done", period.cube.series("annual_reviews_done"))
    trend.put("exits", period.cube.series("exits_by_ground"))


statistics.register_series(tenancy_series, labels={"annual_reviews_done": "资格年审", "exits": "退出户数"})
