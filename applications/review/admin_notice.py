"""Caseworkers' admin for objections raised during the public notice (公示异议).

Scoped with `DistrictScopedAdminMixin`: a district caseworker sees their district's objections, the
city level all; another district's objection answers 404. Nothing is edited in place: "处理异议" opens
a page that calls `objection_resolve`, which checks scope and permission, refuses a second
resolution, and records who resolved it and when. Open objections come first.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaks_filter
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from applications.models import NoticeObjection
from applications.review.notice import RESOLUTION_MAX, objection_resolve
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError
from gongzufang.formkit import PortalForm


class ResolveForm(PortalForm):
    upheld = forms.TypedChoiceField(
        label="核查结论", choices=[("no", "异议不成立"), ("yes", "异议成立")], coerce=lambda v: v == "yes",
        widget=forms.RadioSelect, error_messages={"required": "请选择异议是否成立。"},
        help_text="异议成立的，请随后在申请页面作出“不通过”决定。")
    resolution = forms.CharField(label="处理意见", max_length=RESOLUTION_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text="写明核查经过和结论，将记入审核表。",
                                 error_messages={"required": "请填写处理意见（核查经过和结论）。"})


class OpenFilter(admin.SimpleListFilter):
    title = "处理情况"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "待处理"), ("upheld", "异议成立"), ("dismissed", "异议不成立")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "upheld":
            return queryset.filter(upheld=True)
        if value == "dismissed":
            return queryset.filter(upheld=False)
        return queryset


@admin.register(NoticeObjection)
class NoticeObjectionAdmin(DistrictScopedAdminMixin, admin.ModelAdmin):
    list_display = ["objection_of", "notice_ends", "name", "contact", "created_at", "state", "resolved_by",
                    "resolved_at"]
    list_filter = [OpenFilter]
    list_select_related = ["application", "resolved_by"]
    search_fields = ["application__number", "name", "contact"]
    fields = ["application_number", "notice_ends", "name", "contact", "created_at", "text_block", "state",
              "resolution_block", "resolved_by", "resolved_at", "resolve_button"]
    readonly_fields = fields

    def get_ordering(self, request):
        # Open objections first, the oldest on top; then the resolved, latest first.
        return [F("resolved_at").desc(nulls_first=True), "created_at", "pk"]

    def has_add_permission(self, request):
        return False  # raised by the public on the notice page

    def has_change_permission(self, request, obj=None):
        return False  # resolved through the "处理异议" page only

    def has_delete_permission(self, request, obj=None):
        return False

    def _may_resolve(self, request):
        return request.user.has_perm("applications.resolve_objection")

    # --- columns -----------------------------------------------------------------------------------

    @admin.display(description="申请编号", ordering="application__number")
    def objection_of(self, obj):
        """The list's first column, which the admin makes the link to the objection: plain text (a link to the
        application inside it left the outer link empty — axe link-name, serious)."""
        return obj.application.number

    @admin.display(description="申请编号", ordering="application__number")
    def application_number(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:applications_application_change",
                                                          args=[obj.application_id]), obj.application.number)

    @admin.display(description="公示截止", ordering="application__notice_ends_on")
    def notice_ends(self, obj):
        return obj.application.notice_ends_on or "—"

    @admin.display(description="处理情况")
    def state(self, obj):
        if obj.resolved_at is None:
            return format_html('<strong>{}</strong>', "待处理")
        return "异议成立" if obj.upheld else "异议不成立"

    @admin.display(description="异议内容")
    def text_block(self, obj):
        return format_html("<div>{}</div>", linebreaks_filter(obj.text, autoescape=True))  # escapes, then marks safe

    @admin.display(description="处理意见")
    def resolution_block(self, obj):
        if not obj.resolution:
            return "—"
        return format_html("<div>{}</div>", linebreaks_filter(obj.resolution, autoescape=True))

    @admin.display(description="操作")
    def resolve_button(self, obj):
        if obj is None or obj.resolved_at is not None:
            return "已处理"
        return format_html('<a class="button" href="{}">处理异议</a>',
                           reverse("admin:applications_noticeobjection_resolve", args=[obj.pk]))

    # --- the resolve page --------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<path:object_id>/resolve/", view(self.resolve_view), name="applications_noticeobjection_resolve"),
                *super().get_urls()]

    def resolve_view(self, request, object_id):
        obj = self.get_object(request, object_id)  # another district's: 404
        if not self._may_resolve(request):
            raise PermissionDenied
        change_url = reverse("admin:applications_noticeobjection_change", args=[obj.pk])
        if obj.resolved_at is not None:
            self.message_user(request, "该异议已处理，不能重复处理。", messages.WARNING)
            return redirect(change_url)
        form = ResolveForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                objection_resolve(objection=obj, actor=request.user, upheld=form.cleaned_data["upheld"],
                                  resolution=form.cleaned_data["resolution"])
            except PortalError as exc:
                if exc.code == "already_resolved":
                    self.message_user(request, exc.message, messages.ERROR)
                    return redirect(change_url)
                form.add_portal_error(exc)
            else:
                note = "异议成立：请在申请页面作出“不通过”决定。" if form.cleaned_data["upheld"] else "异议不成立。"
                self.message_user(request, f"申请 {obj.application.number} 的异议已处理。{note}", messages.SUCCESS)
                return redirect(change_url)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": obj,
                   "form": form, "title": f"处理异议：{obj.application.number}"}
        return TemplateResponse(request, "admin/applications/noticeobjection/resolve.html", context)
