"""Reads about leases: the tenant's own, staff's (scoped), and the public verification."""

from django.http import Http404

from gongzufang.scoping import get_in_scope_or_404

from ..models import Lease, LeaseRenewal, LeaseStatus

# Links the apps above rent add to a lease on the tenant's pages (我的租赁合同 and the lease page), by
# registration as the ban reaches the eligibility rules (ADR 0017 §6): rent imports none of them. Each
# finder takes the page's leases and returns {lease id: (text, url)} for those it has a link for, in a
# fixed number of queries whatever their number; tenancy registers 申请退租.
LEASE_LINK_FINDERS = []


def register_lease_link(finder):
    if finder not in LEASE_LINK_FINDERS:
        LEASE_LINK_FINDERS.append(finder)


def lease_links(leases) -> dict[int, list[tuple[str, str]]]:
    """What the tenant may do next with each lease in the apps above: {lease id: [(text, url), …]}."""
    links = {lease.pk: [] for lease in leases}
    for finder in LEASE_LINK_FINDERS:
        for pk, link in finder(leases).items():
            links[pk].append(link)
    return links


def leases_of(user):
    if not getattr(user, "is_authenticated", False):
        return Lease.objects.none()
    return (Lease.objects.filter(tenant=user).exclude(status=LeaseStatus.DRAFT)
            .select_related("unit__estate", "unit__building", "district", "offer"))


def my_lease_or_404(user, pk) -> Lease:
    lease = leases_of(user).filter(pk=pk).first()
    if lease is None:
        raise Http404("未找到该租赁合同。")
    return lease


def lease_for_file_or_404(user, pk) -> Lease:
    """The contract PDF: the tenant's own, or a caseworker's in their area; 404 otherwise."""
    lease = leases_of(user).filter(pk=pk).first()
    if lease is None and getattr(user, "is_staff", False):
        lease = get_in_scope_or_404(user, Lease.objects.select_related("unit"), pk=pk)
    if lease is None or not lease.contract_pdf:
        raise Http404("未找到该租赁合同。")
    return lease


def lease_by_code(code) -> Lease | None:
    """The lease whose contract's QR code this is — or, for a renewal contract's code, that renewal's
    document (the lease as the renewal contract shows it, with the renewal's file and digest)."""
    lease = (Lease.objects.filter(verification_code=code).exclude(status=LeaseStatus.DRAFT)
             .select_related("unit__estate", "district").first())
    if lease is None:
        renewal = LeaseRenewal.objects.filter(verification_code=code).select_related("lease__unit__estate").first()
        return _renewal_document(renewal) if renewal else None
    return lease


def lease_by_sha256(digest) -> Lease | None:
    lease = (Lease.objects.filter(contract_sha256=digest).exclude(status=LeaseStatus.DRAFT)
             .select_related("unit__estate", "district").first())
    if lease is None:
        renewal = LeaseRenewal.objects.filter(contract_sha256=digest).select_related("lease__unit__estate").first()
        return _renewal_document(renewal) if renewal else None
    return lease


def _renewal_document(renewal):
    from .services import renewal_document

    return renewal_document(renewal)


def rent_now(lease, on=None):
    """The monthly rent in force today (the signed rent, or the latest rent change in force)."""
    from django.utils import timezone

    from .terms import rent_on

    changes = list(lease.rent_changes.order_by("effective_from", "pk").values_list("effective_from", "new_monthly_rent"))
    return rent_on(on or timezone.localdate(), monthly_rent=lease.monthly_rent, changes=changes)


def awaiting_signature(user):
    return leases_of(user).filter(status=LeaseStatus.ISSUED)


def lease_history(lease):
    return lease.status_changes.select_related("actor").order_by("created_at", "id")


def handover_photo_or_404(user, pk):
    from ..models import HandoverPhoto

    photo = HandoverPhoto.objects.select_related("handover__lease").filter(pk=pk).first()
    if photo is None:
        raise Http404("未找到该照片。")
    lease = photo.handover.lease
    if lease.tenant_id == getattr(user, "pk", None):
        return photo
    if getattr(user, "is_staff", False):
        get_in_scope_or_404(user, Lease.objects.all(), pk=lease.pk)
        return photo
    raise Http404("未找到该照片。")
