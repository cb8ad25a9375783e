"""Lease tasks: messages on a lease's status changes."""

from celery import shared_task


@shared_task(name="rent.tasks.lease_status_changed")
def lease_status_changed(change_id: int) -> bool:
    from .services import lease_change_notify

    return lease_change_notify(change_id=change_id)
