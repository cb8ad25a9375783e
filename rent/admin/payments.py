"""Caseworkers' admin of the payment half (scoped to the district): payment orders (with their status
history and the bank's notifications; 向银行查询 for pending ones), payments (登记柜台缴费 instead of
"add"; 退款 on a payment), bank statements (导入对账单 instead of "add") and their lines (the decision on
an unmatched line), the bank's notification log. Excel export of orders, payments and statement
lines. Nothing is edited in place: every write is a service of rent/payments/."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from gongzufang.admin.exports import ExportForm
from gongzufang.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.bank.client import BankError
from gongzufang.errors import PortalError
from gongzufang.models import District
from gongzufang.scoping import scope_of

from ..models import (
    DepositRefund,
    DepositRefundStatusChange,
    Lease,
    NotificationAttempt,
    OrderStatus,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentOrder,
    PaymentOrderBill,
    PaymentOrderStatusChange,
    StatementImport,
    StatementLine,
)
from ..payments import reconciliation, services

FORM_TEMPLATE = "admin/rent/payments/form.html"


# ------------------------------------------------------------------------------------------ exports


class PaymentOrderResource(resources.ModelResource):
    order_no = fields.Field(attribute="order_no", column_name="订单号")
    lease = fields.Field(attribute="lease__number", column_name="合同编号")
    tenant = fields.Field(attribute="lease__tenant_name", column_name="承租人")
    district = fields.Field(attribute="district__name", column_name="区县")
    amount = fields.Field(attribute="amount", column_name="金额（元）")
    status = fields.Field(column_name="状态")
    bank_txn_id = fields.Field(attribute="bank_txn_id", column_name="银行流水号")
    created_at = fields.Field(attribute="created_at", column_name="创建时间")
    paid_at = fields.Field(attribute="paid_at", column_name="支付时间")

    class Meta:
        model = PaymentOrder
        fields = ["order_no", "lease", "tenant", "district", "amount", "status", "bank_txn_id", "created_at", "paid_at"]
        export_order = fields

    def dehydrate_status(self, order):
        return order.get_status_display()


class PaymentResource(resources.ModelResource):
    receipt_no = fields.Field(attribute="receipt_no", column_name="收据号")
    method = fields.Field(column_name="缴费方式")
    lease = fields.Field(attribute="lease__number", column_name="合同编号")
    tenant = fields.Field(attribute="lease__tenant_name", column_name="承租人")
    district = fields.Field(attribute="district__name", column_name="区县")
    amount = fields.Field(attribute="amount", column_name="金额（元）")
    bank_txn_id = fields.Field(attribute="bank_txn_id", column_name="银行流水号")
    order_no = fields.Field(attribute="order__order_no", column_name="订单号")
    paid_at = fields.Field(attribute="paid_at", column_name="缴费时间")

    class Meta:
        model = Payment
        fields = ["receipt_no", "method", "lease", "tenant", "district", "amount", "bank_txn_id", "order_no", "paid_at"]
        export_order = fields

    def dehydrate_method(self, payment):
        return payment.get_method_display()


class StatementLineResource(resources.ModelResource):
    day = fields.Field(attribute="day", column_name="交易日期")
    bank_txn_id = fields.Field(attribute="bank_txn_id", column_name="银行流水号")
    order_no = fields.Field(attribute="order_no", column_name="订单号")
    amount = fields.Field(attribute="amount", column_name="金额（元）")
    match = fields.Field(column_name="对账结果")
    note = fields.Field(attribute="note", column_name="说明")
    decision = fields.Field(column_name="处理决定")
    decision_note = fields.Field(attribute="decision_note", column_name="决定理由")

    class Meta:
        model = StatementLine
        fields = ["day", "bank_txn_id", "order_no", "amount", "match", "note", "decision", "decision_note"]
        export_order = fields

    def dehydrate_match(self, line):
        return line.get_match_display()

    def dehydrate_decision(self, line):
        return line.get_decision_display() if line.decision else ""


class _Export(ExportMixin):
    formats = [base_formats.XLSX, base_formats.CSV]
    export_form_class = ExportForm


# ------------------------------------------------------------------------------------------ forms


class CounterPaymentForm(forms.Form):
    """The lease is found by search (合同编号, 承租人姓名, 房号 or 小区: LeaseAdmin's search fields, in the
    caseworker's district) instead of one <select> of every lease of the district; `?lease=<id>` (the link
    on a bill's page) chooses it beforehand."""

    lease = forms.ModelChoiceField(label="租赁合同", queryset=Lease.objects.none(),
                                   help_text="输入合同编号、承租人姓名或房号查找（只列出本辖区的合同）。")
    method = forms.ChoiceField(label="缴费方式", choices=[(PaymentMethod.CASH, "现金"), (PaymentMethod.POS, "POS 刷卡")])
    amount = forms.DecimalField(label="金额（元）", max_digits=10, decimal_places=2, min_value=0.01)
    receipt_no = forms.CharField(label="收据号", max_length=40, help_text="所开纸质收据的编号。")
    bank_txn_id = forms.CharField(label="POS 参考号", max_length=64, required=False, help_text="POS 刷卡时填写签购单上的参考号。")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, user=None, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:  # before the queryset, which gives the widget its choices
            self.fields["lease"].widget = AutocompleteSelect(Payment._meta.get_field("lease"), admin_site,
                                                             attrs={"data-placeholder": "输入合同编号、承租人姓名或房号"})
        self.fields["lease"].queryset = Lease.objects.for_user(user).order_by("number")


class RefundForm(forms.Form):
    amount = forms.DecimalField(label="退款金额（元）", max_digits=10, decimal_places=2, min_value=0.01)
    reason = forms.CharField(label="退款原因", max_length=200)


class StatementForm(forms.Form):
    district = forms.ModelChoiceField(label="区县", queryset=District.objects.none())
    day = forms.DateField(label="交易日期", required=False, help_text="不上传文件时，按此日期从银行获取对账单。")
    file = forms.FileField(label="对账单文件", required=False, help_text="CSV（UTF-8）或 Excel（xlsx），表头：交易日期,银行流水号,订单号,金额,状态")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        districts = District.objects.all() if scope.city_wide else District.objects.filter(pk=scope.district_id)
        self.fields["district"].queryset = districts
        if districts.count() == 1:
            self.fields["district"].initial = districts.first()

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("day"):
            raise forms.ValidationError("请上传对账单文件，或填写交易日期从银行获取。")
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="决定", choices=[("accept", "认定为租金入账"), ("dismiss", "不予入账")],
                                 widget=forms.RadioSelect)
    lease = forms.ModelChoiceField(label="所属租赁合同", queryset=Lease.objects.none(), required=False,
                                   help_text="该行未对应平台订单时必选：款项按此合同的欠缴账单由早到晚抵扣，多余部分转入预存余额。")
    note = forms.CharField(label="理由", max_length=200)

    def __init__(self, *args, user=None, district_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lease"].queryset = Lease.objects.for_user(user).filter(district_id=district_id).order_by("number")


def _render(admin_obj, request, form, title, submit, back):
    context = {**admin_obj.admin_site.each_context(request), "opts": admin_obj.model._meta, "form": form,
               "title": title, "submit": submit, "back": back}
    return TemplateResponse(request, FORM_TEMPLATE, context)


def _place(form, exc):
    placed = next((name for name in exc.fields if name in form.fields), None)
    form.add_error(placed, exc.message)


# ------------------------------------------------------------------------------------------ orders


class OrderBillInline(ReadOnlyInline):
    model = PaymentOrderBill
    fields = ["bill", "amount"]
    readonly_fields = fields
    verbose_name_plural = "订单账单"


class OrderStatusInline(ReadOnlyInline):
    model = PaymentOrderStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    verbose_name_plural = "订单状态变更记录"


class NotificationInline(ReadOnlyInline):
    model = NotificationAttempt
    fields = ["received_at", "source", "signature_valid", "outcome", "message", "ip"]
    readonly_fields = fields
    verbose_name_plural = "银行通知记录"


@admin.register(PaymentOrder)
class PaymentOrderAdmin(DistrictScopedAdminMixin, ReadOnlyAdminMixin, _Export, admin.ModelAdmin):
    list_display = ["order_no", "lease", "district", "amount", "status", "created_at", "expires_at", "paid_at"]
    list_filter = ["status", "district"]
    search_fields = ["order_no", "bank_txn_id", "lease__number", "lease__tenant_name"]
    list_select_related = ["lease", "district"]
    readonly_fields = ["order_no", "lease", "district", "amount", "subject", "status", "created_at", "expires_at",
                       "paid_at", "bank_txn_id", "last_queried_at"]
    fields = readonly_fields
    inlines = [OrderBillInline, OrderStatusInline, NotificationInline]
    resource_classes = [PaymentOrderResource]
    actions = ["ask_bank"]

    def has_change_permission(self, request, obj=None):  # the action needs it; the form has no field to change
        return request.user.has_perm("rent.view_paymentorder")

    @admin.action(description="向银行查询所选待支付订单")
    def ask_bank(self, request, queryset):
        done = failed = 0
        for order in queryset.filter(status=OrderStatus.PENDING):
            try:
                services.order_refresh(order)
                done += 1
            except BankError as exc:
                failed += 1
                self.message_user(request, f"{order.order_no}：{exc}", messages.WARNING)
        self.message_user(request, f"已向银行查询 {done} 个订单" + (f"，{failed} 个未能查询" if failed else "") + "。")


# ------------------------------------------------------------------------------------------ payments


class AllocationInline(ReadOnlyInline):
    model = PaymentAllocation
    fields = ["bill", "amount", "refund", "created_at"]
    readonly_fields = fields
    verbose_name_plural = "抵扣账单"


@admin.register(Payment)
class PaymentAdmin(DistrictScopedAdminMixin, _Export, admin.ModelAdmin):
    list_display = ["receipt_no", "method", "lease", "district", "amount", "paid_at", "bank_txn_id", "refund_link"]
    list_filter = ["method", "district"]
    search_fields = ["receipt_no", "bank_txn_id", "order__order_no", "lease__number", "lease__tenant_name"]
    list_select_related = ["lease", "district", "order"]
    readonly_fields = ["receipt_no", "method", "lease", "district", "order", "amount", "bank_txn_id", "paid_at",
                       "recorded_by", "note", "created_at"]
    fields = readonly_fields
    inlines = [AllocationInline]
    resource_classes = [PaymentResource]

    def has_add_permission(self, request):
        return request.user.has_perm("rent.record_counter_payment")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="退款")
    def refund_link(self, payment):
        return format_html('<a href="{}">退款</a>', reverse("admin:rent_payment_refund", args=[payment.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<path:object_id>/refund/", view(self.refund_view), name="rent_payment_refund"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        """登记柜台缴费 (cash or POS), through services.counter_payment_record."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"lease": request.GET["lease"]} if request.GET.get("lease", "").isdigit() else {}
        form = CounterPaymentForm(request.POST or None, user=request.user, admin_site=self.admin_site,
                                  initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                payment = services.counter_payment_record(
                    lease=data["lease"], amount=data["amount"], method=data["method"], receipt_no=data["receipt_no"],
                    bank_txn_id=data.get("bank_txn_id") or None, actor=request.user, note=data.get("note") or "")
            except PortalError as exc:
                _place(form, exc)
            else:
                self.message_user(request, f"已登记柜台缴费 {payment.amount} 元，收据号 {payment.receipt_no}。", messages.SUCCESS)
                return redirect(reverse("admin:rent_payment_change", args=[payment.pk]))
        return _render(self, request, form, "登记柜台缴费", "登记缴费", reverse("admin:rent_payment_changelist"))

    def refund_view(self, request, object_id):
        payment = self.get_object(request, object_id)  # another district's: 404
        if not request.user.has_perm("rent.refund_payment"):
            raise PermissionDenied
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.refund_record(payment=payment, amount=form.cleaned_data["amount"],
                                       reason=form.cleaned_data["reason"], actor=request.user)
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"已登记退款 {form.cleaned_data['amount']} 元。", messages.SUCCESS)
                return redirect(reverse("admin:rent_payment_change", args=[payment.pk]))
        return _render(self, request, form, f"退款：收据号 {payment.receipt_no}（可退 {services.refundable(payment)} 元）",
                       "确认退款", reverse("admin:rent_payment_change", args=[payment.pk]))


# ------------------------------------------------------------------------------------------ statements


class LineInline(ReadOnlyInline):
    model = StatementLine
    fields = ["line_no", "bank_txn_id", "order_no", "amount", "match", "note", "decision", "decide_link"]
    readonly_fields = fields
    verbose_name_plural = "对账明细"

    @admin.display(description="处理")
    def decide_link(self, line):
        if line.decision != StatementLine.Decision.PENDING:
            return line.decision_note or "—"
        return format_html('<a href="{}">处理</a>', reverse("admin:rent_statementline_change", args=[line.pk]))


@admin.register(StatementImport)
class StatementImportAdmin(DistrictScopedAdminMixin, admin.ModelAdmin):
    list_display = ["day", "district", "lines_total", "counts", "imported_by", "imported_at"]
    list_filter = ["district"]
    readonly_fields = ["day", "district", "filename", "imported_by", "imported_at", "lines_total", "other_district_lines",
                       "counts"]
    fields = readonly_fields
    inlines = [LineInline]

    @admin.display(description="对平 / 未匹配 / 金额不符 / 待处理")
    def counts(self, statement):
        c = reconciliation.summary(statement)
        return f"{c['matched']} / {c['unmatched']} / {c['mismatched']} / {c['pending']}"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """导入对账单: a file, or the day's statement fetched from the bank."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StatementForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("file"):
                    upload = data["file"]
                    statement = reconciliation.statement_import(district=data["district"], content=upload.read(),
                                                                filename=upload.name, actor=request.user)
                else:
                    statement = reconciliation.statement_fetch(district=data["district"], day=data["day"],
                                                               actor=request.user)
            except (PortalError, BankError) as exc:
                form.add_error(None, str(getattr(exc, "message", exc)))
            else:
                c = reconciliation.summary(statement)
                self.message_user(request, f"已导入 {statement.day} 对账单：对平 {c['matched']} 笔，未匹配 {c['unmatched']} 笔，"
                                           f"金额不符 {c['mismatched']} 笔。", messages.SUCCESS)
                return redirect(reverse("admin:rent_statementimport_change", args=[statement.pk]))
        return _render(self, request, form, "导入银行对账单", "导入", reverse("admin:rent_statementimport_changelist"))


@admin.register(StatementLine)
class StatementLineAdmin(DistrictScopedAdminMixin, _Export, admin.ModelAdmin):
    list_display = ["day", "bank_txn_id", "order_no", "amount", "match", "decision", "note"]
    list_filter = ["match", "decision", "statement__district"]
    search_fields = ["bank_txn_id", "order_no"]
    resource_classes = [StatementLineResource]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The decision on a line (recorded with who, when and why)."""
        line = self.get_object(request, object_id)  # another district's: 404
        if not request.user.has_perm("rent.change_statementline") or line.decision != StatementLine.Decision.PENDING:
            return super().change_view(request, object_id, form_url, extra_context=extra_context)
        form = DecisionForm(request.POST or None, user=request.user, district_id=line.statement.district_id)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "accept":
                    reconciliation.line_accept(line=line, actor=request.user, note=data["note"], lease=data.get("lease"))
                else:
                    reconciliation.line_dismiss(line=line, actor=request.user, note=data["note"])
            except PortalError as exc:
                _place(form, exc)
            else:
                self.message_user(request, "已记录处理决定。", messages.SUCCESS)
                return redirect(reverse("admin:rent_statementimport_change", args=[line.statement_id]))
        title = (f"处理对账明细：{line.day} {line.bank_txn_id} {line.amount} 元（{line.get_match_display()}；{line.note}）")
        return _render(self, request, form, title, "记录决定", reverse("admin:rent_statementimport_change",
                                                                    args=[line.statement_id]))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in StatementLine._meta.fields]


@admin.register(NotificationAttempt)
class NotificationAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The bank's notifications as received. A district sees those of its orders; refused ones that
    named no order of ours are seen city-wide only."""

    list_display = ["received_at", "order_no", "source", "signature_valid", "outcome", "message", "ip"]
    list_filter = ["outcome", "signature_valid", "source"]
    search_fields = ["order_no"]
    readonly_fields = ["received_at", "order_no", "order", "source", "signature", "signature_valid", "outcome",
                       "message", "ip", "raw_body"]
    fields = readonly_fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = scope_of(request.user)
        if scope.city_wide:
            return queryset
        if scope.district_id is None:
            return queryset.none()
        return queryset.filter(order__district_id=scope.district_id)


# ------------------------------------------------------------------------------------------ deposit refunds


class DepositRefundStatusInline(ReadOnlyInline):
    model = DepositRefundStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields


@admin.register(DepositRefund)
class DepositRefundAdmin(DistrictScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """押金退还 (made by the exit issue's move-out through rent.payments.services.deposit_refund_send)."""

    list_display = ["reference", "lease", "district", "amount", "account_name", "masked_account", "status",
                    "bank_reason", "created_at", "decided_at"]
    list_filter = ["status", "district"]
    search_fields = ["reference", "lease__number", "lease__tenant_name", "account_name", "bank_txn_id"]
    list_select_related = ["lease", "district"]
    readonly_fields = ["reference", "lease", "district", "amount", "account_name", "masked_account", "status",
                       "bank_txn_id", "bank_reason", "actor", "created_at", "decided_at"]
    fields = readonly_fields
    inlines = [DepositRefundStatusInline]

    @admin.display(description="收款账号")
    def masked_account(self, refund):
        return refund.masked_account
