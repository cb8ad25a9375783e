"""Notifications, shared by every app (DESIGN §14): in-site messages about any object, the SMS
outbox and gateway adapter, and the message centre. Domain apps send through `notifications.services`;
this app imports no domain app (it knows the objects a message is about only by content type)."""
