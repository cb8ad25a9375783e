"""The lease side's one call, `allocation.services.offer_accept`: offer signed, household allocated
(it leaves the waitlist), unit occupied — together; and the database's last line against one unit
given twice."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation import selectors, services
from allocation.models import Offer, RoundEntry
from housing.models import Unit
from tests.allocation.builders import days_ago, drawn_round

pytestmark = pytest.mark.django_db


def _offer(round_entry, unit):
    return Offer.objects.create(round_entry=round_entry, unit=unit, district=unit.district,
                                sign_by=days_ago(-7), chosen_at=timezone.now(), chosen_by=None)


def test_offer_accept_signs_allocates_and_occupies_together(district_a, dave):
    round_, made = drawn_round(dave, entries=3)
    first = RoundEntry.objects.get(round=round_, draw__position=1)
    unit = round_.units.first().unit
    offer = _offer(first, unit)
    someone_else = next(e for e in made if e.pk != first.entry_id)
    before = selectors.position_of(someone_else).overall

    services.offer_accept(offer=offer, actor=first.entry.application.applicant)

    offer.refresh_from_db()
    entry = first.entry
    entry.refresh_from_db()
    assert offer.status == "signed"
    assert entry.status == "allocated" and entry.left_on == days_ago(0) and str(unit.number) in entry.leave_reason
    assert Unit.objects.get(pk=unit.pk).status == "occupied"
    assert entry.status_changes.last().to_status == "allocated"
    assert selectors.position_of(someone_else).overall in (before, before - 1)


def test_one_unit_never_has_two_live_offers(district_a, dave):
    round_, _made = drawn_round(dave, entries=3)
    a, b = RoundEntry.objects.filter(round=round_).order_by("draw__position")[:2]
    unit = round_.units.first().unit
    _offer(a, unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        _offer(b, unit)


def test_one_household_never_holds_two_live_offers(district_a, dave):
    round_, _made = drawn_round(dave, entries=3)
    a = RoundEntry.objects.get(round=round_, draw__position=1)
    u1, u2 = [ru.unit for ru in round_.units.all()[:2]]
    _offer(a, u1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _offer(a, u2)
