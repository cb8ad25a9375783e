"""租赁补贴 (DESIGN §8, issue 15): grants, their computations, the household's market lease and bank
account, the monthly disbursement batches and the payments.

- `SubsidyGrant`: one per approved 租赁补贴 application (created in the approving transaction by the
  `application_approved` receiver). Status active → suspended → active, or → stopped (protected FSM).
- `GrantComputation`: the monthly amount with every input and the parameter rows used, effective from a
  period (first day of a month). A changed amount takes effect from the next month: a new row.
- `MarketLease`, `BankAccount`: registered by the household; a change adds a row (the old one is kept,
  marked replaced), so a batch's lines keep pointing at the account they were issued to.
- `SubsidyBatch`: one per district and month. draft (being built, resumable) → frozen → district_approved
  (审核) → city_confirmed (复核) → file_issued → results_imported.
- `SubsidyPayment`: one per grant and month (UniqueConstraint): pending → paid | failed; a failed one is
  retried in a later batch (failed → pending) once the account is fixed, and stays the same row.
- `PaymentLine`: one line of one batch's bank file (序号), an attempt at paying one payment; unique per
  (batch, payment) and (batch, line_no). The bank's result is written on the line and on the payment.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gongzufang.fields import EncryptedCharField, PiiHashField
from gongzufang.models.audit import StatusChange
from gongzufang.models.users import Role
from gongzufang.parameters import CATEGORIES
from gongzufang.scoping import ScopedQuerySet
from gongzufang.storage import private_storage
from gongzufang.workflow import Lifecycle, StatusLog, guard, may

CATEGORY_CHOICES = list(CATEGORIES.items())
MONEY = {"max_digits": 12, "decimal_places": 2}


def mask_account(number: str) -> str:
    """6217 0000 0000 0001 234 → 6217 **** **** 1234 (first 4 and last 4 shown)."""
    number = (number or "").replace(" ", "")
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]} **** **** {number[-4:]}"


# --- grants ----------------------------------------------------------------------------------------------


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("正常发放")
    SUSPENDED = "suspended", _("暂停发放")
    STOPPED = "stopped", _("停止发放")


class GrantQuerySet(ScopedQuerySet):
    def of_applicant(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(applicant=user)


SYSTEM_OR_CITY = may(roles=(Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER),
                     denied="补贴暂停、恢复和停止由区县或市级经办人办理。")


class SubsidyGrant(Lifecycle, models.Model):
    number = models.CharField(_("补贴编号"), max_length=24, unique=True, editable=False)
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="subsidy_grant", verbose_name=_("申请"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subsidy_grants",
                                  verbose_name=_("申请人"))
    holder_name = models.CharField(_("申请人姓名"), max_length=40)
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    category = models.CharField(_("保障对象类别"), max_length=24, choices=CATEGORY_CHOICES)
    status = FSMField(_("状态"), max_length=12, choices=GrantStatus.choices, default=GrantStatus.ACTIVE,
                      db_index=True, editable=False, protected=True)
    # The first month paid, and the month payment resumes from after a restoration (not back-paid).
    start_period = models.DateField(_("起始发放月份"), editable=False)
    payable_from = models.DateField(_("发放起始月份"), editable=False)
    suspended_from = models.DateField(_("暂停起始月份"), null=True, blank=True, editable=False)
    stopped_from = models.DateField(_("停止起始月份"), null=True, blank=True, editable=False)
    status_reason = models.CharField(_("状态原因"), max_length=200, blank=True, editable=False)
    # The amount now in force (its inputs: the current GrantComputation).
    monthly_amount = models.DecimalField(_("月补贴金额（元）"), **MONEY, default=0, editable=False)
    approved_at = models.DateTimeField(_("批准时间"), editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GrantQuerySet.as_manager()
    scope_district_path = "district"
    status_log = StatusLog("subsidies.GrantStatusChange", "grant", save_all=True, not_found="未找到该补贴资格。")

    class Meta:
        verbose_name = _("补贴资格")
        verbose_name_plural = _("补贴资格")
        ordering = ["-created_at", "-id"]
        permissions = [("manage_grant", _("可暂停、恢复、停止补贴"))]
        indexes = [models.Index(fields=["district", "status"], name="grant_district_status")]

    def __str__(self):
        return self.number

    @classmethod
    def workflow_visible(cls, actor):
        if actor is None or getattr(actor, "is_staff", False) or not hasattr(actor, "role"):
            return cls.objects.for_user(actor) if actor is not None else cls.objects.all()
        return cls.objects.of_applicant(actor)

    def payable_in(self, period) -> bool:
        if period < self.payable_from:
            return False
        if self.status == GrantStatus.ACTIVE:
            return True
        if self.status == GrantStatus.SUSPENDED:
            return self.suspended_from is not None and period < self.suspended_from
        return self.stopped_from is not None and period < self.stopped_from

    @transition(field=status, source=GrantStatus.ACTIVE, target=GrantStatus.SUSPENDED, permission=SYSTEM_OR_CITY,
                custom={"verb": _("暂停发放"), "needs_opinion": True})
    def suspend(self, *, from_period, reason):
        self.suspended_from, self.status_reason = from_period, reason

    @transition(field=status, source=GrantStatus.SUSPENDED, target=GrantStatus.ACTIVE, permission=SYSTEM_OR_CITY,
                custom={"verb": _("恢复发放"), "needs_opinion": True})
    def restore(self, *, from_period, reason):
        self.payable_from, self.suspended_from, self.status_reason = from_period, None, reason

    @transition(field=status, source=[GrantStatus.ACTIVE, GrantStatus.SUSPENDED], target=GrantStatus.STOPPED,
                permission=SYSTEM_OR_CITY, custom={"verb": _("停止发放"), "needs_opinion": True})
    def stop(self, *, from_period, reason):
        self.stopped_from, self.status_reason = from_period, reason


class GrantStatusChange(StatusChange):
    grant = models.ForeignKey(SubsidyGrant, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("补贴资格"))

    class Meta(StatusChange.Meta):
        verbose_name = _("补贴资格状态记录")
        verbose_name_plural = _("补贴资格状态记录")


class GrantComputation(models.Model):
    """How one monthly amount was reached, with every input and the parameter rows used."""

    grant = models.ForeignKey(SubsidyGrant, on_delete=models.CASCADE, related_name="computations",
                              verbose_name=_("补贴资格"))
    effective_from = models.DateField(_("生效月份"))
    category = models.CharField(_("保障对象类别"), max_length=24, choices=CATEGORY_CHOICES)
    members_counted = models.PositiveSmallIntegerField(_("计算人口"))
    own_housing_area = models.DecimalField(_("自有住房面积（㎡）"), max_digits=9, decimal_places=2)
    area_per_person = models.DecimalField(_("人均保障面积标准（㎡）"), max_digits=9, decimal_places=2)
    standard_per_sqm = models.DecimalField(_("补贴标准（元/㎡·月）"), max_digits=9, decimal_places=2)
    coefficient = models.DecimalField(_("补贴系数"), max_digits=6, decimal_places=4)
    eligible_area = models.DecimalField(_("补贴面积（㎡）"), max_digits=9, decimal_places=2)
    uncapped_amount = models.DecimalField(_("按标准计算（元）"), **MONEY)
    lease_rent = models.DecimalField(_("实际月租金（元）"), **MONEY, null=True, blank=True)
    lease = models.ForeignKey("subsidies.MarketLease", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("租赁合同"))
    amount = models.DecimalField(_("月补贴金额（元）"), **MONEY)
    # [{key, value, row_id, effective_from, district, legal_source}] (gongzufang.parameters.ResolvedParameter)
    parameters = models.JSONField(_("所用参数"), default=list)
    computed_on = models.DateField(_("计算日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "grant__district"

    class Meta:
        verbose_name = _("补贴核算")
        verbose_name_plural = _("补贴核算")
        ordering = ["grant", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["grant", "effective_from"], name="one_computation_per_month")]

    def __str__(self):
        return f"{self.grant_id} {self.effective_from:%Y-%m} {self.amount}"


# --- what the household registers --------------------------------------------------------------------------


def contract_upload_to(instance, filename):
    return f"subsidies/leases/{instance.grant_id}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class MarketLease(models.Model):
    """The market lease the household rents under (the rent caps the subsidy)."""

    grant = models.ForeignKey(SubsidyGrant, on_delete=models.CASCADE, related_name="leases", verbose_name=_("补贴资格"))
    landlord_name = models.CharField(_("出租人"), max_length=60)
    address = models.CharField(_("房屋地址"), max_length=200)
    area = models.DecimalField(_("租赁面积（㎡）"), max_digits=7, decimal_places=2, null=True, blank=True)
    monthly_rent = models.DecimalField(_("月租金（元）"), **MONEY)
    start_on = models.DateField(_("租期开始"))
    end_on = models.DateField(_("租期结束"))
    contract = models.FileField(_("租赁合同"), storage=private_storage, upload_to=contract_upload_to, max_length=200)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("被替换时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "grant__district"

    class Meta:
        verbose_name = _("市场租赁合同")
        verbose_name_plural = _("市场租赁合同")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["grant"], condition=Q(replaced_at__isnull=True), name="one_current_market_lease"),
            models.CheckConstraint(condition=Q(monthly_rent__gt=0), name="market_lease_rent_positive"),
            models.CheckConstraint(condition=Q(end_on__gt=models.F("start_on")), name="market_lease_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.address}（{self.monthly_rent} 元/月）"


class BankAccount(models.Model):
    """The account the subsidy is paid into, in the applicant's name, checked with the bank."""

    grant = models.ForeignKey(SubsidyGrant, on_delete=models.CASCADE, related_name="accounts", verbose_name=_("补贴资格"))
    holder_name = models.CharField(_("户名"), max_length=40)
    account_no = EncryptedCharField(_("账号"))
    account_no_hash = PiiHashField(source="account_no")
    account_last4 = models.CharField(_("账号后四位"), max_length=4, editable=False)
    verified_at = models.DateTimeField(_("银行核验时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("被替换时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "grant__district"

    class Meta:
        verbose_name = _("补贴银行账户")
        verbose_name_plural = _("补贴银行账户")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["grant"], condition=Q(replaced_at__isnull=True), name="one_current_account"),
        ]

    def __str__(self):
        return f"{self.holder_name} {self.masked}"

    def save(self, *args, **kwargs):
        self.account_last4 = (self.account_no or "")[-4:]
        super().save(*args, **kwargs)

    @property
    def masked(self) -> str:
        return f"**** **** **** {self.account_last4}" if self.account_last4 else "—"


# --- batches ---------------------------------------------------------------------------------------------


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("生成中")
    FROZEN = "frozen", _("已生成，待区县审核")
    DISTRICT_APPROVED = "district_approved", _("区县已审核，待市级复核")
    CITY_CONFIRMED = "city_confirmed", _("市级已复核，待出盘")
    FILE_ISSUED = "file_issued", _("已出盘，待导入银行结果")
    RESULTS_IMPORTED = "results_imported", _("已导入银行结果")


DISTRICT_APPROVER = may("subsidies.approve_batch", roles=(Role.DISTRICT_CASEWORKER,),
                        denied="发放批次的审核由本区县经办人办理。")
CITY_CONFIRMER = may("subsidies.confirm_batch", roles=(Role.CITY_CASEWORKER,),
                     denied="发放批次的复核由市级经办人办理。")
FILE_ISSUER = may("subsidies.issue_batch_file", roles=(Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER),
                  denied="出盘和导入银行结果由区县或市级经办人办理。")


@guard("批次中没有发放明细，不能审核。")
def has_lines(batch) -> bool:
    return batch.line_count > 0


class SubsidyBatch(Lifecycle, models.Model):
    number = models.CharField(_("批次号"), max_length=32, unique=True, editable=False)
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    period = models.DateField(_("发放月份"), help_text=_("该月第一天"))
    status = FSMField(_("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT,
                      db_index=True, editable=False, protected=True)
    line_count = models.PositiveIntegerField(_("笔数"), default=0, editable=False)
    total_amount = models.DecimalField(_("金额合计（元）"), **MONEY, default=0, editable=False)
    # The last grant pk added while building (the job resumes after it).
    built_through = models.BigIntegerField(default=0, editable=False)
    paid_count = models.PositiveIntegerField(_("成功笔数"), default=0, editable=False)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0, editable=False)
    paid_amount = models.DecimalField(_("成功金额（元）"), **MONEY, default=0, editable=False)
    result_sha256 = models.CharField(_("结果文件摘要"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    frozen_at = models.DateTimeField(_("生成时间"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "district"
    status_log = StatusLog("subsidies.BatchStatusChange", "batch", save_all=True, not_found="未找到该发放批次。")

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["-period", "district__code"]
        permissions = [("approve_batch", _("可审核发放批次")), ("confirm_batch", _("可复核发放批次")),
                       ("issue_batch_file", _("可出盘和导入银行结果"))]
        constraints = [
            models.UniqueConstraint(fields=["district", "period"], name="one_batch_per_district_and_month"),
            models.CheckConstraint(condition=Q(period__day=1), name="batch_period_first_of_month"),
        ]

    def __str__(self):
        return self.number

    @transition(field=status, source=BatchStatus.DRAFT, target=BatchStatus.FROZEN,
                custom={"verb": _("生成发放名单")})
    def freeze(self):
        pass

    @transition(field=status, source=BatchStatus.FROZEN, target=BatchStatus.DISTRICT_APPROVED,
                permission=DISTRICT_APPROVER, conditions=[has_lines],
                custom={"label": _("区县审核通过"), "verb": _("审核"), "summary": "区县审核发放批次",
                        "description": "区县经办人审核发放名单。", "example": "名单核对无误"})
    def district_approve(self):
        pass

    @transition(field=status, source=BatchStatus.DISTRICT_APPROVED, target=BatchStatus.CITY_CONFIRMED,
                permission=CITY_CONFIRMER,
                custom={"label": _("市级复核通过"), "verb": _("复核"), "summary": "市级复核发放批次",
                        "description": "市级经办人复核发放名单。", "example": "同意发放"})
    def city_confirm(self):
        pass

    @transition(field=status, source=[BatchStatus.CITY_CONFIRMED, BatchStatus.FILE_ISSUED],
                target=BatchStatus.FILE_ISSUED, permission=FILE_ISSUER,
                custom={"label": _("出盘（下载银行代发文件）"), "verb": _("出盘")})
    def issue_file(self):
        pass

    @transition(field=status, source=[BatchStatus.FILE_ISSUED, BatchStatus.RESULTS_IMPORTED],
                target=BatchStatus.RESULTS_IMPORTED, permission=FILE_ISSUER,
                custom={"label": _("导入银行结果"), "verb": _("导入银行结果")})
    def import_results(self):
        pass


class BatchStatusChange(StatusChange):
    batch = models.ForeignKey(SubsidyBatch, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("发放批次"))

    class Meta(StatusChange.Meta):
        verbose_name = _("发放批次办理记录")
        verbose_name_plural = _("发放批次办理记录")


# --- payments --------------------------------------------------------------------------------------------


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")


class SubsidyPayment(Lifecycle, models.Model):
    """A grant's payment for one month: one row, whatever is re-run, re-imported or retried."""

    grant = models.ForeignKey(SubsidyGrant, on_delete=models.PROTECT, related_name="payments", verbose_name=_("补贴资格"))
    period = models.DateField(_("补贴月份"))
    batch = models.ForeignKey(SubsidyBatch, on_delete=models.PROTECT, related_name="payments",
                              verbose_name=_("所在批次"), help_text=_("最近一次发放所在的批次"))
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    computation = models.ForeignKey(GrantComputation, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("核算依据"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    status = FSMField(_("状态"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING,
                      db_index=True, editable=False, protected=True)
    attempts = models.PositiveSmallIntegerField(_("发放次数"), default=1, editable=False)
    bank_reason = models.CharField(_("失败原因"), max_length=200, blank=True, editable=False)
    bank_txn_id = models.CharField(_("银行流水号"), max_length=64, blank=True, editable=False)
    paid_at = models.DateTimeField(_("到账确认时间"), null=True, blank=True, editable=False)
    failed_at = models.DateTimeField(_("失败时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "district"
    status_log = StatusLog("subsidies.PaymentStatusChange", "payment", save_all=True, not_found="未找到该发放记录。")

    class Meta:
        verbose_name = _("补贴发放记录")
        verbose_name_plural = _("补贴发放记录")
        ordering = ["-period", "grant_id"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "period"], name="one_payment_per_grant_and_month",
                                    violation_error_message=_("该补贴资格本月已有发放记录。")),
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["batch", "status"], name="payment_batch_status"),
                   # Subsidies paid for a month (statistics' month cube, ADR 0016): an index-only scan.
                   models.Index(fields=["period"], include=["district", "status", "grant", "amount"],
                                name="subsidypayment_period_stats")]

    def __str__(self):
        return f"{self.grant_id} {self.period:%Y-%m}"

    @transition(field=status, source=PaymentStatus.PENDING, target=PaymentStatus.PAID,
                custom={"verb": _("确认到账"), "saves": ["bank_txn_id", "paid_at"]})
    def mark_paid(self):
        pass

    @transition(field=status, source=PaymentStatus.PENDING, target=PaymentStatus.FAILED,
                custom={"verb": _("确认发放失败"), "saves": ["bank_reason", "failed_at"]})
    def mark_failed(self):
        pass

    @transition(field=status, source=PaymentStatus.FAILED, target=PaymentStatus.PENDING,
                custom={"verb": _("重新发放"), "saves": ["batch", "attempts", "bank_reason", "failed_at"]})
    def retry(self):
        pass


class PaymentStatusChange(StatusChange):
    payment = models.ForeignKey(SubsidyPayment, on_delete=models.CASCADE, related_name="status_changes",
                                verbose_name=_("发放记录"))

    class Meta(StatusChange.Meta):
        verbose_name = _("发放状态记录")
        verbose_name_plural = _("发放状态记录")


class LineResult(models.TextChoices):
    PENDING = "pending", _("待银行处理")
    PAID = "paid", _("成功")
    FAILED = "failed", _("失败")


class PaymentLine(models.Model):
    """One line (序号) of a batch's bank file: one attempt at one payment, to one account."""

    batch = models.ForeignKey(SubsidyBatch, on_delete=models.CASCADE, related_name="lines", verbose_name=_("批次"))
    line_no = models.PositiveIntegerField(_("序号"))
    payment = models.ForeignKey(SubsidyPayment, on_delete=models.PROTECT, related_name="lines",
                                verbose_name=_("发放记录"))
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("账户"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    result = models.CharField(_("银行结果"), max_length=10, choices=LineResult.choices, default=LineResult.PENDING)
    bank_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    bank_txn_id = models.CharField(_("银行流水号"), max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "batch__district"

    class Meta:
        verbose_name = _("代发明细")
        verbose_name_plural = _("代发明细")
        ordering = ["batch", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "payment"], name="one_line_per_payment_in_batch"),
            models.UniqueConstraint(fields=["batch", "line_no"], name="line_no_unique_in_batch"),
        ]

    def __str__(self):
        return f"{self.batch_id}#{self.line_no}"


# --- changing the account online needs an SMS code -----------------------------------------------------------


class AccountChangeCode(models.Model):
    """A code texted to the applicant before the bank account is changed; only its keyed hash is kept.
    5 minutes, 5 wrong tries void it (as applications/accounts' codes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("账户变更验证码")
        verbose_name_plural = _("账户变更验证码")
        indexes = [models.Index(fields=["user", "-created_at"], name="account_code_lookup")]

    def __str__(self):
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"
