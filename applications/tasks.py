"""Background work of applications shared by the rooms, and the one module Celery's autodiscovery
imports for this app: it imports the rooms' task modules so that their tasks are registered.

Tasks take ids, are idempotent and call services. Every task has an explicit, stable `name=`
(services enqueue by that name through `gongzufang.jobs`; the beat schedule stores it).
"""

from celery import shared_task

from applications.crosscheck import tasks as crosscheck_tasks  # noqa: F401  (registers the tasks)
from applications.models import ApplicationStatusChange
from applications.review import tasks as review_tasks  # noqa: F401  (registers the tasks)
from applications.review.messages import status_change_message
from notifications.selectors import sms_sent
from notifications.services import SmsSendError, message_send, sms_send
from notifications.subjects import dedup_key


@shared_task(bind=True, autoretry_for=(SmsSendError,), retry_backoff=30, retry_backoff_max=1800, retry_jitter=True,
             max_retries=6, name="applications.tasks.notify_status_change")
def notify_status_change(self, change_id: int) -> bool:
    """In-site message and SMS for one status change. Both are keyed by the change, so a run after a
    gateway failure (retried with back-off) sends only the SMS, and a second run sends nothing
    (returns False: nothing was sent)."""
    change = (ApplicationStatusChange.objects.select_related("application__applicant")
              .filter(pk=change_id).first())
    if change is None:
        return False
    application = change.application
    title, body, sms_text = status_change_message(change)
    key = dedup_key(change)
    sent = message_send(recipient=application.applicant, subject=application, dedup_key=key,
                        title=title, body=body) is not None
    phone = application.applicant.phone
    if phone and not sms_sent(key):
        sms_send(phone=phone, text=sms_text, purpose=f"status:{change.to_status}", dedup_key=key)
        sent = True
    return sent
