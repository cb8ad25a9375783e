"""Caseworkers' admin for the housing stock. Every list and change page is scoped to the user's
district (`DistrictScopedAdminMixin`); every write goes through housing.services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from gongzufang.admin.exports import ExportForm
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError
from gongzufang.models import District

from . import services
from .forms import EstatePhotoForm, TransitionForm, UnitAdminForm, UnitPhotoForm
from .models import Building, Estate, EstatePhoto, EstateStatusChange, Renovation, Unit, UnitPhoto, UnitStatusChange
from .resources import UnitResource

# ---------------------------------------------------------------- list filters


class DistrictFilter(admin.SimpleListFilter):
    """Districts the user may see; hidden for a user who sees only one."""

    title = _("区县")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        districts = list(District.objects.for_user(request.user).values_list("pk", "name"))
        return districts if len(districts) > 1 else []

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(**{self.field_path: int(self.value())})
            except ValueError:
                return queryset.none()
        return queryset

    field_path = "district_id"


class EstateFilter(admin.SimpleListFilter):
    """Estates of the chosen district (or of the user's own); a city-wide list of hundreds would not help."""

    title = _("小区")
    parameter_name = "estate"

    def lookups(self, request, model_admin):
        estates = Estate.objects.for_user(request.user)
        district = request.GET.get("district")
        if district and district.isdigit():
            estates = estates.filter(district_id=int(district))
        elif estates.count() > 100:
            return []
        return list(estates.order_by("name").values_list("pk", "name"))

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(estate_id=int(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


class EstateDistrictFilter(DistrictFilter):
    field_path = "estate__district_id"


# ---------------------------------------------------------------- inlines


class EstatePhotoInline(admin.TabularInline):
    model = EstatePhoto
    form = EstatePhotoForm
    extra = 0
    fields = ["preview", "image", "caption", "sort_order"]
    readonly_fields = ["preview"]

    @admin.display(description=_("预览"))
    def preview(self, obj):
        if not obj.pk:
            return "-"
        from django.urls import reverse

        return format_html('<img src="{}" alt="" style="max-height:80px">', reverse("housing:estate_photo", args=[obj.pk]))


class UnitPhotoInline(EstatePhotoInline):
    model = UnitPhoto
    form = UnitPhotoForm

    @admin.display(description=_("预览"))
    def preview(self, obj):
        if not obj.pk:
            return "-"
        from django.urls import reverse

        return format_html('<img src="{}" alt="" style="max-height:80px">', reverse("housing:unit_photo", args=[obj.pk]))


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0
    fields = ["name", "floors", "has_lift"]
    show_change_link = True


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UnitStatusChangeInline(_ReadOnlyInline):
    model = UnitStatusChange
    fields = ["created_at", "field", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name_plural = _("状态变更记录")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class EstateStatusChangeInline(_ReadOnlyInline):
    model = EstateStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name_plural = _("公开状态变更记录")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class RenovationInline(_ReadOnlyInline):
    model = Renovation
    fields = ["kind", "title", "started_on", "finished_on", "units_count", "cost", "contractor"]
    readonly_fields = fields
    show_change_link = True


# ---------------------------------------------------------------- transitions with a reason


def _transition_page(modeladmin, request, queryset, *, title, run, opinion_required, action):
    """Ask why on an intermediate page, then run the service and report done and skipped."""
    if "apply" in request.POST:
        form = TransitionForm(request.POST, opinion_required=opinion_required)
        if form.is_valid():
            try:
                result = run(queryset, request.user, form.cleaned_data["opinion"])
            except PortalError as exc:
                modeladmin.message_user(request, exc.message, messages.ERROR)
                return None
            if result.changed:
                modeladmin.message_user(
                    request, ngettext("%(n)d 条记录已处理。", "%(n)d 条记录已处理。", len(result.changed)) % {"n": len(result.changed)},
                    messages.SUCCESS,
                )
            if result.skipped:
                reasons = {}
                for reason in result.skipped.values():
                    reasons[reason] = reasons.get(reason, 0) + 1
                detail = "；".join(f"{reason}（{n} 条）" for reason, n in reasons.items())
                modeladmin.message_user(
                    request, _("%(n)d 条记录未处理：%(detail)s") % {"n": len(result.skipped), "detail": detail},
                    messages.WARNING,
                )
            return None
    else:
        form = TransitionForm(opinion_required=opinion_required)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset[:50],
        "count": queryset.count(),
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "action": action,
        "opts": modeladmin.model._meta,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/housing/transition_confirm.html", context)


def _require_change(modeladmin, request):
    if not modeladmin.has_change_permission(request):
        raise PermissionDenied


# ---------------------------------------------------------------- estates and buildings


@admin.register(Estate)
class EstateAdmin(DistrictScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "district", "street", "unit_total", "is_published", "published_at"]
    list_filter = [DistrictFilter, "is_published"]
    search_fields = ["name", "address"]
    list_select_related = ["district", "street__district"]
    readonly_fields = ["district", "is_published", "published_at"]
    fieldsets = [
        (None, {"fields": ["name", "street", "district", "address", ("latitude", "longitude"), "built_year"]}),
        (_("介绍"), {"fields": ["description", "facilities"]}),
        (_("租金与公开"), {"fields": ["rent_per_sqm", "is_published", "published_at"]}),
    ]
    inlines = [BuildingInline, EstatePhotoInline, RenovationInline, EstateStatusChangeInline]
    actions = ["publish", "withdraw"]
    show_full_result_count = False

    def get_queryset(self, request):
        # A correlated count per listed estate (an index scan each), not a join of the whole stock.
        units = Unit.objects.filter(estate=OuterRef("pk")).order_by().values("estate").annotate(n=Count("*")).values("n")
        return super().get_queryset(request).annotate(unit_total=Coalesce(Subquery(units), 0))

    @admin.display(description=_("房屋套数"), ordering="unit_total")
    def unit_total(self, obj):
        return obj.unit_total

    def save_model(self, request, obj, form, change):
        services.estate_save(estate=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if isinstance(obj, Building):
                services.building_save(building=obj, actor=request.user)
            else:
                if isinstance(obj, EstatePhoto) and not obj.pk:
                    obj.uploaded_by = request.user
                obj.save()
        formset.save_m2m()

    @admin.action(description=_("公开所选小区"))
    def publish(self, request, queryset):
        _require_change(self, request)
        done = 0
        for estate in queryset.filter(is_published=False):
            services.estate_publish(estate=estate, actor=request.user, opinion=_("管理后台公开"))
            done += 1
        self.message_user(request, _("已公开 %(n)d 个小区。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("取消公开所选小区"))
    def withdraw(self, request, queryset):
        _require_change(self, request)
        done = 0
        for estate in queryset.filter(is_published=True):
            services.estate_withdraw(estate=estate, actor=request.user, opinion=_("管理后台取消公开"))
            done += 1
        self.message_user(request, _("已取消公开 %(n)d 个小区。") % {"n": done}, messages.SUCCESS)


@admin.register(Building)
class BuildingAdmin(DistrictScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "estate", "floors", "has_lift"]
    list_filter = [EstateDistrictFilter, "has_lift"]
    search_fields = ["name", "estate__name"]
    list_select_related = ["estate"]
    autocomplete_fields = ["estate"]

    def save_model(self, request, obj, form, change):
        services.building_save(building=obj, actor=request.user)


# ---------------------------------------------------------------- units


@admin.register(Unit)
class UnitAdmin(DistrictScopedAdminMixin, ImportExportMixin, SimpleHistoryAdmin):
    form = UnitAdminForm
    resource_classes = [UnitResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    export_form_class = ExportForm  # column headings in Chinese
    list_display = [
        "number", "estate", "building_name", "floor", "area", "bedrooms", "monthly_rent", "furnished",
        "status", "listing",
    ]
    list_filter = [DistrictFilter, EstateFilter, "status", "listing", "bedrooms", "furnished", "has_lift"]
    search_fields = ["number", "estate__name", "building__name"]
    list_select_related = ["estate", "building"]
    autocomplete_fields = ["building"]
    readonly_fields = ["estate", "district", "has_lift", "monthly_rent", "status", "listing", "published_at"]
    fieldsets = [
        (None, {"fields": ["building", "estate", "district", "number", "floor", "has_lift"]}),
        (_("户型"), {"fields": ["area", "bedrooms", "layout", "orientation", "furnished", "description", "floor_plan"]}),
        (_("租金"), {"fields": ["rent_per_sqm", "monthly_rent"]}),
        (_("状态"), {"fields": ["status", "listing", "published_at"]}),
    ]
    inlines = [UnitPhotoInline, UnitStatusChangeInline]
    actions = ["publish", "withdraw", "mark_vacant", "mark_maintenance", "mark_offline"]
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) of the whole stock on every page is not needed

    def get_queryset(self, request):
        # select_related also for the autocomplete used by renovation records (str() needs both)
        return super().get_queryset(request).select_related("estate", "building")

    # Excel: the caseworker's own district only (the resource is scoped to the user), and only
    # for those who may add and change units; export for those who may view them.
    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("district")

    @admin.display(description=_("楼栋"), ordering="building__name")
    def building_name(self, obj):
        return obj.building.name

    def save_model(self, request, obj, form, change):
        services.unit_save(unit=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if isinstance(obj, UnitPhoto) and not obj.pk:
                obj.uploaded_by = request.user
            obj.save()
        formset.save_m2m()

    def _transition(self, request, queryset, *, title, run, opinion_required, action):
        _require_change(self, request)
        return _transition_page(
            self, request, queryset, title=title, run=run, opinion_required=opinion_required, action=action
        )

    @admin.action(description=_("发布所选房屋"))
    def publish(self, request, queryset):
        return self._transition(
            request, queryset, title=_("发布房源"), opinion_required=False, action="publish",
            run=lambda qs, user, why: services.units_publish_bulk(units=qs, actor=user, opinion=why),
        )

    @admin.action(description=_("撤回所选房屋的发布"))
    def withdraw(self, request, queryset):
        return self._transition(
            request, queryset, title=_("撤回房源"), opinion_required=True, action="withdraw",
            run=lambda qs, user, why: services.units_withdraw_bulk(units=qs, actor=user, opinion=why),
        )

    def _status_action(self, request, queryset, status, title, action):
        return self._transition(
            request, queryset, title=title, opinion_required=True, action=action,
            run=lambda qs, user, why: services.units_set_status_bulk(units=qs, to_status=status, actor=user, opinion=why),
        )

    @admin.action(description=_("设为空置可配"))
    def mark_vacant(self, request, queryset):
        return self._status_action(request, queryset, Unit.Status.VACANT, _("设为空置可配"), "mark_vacant")

    @admin.action(description=_("设为维修中"))
    def mark_maintenance(self, request, queryset):
        return self._status_action(request, queryset, Unit.Status.MAINTENANCE, _("设为维修中"), "mark_maintenance")

    @admin.action(description=_("设为停用"))
    def mark_offline(self, request, queryset):
        return self._status_action(request, queryset, Unit.Status.OFFLINE, _("设为停用"), "mark_offline")


@admin.register(Renovation)
class RenovationAdmin(DistrictScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "estate", "kind", "started_on", "finished_on", "units_count", "cost", "contractor"]
    list_filter = ["kind", EstateDistrictFilter]
    search_fields = ["title", "estate__name", "contractor"]
    list_select_related = ["estate"]
    autocomplete_fields = ["estate", "units"]
    date_hierarchy = "started_on"
