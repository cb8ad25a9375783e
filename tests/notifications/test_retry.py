"""The notify tasks: a gateway failure is retried with back-off, and however many runs it takes the
in-site message is written once and the SMS goes out once."""

import pytest

from applications.tasks import notify_status_change
from complaints.models import Status as FeedbackStatus
from complaints.tasks import notify_feedback_change
from notifications.models import SiteMessage, SmsOutbox
from notifications.sms import SmsSendError
from notifications.subjects import dedup_key
from tests.applications import builders
from tests.complaints.conftest import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("retries_run_inline")]


@pytest.mark.parametrize("task", [notify_status_change, notify_feedback_change])
def test_the_notify_tasks_retry_on_the_named_gateway_error_with_back_off(task):
    assert task.autoretry_for == (SmsSendError,)
    assert task.retry_backoff and task.max_retries >= 3


def test_a_gateway_failure_is_retried_and_the_message_written_once(flaky_gateway):
    application = builders.submitted()  # its on-commit notification is not run here
    change = application.status_changes.get()
    flaky_gateway.failures_left = 2
    result = notify_status_change.apply(args=[change.pk])  # eager: the retries run at once
    assert result.successful() and result.get() is True
    assert flaky_gateway.attempts == 3
    assert SiteMessage.objects.filter(dedup_key=dedup_key(change)).count() == 1
    assert SiteMessage.objects.filter(recipient=application.applicant).count() == 1
    sent = SmsOutbox.objects.filter(dedup_key=dedup_key(change)).order_by("pk")
    assert [row.ok for row in sent] == [False, False, True]


def test_a_run_after_success_sends_nothing_more(flaky_gateway):
    change = builders.submitted().status_changes.get()
    assert notify_status_change.apply(args=[change.pk]).get() is True
    assert notify_status_change.apply(args=[change.pk]).get() is False
    assert flaky_gateway.attempts == 1
    assert SiteMessage.objects.filter(dedup_key=dedup_key(change)).count() == 1


def test_a_gateway_that_stays_down_fails_the_task_after_its_retries(flaky_gateway):
    change = builders.submitted().status_changes.get()
    flaky_gateway.failures_left = 100
    result = notify_status_change.apply(args=[change.pk])
    assert result.failed() and isinstance(result.result, SmsSendError)
    assert flaky_gateway.attempts == notify_status_change.max_retries + 1
    assert SiteMessage.objects.filter(dedup_key=dedup_key(change)).count() == 1
    assert not SmsOutbox.objects.filter(dedup_key=dedup_key(change), ok=True).exists()


def test_a_feedback_reply_sms_is_retried_and_the_message_written_once(flaky_gateway, dave):
    from complaints import services

    person = builders.applicant()
    item = submit(person)
    services.feedback_reply(feedback=item, actor=dave, text="已协调延长开放时间。")
    change = item.status_changes.get(to_status=FeedbackStatus.REPLIED)
    flaky_gateway.failures_left = 1
    assert notify_feedback_change.apply(args=[change.pk]).get() is True
    assert SiteMessage.objects.filter(dedup_key=dedup_key(change)).count() == 1
    assert [r.ok for r in SmsOutbox.objects.filter(dedup_key=dedup_key(change)).order_by("pk")] == [False, True]
    assert notify_feedback_change.apply(args=[change.pk]).get() is False
