"""A draw is never run twice, also when two caseworkers press 摇号 at the same moment, and waitlist
numbers are never shared when two approvals happen at once (real threads on PostgreSQL)."""

import pytest

from allocation import services
from allocation.models import AllocationRound, DrawPosition, WaitlistEntry
from applications.models import Application
from gongzufang.errors import PortalError
from tests import factories
from tests.allocation.builders import published_round
from tests.applications import builders
from tests.helpers import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_draws_at_once_make_one_order(on_postgres):
    district = factories.district("230602")
    first = factories.DistrictCaseworkerFactory(district=district)
    second = factories.DistrictCaseworkerFactory(district=district)
    round_, _made = published_round(first, entries=5)
    outcomes = at_once(
        lambda: services.round_draw(round=AllocationRound.objects.get(pk=round_.pk), actor=first, public_entropy="111111"),
        lambda: services.round_draw(round=AllocationRound.objects.get(pk=round_.pk), actor=second, public_entropy="222222"),
    )
    refused = [o for o in outcomes if isinstance(o, PortalError)]
    assert len(refused) == 1, outcomes
    assert "已摇号" in refused[0].message
    drawn = AllocationRound.objects.get(pk=round_.pk)
    assert drawn.status == "drawn" and drawn.status_changes.filter(to_status="drawn").count() == 1
    assert sorted(DrawPosition.objects.filter(round=drawn).values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    assert drawn.public_entropy in ("111111", "222222")


def test_approvals_at_once_get_distinct_numbers(on_postgres):
    factories.district("230602")
    apps_ = [builders.submitted() for _ in range(4)]
    for app in apps_:
        Application.objects.filter(pk=app.pk).update(status="approved")
    outcomes = at_once(*[
        (lambda a=app: services.waitlist_enter(application=Application.objects.get(pk=a.pk))) for app in apps_
    ])
    assert all(isinstance(o, WaitlistEntry) for o in outcomes), outcomes
    numbers = sorted(o.number for o in outcomes)
    assert len(set(numbers)) == 4
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3, 4]
