"""Tenancy's figures in the bureau's report (DESIGN §11; gongzufang/statistics.py): annual reviews
done (资格年审户数, one of the nine figures), reviews overdue, exits by ground and open monitoring
alerts. Registered in `TenancyConfig.ready()`."""

from collections import defaultdict

from django.db.models import Count

from gongzufang.statistics import Period, grouped

from .models import AlertStatus, AnnualReview, ExitCase, ExitStatus, MonitoringAlert, ReviewStatus

NOTES = {
    "annual_reviews_done": "资格年审户数：统计期内作出年审结论（继续、调整或退出）的家庭数（公租房和租赁补贴分别计）。",
    "annual_reviews_overdue": "逾期未年审：截至今日仍逾期未申报的年审件数。",
    "exits_by_ground": "退出户数：统计期内办结的退出事项，按退出理由分列。",
    "monitoring_alerts_open": "动态监管待处理预警：截至今日尚未处理的预警条数。",
}


def tenancy_figures(period: Period, rows: dict, total) -> None:
    ids = period.district_ids
    done = AnnualReview.objects.filter(status=ReviewStatus.DECIDED, decided_at__date__gte=period.start,
                                       decided_at__date__lte=period.end, district_id__in=ids)
    overdue = AnnualReview.objects.filter(status=ReviewStatus.OVERDUE, district_id__in=ids)
    alerts = MonitoringAlert.objects.filter(status=AlertStatus.OPEN, district_id__in=ids)
    exits = (ExitCase.objects.filter(status=ExitStatus.CLOSED, closed_at__date__gte=period.start,
                                     closed_at__date__lte=period.end, district_id__in=ids)
             .values("district_id", "ground").annotate(n=Count("pk")).order_by())
    by_district = defaultdict(dict)
    all_grounds = defaultdict(int)
    for row in exits:
        by_district[row["district_id"]][row["ground"]] = row["n"]
        all_grounds[row["ground"]] += row["n"]
    done_n, overdue_n, alerts_n = grouped(done, "district_id"), grouped(overdue, "district_id"), grouped(
        alerts, "district_id")
    for district_id, figures in rows.items():
        figures.annual_reviews_done = done_n.get(district_id, 0)
        figures.annual_reviews_overdue = overdue_n.get(district_id, 0)
        figures.exits_by_ground = by_district.get(district_id, {})
        if hasattr(figures, "monitoring_alerts_open"):
            figures.monitoring_alerts_open = alerts_n.get(district_id, 0)
    total.annual_reviews_done = sum(done_n.values())
    total.annual_reviews_overdue = sum(overdue_n.values())
    total.exits_by_ground = dict(all_grounds)
    if hasattr(total, "monitoring_alerts_open"):
        total.monitoring_alerts_open = sum(alerts_n.values())
