"""Every write of the notifications app (STYLE.md): in-site messages, reminders and text messages.
Every app sends through these; none writes `SiteMessage` or `SmsOutbox` itself.

Idempotency is by key, enforced by the database: a message with a `dedup_key` is written once
(`message_send` returns None for a second send), a reminder once per (recipient, kind, subject, day),
and a text message with a `dedup_key` goes out once (a retry after a gateway failure sends it; a
retry after success does not).
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import selectors
from notifications.models import SiteMessage, SmsOutbox
from notifications.sms import SIGN, SmsSendError, get_backend
from notifications.subjects import dedup_key as subject_key

logger = logging.getLogger(__name__)

__all__ = ["SmsSendError", "message_send", "messages_broadcast", "messages_mark_read", "reminder_key",
           "reminder_send", "sms_send"]


# --- in-site messages (站内消息) --------------------------------------------------------------------


def message_send(*, recipient, title: str, body: str, subject=None, dedup_key: str | None = None,
                 kind: str = "", day: datetime.date | None = None) -> SiteMessage | None:
    """One in-site message to `recipient`, about `subject` (any model instance) if given. With a
    `dedup_key` ("applications.applicationstatuschange:123") a second send writes nothing and
    returns None, also when two senders race (the key is unique in the database)."""
    message = SiteMessage(recipient=recipient, subject=subject, title=title[:100], body=body,
                          kind=kind[:40], day=day, dedup_key=dedup_key or None)
    if message.dedup_key is None:
        message.save()
        return message
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        if SiteMessage.objects.filter(dedup_key=message.dedup_key).exists():
            return None
        raise
    return message


def reminder_key(*, recipient, kind: str, day: datetime.date, subject=None) -> str:
    about = subject_key(subject) if subject is not None else "-"
    return f"reminder:{kind}:{recipient.pk}:{about}:{day.isoformat()}"


def reminder_send(*, recipient, kind: str, title: str, body: str, subject=None,
                  day: datetime.date | None = None) -> SiteMessage | None:
    """A reminder of `kind` (e.g. "review.deadlines"): at most one per recipient, kind, subject and
    day, however often the job runs (None when it was already sent)."""
    day = day or timezone.localdate()
    return message_send(recipient=recipient, title=title, body=body, subject=subject, kind=kind, day=day,
                        dedup_key=reminder_key(recipient=recipient, kind=kind, day=day, subject=subject))


def messages_broadcast(*, recipients, title: str, body: str, subject=None) -> int:
    """The same message to several people (e.g. every city caseworker); returns how many."""
    rows = SiteMessage.objects.bulk_create(
        SiteMessage(recipient=r, subject=subject, title=title[:100], body=body) for r in recipients)
    return len(rows)


def messages_mark_read(*, user, message=None) -> int:
    """Mark one of the user's messages read, or all of them; returns how many changed."""
    unread = selectors.messages_for(user).filter(read_at__isnull=True)
    if message is not None:
        unread = unread.filter(pk=message.pk)
    return unread.update(read_at=timezone.now())


# --- text messages (短信) ---------------------------------------------------------------------------


def sms_send(*, phone: str, text: str, purpose: str = "", sensitive: bool = False,
             dedup_key: str | None = None) -> SmsOutbox:
    """Send one text message and record it in the outbox. A gateway failure is recorded too and then
    raises `SmsSendError` (its `row` is the failed record), so a task can retry. With a `dedup_key`,
    a message that already went out is not sent again (its record is returned)."""
    if dedup_key:
        sent = SmsOutbox.objects.filter(dedup_key=dedup_key, ok=True).first()
        if sent is not None:
            return sent
    backend = get_backend()
    text = text if text.startswith(SIGN) else SIGN + text
    row = SmsOutbox(phone=phone, purpose=purpose[:24], backend=backend.name[:40], dedup_key=dedup_key or None,
                    text=text if (backend.keeps_sensitive_text or not sensitive) else "（验证码短信，内容不留存）")
    try:
        row.provider_id = backend.send(phone, text) or ""
    except SmsSendError as exc:
        row.ok, row.error = False, str(exc)[:200]
        row.save()
        logger.warning("SMS to %s failed: %s", phone, exc)
        exc.row = row
        raise
    if row.dedup_key is None:
        row.save()
        return row
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent run sent it as well; keep the first record
        logger.warning("SMS %s was sent twice by concurrent runs", dedup_key)
        return SmsOutbox.objects.get(dedup_key=dedup_key, ok=True)
    return row
