"""Background work of feedback. Tasks take ids, are idempotent and call services."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone


@shared_task(bind=True, max_retries=3, default_retry_delay=30, name="complaints.tasks.notify_feedback_change")
def notify_feedback_change(self, change_id: int) -> bool:
    """In-site message (and SMS for an escalation or a reply) for one status change. The sending is
    claimed by a conditional update that must change exactly one row: a second run sends nothing."""
    from applications.services import site_message_send
    from applications.sms import send_sms

    from .models import FeedbackStatusChange
    from .notifications import SMS_STATUSES, change_message

    with transaction.atomic():
        claimed = FeedbackStatusChange.objects.filter(pk=change_id, notified_at__isnull=True).update(
            notified_at=timezone.now())
        if claimed != 1:
            return False
        change = FeedbackStatusChange.objects.select_related(
            "feedback__submitter", "feedback__district").get(pk=change_id)
        feedback = change.feedback
        title, body, sms_text = change_message(change)
        if feedback.submitter_id:
            site_message_send(recipient=feedback.submitter, application=feedback.application, title=title, body=body)
    phone = feedback.submitter.phone if feedback.submitter_id else feedback.contact_phone
    if phone and change.to_status in SMS_STATUSES:
        send_sms(phone=phone, text=sms_text, purpose=f"feedback:{change.to_status}")
    return True


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
    from applications.services import site_messages_broadcast
    from gongzufang.models import User
    from gongzufang.models.users import Role

    from .models import Feedback
    from .notifications import escalation_summary

    numbers = list(Feedback.objects.filter(pk__in=feedback_ids).order_by("number").values_list("number", flat=True))
    if not numbers:
        return 0
    title, body = escalation_summary(numbers)
    staff = list(User.objects.filter(role=Role.CITY_CASEWORKER, is_active=True))
    return site_messages_broadcast(recipients=staff, title=title, body=body)
