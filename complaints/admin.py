"""Caseworkers' admin for feedback: the queue (open items first, earliest due date first, so the
overdue are on top), filters, search, Excel export, row history; replying, closing and the 12345
reference are buttons that call the services and show their message when they refuse.

Scoped with `DistrictScopedAdminMixin`: a district caseworker sees their district, the city level all.
Nothing is edited in place. The submitter of a complaint about staff shows as "匿名" below the city
level — in the list, the change page, the status history, the ratings, the export and the search
(the submitter's name and phone are searchable only at city level).
"""

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaks_filter
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from gongzufang.admin.exports import ExportForm
from gongzufang.admin.readonly import ReadOnlyAdminMixin
from gongzufang.admin.readonly import ReadOnlyInlineMixin as ReadOnlyInline
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError
from gongzufang.models import District
from gongzufang.scoping import scope_of
from gongzufang.templatetags.portal import deadline_badge
from gongzufang.workdays import add_workdays

from . import selectors, services
from .forms_admin import HotlineReferenceForm, PeriodForm, RecordForm, ReplyForm
from .models import (
    ANONYMOUS_LABEL,
    Channel,
    Feedback,
    FeedbackPhoto,
    FeedbackStatusChange,
    RatedService,
    ServiceRating,
    Status,
)
from .resources import FeedbackResource


def _with_viewer(queryset, request):
    """Whether the viewer may see who submitted an anonymous complaint, on each row: display methods get
    only the row, and a ModelAdmin is shared between requests, so nothing about the request is kept on it."""
    return queryset.annotate(viewer_is_city=Value(scope_of(request.user).city_wide, output_field=BooleanField()))


def _shows_submitter(feedback, viewer_is_city) -> bool:
    return not feedback.anonymous_to_staff or bool(viewer_is_city)


class DistrictFilter(admin.SimpleListFilter):
    """Districts the user may see; hidden for a user who sees only one."""

    title = "承办区县"
    parameter_name = "district"

    def lookups(self, request, model_admin):
        districts = list(District.objects.for_user(request.user).values_list("pk", "name"))
        return districts if len(districts) > 1 else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            return queryset.filter(district_id=int(self.value()))
        except ValueError:
            return queryset.none()


class DueFilter(admin.SimpleListFilter):
    title = "答复期限"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "已超期未答复"), ("soon", "2 个工作日内到期"), ("open", "全部未答复")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "soon":
            return queryset.open().filter(reply_due__gte=today, reply_due__lte=add_workdays(today, 2))
        if self.value() == "open":
            return queryset.open()
        return queryset


class PhotoInline(ReadOnlyInline, admin.TabularInline):
    model = FeedbackPhoto
    fields = ["preview", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    verbose_name_plural = "照片"

    @admin.display(description="照片")
    def preview(self, obj):
        url = reverse("complaints:photo", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="照片" '
                           'style="max-width: 160px; max-height: 120px"></a>', url, url)


class StatusChangeInline(ReadOnlyInline, admin.TabularInline):
    model = FeedbackStatusChange
    fields = ["created_at", "from_label", "to_label", "who", "actor_level", "opinion"]
    readonly_fields = fields
    verbose_name_plural = "办理记录"

    def get_queryset(self, request):
        return _with_viewer(super().get_queryset(request).select_related("actor", "api_client", "feedback"), request)

    @admin.display(description="原状态")
    def from_label(self, obj):
        return Status(obj.from_status).label if obj.from_status in Status.values else "—"

    @admin.display(description="新状态")
    def to_label(self, obj):
        return obj.to_label

    @admin.display(description="操作人")
    def who(self, obj):
        feedback = obj.feedback
        if obj.actor_id and obj.actor_id == feedback.submitter_id and not _shows_submitter(feedback, obj.viewer_is_city):
            return ANONYMOUS_LABEL
        if obj.api_client_id:
            return str(obj.api_client)
        return str(obj.actor) if obj.actor_id else "系统"


class RatingInline(ReadOnlyInline, GenericTabularInline):
    model = ServiceRating
    ct_field, ct_fk_field = "subject_type", "subject_id"
    fields = ["service", "score", "comment", "created_at"]
    readonly_fields = fields
    verbose_name_plural = "服务评价"


@admin.register(Feedback)
class FeedbackAdmin(DistrictScopedAdminMixin, ExportMixin, SimpleHistoryAdmin):
    list_display = ["number", "kind", "category", "status", "due", "district", "handling_level", "channel",
                    "submitter_col", "submitted_at"]
    list_filter = [DueFilter, "status", "kind", "category", "channel", "handling_level", DistrictFilter]
    list_select_related = ["district", "submitter"]
    list_per_page = 50
    date_hierarchy = "submitted_at"
    resource_classes = [FeedbackResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    export_form_class = ExportForm  # column headings in Chinese
    change_form_template = "admin/complaints/feedback/change_form.html"
    change_list_template = "admin/complaints/feedback/change_list.html"
    fieldsets = [
        ("事项", {"fields": ["number", "status", "handling_level", "kind", "category", "channel", "hotline_reference",
                           "district", "related", "submitter_col", "contact", "text_block", "submitted_at",
                           "due"]}),
        ("答复与办结", {"fields": ["reply_block", "replied_at", "replier", "escalated_at", "closed_at"]}),
    ]
    inlines = [PhotoInline, StatusChangeInline, RatingInline]

    # --- the queue ---------------------------------------------------------------------------------

    def get_queryset(self, request):
        return _with_viewer(super().get_queryset(request), request)

    def get_ordering(self, request):
        # Open items first (escalated, then waiting), each by due date: the overdue come first.
        rank = Case(When(status=Status.ESCALATED, then=Value(0)), When(status=Status.SUBMITTED, then=Value(1)),
                    When(status=Status.REPLIED, then=Value(2)), default=Value(3), output_field=IntegerField())
        return [rank.asc(), "reply_due", "pk"]

    def get_search_fields(self, request):
        fields = ["number", "hotline_reference", "text", "reply"]
        if scope_of(request.user).city_wide:  # never a way to find an anonymous complainant by name
            fields += ["submitter__real_name", "submitter__phone", "contact_name", "contact_phone"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [f for _title, opts in self.fieldsets for f in opts["fields"]]

    def has_add_permission(self, request):
        return False  # recorded through the "录入" page, which calls the service

    def has_delete_permission(self, request, obj=None):
        return False

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("district", "submitter")

    # --- columns -----------------------------------------------------------------------------------

    @admin.display(description="答复期限", ordering="reply_due")
    def due(self, obj):
        if not obj.is_open:
            return format_html("{}", obj.reply_due)
        context = deadline_badge(obj.reply_deadline)
        label = "已超期" if context["overdue"] else ("即将到期" if context["due_soon"] else "")
        return format_html('<span class="deadline{}">{}{}{}</span>',
                           " overdue" if context["overdue"] else (" due-soon" if context["due_soon"] else ""),
                           obj.reply_due, f" {label}" if label else "", "（暂定）" if obj.reply_due_provisional else "")

    @admin.display(description="提交人")
    def submitter_col(self, obj):
        return obj.submitter_name if _shows_submitter(obj, obj.viewer_is_city) else ANONYMOUS_LABEL

    @admin.display(description="联系方式")
    def contact(self, obj):
        if not _shows_submitter(obj, obj.viewer_is_city):
            return ANONYMOUS_LABEL
        phone = obj.submitter.phone if obj.submitter_id else obj.contact_phone
        return phone or "—"

    @admin.display(description="涉及")
    def related(self, obj):
        parts = []
        if obj.estate_id:
            parts.append(f"小区：{obj.estate.name}" + (f" {obj.unit.number}" if obj.unit_id else ""))
        if obj.application_id:
            parts.append(f"申请：{obj.application.number}")
        return "；".join(parts) or "—"

    @admin.display(description="内容")
    def text_block(self, obj):
        return format_html("<div>{}</div>", linebreaks_filter(obj.text, autoescape=True))

    @admin.display(description="答复内容")
    def reply_block(self, obj):
        if not obj.reply:
            return "—"
        return format_html("<div>{}</div>", linebreaks_filter(obj.reply, autoescape=True))

    @admin.display(description="答复人")
    def replier(self, obj):
        if obj.replied_by_client_id:
            return f"{obj.replied_by_client}（接口）"
        return str(obj.replied_by) if obj.replied_by_id else "—"

    def changelist_view(self, request, extra_context=None):
        extra = {"can_record": self._may_record(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    # --- buttons -----------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("record/", view(self.record_view), name="complaints_feedback_record"),
            path("statistics/", view(self.statistics_view), name="complaints_feedback_statistics"),
            path("<path:object_id>/reply/", view(self.reply_view), name="complaints_feedback_reply"),
            path("<path:object_id>/close/", view(self.close_view), name="complaints_feedback_close"),
            path("<path:object_id>/hotline/", view(self.hotline_view), name="complaints_feedback_hotline"),
            *super().get_urls(),
        ]

    def _may_reply(self, request):
        return request.user.has_perm("complaints.reply_feedback")

    def _may_record(self, request):
        return request.user.has_perm("complaints.add_feedback")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {
            "show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
            "show_delete": False,
            "can_reply": obj.is_open and self._may_reply(request),
            "can_close": obj.status == Status.REPLIED and self._may_reply(request),
            "can_set_hotline": obj.channel == Channel.HOTLINE and self._may_reply(request),
            "reply_form": ReplyForm(),
            "hotline_form": HotlineReferenceForm(initial={"hotline_reference": obj.hotline_reference}),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _change_url(self, obj):
        return reverse("admin:complaints_feedback_change", args=[obj.pk])

    def _post_only(self, request, object_id):
        obj = self.get_object(request, object_id)  # another district's id: 404
        if not self._may_reply(request):
            raise PermissionDenied
        return obj

    def reply_view(self, request, object_id):
        obj = self._post_only(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        form = ReplyForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "；".join(e for errors in form.errors.values() for e in errors), messages.ERROR)
            return redirect(self._change_url(obj))
        try:
            services.feedback_reply(feedback=obj, actor=request.user, text=form.cleaned_data["reply"])
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"{obj.number} 已答复，已通过短信和站内消息告知提交人。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def close_view(self, request, object_id):
        obj = self._post_only(request, object_id)
        if request.method == "POST":
            try:
                services.feedback_close(feedback=obj, actor=request.user)
            except PortalError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, f"{obj.number} 已办结。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def hotline_view(self, request, object_id):
        obj = self._post_only(request, object_id)
        if request.method == "POST":
            form = HotlineReferenceForm(request.POST)
            try:
                if not form.is_valid():
                    raise PortalError("12345 工单号不能超过 40 个字。")
                services.feedback_set_hotline_reference(feedback=obj, actor=request.user,
                                                        reference=form.cleaned_data["hotline_reference"])
            except PortalError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, "12345 工单号已保存。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def record_view(self, request):
        if not self._may_record(request):
            raise PermissionDenied
        form = RecordForm(request.POST if request.method == "POST" else None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                item = services.feedback_record(
                    recorded_by=request.user, channel=data["channel"], kind=data["kind"], category=data["category"],
                    text=data["text"], district=data["district"], hotline_reference=data["hotline_reference"],
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"])
            except PortalError as exc:
                placed = next((name for name in exc.fields if name in form.fields), None)
                form.add_error(placed, exc.message)
            else:
                self.message_user(request, f"已录入，编号 {item.number}，答复期限 {item.reply_due}。", messages.SUCCESS)
                return redirect(self._change_url(item))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "录入热线或窗口受理的意见反馈"}
        return TemplateResponse(request, "admin/complaints/feedback/record.html", context)

    def statistics_view(self, request):
        """DESIGN §11 figures for a period, per district the user may see and in total."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None, initial=PeriodForm.default_initial())
        rows, total = [], None
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            start, end = PeriodForm.default_initial()["start"], PeriodForm.default_initial()["end"]
        if not form.errors:
            rows = selectors.feedback_statistics_by_district(start=start, end=end, principal=request.user)
            total = selectors.feedback_statistics(start=start, end=end, principal=request.user)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "rows": rows, "total": total, "services": RatedService.choices,
                   "title": "意见反馈与服务评价统计"}
        return TemplateResponse(request, "admin/complaints/feedback/statistics.html", context)


@admin.register(ServiceRating)
class ServiceRatingAdmin(ReadOnlyAdminMixin, DistrictScopedAdminMixin, admin.ModelAdmin):
    """Read-only. No export here: a generic export would carry the rater of an anonymous complaint; the
    figures are on the statistics page."""

    list_display = ["created_at", "service", "score", "comment_short", "subject_link", "rater_col", "district"]
    list_filter = ["service", "score", DistrictFilter]
    list_select_related = ["district", "rater", "subject_type"]
    date_hierarchy = "created_at"
    fields = ["created_at", "service", "score", "comment", "subject_link", "rater_col", "district"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        # The feedback a rating is about (if it is about one), read in the same query: its number for
        # the link, and whether it is an anonymous complaint.
        is_feedback = Q(subject_type=ContentType.objects.get_for_model(Feedback))
        feedback = Feedback.objects.filter(pk=OuterRef("subject_id"))
        return _with_viewer(super().get_queryset(request), request).annotate(
            feedback_pk=Case(When(is_feedback, then=Subquery(feedback.values("pk")[:1])), default=Value(None)),
            feedback_number=Case(When(is_feedback, then=Subquery(feedback.values("number")[:1])), default=Value("")),
            feedback_anonymous=Case(When(is_feedback, then=Subquery(feedback.values("anonymous_to_staff")[:1])),
                                    default=Value(False), output_field=BooleanField()),
        )

    @admin.display(description="评价内容")
    def comment_short(self, obj):
        return obj.comment[:40] + ("…" if len(obj.comment) > 40 else "")

    @admin.display(description="评价对象")
    def subject_link(self, obj):
        if obj.feedback_pk:
            return format_html('<a href="{}">{}</a>', reverse("admin:complaints_feedback_change", args=[obj.feedback_pk]),
                               obj.feedback_number)
        return str(obj.subject or "—")

    @admin.display(description="评价人")
    def rater_col(self, obj):
        if obj.feedback_anonymous and not obj.viewer_is_city:
            return ANONYMOUS_LABEL
        return str(obj.rater)

