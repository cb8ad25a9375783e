"""Reads of feedback and ratings: the person's own items, the files they may see, and the figures the
bureau reports (DESIGN §11) — complaints, suggestions and ratings received, average score, reply time
in working days and overdue counts, for any period and district."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count
from django.http import Http404
from django.utils import timezone

from applications import selectors as application_selectors
from gongzufang.models import District
from gongzufang.scoping import get_or_404, in_scope, scope_of
from gongzufang.workdays import workdays_between

from .models import ANSWERED_STATUSES, Feedback, FeedbackPhoto, Kind, RatedService, ServiceRating, Status

# --- the person's own items ----------------------------------------------------------------------


def my_feedback(user):
    return Feedback.objects.of_submitter(user).select_related("district").order_by("-submitted_at", "-id")


def my_feedback_or_404(user, pk) -> Feedback:
    """The person's own item; anyone else's answers 404, as a missing one does."""
    return get_or_404(my_feedback(user).select_related("estate", "unit", "application"), pk)


def can_handle(user, feedback) -> bool:
    """A caseworker with the feedback permission whose scope covers the item."""
    return (getattr(user, "is_caseworker", False) and user.has_perm("complaints.view_feedback")
            and in_scope(user, Feedback, feedback.pk))


def photo_for_user_or_404(user, pk) -> FeedbackPhoto:
    """A photo for the person who sent it, or a caseworker handling the item; others get 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    photo = get_or_404(FeedbackPhoto.objects.select_related("feedback"), pk)
    feedback = photo.feedback
    if not (feedback.submitter_id == user.pk or can_handle(user, feedback)):
        raise Http404
    return photo


def rating_of(user, subject) -> ServiceRating | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ServiceRating.objects.filter(rater=user, subject_type=ContentType.objects.get_for_model(type(subject)),
                                        subject_id=subject.pk).first()


# --- statistics ----------------------------------------------------------------------------------


def _average(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class ServiceFigures:
    ratings: int = 0
    average_score: Decimal | None = None


@dataclass
class FeedbackFigures:
    """What was received in a period (by submission date) in one district, or city-wide."""

    start: date
    end: date
    district: District | None
    received: dict = field(default_factory=dict)  # kind -> count
    replied: int = 0
    replied_on_time: int = 0
    overdue: int = 0  # answered after the due date, or still unanswered past it
    escalated: int = 0
    average_reply_workdays: Decimal | None = None
    ratings: int = 0
    average_score: Decimal | None = None
    by_service: dict = field(default_factory=dict)  # RatedService -> ServiceFigures

    @property
    def total(self) -> int:
        return sum(self.received.values())

    @property
    def complaints(self) -> int:
        return self.received.get(Kind.COMPLAINT, 0)

    @property
    def suggestions(self) -> int:
        return self.received.get(Kind.SUGGESTION, 0)

    @property
    def consultations(self) -> int:
        return self.received.get(Kind.CONSULTATION, 0)

    @property
    def repairs(self) -> int:
        return self.received.get(Kind.REPAIR, 0)


def _scoped(queryset, principal):
    return queryset if principal is None else queryset.for_user(principal)


def rating_statistics(*, start, end, district=None, principal=None) -> dict:
    """{service: ServiceFigures} for ratings given on days start..end (inclusive, local dates)."""
    rows = _scoped(ServiceRating.objects.all(), principal).filter(created_at__date__gte=start,
                                                                   created_at__date__lte=end)
    if district is not None:
        rows = rows.filter(district=district)
    figures = {service: ServiceFigures() for service in RatedService.values}
    for row in rows.values("service").annotate(n=Count("id"), avg=Avg("score")).order_by():
        figures[row["service"]] = ServiceFigures(ratings=row["n"], average_score=_average(row["avg"]))
    return figures


def feedback_statistics(*, start, end, district=None, principal=None, today=None) -> FeedbackFigures:
    """The feedback figures for items submitted on days start..end (inclusive, local dates) and ratings
    given in that period; `principal` limits them to what that caseworker or API client may see."""
    today = today or timezone.localdate()
    items = _scoped(Feedback.objects.all(), principal).filter(submitted_at__date__gte=start,
                                                               submitted_at__date__lte=end)
    if district is not None:
        items = items.filter(district=district)
    figures = FeedbackFigures(start=start, end=end, district=district)
    figures.received = dict.fromkeys(Kind.values, 0)
    for row in items.values("kind").annotate(n=Count("id")).order_by():
        figures.received[row["kind"]] = row["n"]
    spans = []
    for status, submitted_at, replied_at, due, escalated_at in items.values_list(
            "status", "submitted_at", "replied_at", "reply_due", "escalated_at"):
        if escalated_at is not None:
            figures.escalated += 1
        if status in ANSWERED_STATUSES and replied_at is not None:
            figures.replied += 1
            replied_on = timezone.localdate(replied_at)
            spans.append(workdays_between(timezone.localdate(submitted_at), replied_on))
            if replied_on <= due:
                figures.replied_on_time += 1
            else:
                figures.overdue += 1
        elif status in (Status.SUBMITTED, Status.ESCALATED) and due < today:
            figures.overdue += 1
    if spans:
        figures.average_reply_workdays = _average(Decimal(sum(spans)) / len(spans))
    figures.by_service = rating_statistics(start=start, end=end, district=district, principal=principal)
    ratings = _scoped(ServiceRating.objects.all(), principal).filter(created_at__date__gte=start,
                                                                      created_at__date__lte=end)
    if district is not None:
        ratings = ratings.filter(district=district)
    summary = ratings.aggregate(n=Count("id"), avg=Avg("score"))
    figures.ratings, figures.average_score = summary["n"], _average(summary["avg"])
    return figures


def feedback_statistics_by_district(*, start, end, principal=None, today=None) -> list[FeedbackFigures]:
    """One FeedbackFigures per district the principal may see (all districts when None)."""
    districts = District.objects.all() if principal is None else District.objects.for_user(principal)
    if principal is not None and scope_of(principal).empty:
        return []
    return [feedback_statistics(start=start, end=end, district=d, principal=principal, today=today)
            for d in districts.order_by("sort_order", "code")]


# --- what the person may rate --------------------------------------------------------------------


@dataclass(frozen=True)
class Awaiting:
    service: str
    subject_id: int
    label: str


def decisions_awaiting_rating(user) -> list[Awaiting]:
    """The person's decided applications they have not rated yet (the key service "decision")."""
    if not getattr(user, "is_authenticated", False):
        return []
    decided = application_selectors.decided_applications_of(user)
    subject_type = ContentType.objects.get_for_model(application_selectors.application_model())
    rated = set(ServiceRating.objects.filter(rater=user, subject_type=subject_type).values_list("subject_id", flat=True))
    return [Awaiting(RatedService.DECISION, app.pk, f"申请 {app.number} 的审核结论（{app.get_status_display()}）")
            for app in decided if app.pk not in rated]
