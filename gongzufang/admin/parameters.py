from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from gongzufang.models import PolicyParameter
from gongzufang.models.parameters import LOCKED_MESSAGE
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
        if self.instance.pk is not None and self.instance.is_locked():
            raise ValidationError(LOCKED_MESSAGE)
        return data


class ParameterNameFilter(admin.SimpleListFilter):
    """The parameters by their Chinese names (the keys are for code)."""

    title = "参数"
    parameter_name = "key"

    def lookups(self, request, model_admin):
        return [(k, d.label) for k, d in sorted(PARAMETERS.items(), key=lambda item: item[1].label)]

    def queryset(self, request, queryset):
        return queryset.filter(key=self.value()) if self.value() else queryset


class InForceFilter(admin.SimpleListFilter):
    title = "是否已生效"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", "已生效（不可修改）"), ("no", "尚未生效")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.in_force()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.in_force())
        return queryset


def keys_named(term: str) -> list[str]:
    """The keys whose Chinese name (label) contains `term`."""
    return [k for k, d in PARAMETERS.items() if term and term in d.label]


@admin.register(PolicyParameter)
class PolicyParameterAdmin(SimpleHistoryAdmin):
    """Dated versions of each parameter. A row in force or used by a decision is read-only and cannot be
    deleted (the model refuses too); a correction is a new row with a later effective date."""

    form = PolicyParameterForm
    list_display = ["label", "key", "value", "unit", "district", "effective_from", "legal_source", "state"]
    list_display_links = ["label", "key"]
    list_filter = [ParameterNameFilter, InForceFilter, "effective_from", "district"]
    search_fields = ["key", "legal_source", "note", "effective_from"]
    search_help_text = "按参数名称（如“审批总时限”）、参数代码、政策依据、备注或生效日期（如 2027-01-01）查找"
    date_hierarchy = "effective_from"
    list_select_related = ["district"]
    ordering = ["key", "district_id", "-effective_from"]

    @admin.display(description="参数名称")
    def label(self, obj):
        d = PARAMETERS.get(obj.key)
        return d.label if d else "（未登记的参数）"

    @admin.display(description="单位")
    def unit(self, obj):
        d = PARAMETERS.get(obj.key)
        return d.unit if d else ""

    @admin.display(description="状态")
    def state(self, obj):
        return "已生效" if obj.effective_from <= timezone.localdate() else "尚未生效"

    def get_search_results(self, request, queryset, search_term):
        """Besides the columns, a term finds the parameters whose Chinese name contains it."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        named = keys_named(search_term.strip())
        if named:
            found = found | queryset.filter(Q(key__in=named))
        return found, may_have_duplicates

    # --- immutable once in force or used ---------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_locked():
            return False  # shown read-only to those who may view it
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_locked():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Rows are deleted one by one (only a future, unused one can be): no bulk delete of a mixed list.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.is_locked() and request.method == "GET":
            self.message_user(request, LOCKED_MESSAGE, level=messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
