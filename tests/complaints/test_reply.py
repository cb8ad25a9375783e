"""Answering an item: who may, once only, recorded, and the person told by SMS and in-site message."""

import pytest

from complaints import services
from complaints.models import Feedback, FeedbackStatusChange, Status
from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.models.users import Level
from notifications.models import SiteMessage, SmsOutbox
from tests.complaints.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(tom, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return submit(tom)


def reply(item, actor, text="已安排处理，感谢反馈。", capture=None):
    return services.feedback_reply(feedback=item, actor=actor, text=text)


def test_a_district_caseworker_replies_and_the_person_is_told(item, tom, dave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answered = reply(item, dave)
    assert (answered.status, answered.reply, answered.replied_by) == (Status.REPLIED, "已安排处理，感谢反馈。", dave)
    change = FeedbackStatusChange.objects.filter(feedback=item).last()
    assert (change.from_status, change.to_status, change.actor, change.actor_level, change.opinion) == (
        Status.SUBMITTED, Status.REPLIED, dave, Level.DISTRICT, "已安排处理，感谢反馈。")
    assert change.notified_at is not None
    message = SiteMessage.objects.filter(recipient=tom).first()
    assert message.title == "建议已答复" and "已安排处理" in message.body
    sms = SmsOutbox.objects.get(phone=tom.phone)
    assert item.number in sms.text and sms.purpose == "feedback:replied"


def test_the_submission_is_acknowledged_in_site_only(item, tom):
    assert SiteMessage.objects.filter(recipient=tom, title="建议已收到").exists()
    assert not SmsOutbox.objects.filter(phone=tom.phone).exists()


def test_notifying_twice_sends_once(item, tom, dave, django_capture_on_commit_callbacks):
    from complaints.tasks import notify_feedback_change

    with django_capture_on_commit_callbacks(execute=True):
        reply(item, dave)
    change = FeedbackStatusChange.objects.filter(feedback=item).last()
    assert notify_feedback_change(change.pk) is False
    assert SmsOutbox.objects.filter(phone=tom.phone).count() == 1
    assert SiteMessage.objects.filter(recipient=tom).count() == 2  # received + replied


def test_a_second_reply_is_refused_and_the_first_stands(item, dave, chen):
    reply(item, dave, "第一次答复")
    with pytest.raises(TransitionNotAllowed, match="不能重复答复"):
        reply(item, chen, "第二次答复")
    assert Feedback.objects.get(pk=item.pk).reply == "第一次答复"


def test_another_districts_caseworker_cannot_reply(item, bob):
    with pytest.raises(PortalError, match="未找到"):
        reply(item, bob)


def test_a_street_clerk_cannot_reply(item, carol):
    with pytest.raises(PortalError, match="区县或市级经办人"):
        reply(item, carol)


def test_the_person_cannot_reply_to_themselves(item, tom):
    with pytest.raises(PortalError):
        reply(item, tom)


def test_the_city_level_may_reply_to_any_district(item, chen):
    assert reply(item, chen).status == Status.REPLIED


@pytest.mark.parametrize(("text", "message"), [("  ", "请填写答复内容"), ("答" * 2001, "不能超过 2000 个字")])
def test_an_empty_or_overlong_reply_is_refused(item, dave, text, message):
    with pytest.raises(PortalError, match=message):
        reply(item, dave, text)
    assert Feedback.objects.get(pk=item.pk).status == Status.SUBMITTED


def test_closing_after_the_reply(item, tom, dave):
    reply(item, dave)
    closed = services.feedback_close(feedback=item, actor=tom)
    assert closed.status == Status.CLOSED and closed.closed_at
    assert services.feedback_close(feedback=item, actor=tom).status == Status.CLOSED  # twice: no change
    assert FeedbackStatusChange.objects.filter(feedback=item, to_status=Status.CLOSED).count() == 1


def test_closing_before_a_reply_is_refused(item, tom):
    with pytest.raises(TransitionNotAllowed, match="答复后才能办结"):
        services.feedback_close(feedback=item, actor=tom)


def test_someone_else_cannot_close_it(item, mary, dave):
    reply(item, dave)
    with pytest.raises(PortalError):
        services.feedback_close(feedback=item, actor=mary)


def test_an_anonymous_complaints_close_by_its_submitter_is_not_named_in_the_history(tom, dave):
    from complaints.models import Category, Kind

    item = submit(tom, kind=Kind.COMPLAINT, category=Category.STAFF_CONDUCT, anonymous=True)
    reply(item, dave)
    services.feedback_close(feedback=item, actor=tom)
    assert [h.history_user for h in Feedback.history.filter(id=item.pk).order_by("history_id")] == [None, None, None]
