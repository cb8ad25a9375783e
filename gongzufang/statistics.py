"""The figures the bureau reports (DESIGN §11), for any period and district.

`summary(start=, end=, principal=)` gives one `Figures` per district the principal may see and the
total over them. Dates are local (Beijing) calendar days, both ends included. Each figure is one
grouped query over all districts at once, so the cost does not grow with the number of districts.

Figures that have no source yet (annual re-certification, rent, subsidies) are `None` with a note
saying why, never 0: a 0 would read as "nobody paid rent".
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.db.models import Count, Sum
from django.utils import timezone

from gongzufang.models import Article, DailyVisit, District
from gongzufang.scoping import scope_of

TWO_PLACES = Decimal("0.01")

NOTES = {
    "visits": "访问量为全市门户合计（页面不分区县），截至上次汇总（每小时）。",
    "articles_published": "政策资讯为全市通用，按发布时间统计。",
    "units_published": "期间内由未发布或已撤回变为已发布的房屋套数（同一套多次发布计一次）。",
    "annual_reviews_done": "资格年审功能尚未上线，暂无数据。",
    "households_paid_rent": "租金收缴功能尚未上线，暂无数据。",
    "households_paid_subsidy": "租赁补贴发放功能尚未上线，暂无数据。",
    "processing_workdays": "期间内作出决定（通过或不通过）的申请，自受理至决定的工作日数，不含补正和公示。",
    "overdue_applications": "截至今天，当前环节已超过期限的在办申请（不随统计期间变化）。",
}


def _two(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    district: District | None  # None: the total
    visits: int = 0
    units_published: int = 0
    units_listed_now: int = 0
    articles_published: int = 0
    applications_submitted: int = 0
    applications_approved: int = 0
    applications_rejected: int = 0
    annual_reviews_done: int | None = None
    households_paid_rent: int | None = None
    households_paid_subsidy: int | None = None
    feedback_received: dict = field(default_factory=dict)  # kind -> count
    feedback_replied: int = 0
    feedback_overdue: int = 0
    ratings: int = 0
    average_rating: Decimal | None = None
    decided: int = 0
    average_processing_workdays: Decimal | None = None
    median_processing_workdays: Decimal | None = None
    overdue_applications: int = 0
    spans: list = field(default_factory=list, repr=False)

    @property
    def feedback_total(self) -> int:
        return sum(self.feedback_received.values())

    def finish(self):
        self.decided = len(self.spans)
        if self.spans:
            self.average_processing_workdays = _two(Decimal(sum(self.spans)) / len(self.spans))
            self.median_processing_workdays = _two(median(self.spans))
        return self

    def take_feedback(self, feedback):
        """Copy the complaints app's figures (complaints.selectors.feedback_statistics)."""
        self.feedback_received = dict(feedback.received)
        self.feedback_replied, self.feedback_overdue = feedback.replied, feedback.overdue
        self.ratings, self.average_rating = feedback.ratings, feedback.average_score


@dataclass
class Summary:
    start: date
    end: date
    today: date
    districts: list[Figures]
    total: Figures
    notes: dict = field(default_factory=lambda: dict(NOTES))


def _grouped(queryset, district_path, *, distinct=None) -> dict:
    """{district_id: count} in one query."""
    counted = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = queryset.values(district_path).annotate(n=counted).order_by()
    return {row[district_path]: row["n"] for row in rows}


def summary(*, start: date, end: date, principal, districts=None, today=None) -> Summary:
    """The figures for start..end in each district the principal may see (or the given ones among
    them), and their total. Visits and articles are city-wide and repeated on every row."""
    from applications.models import ACTIVE_STATUSES, Application, ApplicationStatusChange, Status
    from complaints.models import Kind
    from complaints.selectors import feedback_statistics
    from housing.models import Unit, UnitStatusChange

    today = today or timezone.localdate()
    scoped = District.objects.for_user(principal) if not scope_of(principal).empty else District.objects.none()
    if districts is not None:
        scoped = scoped.filter(pk__in=[d.pk for d in districts])
    chosen = list(scoped.order_by("sort_order", "code"))
    ids = [d.pk for d in chosen]

    visits = DailyVisit.objects.filter(day__gte=start, day__lte=end).aggregate(n=Sum("count"))["n"] or 0
    articles = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__date__gte=start,
                                      published_at__date__lte=end, published_at__lte=timezone.now()).count()
    published = _grouped(
        UnitStatusChange.objects.filter(field="listing", to_status=Unit.Listing.PUBLISHED, unit__district_id__in=ids,
                                        created_at__date__gte=start, created_at__date__lte=end),
        "unit__district_id", distinct="unit_id")
    listed = _grouped(Unit.objects.filter(listing=Unit.Listing.PUBLISHED, district_id__in=ids), "district_id")
    submitted = _grouped(Application.objects.filter(district_id__in=ids, submitted_at__date__gte=start,
                                                    submitted_at__date__lte=end), "district_id")

    def decided(status):
        return _grouped(ApplicationStatusChange.objects.filter(
            to_status=status, application__district_id__in=ids, created_at__date__gte=start,
            created_at__date__lte=end), "application__district_id", distinct="application_id")

    approved, rejected = decided(Status.APPROVED), decided(Status.REJECTED)
    spans = Application.objects.filter(
        district_id__in=ids, status__in=[Status.APPROVED, Status.REJECTED], processing_workdays__isnull=False,
        decided_at__date__gte=start, decided_at__date__lte=end,
    ).values_list("district_id", "processing_workdays")
    overdue = _grouped(Application.objects.filter(
        district_id__in=ids, status__in=ACTIVE_STATUSES - {Status.APPROVED}, step_due_on__lt=today), "district_id")

    rows, by_id = [], {}
    for district in chosen:
        figures = Figures(
            district=district, visits=visits, articles_published=articles,
            units_published=published.get(district.pk, 0), units_listed_now=listed.get(district.pk, 0),
            applications_submitted=submitted.get(district.pk, 0),
            applications_approved=approved.get(district.pk, 0), applications_rejected=rejected.get(district.pk, 0),
            overdue_applications=overdue.get(district.pk, 0),
        )
        figures.take_feedback(
            feedback_statistics(start=start, end=end, district=district, principal=principal, today=today))
        rows.append(figures)
        by_id[district.pk] = figures
    for district_id, workdays in spans:
        by_id[district_id].spans.append(workdays)

    total = Figures(district=None, visits=visits, articles_published=articles,
                    feedback_received=dict.fromkeys(Kind.values, 0))
    for figures in rows:
        figures.finish()
        for name in ("units_published", "units_listed_now", "applications_submitted", "applications_approved",
                     "applications_rejected", "overdue_applications"):
            setattr(total, name, getattr(total, name) + getattr(figures, name))
        total.spans += figures.spans
    total.finish()
    if len(rows) == 1:
        total.feedback_received, total.feedback_replied = dict(rows[0].feedback_received), rows[0].feedback_replied
        total.feedback_overdue, total.ratings, total.average_rating = (
            rows[0].feedback_overdue, rows[0].ratings, rows[0].average_rating)
    elif rows:
        # Over every item and rating, not an average of the districts' averages.
        total.take_feedback(feedback_statistics(start=start, end=end, principal=principal, today=today))
    return Summary(start=start, end=end, today=today, districts=rows, total=total)
