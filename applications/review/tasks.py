"""Daily work of the review (gongzufang/schedule.py). Tasks are idempotent and call services.

The names are those the tasks had before the rooms (`applications.tasks.*`), kept so that the beat
schedule stored by django-celery-beat goes on finding them.
"""

from celery import shared_task

from applications.review.reminders import send_deadline_reminders
from applications.review.services import close_finished_notices as close_notices_due


@shared_task(name="applications.tasks.close_finished_notices")
def close_finished_notices():
    """Daily: notices whose period has ended, with no open objection, go on to city review."""
    return close_notices_due()


@shared_task(name="applications.tasks.remind_review_deadlines")
def remind_review_deadlines():
    """Daily: tell the staff responsible for each step what is due soon or overdue (one message a
    person a day, so a second run sends nothing)."""
    return send_deadline_reminders()
