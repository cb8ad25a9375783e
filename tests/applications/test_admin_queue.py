"""The caseworkers' list at 1366×900 with the side menu: the deadline stands right after the number, and
submissions awaiting acceptance say 待受理 and come first for the clerk (issue 12, item 20)."""

from datetime import date

import pytest
from django.urls import reverse

from applications.admin import ApplicationAdmin
from tests.applications import builders
from tests.applications.review_builders import accepted
from tests.helpers import at

pytestmark = pytest.mark.django_db


def test_the_deadline_is_the_second_column():
    assert ApplicationAdmin.list_display[:2] == ["number", "step_deadline"]
    assert len(ApplicationAdmin.list_display) <= 8


def test_submissions_awaiting_acceptance_say_so_and_come_first(client, carol):
    with at(date(2026, 11, 2)):
        overdue = accepted(builders.submitted(), carol)
    waiting = builders.submitted()
    client.force_login(carol)
    with at(date(2026, 11, 6)):
        body = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert body.index(waiting.number) < body.index(overdue.number)
    row = body[body.index(waiting.number):]
    row = row[:row.index("</tr>")]
    assert "待受理" in row and "—" not in row
