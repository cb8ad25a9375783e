"""Reads of the guide to the forms of assistance (保障方式).

`assistance_category_choices()` is the one list of (form, category) options an applicant picks
from — on the guide and in the application wizard — so a form never shows without its categories.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from gongzufang.models import (
    AssistanceCategory,
    AssistanceCondition,
    AssistanceForm,
    AssistanceMaterial,
    AssistanceStep,
    PolicyParameter,
)
from gongzufang.parameters import MATERIAL_KINDS, PARAMETERS, parse_value

CHOICE_SEPARATOR = ":"
_PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")


def _categories():
    return Prefetch("categories", queryset=AssistanceCategory.objects.order_by("sort_order", "id"))


def parameter_values(*, on=None) -> dict:
    """{key: value as shown} of every city-wide policy parameter in force on `on`, in one query."""
    on = on or timezone.localdate()
    values = {}
    rows = (
        PolicyParameter.objects.filter(district__isnull=True, effective_from__lte=on)
        .order_by("key", "-effective_from")
        .values_list("key", "value")
    )
    for key, raw in rows:
        if key in PARAMETERS and key not in values:
            values[key] = raw
    for key, definition in PARAMETERS.items():
        values.setdefault(key, definition.default)
    return {key: _shown(key, raw) for key, raw in values.items()}


def _shown(key, raw):
    try:
        value = parse_value(key, raw)
    except ValidationError:
        return raw
    if isinstance(value, list):
        return "、".join(MATERIAL_KINDS.get(c, c) for c in value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral_value() else str(value)
    return str(value)


def render_text(text, values):
    """`text` with each `{parameter.key}` replaced by its value (unknown keys are left as they are)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def assistance_forms(*, on=None):
    """Published forms with their categories (three queries); texts rendered as `*_text`."""
    forms = list(AssistanceForm.objects.public().order_by("sort_order", "code").prefetch_related(_categories()))
    values = parameter_values(on=on)
    for form in forms:
        form.summary_text = render_text(form.summary, values)
        for category in form.categories.all():
            category.description_text = render_text(category.description, values)
    return forms


def assistance_form_detail(code, *, on=None) -> AssistanceForm:
    """One published form with categories, conditions, materials and steps (six queries);
    texts rendered as `*_text` with the parameter values in force."""
    try:
        form = AssistanceForm.objects.public().prefetch_related(
            _categories(),
            Prefetch("conditions", queryset=AssistanceCondition.objects.order_by("sort_order", "id")),
            Prefetch("materials", queryset=AssistanceMaterial.objects.order_by("sort_order", "id")),
            Prefetch("steps", queryset=AssistanceStep.objects.order_by("sort_order", "id")),
        ).get(code=code)
    except AssistanceForm.DoesNotExist:
        raise Http404 from None
    values = parameter_values(on=on)
    form.summary_text = render_text(form.summary, values)
    for category in form.categories.all():
        category.description_text = render_text(category.description, values)
    for condition in form.conditions.all():
        condition.text_rendered = render_text(condition.text, values)
    for material in form.materials.all():
        material.description_text = render_text(material.description, values)
    for step in form.steps.all():
        step.description_text = render_text(step.description, values)
        step.time_limit_text = render_text(step.time_limit, values)
    return form


def conditions_for(form: AssistanceForm, *, category=None):
    """A detail form's conditions that apply to `category` (all when None): general ones and
    that category's own."""
    return [c for c in form.conditions.all() if category is None or c.category in ("", category)]


def choice_value(form_code, category_code):
    return f"{form_code}{CHOICE_SEPARATOR}{category_code}"


def parse_choice(value):
    """(form code, category code) from a choice value; ValueError if malformed."""
    form_code, sep, category_code = str(value).partition(CHOICE_SEPARATOR)
    if not sep or not form_code or not category_code:
        raise ValueError(value)
    return form_code, category_code


def assistance_category_choices():
    """Grouped choices for a ChoiceField: [(form name, [("unit:low_income", "低收入"), …]), …].

    Every published form appears with each of its categories; a form without categories is left
    out (an applicant could not choose it). Two queries."""
    forms = AssistanceForm.objects.public().order_by("sort_order", "code").prefetch_related(_categories())
    return [
        (form.name, [(choice_value(form.code, c.category), c.get_category_display()) for c in form.categories.all()])
        for form in forms
        if form.categories.all()
    ]
