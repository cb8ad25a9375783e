"""Lease tasks: messages on a lease's status changes."""

from celery import shared_task


@shared_task(name="rent.tasks.lease_status_changed")
def lease_status_changed(change_id: int) -> bool:
    from .services import lease_change_notify

    return lease_change_notify(change_id=change_id)


@shared_task(name="rent.tasks.leases_daily")
def leases_daily() -> dict:
    """Leases past their last day end; issued leases whose offer lapsed are void."""
    from .services import leases_cancel_lapsed, leases_end_due

    return {"ended": leases_end_due(), "cancelled": leases_cancel_lapsed()}


@shared_task(name="rent.tasks.leases_prepare")
def leases_prepare() -> int:
    """Leases (bureau-signed contracts) for offers chosen since the last run."""
    from .services import leases_prepare_for_held_offers

    return leases_prepare_for_held_offers()
