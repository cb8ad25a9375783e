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


def sample_review(district_code="230602"):
    """A review of a quick grant of the district (for the generic scoping and API tests)."""
    from tenancy.models import AnnualReview
    from tenancy.services import review_number, subject_values
    from tests.subsidies.builders import quick_grant

    grant = quick_grant(district_code)
    today = timezone.localdate()
    return AnnualReview.objects.create(number=review_number("G", grant.pk, today.year), year=today.year,
                                       anniversary=today, opens_on=today - timedelta(days=30), due_on=today,
                                       **subject_values(grant=grant))


def sample_alert(district_code="230602"):
    from tenancy.models import MonitoringAlert
    from tests.subsidies.builders import quick_grant

    grant = quick_grant(district_code)
    today = timezone.localdate()
    return MonitoringAlert.objects.create(
        application_id=grant.application_id, grant=grant, household_kind="grant", holder_name=grant.holder_name,
        district_id=grant.district_id, member_name=grant.holder_name, department="vehicles", kind="vehicle",
        fact="新增机动车 1 辆", source="公安车辆管理部门 查询", fact_date=today, due_on=today + timedelta(days=10))


def sample_exit(district_code="230602"):
    from tenancy.services import exit_open
    from tests.subsidies.builders import quick_grant

    return exit_open(grant=quick_grant(district_code), ground="other_housing", origin="caseworker",
                     facts="不动产登记新增住房", actor=None)
