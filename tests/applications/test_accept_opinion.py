"""An acceptance opinion over 1,000 characters is refused with a message, never replaced by the default
text (issue 12, item 21)."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Status
from gongzufang.errors import PortalError
from tests.applications import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(db):
    return builders.submitted(builders.applicant("王丽", "230602198503150022"))


def test_the_service_refuses_an_opinion_over_1000_characters(app, carol):
    with pytest.raises(PortalError, match="不能超过 1000 个字"):
        services.application_accept(application=app, actor=carol, opinion="齐" * 1001)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_the_admin_refuses_it_with_a_message_and_does_not_accept(client, carol, app):
    client.force_login(carol)
    response = client.post(reverse("admin:applications_application_accept", args=[app.pk]),
                           {"opinion": "齐" * 1001}, follow=True)
    body = response.content.decode()
    assert "受理意见不能超过 1000 个字" in body and "已受理" not in body
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert not app.status_changes.filter(opinion="材料齐全，予以受理").exists()


def test_an_opinion_of_exactly_1000_characters_is_kept(app, carol):
    services.application_accept(application=app, actor=carol, opinion="齐" * 1000)
    assert app.status_changes.filter(opinion="齐" * 1000).exists()
