"""The message centre (/messages/): messages about any object — an application, a feedback item —
in one list, each linking to the page of what it is about; one's own messages only."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import SiteMessage
from tests.applications import builders
from tests.complaints.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant_with_news(django_capture_on_commit_callbacks):
    """An applicant told about their application's submission and about their suggestion."""
    with django_capture_on_commit_callbacks(execute=True):
        application = builders.submitted()
    with django_capture_on_commit_callbacks(execute=True):
        feedback = submit(application.applicant)
    return application.applicant, application, feedback


def test_messages_about_an_application_and_a_feedback_item_both_show(client, applicant_with_news):
    person, application, feedback = applicant_with_news
    about_application = SiteMessage.objects.get(recipient=person, object_id=application.pk,
                                                content_type__model="application")
    about_feedback = SiteMessage.objects.get(recipient=person, object_id=feedback.pk, content_type__model="feedback")
    assert about_application.subject == application and about_feedback.subject == feedback
    client.force_login(person)
    body = client.get(reverse("notifications:messages")).content.decode()
    assert "申请已提交" in body and "建议已收到" in body
    assert reverse("notifications:message_detail", args=[about_application.pk]) in body
    assert reverse("notifications:message_detail", args=[about_feedback.pk]) in body


def test_each_message_links_to_what_it_is_about(client, applicant_with_news):
    person, application, feedback = applicant_with_news
    client.force_login(person)
    for subject, url, text in [(application, reverse("applications:progress", args=[application.pk]), "查看办理进度"),
                               (feedback, reverse("complaints:detail", args=[feedback.pk]), "查看反馈")]:
        message = SiteMessage.objects.get(recipient=person, object_id=subject.pk,
                                          content_type__model=subject._meta.model_name)
        body = client.get(reverse("notifications:message_detail", args=[message.pk])).content.decode()
        assert f'href="{url}"' in body and text in body


def test_a_message_about_nothing_in_particular_has_no_link(client, alice):
    message = services.message_send(recipient=alice, title="系统通知", body="平台将于今晚维护。")
    client.force_login(alice)
    body = client.get(reverse("notifications:message_detail", args=[message.pk])).content.decode()
    assert "平台将于今晚维护" in body and "查看办理进度" not in body


def test_the_paths_and_names_are_the_old_ones():
    assert reverse("notifications:messages") == "/messages/"
    assert reverse("notifications:message_detail", args=[7]) == "/messages/7/"


def test_opening_a_message_marks_it_read_and_the_list_marks_all(client, applicant_with_news):
    person, _application, _feedback = applicant_with_news
    client.force_login(person)
    first, second = SiteMessage.objects.filter(recipient=person).order_by("pk")
    assert client.get(reverse("notifications:message_detail", args=[first.pk])).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert client.post(reverse("notifications:messages")).status_code == 302
    assert not SiteMessage.objects.filter(recipient=person, read_at__isnull=True).exists()


def test_another_persons_message_is_not_found(client, applicant_with_news, alice):
    person, _application, _feedback = applicant_with_news
    theirs = SiteMessage.objects.filter(recipient=person).first()
    client.force_login(alice)
    assert client.get(reverse("notifications:message_detail", args=[theirs.pk])).status_code == 404
    assert "申请已提交" not in client.get(reverse("notifications:messages")).content.decode()
    client.post(reverse("notifications:messages"))  # "mark all read" is about one's own only
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_missing_message_is_not_found_either(client, alice):
    client.force_login(alice)
    assert client.get(reverse("notifications:message_detail", args=[999999])).status_code == 404


def test_the_message_centre_needs_a_log_in(client):
    for url in (reverse("notifications:messages"), reverse("notifications:message_detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_admin_header_counts_unread_messages(client, dave):
    services.messages_broadcast(recipients=[dave], title="通知", body="请查看。")
    client.force_login(dave)
    assert "站内消息（1 条未读）" in client.get("/admin/").content.decode()
