"""Waitlist entries and rounds built through the real services."""

import itertools
from datetime import timedelta

from django.utils import timezone

from allocation import services
from allocation.models import WaitlistEntry
from applications.models import Application
from tests.applications import builders
from tests.applications.review_builders import approved
from tests.housing import factories as housing

_n = itertools.count(1)


def approved_entry(*, category="low_income", members=(), **kwargs) -> WaitlistEntry:
    """An application taken through the whole review (city approval makes the entry by the signal)."""
    app = approved(builders.submitted(category=category, members=members, **kwargs))
    return WaitlistEntry.objects.get(application=app)


def quick_entry(*, category="low_income", members=(), qualified_on=None, name=None, disability=None,
                street=None) -> WaitlistEntry:
    """A submitted application marked approved without the review (quicker; for queues of many), then
    entered by the same service the approval's receiver calls."""
    user = builders.applicant(name=name or f"测试{next(_n)}号")
    app = builders.submitted(user, category=category, members=members, street=street)
    if disability:
        app.household.members.filter(relationship="self").update(disability=disability)
    Application.objects.filter(pk=app.pk).update(status="approved", decided_at=timezone.now())
    app = Application.objects.get(pk=app.pk)
    return services.waitlist_enter(application=app, actor=None, on=qualified_on or timezone.localdate())


def units(district_code="230602", *, count=3, bedrooms=1):
    estate = housing.estate(district_code)
    building = housing.building(estate)
    return [housing.unit(building, bedrooms=bedrooms, published=True, floor=1 + i % 5) for i in range(count)]


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def drafted_round(actor, *, entries=4, unit_count=2, district_code="230602", **kwargs):
    """A draft round over `unit_count` new published one-bedroom units and `entries` new waiting households."""
    from gongzufang.models import District

    made = [quick_entry(qualified_on=days_ago(10 * i + 1)) for i in range(entries)]
    units(district_code, count=unit_count)
    round_ = services.round_create(district=District.objects.get(code=district_code), name="2026年第一批公租房配租",
                                   actor=actor, **kwargs)
    return round_, made


def published_round(actor, **kwargs):
    round_, made = drafted_round(actor, **kwargs)
    return services.round_publish(round=round_, actor=actor), made


def drawn_round(actor, entropy="2026-12-01 福彩3D 123", **kwargs):
    round_, made = published_round(actor, **kwargs)
    return services.round_draw(round=round_, actor=actor, public_entropy=entropy), made
