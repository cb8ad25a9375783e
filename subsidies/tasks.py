"""Background work of subsidies. Tasks are idempotent and call services."""

from celery import shared_task


@shared_task(name="subsidies.tasks.make_due_batches")
def make_due_batches() -> list:
    """Daily (beat): on or after the batch day (parameter subsidy.batch_day), make each district's
    batch for this month; a batch already made is only shown, a half-made one is finished."""
    from .services import batch_make_due

    return [(r.batch.number, r.added, r.retried) for r in batch_make_due()]
