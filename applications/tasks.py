"""Background work of applications shared by the rooms, and the one module Celery's autodiscovery
imports for this app: it imports the rooms' task modules so that their tasks are registered.

Tasks take ids, are idempotent and call services. Every task has an explicit, stable `name=`
(services enqueue by that name through `gongzufang.jobs`; the beat schedule stores it).
"""

from celery import shared_task
from django.db import IntegrityError, transaction

from applications.crosscheck import tasks as crosscheck_tasks  # noqa: F401  (registers the tasks)
from applications.models import ApplicationStatusChange
from applications.notifications import status_change_message
from applications.review import tasks as review_tasks  # noqa: F401  (registers the tasks)
from applications.services import site_message_send
from applications.sms import send_sms


@shared_task(bind=True, max_retries=3, default_retry_delay=30, name="applications.tasks.notify_status_change")
def notify_status_change(self, change_id: int):
    """In-site message and SMS for one status change; a second run sends nothing more."""
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
