"""Background work of applications. Tasks take ids, are idempotent and call services."""

from celery import shared_task
from django.db import IntegrityError, transaction

from applications.crosscheck.tasks import cross_check_application, cross_check_sweep  # noqa: F401  (registered with Celery)
from applications.notifications import status_change_message


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def notify_status_change(self, change_id: int):
    """In-site message and SMS for one status change; a second run sends nothing more."""
    from applications.models import ApplicationStatusChange
    from applications.services import site_message_send
    from applications.sms import send_sms

    change = (ApplicationStatusChange.objects.select_related("application__applicant")
              .filter(pk=change_id).first())
    if change is None:
        return False
    application = change.application
    title, body, sms_text = status_change_message(change)
    try:
        with transaction.atomic():
            site_message_send(recipient=application.applicant, application=application, status_change=change,
                              title=title, body=body)
    except IntegrityError:  # already sent by an earlier run
        return False
    phone = application.applicant.phone
    if phone:
        send_sms(phone=phone, text=sms_text, purpose=f"status:{change.to_status}")
    return True


@shared_task
def close_finished_notices():
    """Daily: notices whose period has ended, with no open objection, go on to city review."""
    from applications.review.services import close_finished_notices as close

    return close()


@shared_task
def remind_review_deadlines():
    """Daily: tell the staff responsible for each step what is due soon or overdue (one message a
    person a day, so a second run sends nothing)."""
    from applications.review.reminders import send_deadline_reminders

    return send_deadline_reminders()
