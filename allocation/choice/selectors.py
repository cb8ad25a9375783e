"""Reads of the unit choice: the applicant's round entries and offers, the units of a round still free
that fit a household (with the cover photo as a sub-select, one query), and the offers staff see."""

from django.db.models import OuterRef, Subquery
from django.http import Http404

from gongzufang.scoping import get_in_scope_or_404
from housing.models import EstatePhoto, UnitPhoto

from ..models import LIVE_OFFER_STATUSES, AllocationRound, Offer, RoundEntry
from . import services


def _covers(units):
    unit_cover = UnitPhoto.objects.filter(unit=OuterRef("pk")).order_by("sort_order", "id").values("id")[:1]
    estate_cover = EstatePhoto.objects.filter(estate=OuterRef("estate_id")).order_by("sort_order", "id").values("id")[:1]
    return units.annotate(unit_cover_id=Subquery(unit_cover), estate_cover_id=Subquery(estate_cover))


def units_left(round_entry):
    """The round's free units that fit the household, with covers, in a stable order."""
    return list(_covers(services.fitting_units(round_entry)).select_related("estate", "building")
                .order_by("estate__name", "building__name", "floor", "number", "pk"))


def round_entries_of(user):
    """The applicant's round entries in drawn rounds, newest round first."""
    if not getattr(user, "is_authenticated", False):
        return RoundEntry.objects.none()
    return (RoundEntry.objects.filter(entry__application__applicant=user, round__status=AllocationRound.Status.DRAWN)
            .select_related("round", "entry").order_by("-round__drawn_at", "-pk"))


def round_entry_for_applicant(user, pk) -> RoundEntry:
    try:
        return (round_entries_of(user).select_related("entry__application__applicant").get(pk=int(pk)))
    except (RoundEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该选房记录。") from None


def open_round_entry(user):
    """The applicant's round entry whose window is open now (for the link on 我的轮候), or None."""
    for re_ in round_entries_of(user)[:5]:
        if services.window_open(re_):
            return re_
    return None


def offers_of(user):
    if not getattr(user, "is_authenticated", False):
        return Offer.objects.none()
    return (Offer.objects.of_applicant(user).select_related("unit__estate", "unit__building", "round_entry__round")
            .order_by("-chosen_at", "-pk"))


def live_offer_of(round_entry):
    return (Offer.objects.filter(round_entry__entry_id=round_entry.entry_id, status__in=LIVE_OFFER_STATUSES)
            .select_related("unit").first())


def offer_for_applicant(user, pk) -> Offer:
    try:
        return offers_of(user).select_related("round_entry__entry").get(pk=int(pk))
    except (Offer.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该选房记录。") from None


def offer_history(offer):
    return offer.status_changes.select_related("actor").order_by("created_at", "pk")


def staff_offers(principal):
    return Offer.objects.for_user(principal).select_related("unit__estate", "unit__building", "round_entry__round")


def staff_offer_or_404(principal, pk) -> Offer:
    return get_in_scope_or_404(principal, Offer.objects.all(), pk)
