"""The daily task: every unanswered item past its reply date goes to the city level, once, recorded, and
the person and the city caseworkers are told. Running it again changes nothing more."""

from datetime import date

import pytest
import time_machine

from complaints import services
from complaints.models import Feedback, FeedbackStatusChange, HandlingLevel, Status
from complaints.tasks import escalate_overdue_feedback
from gongzufang.models.users import Level
from gongzufang.schedule import BEAT_SCHEDULE
from notifications.models import SiteMessage, SmsOutbox
from tests.complaints.conftest import at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(tom, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 9, 30, 10, 0), tick=False), django_capture_on_commit_callbacks(execute=True):
        made = submit(tom)
    assert made.reply_due == date(2026, 10, 13)
    return made


def run_on(day, capture):
    with time_machine.travel(at(day.year, day.month, day.day, 0, 20), tick=False), capture(execute=True):
        return escalate_overdue_feedback.delay().get()


def test_an_item_is_not_escalated_on_its_due_date(item, django_capture_on_commit_callbacks):
    assert run_on(date(2026, 10, 13), django_capture_on_commit_callbacks) == 0
    assert Feedback.objects.get(pk=item.pk).status == Status.SUBMITTED


def test_an_overdue_item_goes_to_the_city_level_recorded_and_told(item, tom, chen, dave,
                                                                  django_capture_on_commit_callbacks):
    assert run_on(date(2026, 10, 14), django_capture_on_commit_callbacks) == 1
    escalated = Feedback.objects.get(pk=item.pk)
    assert (escalated.status, escalated.handling_level) == (Status.ESCALATED, HandlingLevel.CITY)
    assert escalated.escalated_at is not None
    change = FeedbackStatusChange.objects.filter(feedback=item).last()
    assert (change.from_status, change.to_status, change.actor, change.actor_level) == (
        Status.SUBMITTED, Status.ESCALATED, None, Level.SYSTEM)
    assert "2026-10-13" in change.opinion
    assert SiteMessage.objects.filter(recipient=tom, title="建议已转市级督办").exists()
    assert SmsOutbox.objects.filter(phone=tom.phone, purpose="feedback:escalated").count() == 1
    city = SiteMessage.objects.get(recipient=chen)
    assert item.number in city.body and city.title == "1 件意见反馈超期转市级督办"
    assert not SiteMessage.objects.filter(recipient=dave).exists()
    assert escalated.history.count() == 2  # submitted, escalated


def test_running_twice_changes_nothing_more(item, tom, chen, django_capture_on_commit_callbacks):
    run_on(date(2026, 10, 14), django_capture_on_commit_callbacks)
    before = (FeedbackStatusChange.objects.count(), SiteMessage.objects.count(), SmsOutbox.objects.count(),
              Feedback.history.count())
    assert run_on(date(2026, 10, 14), django_capture_on_commit_callbacks) == 0
    assert run_on(date(2026, 10, 20), django_capture_on_commit_callbacks) == 0
    after = (FeedbackStatusChange.objects.count(), SiteMessage.objects.count(), SmsOutbox.objects.count(),
             Feedback.history.count())
    assert after == before


def test_the_claim_changes_exactly_one_row_or_none(item):
    assert services.feedback_escalate(feedback_id=item.pk, today=date(2026, 10, 14)) is True
    assert services.feedback_escalate(feedback_id=item.pk, today=date(2026, 10, 14)) is False
    assert services.feedback_escalate(feedback_id=999999, today=date(2026, 10, 14)) is False


def test_an_answered_item_is_never_escalated(item, dave, django_capture_on_commit_callbacks):
    services.feedback_reply(feedback=item, actor=dave, text="已处理")
    assert run_on(date(2026, 11, 1), django_capture_on_commit_callbacks) == 0
    assert Feedback.objects.get(pk=item.pk).status == Status.REPLIED


def test_an_escalated_item_can_still_be_answered_by_either_level(item, dave, chen, django_capture_on_commit_callbacks):
    run_on(date(2026, 10, 14), django_capture_on_commit_callbacks)
    answered = services.feedback_reply(feedback=item, actor=chen, text="市局督办：已责成区局处理。")
    assert answered.status == Status.REPLIED
    assert FeedbackStatusChange.objects.filter(feedback=item).last().from_status == Status.ESCALATED


def test_only_overdue_items_are_escalated(tom, mary, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        old = submit(tom)
    with time_machine.travel(at(2026, 11, 10, 9, 0), tick=False):
        recent = submit(mary)
    run_on(date(2026, 11, 11), django_capture_on_commit_callbacks)
    assert Feedback.objects.get(pk=old.pk).status == Status.ESCALATED
    assert Feedback.objects.get(pk=recent.pk).status == Status.SUBMITTED


def test_the_task_is_scheduled_daily():
    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "complaints.tasks.escalate_overdue_feedback")
    assert entry["schedule"].hour == {0} and entry["schedule"].day_of_month == set(range(1, 32))
