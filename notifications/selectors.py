"""Reads of the notifications app: the message centre."""

from notifications.models import SiteMessage, SmsOutbox
from notifications.subjects import kind_of


def messages_for(user):
    """The user's own messages; anyone else's are not found (the detail page answers 404)."""
    return SiteMessage.objects.filter(recipient=user)


def unread_message_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return SiteMessage.objects.filter(recipient=user, read_at__isnull=True).count()


def message_link(message) -> tuple[str, str] | None:
    """(url, link text) of the page about what the message is about, if its app registered one."""
    if message.content_type_id is None:
        return None
    subject = message.subject
    kind = kind_of(subject)
    if kind is None:
        return None
    return kind.url(subject), kind.link_text


def sms_sent(dedup_key: str) -> bool:
    """Whether the text message named by `dedup_key` already went out."""
    return SmsOutbox.objects.filter(dedup_key=dedup_key, ok=True).exists()
