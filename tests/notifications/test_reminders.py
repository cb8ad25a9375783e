"""Reminders are idempotent by (recipient, kind, subject, day), enforced by the database: a reminder
job run twice the same day sends one message; the next day sends again."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from notifications import services
from notifications.models import SiteMessage
from tests.applications import builders

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 6)


def remind(person, *, day=DAY, subject=None, kind="review.deadlines"):
    return services.reminder_send(recipient=person, kind=kind, day=day, subject=subject,
                                  title=f"审批时限提醒（{day:%Y-%m-%d}）", body="已逾期 1 件。")


def test_a_reminder_sent_twice_the_same_day_is_one_row(carol):
    assert remind(carol) is not None
    assert remind(carol) is None
    assert SiteMessage.objects.filter(recipient=carol, kind="review.deadlines", day=DAY).count() == 1


def test_the_next_day_another_kind_or_another_subject_is_a_new_reminder(carol):
    application = builders.submitted()
    remind(carol)
    assert remind(carol, day=DAY + datetime.timedelta(days=1)) is not None
    assert remind(carol, kind="review.notice_ends") is not None
    assert remind(carol, subject=application) is not None
    assert SiteMessage.objects.filter(recipient=carol).count() == 4


def test_each_person_gets_their_own(carol, dave):
    assert remind(carol) and remind(dave)


def test_the_database_refuses_the_same_reminder_twice(carol):
    key = services.reminder_key(recipient=carol, kind="review.deadlines", day=DAY)
    SiteMessage.objects.create(recipient=carol, title="提醒", body="…", kind="review.deadlines", day=DAY, dedup_key=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteMessage.objects.create(recipient=carol, title="提醒", body="…", kind="review.deadlines", day=DAY,
                                   dedup_key=key)


def test_the_review_deadline_job_run_twice_sends_one_message(carol):
    from applications import services as application_services
    from applications.review.reminders import send_deadline_reminders
    from tests.helpers import at

    with at(datetime.date(2026, 11, 2)):
        application_services.application_accept(application=builders.submitted(), actor=carol, opinion="")
    with at(DAY):
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0
    reminder = SiteMessage.objects.get(recipient=carol)
    assert (reminder.kind, reminder.day) == ("review.deadlines", DAY)
