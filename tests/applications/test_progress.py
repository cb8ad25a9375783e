"""Progress (进度查询): timeline with date, level, outcome and opinion; the current step's deadline;
what is asked now; the message centre and an SMS at every change."""

import pytest
from django.urls import reverse

from applications import services
from notifications.models import SiteMessage, SmsOutbox
from notifications.services import message_send
from notifications.subjects import dedup_key
from tests.applications import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(db, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = builders.submitted()
        services.application_accept(application=app, actor=carol, opinion="材料齐全，予以受理")
    return app


def test_the_timeline_shows_every_step_with_level_outcome_and_opinion(client, app):
    client.force_login(app.applicant)
    body = client.get(reverse("applications:progress", args=[app.pk])).content.decode()
    assert "申请人网上提交" in body and "材料齐全，予以受理" in body
    assert "申请人" in body and "街道" in body
    assert "已提交，待受理" in body and "已受理" in body
    assert "本环节办结期限" in body and "审批期限" in body
    assert "无需操作，请等待审核" in body
    assert "陈静" not in body  # the clerk's personal name is not shown to applicants


def test_a_returned_application_says_what_to_fix_and_that_the_clock_is_paused(client, app, carol):
    services.application_return_for_correction(application=app, actor=carol, items=[("assets", "请补充车辆信息")])
    client.force_login(app.applicant)
    body = client.get(reverse("applications:progress", args=[app.pk])).content.decode()
    assert "请补充车辆信息" in body and "暂停计时" in body and "去补正" in body


def test_every_change_sends_an_sms_and_a_message(app):
    assert SiteMessage.objects.filter(recipient=app.applicant).count() == 2
    assert SmsOutbox.objects.filter(phone=app.applicant.phone, purpose__startswith="status:").count() == 2


def test_a_notification_is_sent_once_even_if_the_task_runs_twice(app):
    from applications.tasks import notify_status_change

    change = app.status_changes.last()
    assert notify_status_change(change.pk) is False
    assert SiteMessage.objects.filter(dedup_key=dedup_key(change)).count() == 1


def test_the_message_centre_lists_and_marks_read(client, app):
    client.force_login(app.applicant)
    body = client.get(reverse("notifications:messages")).content.decode()
    assert "申请已受理" in body and "未读" in body
    message = SiteMessage.objects.filter(recipient=app.applicant).first()
    detail = client.get(reverse("notifications:message_detail", args=[message.pk]))
    assert detail.status_code == 200
    message.refresh_from_db()
    assert message.read_at is not None
    client.post(reverse("notifications:messages"))
    assert not SiteMessage.objects.filter(recipient=app.applicant, read_at__isnull=True).exists()


def test_the_home_page_counts_unread_messages(client, app):
    client.force_login(app.applicant)
    assert "2 条未读" in client.get(reverse("applications:apply_home")).content.decode()


def test_another_persons_progress_and_messages_are_404(client, app):
    client.force_login(builders.applicant())
    assert client.get(reverse("applications:progress", args=[app.pk])).status_code == 404
    message = SiteMessage.objects.filter(recipient=app.applicant).first()
    assert client.get(reverse("notifications:message_detail", args=[message.pk])).status_code == 404


def test_caseworkers_do_not_use_the_applicant_pages(client, app, carol):
    client.force_login(carol)
    assert client.get(reverse("applications:progress", args=[app.pk])).status_code == 404


def test_marking_all_read_leaves_other_peoples_messages_alone(client, app, alice):
    theirs = message_send(recipient=alice, title="他人的消息", body="不应被标为已读")
    client.force_login(app.applicant)
    client.post(reverse("notifications:messages"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("notifications:message_detail", args=[theirs.pk])).status_code == 404
