"""Billing's background work. The month's bills: `bills_make_month` (beat, the 1st) splits the
billable leases into primary-key ranges and sends one `bills_make_chunk` per range to the workers as a
chord; each chunk is idempotent, so running the month again after a worker died fills only the gaps."""

from datetime import date

from celery import chord, shared_task
from django.utils import timezone

from . import services


def _period(value) -> date:
    if value is None:
        return timezone.localdate().replace(day=1)
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@shared_task(name="rent.tasks.bills_make_chunk", acks_late=True)
def bills_make_chunk(period: str, lo: int, hi: int) -> int:
    return services.bills_make_chunk(period=_period(period), lo=lo, hi=hi)


@shared_task(name="rent.tasks.bills_run_finished")
def bills_run_finished(made, period: str) -> int:
    services.billing_run_finish(period=_period(period))
    return sum(made or [])


@shared_task(name="rent.tasks.bills_make_month")
def bills_make_month(period: str | None = None, chunk_size: int = services.CHUNK_SIZE, queue: str | None = None) -> int:
    """Send the period's chunks (to `queue` if given: the chord's callback too, which the worker that
    finishes the last chunk sends); returns how many."""
    run, ranges = services.billing_run_start(period=_period(period), chunk_size=chunk_size)
    iso = run.period.isoformat()
    if not ranges:
        services.billing_run_finish(period=run.period)
        return 0
    options = {"queue": queue} if queue else {}
    header = [bills_make_chunk.s(iso, lo, hi).set(**options) for lo, hi in ranges]
    chord(header)(bills_run_finished.s(iso).set(**options))
    return len(ranges)


@shared_task(name="rent.tasks.arrears_daily")
def arrears_daily() -> dict:
    today = timezone.localdate()
    return {"reminders": services.reminders_send(today=today), "flagged": services.arrears_flag(today=today)}
