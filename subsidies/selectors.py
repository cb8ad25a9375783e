"""Reads of 租赁补贴 for pages, admin and API."""

from django.http import Http404

from gongzufang.parameters import CATEGORIES

from .computation import Inputs, compute
from .models import BankAccount, GrantComputation, MarketLease, SubsidyGrant, SubsidyPayment


def my_grant(user) -> SubsidyGrant | None:
    """The applicant's grant (the latest, should there ever be more than one)."""
    return (SubsidyGrant.objects.of_applicant(user).select_related("district", "application")
            .order_by("-created_at").first())


def current_computation(grant) -> GrantComputation | None:
    return grant.computations.order_by("-effective_from").first()


def computation_lines(computation: GrantComputation) -> tuple:
    """The computation line by line, from the inputs stored with it."""
    return compute(Inputs(
        category_label=CATEGORIES.get(computation.category, computation.category),
        members=computation.members_counted, own_housing_area=computation.own_housing_area,
        area_per_person=computation.area_per_person, standard_per_sqm=computation.standard_per_sqm,
        coefficient=computation.coefficient, lease_rent=computation.lease_rent,
    )).lines


def current_lease(grant) -> MarketLease | None:
    return grant.leases.filter(replaced_at__isnull=True).first()


def current_account(grant) -> BankAccount | None:
    return grant.accounts.filter(replaced_at__isnull=True).first()


def payments_of(grant):
    return SubsidyPayment.objects.filter(grant=grant).select_related("batch").order_by("-period")


def grant_readiness(grant) -> list[str]:
    """What the household still has to do before it can be paid (Chinese)."""
    missing = []
    if current_lease(grant) is None:
        missing.append("登记市场租赁合同")
    if current_account(grant) is None:
        missing.append("登记本人银行账户")
    return missing


def require_grant(user) -> SubsidyGrant:
    grant = my_grant(user)
    if grant is None:
        raise Http404("您还没有租赁补贴资格。")
    return grant


def parameter_rows_used(row_ids, *, since=None) -> set[int]:
    """Which of these policy parameter rows a grant's computation applied (GrantComputation.parameters):
    such a row may never change (gongzufang.models.parameters; registered in ready())."""
    wanted = set(row_ids)
    computations = GrantComputation.objects.all()
    if since is not None:
        computations = computations.filter(computed_on__gte=since)
    used = set()
    for records in computations.values_list("parameters", flat=True).iterator():
        used |= {record.get("row_id") for record in records or ()} & wanted
        if used == wanted:
            break
    return used
