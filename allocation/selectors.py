"""Reads of the waitlist and the rounds: positions (window functions, one query), the applicant's
entry and its history, the staff queue, the public round pages and `draw.json`."""

from dataclasses import dataclass

from django.db.models import Count, F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from gongzufang.pii import mask_name
from gongzufang.scoping import get_in_scope_or_404

from . import lottery
from .models import AllocationRound, RoundEntry, WaitlistEntry

ORDER = [F("group_rank").asc(), F("qualified_on").asc(), F("application_number").asc()]
PUBLIC_STATUSES = [AllocationRound.Status.PUBLISHED, AllocationRound.Status.DRAWN, AllocationRound.Status.VOIDED]


@dataclass(frozen=True)
class Position:
    overall: int  # 1 = next
    in_group: int
    ahead: int  # households before this one in the district's queue
    group_ahead: int
    total: int  # households waiting in the district


def position_of(entry) -> Position | None:
    """Where a waiting entry stands in its district's queue (None when it is not waiting). One query:
    the window functions run over the district's waiting entries, and the outer query keeps this one."""
    if entry.status != WaitlistEntry.Status.WAITING:
        return None
    row = (WaitlistEntry.objects.filter(district_id=entry.district_id, status=WaitlistEntry.Status.WAITING)
           .annotate(overall=Window(RowNumber(), order_by=ORDER),
                     in_group=Window(RowNumber(), partition_by=[F("group_rank")], order_by=ORDER),
                     total=Window(Count("pk")),
                     me=Window(Max("pk"), partition_by=[F("pk")]))
           .filter(me=entry.pk)
           .values("overall", "in_group", "total").first())
    if row is None:
        return None
    return Position(overall=row["overall"], in_group=row["in_group"], ahead=row["overall"] - 1,
                    group_ahead=row["in_group"] - 1, total=row["total"])


def entry_of_applicant(user) -> WaitlistEntry | None:
    """The applicant's latest waitlist entry."""
    return (WaitlistEntry.objects.of_applicant(user).select_related("district", "application")
            .order_by("-created_at", "-pk").first())


def entry_history(entry):
    return entry.status_changes.select_related("actor").order_by("created_at", "pk")


def entry_round_entries(entry):
    return (entry.round_entries.select_related("round", "draw").exclude(round__status=AllocationRound.Status.DRAFT)
            .order_by("-round__created_at"))


def waiting_days(entry, today=None) -> int:
    today = today or timezone.localdate()
    end = entry.left_on or today
    return (end - entry.qualified_on).days


def queue(principal, *, district=None, status=WaitlistEntry.Status.WAITING):
    """The staff queue: scoped, in waitlist order."""
    rows = WaitlistEntry.objects.for_user(principal).select_related("district", "application__applicant")
    if district is not None:
        rows = rows.filter(district=district)
    if status:
        rows = rows.filter(status=status)
    return rows.in_order()


def staff_entry_or_404(principal, pk) -> WaitlistEntry:
    return get_in_scope_or_404(principal, WaitlistEntry.objects.all(), pk)


# --- rounds ---------------------------------------------------------------------------------------------


def public_rounds():
    return AllocationRound.objects.filter(status__in=PUBLIC_STATUSES).select_related("district").order_by(
        "-published_at", "-pk")


def public_round_or_none(pk) -> AllocationRound | None:
    try:
        return public_rounds().filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def round_pool_rows(round_):
    """The pool as the public page lists it: masked name, waitlist number, group; ordered by draw
    position once drawn (with the choice window), else by number."""
    rows = RoundEntry.objects.filter(round=round_).select_related("entry__application__applicant", "draw")
    rows = rows.order_by("draw__position", "ref") if round_.status == AllocationRound.Status.DRAWN else rows.order_by("ref")
    return [
        {"ref": r.ref, "group_rank": r.group_rank, "position": r.position, "window_no": r.window_no,
         "window_opens_at": r.window_opens_at, "window_closes_at": r.window_closes_at,
         "name": mask_name(r.entry.application.applicant.real_name or "")}
        for r in rows
    ]


def draw_order(round_) -> list[str]:
    """The refs in the stored draw order (position 1 first), from the draw's rows."""
    return list(RoundEntry.objects.filter(round=round_, draw__isnull=False).order_by("draw__position")
                .values_list("ref", flat=True))


def draw_document(round_) -> dict:
    """draw.json, exactly the keys of DESIGN §7; the secret, entropy, seed and order are null until drawn."""
    drawn = round_.status == AllocationRound.Status.DRAWN or (
        round_.status == AllocationRound.Status.VOIDED and bool(round_.seed))
    pool = sorted(RoundEntry.objects.filter(round=round_).values_list("ref", "group_rank"))
    return {
        "algorithm": lottery.ALGORITHM,
        "status": round_.status,
        "pool": [{"ref": ref, "group_rank": rank} for ref, rank in pool],
        "pool_hash": round_.pool_hash,
        "commitment": round_.commitment,
        "secret": round_.secret if drawn else None,
        "public_entropy": round_.public_entropy if drawn else None,
        "seed": round_.seed if drawn else None,
        "order": draw_order(round_) if drawn else None,
    }


def verify_round(round_) -> list[str]:
    """Recompute a round's draw from its stored document: the problems found (empty: it agrees)."""
    return lottery.verify(draw_document(round_))
