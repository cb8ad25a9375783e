"""The reusable choice of a form of assistance and eligibility category (保障方式 + 保障对象类别).

Used on the public guide ("which applies to me?") and by the application wizard. Options are read
when the form is built, so categories added in the admin show at once.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzufang.selectors.guide import assistance_category_choices, parse_choice


class AssistanceCategoryField(forms.ChoiceField):
    """A radio list grouped by form of assistance; cleans to (form code, category code)."""

    widget = forms.RadioSelect
    default_error_messages = {
        "invalid_choice": _("请选择列出的保障方式和类别。"),
        "required": _("请选择保障方式和类别。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("保障方式与保障对象类别"))
        super().__init__(choices=assistance_category_choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_choice(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class AssistanceChoiceForm(forms.Form):
    choice = AssistanceCategoryField()
