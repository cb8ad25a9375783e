"""Pieces of the caseworkers' application list (issue 5): deadline, district and street filters that
offer only the user's own area, one search over number, name, phone and full ID number, and the
Excel export of the filtered list. `applications/admin.py` wires them into `ApplicationAdmin`:

    list_filter = ["status", DistrictFilter, StreetFilter, "category", "assistance_type", OverdueFilter]
    class ApplicationAdmin(DistrictScopedAdminMixin, ApplicationAdminToolsMixin, admin.ModelAdmin): ...

`ApplicationAdminToolsMixin` brings the search (`get_search_results`), the export (import-export's
`ExportMixin`, XLSX and CSV, through the same scoped, filtered and searched queryset as the list) and
a `review_form_link` read-only field (the printable 审核表).
"""

import re

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from applications.models import Application, HouseholdMember, Status
from gongzufang.admin.exports import ExportForm
from gongzufang.idnumber import validate_id_number
from gongzufang.models import District, Street
from gongzufang.parameters import param
from gongzufang.pii import mask_id_number, mask_phone, pii_hash
from gongzufang.workdays import add_workdays

# Statuses whose step clock is not running: finished, paused for correction, or in the notice period.
NO_STEP_CLOCK = [Status.DRAFT, Status.RETURNED_FOR_CORRECTION, Status.PUBLIC_NOTICE, Status.APPROVED,
                 Status.REJECTED, Status.WITHDRAWN]
_NUMERALS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}


# --- deadlines -----------------------------------------------------------------------------------


def due_soon_limit(today):
    """The last date counted as "due soon": `review.due_soon_workdays` working days after today."""
    return add_workdays(today, param("review.due_soon_workdays", on=today))


def running_clock(queryset):
    return queryset.filter(step_due_on__isnull=False).exclude(status__in=NO_STEP_CLOCK)


def filter_by_due(queryset, value, *, today=None):
    """`overdue`: the step's deadline has passed; `soon`: it falls today or within the due-soon working
    days; `normal`: later than that. Applications whose clock is not running are in none of them."""
    today = today or timezone.localdate()
    running = running_clock(queryset)
    if value == "overdue":
        return running.filter(step_due_on__lt=today)
    if value == "soon":
        return running.filter(step_due_on__gte=today, step_due_on__lte=due_soon_limit(today))
    if value == "normal":
        return running.filter(step_due_on__gt=due_soon_limit(today))
    return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "办理期限"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        days = param("review.due_soon_workdays")
        return [("overdue", "逾期"), ("soon", f"{_NUMERALS.get(days, days)}个工作日内到期"), ("normal", "正常")]

    def queryset(self, request, queryset):
        return filter_by_due(queryset, self.value()) if self.value() else queryset


# --- places (only the user's own area is offered) ------------------------------------------------


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class DistrictFilter(admin.SimpleListFilter):
    """Districts in the user's scope; hidden when that is only one."""

    title = "区县"
    parameter_name = "district"

    def lookups(self, request, model_admin):
        districts = list(District.objects.for_user(request.user).order_by("sort_order", "code")
                         .values_list("pk", "name"))
        return districts if len(districts) > 1 else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        pk = _as_int(self.value())
        return queryset.filter(district_id=pk) if pk else queryset.none()


class StreetFilter(admin.SimpleListFilter):
    """Streets in the user's scope (of the district chosen, if one is); hidden when only one."""

    title = "街道/镇"
    parameter_name = "street"

    def lookups(self, request, model_admin):
        streets = Street.objects.for_user(request.user).select_related("district")
        district = _as_int(request.GET.get(DistrictFilter.parameter_name))
        if district:
            streets = streets.filter(district_id=district)
        streets = list(streets.order_by("district__sort_order", "code"))
        city_wide = len({s.district_id for s in streets}) > 1
        choices = [(s.pk, f"{s.district.name} {s.name}" if city_wide else s.name) for s in streets]
        return choices if len(choices) > 1 else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        pk = _as_int(self.value())
        return queryset.filter(street_id=pk) if pk else queryset.none()


# --- search --------------------------------------------------------------------------------------


# An 18-character term that looks like a resident ID number (typed in the GET search box).
ID_LIKE_RE = re.compile(r"^\d{17}[\dXx]$")
ID_IN_URL_MESSAGE = ("为保护个人信息，身份证号码不能在搜索框（网址）中查询，请使用“按身份证号查找”表单；"
                     "本次未按身份证号码查找。")


def looks_like_id_number(term: str) -> bool:
    return bool(ID_LIKE_RE.match((term or "").strip().replace(" ", "")))


def search_applications(queryset, term: str):
    """Applications whose number, applicant's name or phone contains the term. Never by ID number: the
    GET search puts its term in the URL and so in every access log (issue 12, item 2); a full ID
    number is searched through the POST form (`find_by_id_number`), and an ID-like term finds nothing."""
    term = (term or "").strip()
    if not term:
        return queryset
    if looks_like_id_number(term):
        return queryset.none()
    match = (Q(number__icontains=term) | Q(applicant__real_name__icontains=term)
             | Q(household__members__name=term))
    digits = term.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 4:
        match |= Q(applicant__phone__contains=digits)
    # household__members__name joins the members: keep each application once.
    return queryset.filter(pk__in=queryset.filter(match).values("pk"))


def id_number_digest(term: str) -> str:
    """The keyed hash of a valid ID number (raises ValidationError with its Chinese message)."""
    return pii_hash(validate_id_number(term))


def find_by_digest(queryset, digest: str):
    """Applications whose applicant or any household member has the ID number of this keyed hash
    (ID numbers are stored encrypted, so only an exact, whole number finds anything)."""
    member = HouseholdMember.objects.filter(household_id=OuterRef("household_id"), id_number_hash=digest)
    return queryset.filter(Q(applicant__id_number_hash=digest) | Exists(member))


def find_by_id_number(queryset, id_number: str):
    return find_by_digest(queryset, id_number_digest(id_number))


class IdSearchFilter(admin.SimpleListFilter):
    """The result of a "按身份证号查找" POST: `?id_search=<token>`, a random token the session maps to
    the number's keyed hash, so neither the number nor its hash is in the URL. Shown only when used."""

    title = "按身份证号查找"
    parameter_name = "id_search"
    SESSION_KEY = "applications:id_search"

    def lookups(self, request, model_admin):
        return [(self.value(), "本次查找的结果")] if self.value() else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        digest = request.session.get(self.SESSION_KEY, {}).get(self.value())
        return find_by_digest(queryset, digest) if digest else queryset.none()


# --- export --------------------------------------------------------------------------------------

# A cell a spreadsheet would run as a formula (=, +, -, @, or a leading tab/CR) is written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class ApplicationResource(resources.ModelResource):
    """Export only (applications are written through the services); ID numbers and phones masked."""

    number = fields.Field(attribute="number", column_name="申请编号")
    applicant_name = fields.Field(column_name="申请人")
    id_number = fields.Field(column_name="身份证号码")
    phone = fields.Field(column_name="手机号")
    member_count = fields.Field(column_name="家庭人口")
    assistance_type = fields.Field(column_name="保障方式")
    category = fields.Field(column_name="保障对象类别")
    status = fields.Field(column_name="状态")
    district = fields.Field(attribute="district__name", column_name="区县")
    street = fields.Field(attribute="street__name", column_name="街道/镇")
    housing_address = fields.Field(attribute="housing_address", column_name="现住址")
    submitted_at = fields.Field(column_name="提交时间")
    accepted_at = fields.Field(column_name="受理时间")
    step_due_on = fields.Field(column_name="本环节期限")
    overdue = fields.Field(column_name="逾期")
    due_on = fields.Field(column_name="审批期限")
    notice = fields.Field(column_name="公示期")
    decided_at = fields.Field(column_name="决定时间")
    processing_workdays = fields.Field(attribute="processing_workdays", column_name="办理用时（工作日）")

    class Meta:
        model = Application
        fields = ["number", "applicant_name", "id_number", "phone", "member_count", "assistance_type", "category",
                  "status", "district", "street", "housing_address", "submitted_at", "accepted_at", "step_due_on",
                  "overdue", "due_on", "notice", "decided_at", "processing_workdays"]
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.today = timezone.localdate()

    def get_queryset(self):
        return (Application.objects.for_staff(self.user).select_related("applicant", "district", "street")
                .prefetch_related("household__members"))

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def dehydrate_applicant_name(self, obj):
        return obj.applicant.real_name or obj.applicant.username

    def dehydrate_id_number(self, obj):
        return mask_id_number(obj.applicant.id_number or "")

    def dehydrate_phone(self, obj):
        return mask_phone(obj.applicant.phone or "")

    def dehydrate_member_count(self, obj):
        return len(obj.household.members.all())

    def dehydrate_assistance_type(self, obj):
        return obj.get_assistance_type_display()

    def dehydrate_category(self, obj):
        return obj.get_category_display()

    def dehydrate_status(self, obj):
        return obj.get_status_display()

    def dehydrate_submitted_at(self, obj):
        return _when(obj.submitted_at)

    def dehydrate_accepted_at(self, obj):
        return _when(obj.accepted_at)

    def dehydrate_step_due_on(self, obj):
        return obj.step_due_on.isoformat() if obj.step_due_on else ""

    def dehydrate_overdue(self, obj):
        running = obj.step_due_on and obj.status not in NO_STEP_CLOCK
        return "是" if running and obj.step_due_on < self.today else ""

    def dehydrate_due_on(self, obj):
        if not obj.due_on:
            return ""
        return obj.due_on.isoformat() + ("（暂定）" if obj.deadline_provisional else "")

    def dehydrate_notice(self, obj):
        if not obj.notice_starts_on:
            return ""
        return f"{obj.notice_starts_on.isoformat()} 至 {obj.notice_ends_on.isoformat() if obj.notice_ends_on else ''}"

    def dehydrate_decided_at(self, obj):
        return _when(obj.decided_at)


# --- the mixin for ApplicationAdmin ---------------------------------------------------------------


def review_form_url(application) -> str:
    return reverse("applications:staff_review_form", args=[application.pk])


class ApplicationAdminToolsMixin(ExportMixin):
    resource_classes = [ApplicationResource]
    export_form_class = ExportForm  # the dialog names each column by its Chinese heading
    formats = [base_formats.XLSX, base_formats.CSV]

    def get_search_results(self, request, queryset, search_term):
        if looks_like_id_number(search_term):
            messages.warning(request, ID_IN_URL_MESSAGE, fail_silently=True)
        return search_applications(queryset, search_term), False

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def get_export_queryset(self, request):
        return (super().get_export_queryset(request).select_related("applicant", "district", "street")
                .prefetch_related("household__members"))

    @admin.display(description="审核表")
    def review_form_link(self, obj):
        if obj is None or not obj.pk:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">打印审核表（PDF）</a>', review_form_url(obj))
