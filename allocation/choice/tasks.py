"""Jobs of the unit choice (选房), imported by allocation/tasks.py so Celery finds them under their names.
Each is idempotent: the ChoiceWindow row per household and round, the offer's status under its lock,
and the messages' dedup keys make a second run change nothing."""

from celery import shared_task


@shared_task(name="allocation.tasks.open_choice_windows")
def open_choice_windows() -> int:
    """Every few minutes: households whose choice window has opened get one SMS and one site message."""
    from allocation.choice.services import windows_open_notify

    return windows_open_notify()


@shared_task(name="allocation.tasks.close_choice_windows")
def close_choice_windows() -> dict:
    """Every few minutes: closed windows without a choice count as a refusal (unless no unit fitted)."""
    from allocation.choice.services import windows_close_due

    return windows_close_due()


@shared_task(name="allocation.tasks.expire_offers")
def expire_offers() -> int:
    """Daily: held offers past their sign-by date expire, count as a refusal, and free the unit."""
    from allocation.choice.services import offers_expire_due

    return offers_expire_due()


@shared_task(name="allocation.tasks.notify_offer_held")
def notify_offer_held(offer_id: int) -> bool:
    """After a choice commits: the household is told the unit is held, with the sign-by date."""
    from allocation.choice.services import offer_held_notify

    return offer_held_notify(offer_id)
