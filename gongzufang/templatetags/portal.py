"""Template helpers shared by every page: deadlines (marked provisional) and masked personal data."""

from django import template
from django.utils import timezone

from gongzufang import pii, workdays

register = template.Library()


@register.simple_tag
def policy_value(key, district=None):
    """The value of a dated parameter in force today, e.g. `{% policy_value "review.total_workdays" %}`:
    pages quote the figure in force, never a number written into the template."""
    from gongzufang.parameters import param

    return param(key, district=getattr(district, "pk", district))


@register.inclusion_tag("includes/deadline.html")
def deadline_badge(deadline, today=None):
    """A due date with its state: overdue, due soon (2 working days), or provisional (DESIGN §12)."""
    if deadline is None:
        return {"deadline": None}
    today = today or timezone.localdate()
    left = workdays.workdays_between(today, deadline.date)
    return {
        "deadline": deadline,
        "overdue": deadline.date < today,
        "due_soon": 0 <= left <= 2 and deadline.date >= today,
        "workdays_left": left,
        "explanation": workdays.PROVISIONAL_EXPLANATION,
    }


@register.filter
def masked_id(value):
    return pii.mask_id_number(value or "")


@register.filter
def masked_name(value):
    return pii.mask_name(value or "")
