"""Applications' figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
applications submitted, approved and rejected in the period, the processing time in working days of
those decided in it (average, median, 90th percentile and the distribution, from one grouped query of
(district, working days) counts), and the applications overdue at their current step today. Registered in
`ApplicationsConfig.ready()`; the month-by-month series (`application_series`) when this module is imported
there."""

from django.db.models import Count
from django.utils import timezone

from applications.models import ACTIVE_STATUSES, Application, ApplicationStatusChange, Status
from gongzufang import statistics
from gongzufang.statistics import Period, Trend, add_up, grouped, histogram_figures, monthly

NOTES = {
    "processing_workdays": "期间内作出决定（通过或不通过）的申请，自受理至决定的工作日数，不含补正和公示。",
    "overdue_applications": "截至今天，当前环节已超过期限的在办申请（不随统计期间变化）。",
}

COUNTS = ("applications_submitted", "applications_approved", "applications_rejected", "overdue_applications")


def application_figures(period: Period, rows: dict, total) -> None:
    ids = period.district_ids
    applications = period.scoped(Application.objects).filter(district_id__in=ids)
    submitted = grouped(applications.filter(**period.moments("submitted_at")), "district_id")

    def decided(status):
        return grouped(ApplicationStatusChange.objects.filter(
            to_status=status, application__in=applications, **period.moments("created_at")),
            "application__district_id", distinct="application_id")

    approved, rejected = decided(Status.APPROVED), decided(Status.REJECTED)
    overdue = grouped(applications.filter(status__in=ACTIVE_STATUSES - {Status.APPROVED},
                                          step_due_on__lt=period.today), "district_id")
    histograms = {district_id: {} for district_id in rows}
    total_histogram: dict = {}
    for row in applications.filter(
            status__in=[Status.APPROVED, Status.REJECTED], processing_workdays__isnull=False,
            **period.moments("decided_at"),
    ).values("district_id", "processing_workdays").annotate(n=Count("pk")).order_by():
        histograms[row["district_id"]][row["processing_workdays"]] = row["n"]
        total_histogram[row["processing_workdays"]] = total_histogram.get(row["processing_workdays"], 0) + row["n"]

    for district_id, figures in rows.items():
        figures.applications_submitted = submitted.get(district_id, 0)
        figures.applications_approved = approved.get(district_id, 0)
        figures.applications_rejected = rejected.get(district_id, 0)
        figures.overdue_applications = overdue.get(district_id, 0)
        histogram_figures(figures, histograms[district_id])
    add_up(rows, total, COUNTS)
    histogram_figures(total, total_histogram)


SERIES_LABELS = {"applications_submitted": "申请提交", "applications_approved": "审核通过",
                 "applications_rejected": "审核不通过"}


def application_series(period: Period, trend: Trend) -> None:
    """Submitted, approved and rejected per month and district: one grouped query each."""
    applications = period.scoped(Application.objects).filter(district_id__in=period.district_ids)
    trend.put("applications_submitted", monthly(
        applications.filter(**period.moments("submitted_at")),
        "submitted_at", "district_id"))
    for name, status in (("applications_approved", Status.APPROVED), ("applications_rejected", Status.REJECTED)):
        changes = ApplicationStatusChange.objects.filter(
            to_status=status, application__in=applications, **period.moments("created_at"))
        trend.put(name, monthly(changes, "created_at", "application__district_id", distinct="application_id"))


# Imported by ApplicationsConfig.ready(), which registers application_figures; the series go with it.
statistics.register_series(application_series, labels=SERIES_LABELS)


def processing_rows(period: Period):
    """Each application decided in the period with its processing time (no personal data: the number,
    the district and the dates), read in chunks."""
    names = {d.pk: d.name for d in period.districts}
    decided = period.scoped(Application.objects).filter(
        district_id__in=period.district_ids, status__in=[Status.APPROVED, Status.REJECTED],
        **period.moments("decided_at"),
    ).order_by("decided_at", "pk").values_list("number", "district_id", "status", "accepted_at", "decided_at",
                                               "processing_workdays")
    labels = {value: str(label) for value, label in Status.choices}
    for number, district_id, status, accepted_at, decided_at, workdays in decided.iterator(chunk_size=2000):
        yield (number, names.get(district_id, ""), labels.get(status, status),
               timezone.localdate(accepted_at) if accepted_at else None,
               timezone.localdate(decided_at) if decided_at else None, workdays)


statistics.register_detail("processing", title="办理用时明细", rows=processing_rows,
                           columns=("申请编号", "区县", "结论", "受理日期", "决定日期", "办理用时（工作日）"))
