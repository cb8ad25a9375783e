"""Held offers and leases for the rent tests, built through the real services where they exist
(allocation's choice service belongs to another room: the offer row is made here as it would)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from allocation import services as allocation_services
from allocation.models import AllocationRound, Offer, RoundEntry
from applications.models import Application
from rent.leases import services
from rent.models import Lease
from tests import factories
from tests.allocation.builders import units
from tests.applications import builders as application_builders

_n = itertools.count(1)


def held_offer(*, category="low_income", district_code="230602", unit=None, sign_by=None, name=None) -> Offer:
    entry = _entry(category=category, district_code=district_code, name=name)
    unit = unit or units(district_code, count=1)[0]
    round_ = AllocationRound.objects.filter(district=entry.district, name="租金测试方案").first()
    if round_ is None:
        round_ = AllocationRound.objects.create(district=entry.district, name="租金测试方案",
                                                households_per_window=10, window_hours=24)
    round_entry = RoundEntry.objects.create(round=round_, entry=entry, ref=entry.number, group_rank=entry.group_rank)
    return Offer.objects.create(round_entry=round_entry, unit=unit, district=entry.district,
                                sign_by=sign_by or timezone.localdate() + timedelta(days=7), chosen_at=timezone.now())


def _entry(*, category, district_code, name=None):
    """A waitlist entry of an approved application in the district (approved without the review)."""
    user = application_builders.applicant(name=name or f"承租测试{next(_n)}号")
    app = application_builders.submitted(user, category=category, street=factories.first_street(district_code))
    Application.objects.filter(pk=app.pk).update(status="approved", decided_at=timezone.now())
    return allocation_services.waitlist_enter(application=Application.objects.get(pk=app.pk), actor=None,
                                              on=timezone.localdate())


def issued_lease(**kwargs) -> Lease:
    start_on = kwargs.pop("start_on", None)
    offer = held_offer(**kwargs)
    return services.lease_from_offer(offer=offer, actor=None, start_on=start_on)


def sign(lease, *, ip="203.0.113.9", ua="Mozilla/5.0 (测试)") -> Lease:
    """The tenant asks for a code and types it (read from the SMS outbox)."""
    services.sign_code_send(lease=lease, user=lease.tenant)
    return services.lease_sign(lease=lease, user=lease.tenant, code=last_code(lease.tenant.phone), ip_address=ip,
                               user_agent=ua)


def last_code(phone) -> str:
    import re

    from notifications.models import SmsOutbox

    text = SmsOutbox.objects.filter(phone=phone).order_by("-id").values_list("text", flat=True).first()
    return re.search(r"验证码 (\d{6})", text).group(1)


def active_lease(*, staff=None, start_on=None, **kwargs) -> Lease:
    lease = sign(issued_lease(start_on=start_on, **kwargs))
    services.lease_hand_over(lease=lease, actor=staff, handed_over_on=lease.start_on, keys=2, water_meter="12.5",
                             electricity_meter="302.0", condition="墙面完好，家电齐全")
    return Lease.objects.get(pk=lease.pk)


def lease_with_photo(district_code="230603") -> Lease:
    """An active lease whose handover has one photo (for the photo's access checks)."""
    from tests.housing.factories import image_upload

    lease = sign(issued_lease(district_code=district_code))
    services.lease_hand_over(lease=lease, actor=None, handed_over_on=lease.start_on, keys=1, water_meter="1",
                             electricity_meter="1", condition="完好", photos=[image_upload()])
    return Lease.objects.get(pk=lease.pk)
