"""Feedback's figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
complaints, suggestions, consultations and repairs received, replied and overdue, and the ratings.
Registered in `ComplaintsConfig.ready()`; the month-by-month series (`feedback_series`) when this module is
imported there.

Two grouped queries for every district at once (items by district and kind with the replied and overdue
counts beside them; ratings by district with their sum), so the cost does not grow with the districts.
The counting rules are those of `selectors.feedback_statistics` (the feedback admin's own figures): an
item is overdue when it was answered after its due date or is still unanswered past it; the total's
average rating is over every rating, not an average of the districts' averages.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum

from gongzufang import statistics
from gongzufang.statistics import Period, Trend, monthly

from .models import ANSWERED_STATUSES, OPEN_STATUSES, Feedback, Kind, ServiceRating

NOTES = {"feedback_received": "期间内提交的投诉、建议、咨询和报修（按提交日期）；评价按评价日期。"}


def _average(total, count) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def feedback_figures(period: Period, rows: dict, total) -> None:
    ids = period.district_ids
    items = period.scoped(Feedback.objects).filter(
        district_id__in=ids, **period.moments("submitted_at"))
    answered = Q(status__in=ANSWERED_STATUSES, replied_at__isnull=False)
    late = (answered & Q(replied_at__date__gt=F("reply_due"))) | Q(status__in=OPEN_STATUSES,
                                                                    reply_due__lt=period.today)
    for figures in [*rows.values(), total]:
        figures.feedback_received = dict.fromkeys(Kind.values, 0)
        figures.feedback_replied = figures.feedback_overdue = 0
    for row in items.values("district_id", "kind").annotate(
            n=Count("pk"), replied=Count("pk", filter=answered), overdue=Count("pk", filter=late)).order_by():
        for figures in (rows[row["district_id"]], total):
            figures.feedback_received[row["kind"]] = figures.feedback_received.get(row["kind"], 0) + row["n"]
            figures.feedback_replied += row["replied"]
            figures.feedback_overdue += row["overdue"]

    ratings = period.scoped(ServiceRating.objects).filter(
        district_id__in=ids, **period.moments("created_at"))
    sums = {row["district_id"]: (row["n"], row["score"] or 0)
            for row in ratings.values("district_id").annotate(n=Count("pk"), score=Sum("score")).order_by()}
    for district_id, figures in rows.items():
        figures.ratings, score = sums.get(district_id, (0, 0))
        figures.average_rating = _average(score, figures.ratings)
    total.ratings = sum(n for n, _score in sums.values())
    total.average_rating = _average(sum(score for _n, score in sums.values()), total.ratings)


SERIES_LABELS = {"feedback_received": "投诉建议", "ratings": "服务评价"}


def feedback_series(period: Period, trend: Trend) -> None:
    ids = period.district_ids
    items = period.scoped(Feedback.objects).filter(
        district_id__in=ids, **period.moments("submitted_at"))
    trend.put("feedback_received", monthly(items, "submitted_at", "district_id"))
    ratings = period.scoped(ServiceRating.objects).filter(
        district_id__in=ids, **period.moments("created_at"))
    trend.put("ratings", monthly(ratings, "created_at", "district_id"))


# Imported by ComplaintsConfig.ready(), which registers feedback_figures; the series go with it.
statistics.register_series(feedback_series, labels=SERIES_LABELS)
statistics.NOTES.update(NOTES)
