"""Feedback's figures in the bureau's report (DESIGN §11; the report itself: gongzufang/statistics.py):
complaints, suggestions, consultations and repairs received, replied and overdue, and the ratings, from
`selectors.feedback_statistics`. Registered in `ComplaintsConfig.ready()`."""

from gongzufang.statistics import Period

from .models import Kind
from .selectors import feedback_statistics


def _take(figures, feedback) -> None:
    figures.feedback_received = dict(feedback.received)
    figures.feedback_replied, figures.feedback_overdue = feedback.replied, feedback.overdue
    figures.ratings, figures.average_rating = feedback.ratings, feedback.average_score


def feedback_figures(period: Period, rows: dict, total) -> None:
    for figures in rows.values():
        _take(figures, feedback_statistics(start=period.start, end=period.end, district=figures.district,
                                           principal=period.principal, today=period.today))
    total.feedback_received = dict.fromkeys(Kind.values, 0)
    if len(rows) == 1:
        (only,) = rows.values()
        total.feedback_received, total.feedback_replied = dict(only.feedback_received), only.feedback_replied
        total.feedback_overdue, total.ratings, total.average_rating = (
            only.feedback_overdue, only.ratings, only.average_rating)
    elif rows:
        # Over every item and rating, not an average of the districts' averages.
        _take(total, feedback_statistics(start=period.start, end=period.end, principal=period.principal,
                                         today=period.today))
