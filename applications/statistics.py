"""Applications' figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
applications submitted, approved and rejected in the period, the processing time in working days of
those decided in it, and the applications overdue at their current step today. Registered in
`ApplicationsConfig.ready()`."""

from decimal import Decimal
from statistics import median

from applications.models import ACTIVE_STATUSES, Application, ApplicationStatusChange, Status
from gongzufang.statistics import Period, add_up, grouped, two_places

NOTES = {
    "processing_workdays": "期间内作出决定（通过或不通过）的申请，自受理至决定的工作日数，不含补正和公示。",
    "overdue_applications": "截至今天，当前环节已超过期限的在办申请（不随统计期间变化）。",
}

COUNTS = ("applications_submitted", "applications_approved", "applications_rejected", "overdue_applications")


def _processing(figures, spans: list[int]) -> None:
    figures.decided = len(spans)
    if spans:
        figures.average_processing_workdays = two_places(Decimal(sum(spans)) / len(spans))
        figures.median_processing_workdays = two_places(median(spans))


def application_figures(period: Period, rows: dict, total) -> None:
    ids = period.district_ids
    applications = period.scoped(Application.objects).filter(district_id__in=ids)
    submitted = grouped(applications.filter(submitted_at__date__gte=period.start,
                                            submitted_at__date__lte=period.end), "district_id")

    def decided(status):
        return grouped(ApplicationStatusChange.objects.filter(
            to_status=status, application__in=applications, created_at__date__gte=period.start,
            created_at__date__lte=period.end), "application__district_id", distinct="application_id")

    approved, rejected = decided(Status.APPROVED), decided(Status.REJECTED)
    overdue = grouped(applications.filter(status__in=ACTIVE_STATUSES - {Status.APPROVED},
                                          step_due_on__lt=period.today), "district_id")
    spans = {district_id: [] for district_id in rows}
    for district_id, workdays in applications.filter(
            status__in=[Status.APPROVED, Status.REJECTED], processing_workdays__isnull=False,
            decided_at__date__gte=period.start, decided_at__date__lte=period.end,
    ).values_list("district_id", "processing_workdays"):
        spans[district_id].append(workdays)

    for district_id, figures in rows.items():
        figures.applications_submitted = submitted.get(district_id, 0)
        figures.applications_approved = approved.get(district_id, 0)
        figures.applications_rejected = rejected.get(district_id, 0)
        figures.overdue_applications = overdue.get(district_id, 0)
        _processing(figures, spans[district_id])
    add_up(rows, total, COUNTS)
    _processing(total, [workdays for district_spans in spans.values() for workdays in district_spans])
