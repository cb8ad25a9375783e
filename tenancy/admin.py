"""Caseworkers' queues (年审, 监管预警, 退出) with their due dates, scoped to the district; the change
page shows the buttons `workflow.available_actions` offers and each posts to a service."""

from datetime import date

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone

from gongzufang import workflow
from gongzufang.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError
from gongzufang.parameters import EXIT_GROUNDS

from . import services
from .models import (
    AlertResolution,
    AlertStatusChange,
    AnnualReview,
    AnnualReviewStatusChange,
    ExitCase,
    ExitDeduction,
    ExitStatusChange,
    MonitoringAlert,
    MonitoringRun,
    ReapplicationBan,
    ReviewOutcome,
)


class ChangeInline(ReadOnlyInline):
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    verbose_name_plural = "办理记录"


class ReviewChangeInline(ChangeInline):
    model = AnnualReviewStatusChange


class AlertChangeInline(ChangeInline):
    model = AlertStatusChange


class ExitChangeInline(ChangeInline):
    model = ExitStatusChange


class DeductionInline(ReadOnlyInline):
    model = ExitDeduction
    fields = ["item", "amount"]
    readonly_fields = fields


def _overdue(obj):
    due = getattr(obj, "due_on", None)
    return due is not None and due < timezone.localdate()


class _Queue(ReadOnlyAdminMixin, DistrictScopedAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/tenancy/change_form.html"
    list_per_page = 50
    steps: dict = {}

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [path("<path:object_id>/act/<str:action>/", self.admin_site.admin_view(self.action_view),
                     name="%s_%s_act" % info), *super().get_urls()]

    def _change_url(self, obj):
        return reverse(f"admin:tenancy_{self.model._meta.model_name}_change", args=[obj.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
                 "show_delete": False, "step_actions": workflow.available_actions(obj, request.user),
                 "act_url": f"admin:tenancy_{self.model._meta.model_name}_act", "grounds": EXIT_GROUNDS.items(),
                 "outcomes": ReviewOutcome.choices, "resolutions": AlertResolution.choices, "today": timezone.localdate(),
                 **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def action_view(self, request, object_id, action):
        obj = self.get_object(request, object_id)  # another district's id: 404
        if request.method != "POST":
            return redirect(self._change_url(obj))
        step = self.steps.get(action)
        if step is None:
            messages.error(request, "未知的操作。")
            return redirect(self._change_url(obj))
        try:
            step(obj, request.user, request.POST)
        except PortalError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已办理。")
        return redirect(self._change_url(obj))


def _date(value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PortalError("日期格式应为 YYYY-MM-DD。") from None


def _deductions(text):
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        item, _sep, amount = line.replace("，", ",").rpartition(",")
        if not item:
            raise PortalError(f"扣除项“{line}”应写成“项目,金额”。")
        rows.append((item, amount.strip()))
    return rows


@admin.register(AnnualReview)
class AnnualReviewAdmin(_Queue):
    list_display = ["number", "holder_name", "year", "status", "due_on", "outcome", "district"]
    list_filter = ["status", "outcome", "year", "district"]
    search_fields = ["number", "holder_name"]
    ordering = ["due_on", "id"]
    list_select_related = ["district"]
    fields = ["number", "holder_name", "lease", "grant", "district", "year", "anniversary", "opens_on", "due_on",
              "status", "no_change", "declaration", "declared_at", "changes_shown", "checked_at", "outcome",
              "outcome_note", "adjustment", "decided_at", "decided_by"]
    readonly_fields = fields

    @admin.display(description="自上次结论以来的变化")
    def changes_shown(self, obj):
        from django.utils.html import format_html, format_html_join

        if obj.checked_at is None:
            return "部门核验完成后显示"
        if not obj.changes:
            return "与上次结论时相比，部门数据和资格条件均无变化"
        rows = format_html_join("", "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
                                ((c.get("what", ""), c.get("before", ""), c.get("after", "")) for c in obj.changes))
        return format_html('<table class="tenancy-changes"><thead><tr><th scope="col">事项</th><th scope="col">上次</th>'
                           '<th scope="col">本次</th></tr></thead><tbody>{}</tbody></table>', rows)
    inlines = [ReviewChangeInline]
    steps = {"decide": lambda o, u, p: services.review_decide(
        review=o, actor=u, outcome=p.get("outcome", ""), note=p.get("opinion", "")[:2000],
        ground=p.get("ground") or "failed_recertification", coefficient=p.get("coefficient") or None)}


@admin.register(MonitoringAlert)
class MonitoringAlertAdmin(_Queue):
    list_display = ["holder_name", "member_name", "fact", "source", "fact_date", "status", "due_on", "district"]
    list_filter = ["status", "kind", "department", "household_kind", "district"]
    search_fields = ["holder_name", "member_name"]
    ordering = ["due_on", "id"]
    list_select_related = ["district"]
    fields = ["holder_name", "household_kind", "lease", "grant", "district", "member_name", "department", "kind",
              "fact", "source", "fact_date", "due_on", "status", "resolution", "resolution_note", "resolved_by",
              "resolved_at", "review", "exit_case"]
    readonly_fields = fields
    inlines = [AlertChangeInline]
    steps = {"resolve": lambda o, u, p: services.alert_resolve(
        alert=o, actor=u, resolution=p.get("resolution", ""), note=p.get("opinion", "")[:2000],
        ground=p.get("ground") or None)}


@admin.register(ExitCase)
class ExitCaseAdmin(_Queue):
    list_display = ["number", "holder_name", "ground", "origin", "status", "statement_due", "contract_rent_until",
                    "district"]
    list_filter = ["status", "ground", "origin", "district"]
    search_fields = ["number", "holder_name"]
    list_select_related = ["district"]
    fields = ["number", "holder_name", "lease", "grant", "district", "ground", "origin", "facts", "status",
              "statement_due", "statement", "statement_at", "decided_at", "move_out_from", "contract_rent_until",
              "market_rent_from", "market_monthly_rent", "inspected_on", "condition", "damage", "water_meter",
              "electricity_meter", "gas_meter", "refund_account", "deposit", "deductions_total", "refund_amount",
              "refund_reference", "refund_status", "settled_at", "closed_at", "close_note"]
    readonly_fields = fields

    @admin.display(description="退款账户（承租人填写）")
    def refund_account(self, obj):
        if not obj.lease_id:
            return "—（租赁补贴无押金）"
        if not obj.refund_account_last4:
            return "承租人尚未填写（结算退还押金前须由承租人在退出页面填写）"
        return f"{obj.refund_account_name} {obj.masked_refund_account}"

    @admin.display(description="押金退还（银行）")
    def refund_status(self, obj):
        refund = services.exit_refund(obj)
        if refund is None:
            return "—"
        reason = f"（{refund.bank_reason}）" if refund.bank_reason else ""
        return f"{refund.amount} 元 · {refund.get_status_display()}{reason}"
    inlines = [DeductionInline, ExitChangeInline]
    steps = {
        "notify": lambda o, u, p: services.exit_notify(case=o, actor=u),
        "decide": lambda o, u, p: services.exit_decide(case=o, actor=u, opinion=p.get("opinion", "")),
        "accept": lambda o, u, p: services.exit_decide(case=o, actor=u, opinion=p.get("opinion", "")),
        "inspect": lambda o, u, p: services.exit_inspect(
            case=o, actor=u, inspected_on=_date(p.get("inspected_on")), condition=p.get("condition", ""),
            damage=p.get("damage", ""), water_meter=p.get("water_meter", ""),
            electricity_meter=p.get("electricity_meter", ""), gas_meter=p.get("gas_meter", "")),
        "settle": lambda o, u, p: services.exit_settle(case=o, actor=u, deductions=_deductions(p.get("deductions"))),
        "close": lambda o, u, p: services.exit_close(case=o, actor=u),
        "close_subsidy": lambda o, u, p: services.exit_close(case=o, actor=u),
        "withdraw": lambda o, u, p: services.exit_withdraw(case=o, actor=u, opinion=p.get("opinion", "")),
    }


@admin.register(MonitoringRun)
class MonitoringRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["period", "started_at", "finished_at", "households", "requests", "queried", "alerts"]


@admin.register(ReapplicationBan)
class ReapplicationBanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "ground", "starts_on", "ends_on", "case"]
    list_filter = ["ground"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=ExitCase.objects.for_user(request.user))
