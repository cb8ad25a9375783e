"""Feedback's figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
complaints, suggestions, consultations and repairs received, replied and overdue, and the ratings.
Registered in `ComplaintsConfig.ready()`; the month-by-month series (`feedback_series`) when this module is
imported there.

The period's items and ratings are measures read through the month cube (ADR 0016); the items still open
past their reply date (which depend on today) are one grouped query.
The counting rules are those of `selectors.feedback_statistics` (the feedback admin's own figures): an
item is overdue when it was answered after its due date or is still unanswered past it; the total's
average rating is over every rating, not an average of the districts' averages.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q

from gongzufang import statistics
from gongzufang.statistics import Measure, Period, Trend

from .models import ANSWERED_STATUSES, OPEN_STATUSES, Feedback, Kind, ServiceRating

NOTES = {"feedback_received": "期间内提交的投诉、建议、咨询和报修（按提交日期）；评价按评价日期。"}


def _average(total, count) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _items(period: Period):
    return period.scoped(Feedback.objects).filter(district_id__in=period.district_ids)


ANSWERED = Q(status__in=ANSWERED_STATUSES, replied_at__isnull=False)


def _replied(period: Period):
    return _items(period).filter(ANSWERED)


def _answered_late(period: Period):
    return _items(period).filter(ANSWERED, replied_at__date__gt=F("reply_due"))


def _ratings(period: Period):
    return period.scoped(ServiceRating.objects).filter(district_id__in=period.district_ids)


# Through the month cube (the monthly aggregate for closed months, live for the rest; ADR 0016). What
# depends on today — items still open past their reply date — is counted live below (open items are few).
statistics.register_measures(
    Measure("feedback_received", _items, "submitted_at", "district_id", key="kind", changed="updated_at"),
    Measure("feedback_replied", _replied, "submitted_at", "district_id", changed="updated_at"),
    Measure("feedback_answered_late", _answered_late, "submitted_at", "district_id", changed="updated_at"),
    Measure("ratings", _ratings, "created_at", "district_id"),
    Measure("ratings_score", _ratings, "created_at", "district_id", total="score"),
)


def feedback_figures(period: Period, rows: dict, total) -> None:
    cube = period.cube
    received, replied = cube.by_district_key("feedback_received"), cube.by_district("feedback_replied")
    late = cube.by_district("feedback_answered_late")
    open_late = {row["district_id"]: row["n"] for row in _items(period).filter(
        status__in=OPEN_STATUSES, reply_due__lt=period.today, **period.moments("submitted_at"),
    ).values("district_id").annotate(n=Count("pk")).order_by()}
    counts, scores = cube.by_district("ratings"), cube.by_district("ratings_score")
    total.feedback_received = dict.fromkeys(Kind.values, 0)
    total.feedback_replied = total.feedback_overdue = total.ratings = 0
    score_total = 0
    for district_id, figures in rows.items():
        figures.feedback_received = dict.fromkeys(Kind.values, 0)
        for kind, n in received.get(district_id, {}).items():
            figures.feedback_received[kind] = figures.feedback_received.get(kind, 0) + n
            total.feedback_received[kind] = total.feedback_received.get(kind, 0) + n
        figures.feedback_replied = replied.get(district_id, 0)
        figures.feedback_overdue = late.get(district_id, 0) + open_late.get(district_id, 0)
        figures.ratings, score = counts.get(district_id, 0), scores.get(district_id) or 0
        figures.average_rating = _average(score, figures.ratings)
        total.feedback_replied += figures.feedback_replied
        total.feedback_overdue += figures.feedback_overdue
        total.ratings += figures.ratings
        score_total += score
    total.average_rating = _average(score_total, total.ratings)


SERIES_LABELS = {"feedback_received": "投诉建议", "ratings": "服务评价"}


def feedback_series(period: Period, trend: Trend) -> None:
    for name in SERIES_LABELS:
        trend.put(name, period.cube.series(name))


# Imported by ComplaintsConfig.ready(), which registers feedback_figures; the series go with it.
statistics.register_series(feedback_series, labels=SERIES_LABELS)
statistics.NOTES.update(NOTES)
