"""Caseworkers' admin for leases and bills (scoped to the district): lists, filters, Excel export,
the move-in handover (入住交接) and termination as pages that call the services, the arrears ageing
report (1, 2, 3, 6, 6+ months) with its Excel export. Nothing is edited in place."""

import io

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from gongzufang.admin.exports import ExportForm
from gongzufang.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError
from gongzufang.parameters import parameter_row

from ..billing import selectors as billing_selectors
from ..leases import services as lease_services
from ..models import (
    Bill,
    BillAdjustment,
    BillReminder,
    BillStatus,
    BillStatusChange,
    DepositRefund,
    Handover,
    HandoverPhoto,
    Lease,
    LeaseRenewal,
    LeaseRentChange,
    LeaseStatus,
    LeaseStatusChange,
)
from .forms import HandoverForm, TerminateForm
from .resources import BillResource, LeaseResource


class LeaseStatusChangeInline(ReadOnlyInline):
    model = LeaseStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    verbose_name_plural = "合同状态变更记录"


class HandoverInline(ReadOnlyInline):
    model = Handover
    fields = ["handed_over_on", "keys", "access_cards", "water_meter", "electricity_meter", "gas_meter", "condition",
              "staff", "photos_col"]
    readonly_fields = fields

    @admin.display(description="照片")
    def photos_col(self, handover):
        links = [format_html('<a href="{}">照片{}</a>', reverse("rent:handover_photo", args=[p.pk]), i)
                 for i, p in enumerate(handover.photos.all(), start=1)]
        return format_html(" ".join(["{}"] * len(links)), *links) if links else "—"


class BillInline(ReadOnlyInline):
    model = Bill
    fields = ["period", "period_start", "period_end", "amount", "amount_paid", "due_on", "status"]
    readonly_fields = fields
    ordering = ["-period"]


class RentChangeInline(ReadOnlyInline):
    model = LeaseRentChange
    fields = ["effective_from", "kind", "old_monthly_rent", "new_monthly_rent", "reason", "actor", "created_at"]
    readonly_fields = fields
    verbose_name_plural = "租金调整"


class RenewalInline(ReadOnlyInline):
    model = LeaseRenewal
    fields = ["sequence", "years", "old_end_on", "new_end_on", "monthly_rent", "reason", "actor", "created_at",
              "pdf_link"]
    readonly_fields = fields
    verbose_name_plural = "续租"

    @admin.display(description="续租合同")
    def pdf_link(self, renewal):
        return format_html('<a href="{}">查看 PDF</a> · <a href="{}">核验页面</a>',
                           reverse("rent:renewal_pdf", args=[renewal.lease_id, renewal.sequence]),
                           reverse("rent:contract_verify", args=[renewal.verification_code]))


class DepositRefundInline(ReadOnlyInline):
    model = DepositRefund
    fields = ["reference", "amount", "account_name", "masked_account", "status", "bank_txn_id", "bank_reason",
              "created_at", "decided_at"]
    readonly_fields = fields
    verbose_name_plural = "押金退还"

    @admin.display(description="收款账号")
    def masked_account(self, refund):
        return refund.masked_account


class ArrearsFilter(admin.SimpleListFilter):
    title = "欠租标记"
    parameter_name = "arrears"

    def lookups(self, request, model_admin):
        return [("flagged", "累计欠租达退出标准"), ("owing", "有逾期欠租")]

    def queryset(self, request, queryset):
        if self.value() == "flagged":
            return queryset.filter(arrears_flagged_at__isnull=False)
        if self.value() == "owing":
            return queryset.filter(arrears_amount__gt=0)
        return queryset


@admin.register(Lease)
class LeaseAdmin(DistrictScopedAdminMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["number", "tenant_name", "unit", "district", "status", "monthly_rent", "start_on", "end_on",
                    "arrears_col"]
    list_filter = ["status", ArrearsFilter, "category", "district"]
    list_select_related = ["unit__estate", "unit__building", "district"]
    search_fields = ["number", "tenant_name", "unit__number", "unit__estate__name"]
    list_per_page = 50
    resource_classes = [LeaseResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    export_form_class = ExportForm
    change_form_template = "admin/rent/lease/change_form.html"
    fieldsets = [
        ("合同", {"fields": ["number", "status", "tenant_name", "category", "household_size", "unit", "district",
                           "start_on", "end_on", "term_years", "ended_on"]}),
        ("租金与押金", {"fields": ["area", "rent_per_sqm", "coefficient", "monthly_rent", "deposit_months", "deposit",
                              "parameters_col"]}),
        ("合同文本与签署", {"fields": ["contract_link", "contract_sha256", "issued_at", "signed_at", "signed_ip",
                                  "signed_user_agent", "signed_pdf_sha256"]}),
        ("欠租", {"fields": ["arrears_amount", "arrears_months", "arrears_flagged_at"]}),
        ("预存余额", {"fields": ["credit_col", "rent_now_col"]}),
    ]
    inlines = [HandoverInline, BillInline, RentChangeInline, RenewalInline, DepositRefundInline,
               LeaseStatusChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return [f for _title, opts in self.fieldsets for f in opts["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="采用的政策参数")
    def parameters_col(self, lease):
        if not lease.parameters_used:
            return "—"
        return render_to_string("includes/parameter_table.html", {
            "parameters": [parameter_row(record) for record in lease.parameters_used],
            "caption": f"订立合同时（{lease.start_on:%Y-%m-%d}）适用的政策参数"})

    @admin.display(description="欠租")
    def arrears_col(self, lease):
        if lease.arrears_flagged_at:
            return format_html('<strong class="errornote">{} 元（{} 个月，达退出标准）</strong>', lease.arrears_amount,
                               lease.arrears_months)
        return f"{lease.arrears_amount} 元" if lease.arrears_amount else "—"

    @admin.display(description="预存余额")
    def credit_col(self, lease):
        credit = getattr(lease, "credit", None) if hasattr(lease, "credit") else None
        return f"{credit.balance} 元" if credit is not None else "0.00 元"

    @admin.display(description="现行月租金")
    def rent_now_col(self, lease):
        from ..leases.selectors import rent_now

        return f"{rent_now(lease)} 元"

    @admin.display(description="合同文本")
    def contract_link(self, lease):
        if not lease.contract_pdf:
            return "—"
        return format_html('<a href="{}">查看 PDF</a> · <a href="{}">核验页面</a>',
                           reverse("rent:lease_pdf", args=[lease.pk]),
                           reverse("rent:contract_verify", args=[lease.verification_code]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/handover/", view(self.handover_view), name="rent_lease_handover"),
            path("<path:object_id>/terminate/", view(self.terminate_view), name="rent_lease_terminate"),
            path("<path:object_id>/credit-apply/", view(self.credit_apply_view), name="rent_lease_credit_apply"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        may = request.user.has_perm("rent.change_lease")
        extra = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
                 "show_delete": False,
                 "can_hand_over": may and obj.status == LeaseStatus.SIGNED,
                 "can_terminate": may and obj.status in (LeaseStatus.SIGNED, LeaseStatus.ACTIVE),
                 "can_apply_credit": (request.user.has_perm("rent.record_counter_payment") and obj is not None
                                      and _credit_balance(obj) > 0 and obj.bills.exclude(status="paid").exists()),
                 **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _staff_object(self, request, object_id):
        obj = self.get_object(request, object_id)  # another district's id: 404
        if not request.user.has_perm("rent.change_lease"):
            raise PermissionDenied
        return obj

    def handover_view(self, request, object_id):
        lease = self._staff_object(request, object_id)
        form = HandoverForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                lease_services.lease_hand_over(
                    lease=lease, actor=request.user, handed_over_on=data["handed_over_on"], keys=data["keys"],
                    access_cards=data.get("access_cards") or 0, water_meter=data["water_meter"],
                    electricity_meter=data["electricity_meter"], gas_meter=data.get("gas_meter"),
                    condition=data["condition"], photos=data.get("photos") or [])
            except PortalError as exc:
                placed = next((name for name in exc.fields if name in form.fields), None)
                form.add_error(placed, exc.message)
            else:
                self.message_user(request, f"已办理入住交接，合同 {lease.number} 开始履行。", messages.SUCCESS)
                return redirect(reverse("admin:rent_lease_change", args=[lease.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "lease": lease,
                   "title": f"入住交接：{lease.number} {lease.tenant_name}", "submit": "确认交接"}
        return TemplateResponse(request, "admin/rent/lease/form.html", context)

    def credit_apply_view(self, request, object_id):
        """用余额抵扣: the lease's credit on its unpaid bills, oldest first (POST only)."""
        from ..payments import services as payment_services

        lease = self.get_object(request, object_id)  # another district's id: 404
        if lease is None or not request.user.has_perm("rent.record_counter_payment"):
            raise PermissionDenied
        if request.method != "POST":
            return redirect(reverse("admin:rent_lease_change", args=[lease.pk]))
        used = payment_services.credit_apply(lease=lease, actor=request.user)
        if used:
            self.message_user(request, f"已用预存余额抵扣 {used} 元。", messages.SUCCESS)
        else:
            self.message_user(request, "没有可抵扣的余额或待缴账单。", messages.WARNING)
        return redirect(reverse("admin:rent_lease_change", args=[lease.pk]))

    def terminate_view(self, request, object_id):
        lease = self._staff_object(request, object_id)
        form = TerminateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                lease_services.lease_terminate(lease=lease, actor=request.user, reason=form.cleaned_data["opinion"])
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"合同 {lease.number} 已解除。", messages.SUCCESS)
                return redirect(reverse("admin:rent_lease_change", args=[lease.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "lease": lease,
                   "title": f"解除合同：{lease.number} {lease.tenant_name}", "submit": "解除合同"}
        return TemplateResponse(request, "admin/rent/lease/form.html", context)


def _credit_balance(lease):
    from ..models import RentCredit

    return RentCredit.objects.filter(lease=lease).values_list("balance", flat=True).first() or 0


class BillAdjustmentInline(ReadOnlyInline):
    model = BillAdjustment
    fields = ["created_at", "old_amount", "new_amount", "to_credit", "reason", "actor"]
    readonly_fields = fields
    verbose_name_plural = "账单调整"


class BillStatusChangeInline(ReadOnlyInline):
    model = BillStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields


class BillReminderInline(ReadOnlyInline):
    model = BillReminder
    fields = ["stage", "day", "sms_ok", "created_at"]
    readonly_fields = fields


class OverdueFilter(admin.SimpleListFilter):
    title = "逾期"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "已逾期未缴清")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue(timezone.localdate())
        return queryset


@admin.register(Bill)
class BillAdmin(DistrictScopedAdminMixin, ExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["lease", "tenant_col", "period", "amount", "amount_paid", "due_on", "status", "district"]
    list_filter = ["status", OverdueFilter, "period", "district"]
    list_select_related = ["lease", "district"]
    search_fields = ["lease__number", "lease__tenant_name"]
    date_hierarchy = "period"
    list_per_page = 100
    resource_classes = [BillResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    export_form_class = ExportForm
    # import-export puts its 导出 above the list and shows the tools below only with an add permission (a
    # bill has none): the list's own template extends import-export's, so 欠费账龄分析 is always shown.
    import_export_change_list_template = "admin/rent/bill/change_list.html"
    change_form_template = "admin/rent/bill/change_form.html"
    fields = ["lease", "district", "period", "period_start", "period_end", "days", "days_in_period", "monthly_rent",
              "amount", "amount_paid", "due_on", "status", "paid_at", "note", "lines", "created_at"]
    readonly_fields = fields
    inlines = [BillAdjustmentInline, BillReminderInline, BillStatusChangeInline]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("rent.view_bill")

    @admin.display(description="承租人")
    def tenant_col(self, bill):
        return bill.lease.tenant_name

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """An unpaid bill's page leads to 登记柜台缴费 with its lease already chosen."""
        bill = self.get_object(request, object_id)  # another district's id: 404
        extra = {"counter_payment_url": (
            f"{reverse('admin:rent_payment_add')}?lease={bill.lease_id}"
            if bill.status != BillStatus.PAID and request.user.has_perm("rent.record_counter_payment") else None),
            **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("ageing/", view(self.ageing_view), name="rent_bill_ageing"), *super().get_urls()]

    def ageing_view(self, request):
        """欠费账龄: leases with overdue rent and the amounts by age, per district; ?format=xlsx exports."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        rows, total = billing_selectors.ageing(request.user, today=today)
        if request.GET.get("format") == "xlsx":
            return _ageing_workbook(rows, total, billing_selectors.overdue_lines(request.user, today=today), today)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "rows": rows, "total": total,
                   "buckets": billing_selectors.AGEING_BUCKETS, "today": today, "title": "欠费账龄分析"}
        return TemplateResponse(request, "admin/rent/bill/ageing.html", context)


def _ageing_workbook(rows, total, lines, today):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("账龄汇总")
    labels = list(billing_selectors.AGEING_BUCKETS.values())
    sheet.append(["区县", *[f"{label}（户）" for label in labels], *[f"{label}（元）" for label in labels], "合计（户）",
                  "合计（元）"])
    for row in [*rows, total]:
        sheet.append([row.district, *[b["leases"] for b in row.buckets.values()],
                      *[b["amount"] for b in row.buckets.values()], row.total_leases, row.total_amount])
    detail = book.create_sheet("逾期账单明细")
    detail.append(["区县", "合同编号", "承租人", "账期", "应缴（元）", "已缴（元）", "缴费截止日", "逾期天数"])
    for bill in lines.iterator(chunk_size=2000):
        detail.append([bill.district.name, bill.lease.number, bill.lease.tenant_name, f"{bill.period:%Y-%m}",
                       bill.amount, bill.amount_paid, bill.due_on, (today - bill.due_on).days])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="arrears-ageing-{today:%Y%m%d}.xlsx"'
    return response


# Handover photos are reached from the lease's page (rent:handover_photo); the model has no admin of its own.
_ = HandoverPhoto
