from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_message_count


def unread_messages(request):
    """`unread_messages` for the admin header and the pages' message links, counted only if a
    template shows it (a lazy value: public pages pay nothing)."""
    user = getattr(request, "user", None)
    return {"unread_messages": SimpleLazyObject(lambda: unread_message_count(user))}
