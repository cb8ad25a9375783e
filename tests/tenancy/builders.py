"""Leases and grants for the tenancy tests, through rent's and subsidies' own builders."""

from datetime import timedelta

from django.utils import timezone

from rent.models import Lease
from tests.rent.builders import active_lease


def lease_with_anniversary_in(days: int, **kwargs) -> Lease:
    """An active lease whose first anniversary is `days` from today."""
    lease = active_lease(**kwargs)
    today = timezone.localdate()
    anniversary = today + timedelta(days=days)
    start = anniversary.replace(year=anniversary.year - 1)
    Lease.objects.filter(pk=lease.pk).update(start_on=start, end_on=start.replace(year=start.year + 3))
    return Lease.objects.get(pk=lease.pk)


def grant_with_anniversary_in(days: int, **kwargs):
    from subsidies.models import SubsidyGrant
    from tests.subsidies.builders import approved_subsidy

    grant = approved_subsidy(**kwargs)
    today = timezone.localdate()
    anniversary = today + timedelta(days=days)
    SubsidyGrant.objects.filter(pk=grant.pk).update(start_period=anniversary.replace(year=anniversary.year - 1))
    return SubsidyGrant.objects.get(pk=grant.pk)


def members_of(application_id):
    from applications.models import HouseholdMember

    return list(HouseholdMember.objects.filter(household__application__pk=application_id).order_by("id"))
