"""资格年审、动态监管与退出 (DESIGN §9, issue 16): what happens to a household while it holds a
public-rental lease (rent.Lease) or a rental subsidy (subsidies.SubsidyGrant).

- `AnnualReview`: one per household subject (a lease or a grant) and year, opened before the
  anniversary; the household declares (or says 无变化 with consent), the checks re-run, a caseworker
  decides continue / adjust / exit. Unanswered by the deadline it becomes overdue.
- `MonitoringRun` / `MonitoringAlert`: the monthly re-check of every active household against the
  departments whose facts change; a change that matters is an alert a caseworker resolves.
- `ExitCase`: opened → 陈述申辩 → decided → 腾退 → inspected → settled → closed (or withdrawn).
- `ReapplicationBan`: who may not apply again, until when, and why (read by applications' rules).

Statuses change only through `gongzufang.workflow.transition` (ADR 0009); writes are in
tenancy/services.py.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gongzufang.fields import EncryptedCharField
from gongzufang.models.audit import StatusChange
from gongzufang.models.users import Role
from gongzufang.parameters import EXIT_GROUNDS
from gongzufang.scoping import ScopedQuerySet, scope_of
from gongzufang.storage import private_storage
from gongzufang.workflow import Lifecycle, StatusLog, guard, may

MONEY = {"max_digits": 12, "decimal_places": 2}

STAFF = may(roles=(Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER),
            denied="年审、监管预警和退出由区县或市级住房保障经办人办理。")


class DistrictHandled(ScopedQuerySet):
    """Handled by district and city caseworkers; a street clerk sees none."""

    def for_user(self, principal):
        scope = scope_of(principal)
        if scope.street_id and not scope.city_wide:
            return self.none()
        return super().for_user(principal)


def _holder_or_staff(obj, user) -> bool:
    if user is None or not hasattr(user, "role"):
        return True
    if getattr(user, "is_superuser", False) or user.role in (Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER):
        return True
    return obj.holder_id == user.pk


_holder_or_staff.denied = "只有承租人（补贴申请人）本人或经办人可以办理。"


def _holder_only(obj, user) -> bool:
    return user is None or not hasattr(user, "role") or obj.holder_id == user.pk


_holder_only.denied = "只有承租人（补贴申请人）本人可以申报。"


class ScopedByHolder(DistrictHandled):
    def of_holder(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(holder=user)


class LeaseOrGrant(models.Model):
    """The household a row is about: its lease or its grant (a waitlist household has neither), its
    application, the head's name and the district (reviews, exit cases and monitoring alerts)."""

    lease = models.ForeignKey("rent.Lease", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("公租房合同"))
    grant = models.ForeignKey("subsidies.SubsidyGrant", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("租赁补贴"))
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("家庭申请"))
    holder_name = models.CharField(_("户主姓名"), max_length=40)
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))

    class Meta:
        abstract = True

    @property
    def subject(self):
        return self.lease if self.lease_id else self.grant

    @property
    def household_label(self) -> str:
        if self.lease_id:
            return f"公租房合同 {self.lease.number}（{self.holder_name}）"
        if self.grant_id:
            return f"租赁补贴 {self.grant.number}（{self.holder_name}）"
        return self.holder_name


class HouseholdSubject(LeaseOrGrant):
    """A lease or a grant (exactly one: `one_subject`) and the holder, who may act on the row."""

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("承租人/申请人"))

    class Meta:
        abstract = True

    @classmethod
    def workflow_visible(cls, actor):
        if actor is None:
            return cls.objects.all()
        if getattr(actor, "is_staff", False) or not hasattr(actor, "role") or actor.role != Role.APPLICANT:
            return cls.objects.for_user(actor)
        return cls.objects.of_holder(actor)


def one_subject(prefix):
    return models.CheckConstraint(
        condition=(Q(lease__isnull=False, grant__isnull=True) | Q(lease__isnull=True, grant__isnull=False)),
        name=f"{prefix}_lease_or_grant")


# --- 资格年审 ------------------------------------------------------------------------------------


class ReviewStatus(models.TextChoices):
    OPENED = "opened", _("待申报")
    DECLARED = "declared", _("已申报")
    CHECKING = "checking", _("核验中")
    DECIDED = "decided", _("已作出结论")
    OVERDUE = "overdue", _("逾期未申报")


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("继续保障")
    ADJUST = "adjust", _("调整保障")
    EXIT = "exit", _("退出保障")


OPEN_REVIEW_STATUSES = (ReviewStatus.OPENED, ReviewStatus.DECLARED, ReviewStatus.CHECKING, ReviewStatus.OVERDUE)


@guard("请先选择年审结论。")
def has_outcome(review) -> bool:
    return bool(review.outcome)


class AnnualReview(Lifecycle, HouseholdSubject):
    number = models.CharField(_("年审编号"), max_length=24, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年审年度"))
    anniversary = models.DateField(_("周年日"))
    opens_on = models.DateField(_("开启日期"))
    due_on = models.DateField(_("申报截止日"))
    status = FSMField(_("状态"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPENED,
                      db_index=True, editable=False, protected=True)

    # the declaration
    no_change = models.BooleanField(_("声明无变化"), default=False, editable=False)
    consent_at = models.DateTimeField(_("授权核验时间"), null=True, blank=True, editable=False)
    declaration = models.JSONField(_("申报内容"), default=dict, blank=True, editable=False)
    declared_at = models.DateTimeField(_("申报时间"), null=True, blank=True, editable=False)

    # the checks and what changed since the last decision
    evaluation = models.ForeignKey("applications.RuleEvaluation", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("资格审核结果"), editable=False)
    previous_evaluation = models.ForeignKey("applications.RuleEvaluation", on_delete=models.SET_NULL, null=True,
                                            blank=True, related_name="+", editable=False)
    changes = models.JSONField(_("自上次结论以来的变化"), default=list, blank=True, editable=False)
    checked_at = models.DateTimeField(_("核验完成时间"), null=True, blank=True, editable=False)

    # the decision
    outcome = models.CharField(_("年审结论"), max_length=10, choices=ReviewOutcome.choices, blank=True, editable=False)
    outcome_note = models.TextField(_("结论说明"), blank=True, editable=False)
    adjustment = models.JSONField(_("调整内容"), default=dict, blank=True, editable=False)
    decided_at = models.DateTimeField(_("结论时间"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("经办人"), editable=False)

    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedByHolder.as_manager()
    scope_district_path = "district"
    scope_street_path = None
    status_log = StatusLog("tenancy.AnnualReviewStatusChange", "review", save_all=True, not_found="未找到该年审。")

    class Meta:
        verbose_name = _("资格年审")
        verbose_name_plural = _("资格年审")
        ordering = ["due_on", "id"]
        constraints = [
            one_subject("annualreview"),
            models.UniqueConstraint(fields=["lease", "year"], condition=Q(lease__isnull=False),
                                    name="annualreview_one_per_lease_year"),
            models.UniqueConstraint(fields=["grant", "year"], condition=Q(grant__isnull=False),
                                    name="annualreview_one_per_grant_year"),
        ]
        indexes = [models.Index(fields=["district", "status", "due_on"], name="annualreview_queue"),
                   # Reviews decided in a month (statistics' month cube, ADR 0016).
                   models.Index(fields=["decided_at"], include=["district", "status"], name="annualreview_decided_stats")]

    def __str__(self):
        return self.number

    @transition(field=status, source=[ReviewStatus.OPENED, ReviewStatus.OVERDUE], target=ReviewStatus.DECLARED,
                permission=_holder_only, custom={"verb": _("申报")})
    def declare(self):
        pass

    @transition(field=status, source=ReviewStatus.DECLARED, target=ReviewStatus.CHECKING,
                custom={"verb": _("开始核验")})
    def start_checks(self):
        pass

    @transition(field=status, source=ReviewStatus.CHECKING, target=ReviewStatus.DECIDED, permission=STAFF,
                conditions=[has_outcome], custom={"label": _("作出年审结论"), "verb": _("作出年审结论"), "needs_opinion": True})
    def decide(self):
        pass

    @transition(field=status, source=ReviewStatus.OPENED, target=ReviewStatus.OVERDUE,
                custom={"verb": _("标记逾期")})
    def lapse(self):
        pass


class AnnualReviewStatusChange(StatusChange):
    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="status_changes",
                               verbose_name=_("年审"))

    class Meta(StatusChange.Meta):
        verbose_name = _("年审状态变更")
        verbose_name_plural = _("年审状态变更")


# --- 动态监管 ------------------------------------------------------------------------------------


class MonitoringRun(models.Model):
    """One month's run. Resumable: `cursor` is the last application id done; a restarted run goes on
    from there, and the cross-check's freshness window keeps it from asking a department twice."""

    period = models.DateField(_("监管月份"), unique=True, help_text=_("该月第一天"))
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cursor = models.BigIntegerField(_("已完成至申请 ID"), default=0)
    households = models.PositiveIntegerField(_("已核查家庭"), default=0)
    requests = models.PositiveIntegerField(_("交换平台请求数"), default=0)
    queried = models.PositiveIntegerField(_("部门查询数"), default=0)
    alerts = models.PositiveIntegerField(_("产生预警"), default=0)

    class Meta:
        verbose_name = _("动态监管批次")
        verbose_name_plural = _("动态监管批次")
        ordering = ["-period"]

    def __str__(self):
        return f"{self.period:%Y-%m} 动态监管"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class AlertResolution(models.TextChoices):
    NO_ACTION = "no_action", _("无需处理")
    REVIEW_OPENED = "review_opened", _("启动复核（年审）")
    EXIT_OPENED = "exit_opened", _("启动退出")


@guard("请选择处理方式。")
def has_resolution(alert) -> bool:
    return bool(alert.resolution)


class MonitoringAlert(Lifecycle, LeaseOrGrant):
    run = models.ForeignKey(MonitoringRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                            verbose_name=_("监管批次"))
    household_kind = models.CharField(_("家庭类型"), max_length=12,
                                      choices=[("lease", _("公租房承租家庭")), ("grant", _("租赁补贴家庭")),
                                               ("waitlist", _("轮候家庭"))])
    member_name = models.CharField(_("家庭成员"), max_length=40, blank=True)
    department = models.CharField(_("部门"), max_length=32)
    kind = models.CharField(_("变化类型"), max_length=32)
    fact = models.CharField(_("变化事实"), max_length=300)
    source = models.CharField(_("来源"), max_length=120)
    fact_date = models.DateField(_("事实日期"))
    check_result = models.OneToOneField("applications.CheckResult", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", editable=False)
    due_on = models.DateField(_("处理期限"))
    status = FSMField(_("状态"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN,
                      db_index=True, editable=False, protected=True)
    resolution = models.CharField(_("处理方式"), max_length=16, choices=AlertResolution.choices, blank=True,
                                  editable=False)
    resolution_note = models.TextField(_("处理说明"), blank=True, editable=False)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("处理人"), editable=False)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True, editable=False)
    review = models.ForeignKey(AnnualReview, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               editable=False, verbose_name=_("启动的复核"))
    exit_case = models.ForeignKey("tenancy.ExitCase", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", editable=False, verbose_name=_("启动的退出"))
    created_at = models.DateTimeField(_("产生时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DistrictHandled.as_manager()
    scope_district_path = "district"
    scope_street_path = None
    status_log = StatusLog("tenancy.AlertStatusChange", "alert", save_all=True, not_found="未找到该监管预警。")

    class Meta:
        verbose_name = _("动态监管预警")
        verbose_name_plural = _("动态监管预警")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["district", "status", "due_on"], name="alert_queue")]

    def __str__(self):
        return f"{self.holder_name}：{self.fact}"

    @transition(field=status, source=AlertStatus.OPEN, target=AlertStatus.RESOLVED, permission=STAFF,
                conditions=[has_resolution], custom={"label": _("处理预警"), "verb": _("处理预警"), "needs_opinion": True})
    def resolve(self):
        pass


class AlertStatusChange(StatusChange):
    alert = models.ForeignKey(MonitoringAlert, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("预警"))

    class Meta(StatusChange.Meta):
        verbose_name = _("预警状态变更")
        verbose_name_plural = _("预警状态变更")


# --- 退出 ---------------------------------------------------------------------------------------

ExitGround = models.TextChoices("ExitGround", {k.upper(): (k, v) for k, v in EXIT_GROUNDS.items()})


class ExitOrigin(models.TextChoices):
    CASEWORKER = "caseworker", _("经办人启动")
    ARREARS = "arrears", _("欠租核查")
    REVIEW = "review", _("年审不合格")
    OVERDUE_REVIEW = "overdue_review", _("逾期未年审")
    MONITORING = "monitoring", _("动态监管")
    TENANT = "tenant", _("承租人退租申请")


class ExitStatus(models.TextChoices):
    OPENED = "opened", _("已立案")
    STATEMENT = "statement", _("陈述申辩期")
    DECIDED = "decided", _("已决定退出")
    MOVE_OUT = "move_out", _("腾退期")
    INSPECTED = "inspected", _("已验房")
    SETTLED = "settled", _("已结算")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤销")


OPEN_EXIT_STATUSES = (ExitStatus.OPENED, ExitStatus.STATEMENT, ExitStatus.DECIDED, ExitStatus.MOVE_OUT,
                      ExitStatus.INSPECTED, ExitStatus.SETTLED)


@guard("非自愿退出须先告知承租人退出理由并给予陈述申辩期。")
def is_voluntary(case) -> bool:
    return case.ground == "voluntary"


@guard("陈述申辩期尚未届满，承租人也未提交陈述申辩意见。")
def statement_heard(case) -> bool:
    from django.utils import timezone

    return bool(case.statement_at) or (case.statement_due is not None and timezone.localdate() > case.statement_due)


@guard("公租房须验房并结算押金后才能办结。")
def subsidy_only(case) -> bool:
    return not case.lease_id


@guard("请先登记验房结果。")
def inspection_recorded(case) -> bool:
    return bool(case.inspected_on)


@guard("请先完成押金结算。")
def settlement_recorded(case) -> bool:
    return case.settled_at is not None


class ExitCase(Lifecycle, HouseholdSubject):
    number = models.CharField(_("退出编号"), max_length=24, unique=True, editable=False)
    ground = models.CharField(_("退出理由"), max_length=24, choices=ExitGround.choices)
    origin = models.CharField(_("启动方式"), max_length=16, choices=ExitOrigin.choices)
    facts = models.TextField(_("事实与依据"), max_length=2000)
    review = models.ForeignKey(AnnualReview, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("年审"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("立案人"), editable=False)
    status = FSMField(_("状态"), max_length=12, choices=ExitStatus.choices, default=ExitStatus.OPENED,
                      db_index=True, editable=False, protected=True)

    # 陈述申辩
    notified_at = models.DateTimeField(_("告知时间"), null=True, blank=True, editable=False)
    statement_due = models.DateField(_("陈述申辩截止日"), null=True, blank=True, editable=False)
    statement = models.TextField(_("陈述申辩意见"), max_length=2000, blank=True, editable=False)
    statement_at = models.DateTimeField(_("陈述申辩时间"), null=True, blank=True, editable=False)

    # decision and move-out
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True, editable=False)
    move_out_from = models.DateField(_("腾退期起"), null=True, blank=True, editable=False)
    contract_rent_until = models.DateField(_("按合同租金计收至"), null=True, blank=True, editable=False)
    market_rent_from = models.DateField(_("按市场租金计收起"), null=True, blank=True, editable=False)
    market_monthly_rent = models.DecimalField(_("市场租金（元/月）"), **MONEY, null=True, blank=True, editable=False)

    # inspection
    inspected_on = models.DateField(_("验房日期"), null=True, blank=True, editable=False)
    condition = models.CharField(_("房屋状况"), max_length=300, blank=True, editable=False)
    damage = models.TextField(_("损坏情况"), max_length=1000, blank=True, editable=False)
    water_meter = models.CharField(_("水表读数"), max_length=20, blank=True, editable=False)
    electricity_meter = models.CharField(_("电表读数"), max_length=20, blank=True, editable=False)
    gas_meter = models.CharField(_("燃气表读数"), max_length=20, blank=True, editable=False)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", editable=False, verbose_name=_("验房人"))

    # settlement: deposit − Σ deductions = refund (recorded for the bank's 代发 file)
    deposit = models.DecimalField(_("押金（元）"), **MONEY, default=0, editable=False)
    deductions_total = models.DecimalField(_("扣除合计（元）"), **MONEY, default=0, editable=False)
    refund_amount = models.DecimalField(_("应退押金（元）"), **MONEY, default=0, editable=False)
    refund_reference = models.CharField(_("退款登记号"), max_length=40, blank=True, editable=False)
    # the account the tenant gives for the refund (退租/退出 page); shown masked afterwards
    refund_account_name = models.CharField(_("退款户名"), max_length=60, blank=True, editable=False)
    refund_account_no = EncryptedCharField(_("退款账号"), blank=True, editable=False)
    refund_account_last4 = models.CharField(_("退款账号后四位"), max_length=4, blank=True, editable=False)
    refund_account_at = models.DateTimeField(_("退款账户提交时间"), null=True, blank=True, editable=False)
    settled_at = models.DateTimeField(_("结算时间"), null=True, blank=True, editable=False)

    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    close_note = models.TextField(_("办结说明"), blank=True, editable=False)
    created_at = models.DateTimeField(_("立案时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedByHolder.as_manager()
    scope_district_path = "district"
    scope_street_path = None
    status_log = StatusLog("tenancy.ExitStatusChange", "case", save_all=True, not_found="未找到该退出事项。")

    class Meta:
        verbose_name = _("退出事项")
        verbose_name_plural = _("退出事项")
        ordering = ["-created_at", "-id"]
        constraints = [
            one_subject("exitcase"),
            # one live exit case per lease / grant
            models.UniqueConstraint(fields=["lease"], name="exitcase_one_live_per_lease",
                                    condition=Q(lease__isnull=False) & ~Q(status__in=["closed", "withdrawn"])),
            models.UniqueConstraint(fields=["grant"], name="exitcase_one_live_per_grant",
                                    condition=Q(grant__isnull=False) & ~Q(status__in=["closed", "withdrawn"])),
        ]
        indexes = [models.Index(fields=["district", "status"], name="exitcase_queue"),
                   # Exits closed in a month by ground (statistics' month cube, ADR 0016).
                   models.Index(fields=["closed_at"], include=["district", "status", "ground"], name="exitcase_closed_stats")]

    def __str__(self):
        return self.number

    @property
    def masked_refund_account(self) -> str:
        return f"**** **** **** {self.refund_account_last4}" if self.refund_account_last4 else ""

    @property
    def due_on(self):
        return {ExitStatus.STATEMENT: self.statement_due, ExitStatus.MOVE_OUT: self.contract_rent_until}.get(
            self.status)

    @transition(field=status, source=ExitStatus.OPENED, target=ExitStatus.STATEMENT, permission=STAFF,
                custom={"label": _("告知并给予陈述申辩期"), "verb": _("告知陈述申辩")})
    def notify(self):
        pass

    @transition(field=status, source=ExitStatus.STATEMENT, target=ExitStatus.DECIDED, permission=STAFF,
                conditions=[statement_heard],
                custom={"label": _("决定退出"), "verb": _("决定退出"), "needs_opinion": True, "style": "danger"})
    def decide(self):
        pass

    @transition(field=status, source=ExitStatus.OPENED, target=ExitStatus.DECIDED, permission=STAFF,
                conditions=[is_voluntary], custom={"label": _("同意退租"), "verb": _("同意退租")})
    def accept(self):
        pass

    @transition(field=status, source=ExitStatus.DECIDED, target=ExitStatus.MOVE_OUT, permission=STAFF,
                custom={"verb": _("开始腾退期")})
    def start_move_out(self):
        pass

    @transition(field=status, source=ExitStatus.MOVE_OUT, target=ExitStatus.INSPECTED, permission=STAFF,
                conditions=[inspection_recorded], custom={"label": _("登记验房"), "verb": _("验房")})
    def inspect(self):
        pass

    @transition(field=status, source=ExitStatus.INSPECTED, target=ExitStatus.SETTLED, permission=STAFF,
                conditions=[settlement_recorded], custom={"label": _("押金结算"), "verb": _("押金结算")})
    def settle(self):
        pass

    @transition(field=status, source=ExitStatus.SETTLED, target=ExitStatus.CLOSED, permission=STAFF,
                custom={"label": _("办结（房屋收回）"), "verb": _("办结")})
    def close(self):
        pass

    @transition(field=status, source=ExitStatus.DECIDED, target=ExitStatus.CLOSED, permission=STAFF,
                conditions=[subsidy_only], custom={"label": _("办结（补贴停发）"), "verb": _("办结")})
    def close_subsidy(self):
        pass

    @transition(field=status, source=[ExitStatus.OPENED, ExitStatus.STATEMENT], target=ExitStatus.WITHDRAWN,
                permission=_holder_or_staff,
                custom={"label": _("撤销退出"), "verb": _("撤销"), "needs_opinion": True})
    def withdraw(self):
        pass


class ExitStatusChange(StatusChange):
    case = models.ForeignKey(ExitCase, on_delete=models.CASCADE, related_name="status_changes",
                             verbose_name=_("退出事项"))

    class Meta(StatusChange.Meta):
        verbose_name = _("退出状态变更")
        verbose_name_plural = _("退出状态变更")


class ExitDeduction(models.Model):
    case = models.ForeignKey(ExitCase, on_delete=models.CASCADE, related_name="deductions", verbose_name=_("退出事项"))
    item = models.CharField(_("扣除项目"), max_length=100)
    amount = models.DecimalField(_("金额（元）"), **MONEY)

    class Meta:
        verbose_name = _("押金扣除项")
        verbose_name_plural = _("押金扣除项")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="exitdeduction_amount_positive")]

    def __str__(self):
        return f"{self.item} {self.amount}"


def exit_photo_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"tenancy/inspection/{secrets.token_hex(12)}.{ext}"


class ExitPhoto(models.Model):
    case = models.ForeignKey(ExitCase, on_delete=models.CASCADE, related_name="photos", verbose_name=_("退出事项"))
    image = models.FileField(_("照片"), storage=private_storage, upload_to=exit_photo_path, max_length=200)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("验房照片")
        verbose_name_plural = _("验房照片")

    def __str__(self):
        return self.caption or self.image.name


class ReapplicationBan(models.Model):
    """A household member who may not apply again until `ends_on` (exclusive), and why."""

    case = models.ForeignKey(ExitCase, on_delete=models.PROTECT, related_name="bans", verbose_name=_("退出事项"))
    id_number_hash = models.CharField(max_length=64, db_index=True)
    name = models.CharField(_("姓名"), max_length=40)
    ground = models.CharField(_("理由"), max_length=24, choices=ExitGround.choices)
    starts_on = models.DateField(_("起始日"))
    ends_on = models.DateField(_("截止日"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("再申请限制")
        verbose_name_plural = _("再申请限制")
        constraints = [models.UniqueConstraint(fields=["case", "id_number_hash"], name="ban_once_per_case_member")]

    def __str__(self):
        return f"{self.name} 至 {self.ends_on}"
