"""Two caseworkers acting on the same application at the same moment (issue 5, "Bad input and
races"): one succeeds, the other gets a clear message, and the history shows one transition. Real
threads with their own connections on PostgreSQL; skipped on SQLite (DESIGN §17)."""

import pytest

from applications.models import ApplicationStatusChange, Status
from applications.review import services as review
from gongzufang.errors import PortalError
from tests import factories
from tests.applications import builders
from tests.applications.review_builders import fresh, in_district_review
from tests.helpers import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_approve_and_reject_at_once_make_one_decision(on_postgres, monkeypatch):
    monkeypatch.setattr(review, "_enqueue_cross_check", lambda pk: None)
    district = factories.district("230602")
    clerk = factories.ClerkFactory(street=factories.first_street("230602"))
    first = factories.DistrictCaseworkerFactory(district=district)
    second = factories.DistrictCaseworkerFactory(district=district)
    app = in_district_review(builders.submitted(), clerk)
    before = ApplicationStatusChange.objects.filter(application=app).count()

    outcomes = at_once(lambda: review.district_approve(application=app, actor=first, opinion="同意"),
                       lambda: review.reject(application=app, actor=second, opinion="不同意"))

    refused = [o for o in outcomes if isinstance(o, PortalError)]
    assert len(refused) == 1, outcomes
    assert "当前状态为" in refused[0].message
    assert ApplicationStatusChange.objects.filter(application=app).count() == before + 1
    assert fresh(app).status in (Status.PUBLIC_NOTICE, Status.REJECTED)


def test_the_same_button_pressed_twice_at_once_moves_once(on_postgres, monkeypatch):
    monkeypatch.setattr(review, "_enqueue_cross_check", lambda pk: None)
    clerk = factories.ClerkFactory(street=factories.first_street("230602"))
    app = builders.submitted()
    from applications import services

    services.application_accept(application=app, actor=clerk)
    outcomes = at_once(lambda: review.street_approve(application=app, actor=clerk),
                       lambda: review.street_approve(application=app, actor=clerk))
    assert sum(isinstance(o, PortalError) for o in outcomes) == 1, outcomes
    assert ApplicationStatusChange.objects.filter(application=app, to_status=Status.CROSS_CHECK).count() == 1
