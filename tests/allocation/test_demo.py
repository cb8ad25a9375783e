"""`seed_demo`'s waitlist and rounds: 30+ households of 萨尔图区 across priority groups, one drawn round
(positions) and one published round not yet drawn; a second run changes nothing."""

import pytest

from allocation import demo, selectors
from allocation.models import AllocationRound, RoundEntry, WaitlistEntry
from gongzufang import demo as shared_demo
from gongzufang.base_data import ensure_base_data
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db


def test_demo_waitlist_and_rounds(client):
    ensure_base_data()
    for row in shared_demo.DEMO_USERS:
        shared_demo._user(*row)
    for name in ("益民小区", "悦民苑"):  # the demo estates the rounds are made over (housing/demo.py)
        building = housing.building(housing.estate("230602", name=name))
        for i in range(4):
            housing.unit(building, bedrooms=1 + i % 2, published=True)
    demo.seed()
    entries = WaitlistEntry.objects.filter(district__code="230602")
    assert entries.count() >= 30
    assert set(entries.values_list("group_rank", flat=True)) >= {1, 3, 10}
    drawn = AllocationRound.objects.get(name=demo.DRAWN_ROUND)
    published = AllocationRound.objects.get(name=demo.PUBLISHED_ROUND)
    assert drawn.status == "drawn" and published.status == "published"
    assert not RoundEntry.objects.filter(round=drawn, draw__isnull=True).exists()
    assert selectors.verify_round(drawn) == []
    assert not (set(drawn.entries.values_list("entry_id", flat=True))
                & set(published.entries.values_list("entry_id", flat=True)))
    for r in (drawn, published):
        assert client.get(f"/allocation/rounds/{r.pk}/").status_code == 200
    counts = (entries.count(), AllocationRound.objects.count(), RoundEntry.objects.count())
    demo.seed()
    assert (entries.count(), AllocationRound.objects.count(), RoundEntry.objects.count()) == counts
