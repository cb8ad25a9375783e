"""Public pages: the 信息浏览 hub and the guide to the forms of assistance (办事指南)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from gongzufang.guide_forms import AssistanceChoiceForm
from gongzufang.models.guide import CATEGORY_CHOICES
from gongzufang.selectors import guide as selectors
from gongzufang.selectors.articles import latest_articles

# The unit search belongs to the housing app; its url name is looked up, not assumed.
UNIT_SEARCH_URL_NAMES = ("unit_search", "housing:unit_search", "housing:unit_list", "unit_list")


def unit_search_url():
    for name in UNIT_SEARCH_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


@require_GET
def info(request):
    return render(request, "info/index.html", {
        "unit_search_url": unit_search_url(), "latest": latest_articles(5), "forms": selectors.assistance_forms(),
    })


@require_GET
def guide(request):
    chooser = AssistanceChoiceForm(request.GET or None)
    if chooser.is_bound and chooser.is_valid():
        form_code, category = chooser.cleaned_data["choice"]
        return redirect(f"{reverse('guide_detail', args=[form_code])}?category={category}")
    return render(request, "guide/index.html", {"forms": selectors.assistance_forms(), "chooser": chooser})


@require_GET
def guide_detail(request, code):
    form = selectors.assistance_form_detail(code)
    category = request.GET.get("category") or None
    categories = list(form.categories.all())
    if category is not None and category not in {c.category for c in categories}:
        raise Http404
    labels = dict(CATEGORY_CHOICES)
    return render(request, "guide/detail.html", {
        "form": form, "categories": categories, "category": category, "category_label": labels.get(category, ""),
        "conditions": selectors.conditions_for(form, category=category),
        "materials": list(form.materials.all()), "steps": list(form.steps.all()),
    })
