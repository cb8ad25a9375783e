"""`{% choice_panel %}` on 我的轮候: the link to the choice page while a window is open, the current offer,
and the household's choices, refusals and missed windows with their reasons (allocation/choice)."""

from django import template

from allocation.choice import selectors, services
from allocation.choice.models import ChoiceWindow

register = template.Library()


@register.inclusion_tag("allocation/choice/_panel.html", takes_context=True)
def choice_panel(context):
    user = context["request"].user
    entries = list(selectors.round_entries_of(user)[:5])
    windows = [{"re": re_, "state": services.window_state(re_), "open": services.window_open(re_)} for re_ in entries]
    missed = list(ChoiceWindow.objects.filter(round_entry__in=entries).exclude(outcome="")
                  .exclude(outcome=ChoiceWindow.Outcome.CHOSEN).select_related("round_entry__round"))
    return {"windows": windows, "offers": list(selectors.offers_of(user)[:20]), "missed": missed}
