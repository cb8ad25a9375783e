"""Caseworkers' admin of 租赁补贴: grants (with their computations, lease, masked account, payments and
status history), batches with their buttons from the transitions (审核, 复核, 出盘 as CSV or Excel,
导入银行结果), payments; Excel exports. Nothing is edited in place: every write calls a service."""

from django.contrib import admin, messages
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from gongzufang import workflow
from gongzufang.admin.exports import ExportForm
from gongzufang.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError

from . import bankfile, services
from .forms import ResultUploadForm
from .models import (
    FILE_ISSUER,
    BankAccount,
    BatchStatus,
    BatchStatusChange,
    GrantComputation,
    GrantStatusChange,
    MarketLease,
    PaymentLine,
    PaymentStatusChange,
    SubsidyBatch,
    SubsidyGrant,
    SubsidyPayment,
)
from .resources import BatchResource, GrantResource, PaymentResource


class _ReadOnlyExport(ReadOnlyAdminMixin, DistrictScopedAdminMixin, ExportMixin, admin.ModelAdmin):
    formats = [base_formats.XLSX, base_formats.CSV]
    export_form_class = ExportForm
    list_per_page = 50

    def has_export_permission(self, request):
        return self.has_view_permission(request)


class ComputationInline(ReadOnlyInline):
    model = GrantComputation
    fields = ["effective_from", "members_counted", "own_housing_area", "area_per_person", "standard_per_sqm",
              "coefficient", "eligible_area", "uncapped_amount", "lease_rent", "amount", "parameters", "computed_on"]
    readonly_fields = fields
    verbose_name_plural = "补贴核算（每次变动自下月起适用）"


class LeaseInline(ReadOnlyInline):
    model = MarketLease
    fields = ["landlord_name", "address", "monthly_rent", "start_on", "end_on", "registered_at", "replaced_at"]
    readonly_fields = fields


class AccountInline(ReadOnlyInline):
    model = BankAccount
    fields = ["holder_name", "masked", "verified_at", "created_at", "replaced_at"]
    readonly_fields = fields

    @admin.display(description="账号")
    def masked(self, obj):
        return obj.masked


class PaymentInline(ReadOnlyInline):
    model = SubsidyPayment
    fk_name = "grant"
    fields = ["period", "amount", "status", "attempts", "batch", "bank_reason", "bank_txn_id"]
    readonly_fields = fields


class GrantChangeInline(ReadOnlyInline):
    model = GrantStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields


@admin.register(SubsidyGrant)
class SubsidyGrantAdmin(_ReadOnlyExport):
    list_display = ["number", "holder_name", "district", "category", "status", "monthly_amount", "start_period"]
    list_filter = ["status", "category", "district"]
    search_fields = ["number", "holder_name", "application__number"]
    list_select_related = ["district"]
    resource_classes = [GrantResource]
    fields = ["number", "application", "holder_name", "district", "category", "status", "status_reason",
              "monthly_amount", "start_period", "payable_from", "suspended_from", "stopped_from", "approved_at"]
    readonly_fields = fields
    inlines = [ComputationInline, LeaseInline, AccountInline, PaymentInline, GrantChangeInline]


class BatchChangeInline(ReadOnlyInline):
    model = BatchStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields


class LineInline(ReadOnlyInline):
    model = PaymentLine
    fields = ["line_no", "payment", "amount", "result", "bank_reason", "bank_txn_id"]
    readonly_fields = fields
    max_num = 0
    classes = ["collapse"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment__grant")


FILE_ACTIONS = {"issue_file", "import_results"}


@admin.register(SubsidyBatch)
class SubsidyBatchAdmin(_ReadOnlyExport):
    list_display = ["number", "district", "period", "status", "line_count", "total_amount", "paid_count",
                    "failed_count"]
    list_filter = ["status", "district", "period"]
    search_fields = ["number"]
    list_select_related = ["district"]
    resource_classes = [BatchResource]
    fields = ["number", "district", "period", "status", "line_count", "total_amount", "paid_count", "failed_count",
              "paid_amount", "frozen_at"]
    readonly_fields = fields
    inlines = [BatchChangeInline]
    change_form_template = "admin/subsidies/subsidybatch/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/act/<str:action>/", view(self.action_view), name="subsidies_subsidybatch_act"),
            path("<path:object_id>/file/", view(self.file_view), name="subsidies_subsidybatch_file"),
            path("<path:object_id>/results/", view(self.results_view), name="subsidies_subsidybatch_results"),
            *super().get_urls(),
        ]

    def _change_url(self, obj):
        return reverse("admin:subsidies_subsidybatch_change", args=[obj.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        actions = workflow.available_actions(obj, request.user)
        may_file = obj.status in (BatchStatus.FILE_ISSUED, BatchStatus.RESULTS_IMPORTED) and FILE_ISSUER(
            obj, request.user)
        extra = {
            "show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
            "show_delete": False,
            "step_actions": [a for a in actions if a.name not in FILE_ACTIONS],
            "can_download": any(a.name == "issue_file" for a in actions) or may_file,
            "can_import": any(a.name == "import_results" for a in actions),
            "upload_form": ResultUploadForm(),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def action_view(self, request, object_id, action):
        obj = self.get_object(request, object_id)  # another district's id: 404
        if request.method != "POST":
            return redirect(self._change_url(obj))
        steps = {"district_approve": services.batch_district_approve, "city_confirm": services.batch_city_confirm}
        if action not in steps:
            messages.error(request, "未知的操作。")
            return redirect(self._change_url(obj))
        try:
            steps[action](batch=obj, actor=request.user, opinion=request.POST.get("opinion", "")[:500])
        except PortalError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已办理。")
        return redirect(self._change_url(obj))

    def file_view(self, request, object_id):
        """出盘: the bank payment file, streamed (CSV by default, ?format=xlsx for Excel)."""
        obj = self.get_object(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        try:
            services.batch_issue_file(batch=obj, actor=request.user)
        except PortalError as exc:
            messages.error(request, exc.message)
            return redirect(self._change_url(obj))
        if request.POST.get("format") == "xlsx":
            return FileResponse(bankfile.write_xlsx(obj), as_attachment=True, filename=f"{obj.number}.xlsx",
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response = StreamingHttpResponse(bankfile.write_csv(obj), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{obj.number}.csv"'
        return response

    def results_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        form = ResultUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请选择银行返回的结果文件。")
            return redirect(self._change_url(obj))
        upload = form.cleaned_data["file"]
        if upload.size > 50 * 1024 * 1024:
            messages.error(request, "结果文件超过 50 MB，请核对是否为本批次的结果文件。")
            return redirect(self._change_url(obj))
        try:
            report = services.batch_import_results(batch=obj, actor=request.user, content=upload.read())
        except PortalError as exc:
            messages.error(request, exc.message)
        else:
            if report.paid or report.failed:
                messages.success(request, f"已导入：成功 {report.paid} 笔，失败 {report.failed} 笔。")
            else:
                messages.info(request, f"该结果文件已导入过，未作改动（{report.unchanged} 笔）。")
        return redirect(self._change_url(obj))


class PaymentChangeInline(ReadOnlyInline):
    model = PaymentStatusChange
    fields = ["created_at", "from_status", "to_status", "actor_level", "opinion"]
    readonly_fields = fields


@admin.register(SubsidyPayment)
class SubsidyPaymentAdmin(_ReadOnlyExport):
    list_display = ["grant", "holder", "period", "amount", "status", "attempts", "batch", "bank_reason"]
    list_filter = ["status", "period", "district"]
    search_fields = ["grant__number", "grant__holder_name", "batch__number", "bank_txn_id"]
    list_select_related = ["grant", "batch"]
    resource_classes = [PaymentResource]
    fields = ["grant", "period", "amount", "status", "attempts", "batch", "bank_reason", "bank_txn_id", "paid_at",
              "failed_at", "computation"]
    readonly_fields = fields
    inlines = [PaymentChangeInline]

    @admin.display(description="申请人", ordering="grant__holder_name")
    def holder(self, obj):
        return obj.grant.holder_name
