"""Deadline reminders go to the people whose scope covers the application (`for_staff`), for the steps
their role answers for (issue 11 item 5)."""

from datetime import date

import pytest

from notifications.models import SiteMessage
from tests import factories
from tests.applications import builders
from tests.applications.review_builders import in_district_review
from tests.helpers import at

pytestmark = pytest.mark.django_db


def test_a_district_review_reminds_that_districts_caseworkers_only(carol, dave, bob, chen):
    from applications.review.reminders import send_deadline_reminders

    with at(date(2026, 11, 2)):
        app = in_district_review(builders.submitted(), carol)
    due = app.__class__.objects.get(pk=app.pk).step_due_on
    other_clerk = factories.ClerkFactory(street=carol.street)
    with at(due):
        assert send_deadline_reminders() == 1
    assert list(SiteMessage.objects.values_list("recipient", flat=True)) == [dave.pk]
    assert app.number in SiteMessage.objects.get().body
    assert not SiteMessage.objects.filter(recipient__in=[carol, other_clerk, bob, chen]).exists()
