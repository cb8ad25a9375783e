"""Background work of the cross-department check (部门联审). Tasks take ids, are idempotent and call
`applications.crosscheck.runner`. Beat runs `cross_check_sweep` (gongzufang/schedule.py).

The names are those the tasks had before the rooms (`applications.tasks_crosscheck.*`), kept so that
the beat schedule stored by django-celery-beat and messages already queued go on finding them."""

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from applications.crosscheck.runner import run_checks
from applications.models import Application, CheckResult, Status
from applications.models.review import CheckOutcome

logger = logging.getLogger(__name__)

MAX_RETRIES = 4
RETRY_BASE_SECONDS = 60
SWEEP_AFTER = timedelta(hours=1)
SWEEP_CHUNK = 200


def retry_countdown(retries: int) -> int:
    """Exponential back-off with a little jitter: about 1, 2, 4, 8 minutes."""
    base = RETRY_BASE_SECONDS * 2 ** retries
    return base + random.randint(0, base // 4)


@shared_task(bind=True, max_retries=MAX_RETRIES, name="applications.tasks_crosscheck.cross_check_application")
def cross_check_application(self, application_id: int):
    """Ask every department the application's category needs; results already fresh are kept.

    When the exchange gave no usable answer for some member (timeout, HTTP error, garbage), the
    task retries with back-off; "no record" is an answer and is not retried. After the last retry
    the unknown results stay, the application waits in cross_check, and the hourly sweep or a
    caseworker's re-run asks again. Unknown is never turned into pass.
    """
    status = Application.objects.filter(pk=application_id).values_list("status", flat=True).first()
    if status != Status.CROSS_CHECK:
        return {"skipped": status or "missing"}
    summary = run_checks([application_id])
    if summary.transient:
        if self.request.is_eager:
            # Run in-process (development without a worker): waiting here would hold up the
            # caseworker's page; the sweep or a re-run asks again.
            logger.info("cross-check of application %s: %s answers unavailable; not retried in-process",
                        application_id, summary.transient)
        elif self.request.retries < self.max_retries:
            countdown = retry_countdown(self.request.retries)
            logger.info("cross-check of application %s: %s answers unavailable; retry %s in %s s",
                        application_id, summary.transient, self.request.retries + 1, countdown)
            raise self.retry(countdown=countdown)
    return summary.as_dict()


def applications_to_sweep(now=None) -> list[int]:
    """In cross_check for over an hour with an answer still missing: a current unknown older than
    an hour, or no current answer at all (the first run never happened, e.g. the queue was down)."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    current = CheckResult.objects.filter(application=OuterRef("pk"), is_current=True)
    stale_unknown = current.filter(status=CheckOutcome.UNKNOWN, queried_at__lt=cutoff)
    return list(
        Application.objects.filter(status=Status.CROSS_CHECK)
        .filter(Q(Exists(stale_unknown)) | (~Q(Exists(current)) & Q(updated_at__lt=cutoff)))
        .order_by("pk").values_list("pk", flat=True)
    )


@shared_task(name="applications.tasks_crosscheck.cross_check_sweep")
def cross_check_sweep():
    """Beat, hourly: ask again for applications left waiting on unknown answers, in chunks (one
    chunk's ID numbers go out in shared batches). Safe to run twice."""
    ids = applications_to_sweep()
    totals = {"applications": len(ids), "moved_on": 0, "still_unknown": 0}
    for start in range(0, len(ids), SWEEP_CHUNK):
        summary = run_checks(ids[start:start + SWEEP_CHUNK])
        totals["moved_on"] += len(summary.moved_on)
        totals["still_unknown"] += len(summary.unknown_applications)
    return totals
