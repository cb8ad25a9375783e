"""The one way a status changes: lock, check the allowed-transition table, save, record.

Workflows with richer guards (applications, leases) use django-fsm-2 transitions; they record
through `record_status_change` below so every history looks the same: who, level, when, from,
to, why.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from gongzufang.errors import TransitionNotAllowed
from gongzufang.models.users import Level


def actor_level(actor):
    if actor is None:
        return Level.SYSTEM
    return getattr(actor, "level", Level.SYSTEM)


def record_status_change(*, log, from_status, to_status, actor, opinion=""):
    return log(
        from_status=from_status or "", to_status=to_status, actor=actor,
        actor_level=actor_level(actor), opinion=str(opinion or ""),
    )


def change_status(*, instance, to_status, actor, opinion="", allowed, log, field="status"):
    """Move `instance` to `to_status` if the table allows it from the status it has *in the
    database* (the row is locked first, so two people acting at once cannot both succeed).
    `log(**fields)` writes the status-change row. Returns the locked, updated instance."""
    with transaction.atomic():
        locked = type(instance).objects.select_for_update().get(pk=instance.pk)
        current = getattr(locked, field)
        if to_status not in allowed.get(current, set()):
            raise TransitionNotAllowed(
                _("当前状态为“%(current)s”，不能变更为“%(target)s”。")
                % {"current": _label(locked, field, current), "target": _label(locked, field, to_status)}
            )
        setattr(locked, field, to_status)
        locked.save(update_fields=[field])
        record_status_change(log=log, from_status=current, to_status=to_status, actor=actor, opinion=opinion)
    setattr(instance, field, to_status)
    return locked


def _label(obj, field, value):
    choices = dict(obj._meta.get_field(field).choices or [])
    return str(choices.get(value, value))
