"""Background work of feedback. Tasks take ids, are idempotent and call services."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from notifications.selectors import sms_sent
from notifications.services import SmsSendError, message_send, messages_broadcast, sms_send
from notifications.subjects import dedup_key


@shared_task(bind=True, autoretry_for=(SmsSendError,), retry_backoff=30, retry_backoff_max=1800, retry_jitter=True,
             max_retries=6, name="complaints.tasks.notify_feedback_change")
def notify_feedback_change(self, change_id: int) -> bool:
    """In-site message (and SMS for an escalation or a reply) for one status change. Both are keyed
    by the change (`notifications`), so a run after a gateway failure (retried with back-off) sends
    only the SMS, and a second run sends nothing (returns False: nothing was sent)."""
    from .models import FeedbackStatusChange
    from .notifications import SMS_STATUSES, change_message

    change = (FeedbackStatusChange.objects.select_related("feedback__submitter", "feedback__district")
              .filter(pk=change_id).first())
    if change is None:
        return False
    feedback = change.feedback
    title, body, sms_text = change_message(change)
    key = dedup_key(change)
    with transaction.atomic():
        sent = bool(feedback.submitter_id) and message_send(
            recipient=feedback.submitter, subject=feedback, dedup_key=key, title=title, body=body) is not None
        FeedbackStatusChange.objects.filter(pk=change_id, notified_at__isnull=True).update(notified_at=timezone.now())
    phone = feedback.submitter.phone if feedback.submitter_id else feedback.contact_phone
    if phone and change.to_status in SMS_STATUSES and not sms_sent(key):
        sms_send(phone=phone, text=sms_text, purpose=f"feedback:{change.to_status}", dedup_key=key)
        sent = True
    return sent


@shared_task
def escalate_overdue_feedback() -> int:
    """Daily: every unanswered item past its reply date goes to the city level, once; the city
    caseworkers get one message listing them. Returns how many were escalated by this run."""
    from .services import feedback_escalate_overdue

    escalated = feedback_escalate_overdue()
    if escalated:
        transaction.on_commit(lambda: notify_city_of_escalation.delay(escalated))
    return len(escalated)


@shared_task
def notify_city_of_escalation(feedback_ids: list) -> int:
    """One in-site message to each city caseworker listing the items just escalated."""
    from gongzufang.models import User
    from gongzufang.models.users import Role

    from .models import Feedback
    from .notifications import escalation_summary

    numbers = list(Feedback.objects.filter(pk__in=feedback_ids).order_by("number").values_list("number", flat=True))
    if not numbers:
        return 0
    title, body = escalation_summary(numbers)
    staff = list(User.objects.filter(role=Role.CITY_CASEWORKER, is_active=True))
    return messages_broadcast(recipients=staff, title=title, body=body)
