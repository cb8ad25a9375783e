"""Reads for the public notice (公示) pages and the objection admin.

The public pages show only applications in `public_notice` whose period covers today, and only
masked names and ID numbers (`gongzufang.pii`): nothing here hands a template a full one.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from applications.models import Application, NoticeObjection, Status
from gongzufang.pii import mask_id_number, mask_name


def on_notice(today: date | None = None):
    """Applications whose public notice runs today, the soonest to end first."""
    today = today or timezone.localdate()
    return (Application.objects.filter(status=Status.PUBLIC_NOTICE, notice_starts_on__lte=today,
                                       notice_ends_on__gte=today)
            .select_related("applicant", "district", "street")
            .annotate(member_count=Count("household__members", distinct=True))
            .order_by("notice_ends_on", "number"))


def search_on_notice(*, number: str = "", district_code: str = "", today: date | None = None):
    queryset = on_notice(today)
    number = (number or "").strip().upper()
    if number:
        queryset = queryset.filter(number__icontains=number)
    if district_code:
        queryset = queryset.filter(district__code=district_code)
    return queryset


def notice_application_or_404(number: str) -> Application:
    """An application that has been on public notice (now or before), by its number. Applications
    never put on notice do not exist for the public."""
    try:
        return (Application.objects.exclude(status=Status.DRAFT).filter(notice_starts_on__isnull=False)
                .select_related("applicant", "district", "street")
                .annotate(member_count=Count("household__members", distinct=True))
                .get(number=str(number).strip().upper()))
    except Application.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class NoticeEntry:
    """What the public sees of one application: masked, never the full name or number."""

    pk: int
    number: str
    masked_name: str
    masked_id: str
    district: str
    street: str
    category: str
    assistance: str
    member_count: int
    starts_on: date | None
    ends_on: date | None


def notice_entry(application) -> NoticeEntry:
    applicant = application.applicant
    return NoticeEntry(
        pk=application.pk, number=application.number,
        masked_name=mask_name(applicant.real_name or ""), masked_id=mask_id_number(applicant.id_number or ""),
        district=application.district.name if application.district_id else "",
        street=application.street.name if application.street_id else "",
        category=application.get_category_display(), assistance=application.get_assistance_type_display(),
        member_count=getattr(application, "member_count", None) or application.household.members.count(),
        starts_on=application.notice_starts_on, ends_on=application.notice_ends_on,
    )


def open_objections(application):
    """Objections not yet resolved; city review waits until there are none."""
    return NoticeObjection.objects.filter(application=application, resolved_at__isnull=True).order_by("created_at")


def has_open_objections(application) -> bool:
    return open_objections(application).exists()


def objections_for_staff(user):
    return (NoticeObjection.objects.filter(application__in=Application.objects.for_staff(user))
            .select_related("application", "application__district", "resolved_by"))


def objection_counts(application) -> dict:
    return NoticeObjection.objects.filter(application=application).aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(resolved_at__isnull=True)))


def notice_starting_later(today: date | None = None) -> list[tuple[date, int]]:
    """(first day, how many) of the notices already decided that start after today: an application put
    on notice today appears from tomorrow, and the list page says so (issue 12, item 17)."""
    today = today or timezone.localdate()
    rows = (Application.objects.filter(status=Status.PUBLIC_NOTICE, notice_starts_on__gt=today)
            .values("notice_starts_on").annotate(n=Count("pk")).order_by("notice_starts_on"))
    return [(r["notice_starts_on"], r["n"]) for r in rows]
