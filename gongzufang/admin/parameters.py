from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from gongzufang.models import PolicyParameter
from gongzufang.parameters import PARAMETERS, parse_value


class PolicyParameterForm(forms.ModelForm):
    key = forms.ChoiceField(label="参数", choices=[])

    class Meta:
        model = PolicyParameter
        fields = ["key", "value", "effective_from", "district", "legal_source", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(k, f"{d.label}（{k}）") for k, d in PARAMETERS.items()]

    def clean(self):
        data = super().clean()
        key, value = data.get("key"), data.get("value")
        if key and value is not None:
            try:
                parse_value(key, value)
            except ValidationError as exc:
                self.add_error("value", exc)
        return data


@admin.register(PolicyParameter)
class PolicyParameterAdmin(SimpleHistoryAdmin):
    form = PolicyParameterForm
    list_display = ["key", "label", "value", "unit", "district", "effective_from", "legal_source"]
    list_filter = ["district", "key"]
    search_fields = ["key", "legal_source", "note"]
    date_hierarchy = "effective_from"
    list_select_related = ["district"]

    @admin.display(description="说明")
    def label(self, obj):
        d = PARAMETERS.get(obj.key)
        return d.label if d else "（未登记的参数）"

    @admin.display(description="单位")
    def unit(self, obj):
        d = PARAMETERS.get(obj.key)
        return d.unit if d else ""

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
