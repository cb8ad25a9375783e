"""Background jobs of the waitlist and allocation (idempotent: keyed by the change or by the date)."""

from celery import shared_task

from notifications.services import message_send


@shared_task(name="allocation.tasks.notify_entry_change")
def notify_entry_change(change_id: int) -> bool:
    """An in-site message to the household when its waitlist entry changes (keyed by the change)."""
    from allocation.models import WaitlistEntryStatusChange

    change = (WaitlistEntryStatusChange.objects.select_related("entry__application__applicant")
              .filter(pk=change_id).first())
    if change is None:
        return False
    entry = change.entry
    label = entry.Status(change.to_status).label if change.to_status in entry.Status.values else change.to_status
    if not change.from_status:
        title = f"您已进入公租房轮候，轮候编号 {entry.number}"
        body = "您的实物配租申请已审核通过，现已进入轮候。可在“我的轮候”查看轮候位次。"
    elif change.from_status == change.to_status:  # a change declared, or a refusal counted: still {label}
        title = f"您的轮候记录有新的变更（轮候编号 {entry.number}）"
        body = f"{change.opinion}。轮候状态：{label}。" if change.opinion else f"轮候状态：{label}。"
    else:
        title = f"您的轮候状态变更为“{label}”"
        body = f"轮候编号 {entry.number}：{label}。" + (f"原因：{change.opinion}" if change.opinion else "")
    return message_send(recipient=entry.application.applicant, subject=entry, title=title, body=body,
                        dedup_key=f"waitlist-change:{change.pk}") is not None


@shared_task(name="allocation.tasks.expire_overdue_entries")
def expire_overdue_entries() -> int:
    """Daily: entries past the longest waiting period leave the waitlist (idempotent, chunked)."""
    from allocation.services import entries_expire_overdue

    return entries_expire_overdue()


@shared_task(name="allocation.tasks.resume_suspended_entries")
def resume_suspended_entries() -> int:
    """Daily: entries whose 12-month suspension has ended go back to waiting (idempotent)."""
    from allocation.services import entries_resume_due

    return entries_resume_due()


# The unit choice's jobs (allocation/choice/tasks.py), registered under allocation.tasks.* names.
from allocation.choice.tasks import (  # noqa: E402, F401
    close_choice_windows,
    expire_offers,
    notify_offer_held,
    open_choice_windows,
)
