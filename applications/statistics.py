"""Applications' figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
applications submitted, approved and rejected in the period, the processing time in working days of
those decided in it (average, median, 90th percentile and the distribution, from one grouped query of
(district, working days) counts), and the applications overdue at their current step today. Registered in
`ApplicationsConfig.ready()`; the month-by-month series (`application_series`) and the period measures
(read through the month cube: the monthly aggregate for closed months, live for the rest; ADR 0016) when this
module is imported there."""

from django.utils import timezone

from applications.models import ACTIVE_STATUSES, Application, ApplicationStatusChange, Status
from gongzufang import statistics
from gongzufang.statistics import Current, Measure, Period, Trend, add_up, grouped, histogram_figures

NOTES = {
    "processing_workdays": "期间内作出决定（通过或不通过）的申请，自受理至决定的工作日数，不含补正和公示。",
    "overdue_applications": "截至今天，当前环节已超过期限的在办申请（不随统计期间变化）。",
}

COUNTS = ("applications_submitted", "applications_approved", "applications_rejected", "overdue_applications")


def _applications(period: Period):
    return period.scoped(Application.objects).filter(district_id__in=period.district_ids)


def _decisions(status):
    def source(period: Period):
        return ApplicationStatusChange.objects.filter(to_status=status, application__in=_applications(period))
    return source


def _decided(period: Period):
    return _applications(period).filter(status__in=[Status.APPROVED, Status.REJECTED],
                                        processing_workdays__isnull=False)


# The period figures, read through the month cube (closed months from the monthly aggregate, the rest live;
# ADR 0016). An application approved twice in the period (a decision reopened) counts once.
statistics.register_measures(
    Measure("applications_submitted", _applications, "submitted_at", "district_id", changed="updated_at"),
    Measure("applications_approved", _decisions(Status.APPROVED), "created_at", "application__district_id",
            distinct="application_id"),
    Measure("applications_rejected", _decisions(Status.REJECTED), "created_at", "application__district_id",
            distinct="application_id"),
    Measure("processing_workdays", _decided, "decided_at", "district_id", key="processing_workdays",
            changed="updated_at"),
)


def _overdue(period: Period) -> list:
    """[(district_id, "", applications)] open past their current step's due date on period.today."""
    found = grouped(_applications(period).filter(status__in=ACTIVE_STATUSES - {Status.APPROVED},
                                                 step_due_on__lt=period.today), "district_id")
    return [(district_id, "", n) for district_id, n in found.items()]


# As of today: the beat job's snapshot when fresh (shown "截至 HH:MM"), else live (ADR 0016).
statistics.register_current(Current("overdue_applications", _overdue))


def application_figures(period: Period, rows: dict, total) -> None:
    cube = period.cube
    submitted = cube.by_district("applications_submitted")
    approved, rejected = cube.by_district("applications_approved"), cube.by_district("applications_rejected")
    overdue = period.now().by_district("overdue_applications")
    histograms = {district_id: {int(k): v for k, v in found.items()}
                  for district_id, found in cube.by_district_key("processing_workdays").items()}
    total_histogram: dict = {}
    for found in histograms.values():
        for days, n in found.items():
            total_histogram[days] = total_histogram.get(days, 0) + n
    for district_id, figures in rows.items():
        figures.applications_submitted = submitted.get(district_id, 0)
        figures.applications_approved = approved.get(district_id, 0)
        figures.applications_rejected = rejected.get(district_id, 0)
        figures.overdue_applications = overdue.get(district_id, 0)
        histogram_figures(figures, histograms.get(district_id, {}))
    add_up(rows, total, COUNTS)
    histogram_figures(total, total_histogram)


SERIES_LABELS = {"applications_submitted": "申请提交", "applications_approved": "审核通过",
                 "applications_rejected": "审核不通过"}


def application_series(period: Period, trend: Trend) -> None:
    """Submitted, approved and rejected per month and district, from the month cube."""
    for name in SERIES_LABELS:
        trend.put(name, period.cube.series(name))


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
