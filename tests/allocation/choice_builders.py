"""A drawn round whose first choice window is open now, built through the real services."""

import re
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from allocation import services
from allocation.choice import services as choice
from allocation.models import RoundEntry
from gongzufang.models import District
from notifications.models import SmsOutbox
from tests.allocation.builders import days_ago, quick_entry, units
from tests.factories import first_street


def open_round(actor, *, entries=3, unit_count=3, bedrooms=1, district_code="230602", starts_at=None,
               per_window=None, hours=48):
    """(round, [round entries in draw order], [units]): drawn, window 1 open since 5 minutes ago."""
    street = first_street(district_code)
    made = [quick_entry(qualified_on=days_ago(10 * i + 1), street=street) for i in range(entries)]
    made_units = units(district_code, count=unit_count, bedrooms=bedrooms)
    round_ = services.round_create(
        district=District.objects.get(code=district_code), name="2026年第二批公租房配租", actor=actor,
        households_per_window=per_window or max(entries, 1), window_hours=hours,
        choice_starts_at=starts_at or timezone.now() - timedelta(minutes=5))
    services.round_publish(round=round_, actor=actor)
    services.round_draw(round=round_, actor=actor, public_entropy="2026-12-01 福彩3D 456")
    rows = list(RoundEntry.objects.filter(round=round_).select_related("round", "entry__application__applicant", "draw")
                .order_by("draw__position"))
    return round_, rows, made_units or made


def applicant_of(round_entry):
    return round_entry.entry.application.applicant


def code_for(round_entry) -> str:
    """Send the household a choosing code and read it from the development SMS outbox."""
    user = applicant_of(round_entry)
    cache.delete(f"allocation:choice-code:{user.phone}")
    choice.choice_code_send(round_entry=round_entry, user=user)
    row = SmsOutbox.objects.filter(phone=user.phone, purpose="code:choose_unit").order_by("-id").first()
    return re.search(r"\d{6}", row.text).group(0)


def choose(round_entry, unit):
    """The household chooses online with a fresh code."""
    return choice.offer_choose(round_entry=round_entry, unit=unit, actor=applicant_of(round_entry),
                               sms_code=code_for(round_entry))


def held_offer(district, actor=None):
    """A held offer in `district` (chosen at the counter by a caseworker of the district)."""
    from tests import factories

    staff = actor or factories.DistrictCaseworkerFactory(district=district)
    _round, rows, made_units = open_round(staff, entries=1, unit_count=1, district_code=district.code)
    return choice.offer_choose(round_entry=rows[0], unit=made_units[0], actor=staff, at_counter=True)


def their_offer(world):
    """Another applicant's held offer in 龙凤区, made once per test world (for tests/test_url_auth.py)."""
    if "_their_offer" not in world.__dict__:
        world.__dict__["_their_offer"] = held_offer(world.district_b)
    return world.__dict__["_their_offer"]
