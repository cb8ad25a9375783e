"""Reads of tenancy: the household's own reviews and exit cases, staff queues (scoped)."""

from django.http import Http404
from django.urls import reverse

from .models import OPEN_EXIT_STATUSES, OPEN_REVIEW_STATUSES, AlertStatus, AnnualReview, ExitCase, MonitoringAlert


def my_reviews(user):
    return AnnualReview.objects.of_holder(user).select_related("lease", "grant").order_by("-year", "-id")


def my_exit_cases(user):
    return ExitCase.objects.of_holder(user).select_related("lease", "grant").order_by("-created_at")


def exit_apply_links(leases) -> dict:
    """申请退租 on the tenant's lease pages (registered with rent, see TenancyConfig.ready), in one query:
    each active lease with no exit case under way (an open case is shown on 我的年审与退出)."""
    active = [lease.pk for lease in leases if lease.status == "active"]
    if not active:
        return {}
    busy = set(ExitCase.objects.filter(lease_id__in=active, status__in=OPEN_EXIT_STATUSES)
               .values_list("lease_id", flat=True))
    return {pk: ("申请退租", reverse("tenancy:exit_apply", args=[pk])) for pk in active if pk not in busy}


def my_review_or_404(user, pk) -> AnnualReview:
    review = my_reviews(user).filter(pk=pk).first()
    if review is None:
        raise Http404("未找到该年审。")
    return review


def my_exit_or_404(user, pk) -> ExitCase:
    case = my_exit_cases(user).filter(pk=pk).first()
    if case is None:
        raise Http404("未找到该退出事项。")
    return case


def review_queue(principal):
    return AnnualReview.objects.for_user(principal).filter(status__in=OPEN_REVIEW_STATUSES).order_by("due_on", "id")


def alert_queue(principal):
    return MonitoringAlert.objects.for_user(principal).filter(status=AlertStatus.OPEN).order_by("due_on", "id")


def exit_queue(principal):
    return ExitCase.objects.for_user(principal).filter(status__in=OPEN_EXIT_STATUSES).order_by("created_at", "id")
