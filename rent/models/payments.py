"""Payments (缴费, DESIGN §8): payment orders paid at the bank, payments (online, cash, POS, a bank
statement line a caseworker accepted), how each payment was applied to bills, the lease's credit
from overpayment, refunds, the bank's notifications as received, and imported daily statements.

Every write goes through rent/payments/services.py (and reconciliation.py). The ledger holds, to the
fen, for every lease:

    Σ payments − Σ refunds = Σ allocations (= Σ bills' amount_paid) + credit balance

A payment order's status changes only through the transitions below (workflow engine):

    pending ──mark_paid──▶ paid       (the bank's SUCCESS notification, or its answer to a query)
       ├────mark_failed──▶ failed     (the bank's FAILED notification)
       └────expire───────▶ expired    (past expires_at with no payment; a late SUCCESS still pays it)
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gongzufang.fields import EncryptedCharField
from gongzufang.models.audit import StatusChange
from gongzufang.scoping import ScopedQuerySet
from gongzufang.workflow import Lifecycle, StatusLog

ZERO = Decimal("0.00")


def new_order_no() -> str:
    """PO + date + 10 random digits: unique in practice, checked by the unique constraint."""
    return f"PO{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"


def new_receipt_no() -> str:
    return f"SJ{timezone.localdate():%Y%m%d}{secrets.randbelow(10**8):08d}"


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    FAILED = "failed", _("支付失败")
    EXPIRED = "expired", _("已过期")


class TenantScopedQuerySet(ScopedQuerySet):
    def of_tenant(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(tenant=user)


class PaymentOrder(Lifecycle, models.Model):
    order_no = models.CharField(_("订单号"), max_length=32, unique=True, editable=False, default=new_order_no)
    tenant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payment_orders",
                               verbose_name=_("承租人"), editable=False)
    lease = models.ForeignKey("rent.Lease", on_delete=models.PROTECT, related_name="payment_orders",
                              verbose_name=_("租赁合同"), editable=False)
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"), editable=False)
    bills = models.ManyToManyField("rent.Bill", through="rent.PaymentOrderBill", related_name="payment_orders",
                                   verbose_name=_("账单"))
    amount = models.DecimalField(_("订单金额（元）"), max_digits=10, decimal_places=2, editable=False)
    subject = models.CharField(_("缴费事项"), max_length=100, editable=False)
    pay_url = models.URLField(_("银行支付页"), max_length=500, blank=True, editable=False)
    status = FSMField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING,
                      editable=False, protected=True, db_index=True)
    expires_at = models.DateTimeField(_("支付截止时间"), editable=False)
    bank_txn_id = models.CharField(_("银行流水号"), max_length=64, blank=True, editable=False)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True, editable=False)
    last_queried_at = models.DateTimeField(_("最近查询银行时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TenantScopedQuerySet.as_manager()
    scope_district_path = "district"
    scope_street_path = "lease__unit__estate__street"
    status_log = StatusLog("rent.PaymentOrderStatusChange", "order", save_all=True,
                           on_commit_task="rent.tasks.payment_order_changed", not_found="未找到该缴费订单。")

    class Meta:
        verbose_name = _("缴费订单")
        verbose_name_plural = _("缴费订单")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_order_amount_positive")]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_order_status_created")]

    def __str__(self):
        return self.order_no

    @classmethod
    def workflow_visible(cls, actor):
        """A tenant acts on their own orders; staff on their area's."""
        if getattr(actor, "role", None) == "applicant":
            return cls._default_manager.of_tenant(actor)
        return cls._default_manager.for_user(actor)

    @transition(field=status, source=[OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.FAILED],
                target=OrderStatus.PAID, custom={"verb": _("登记支付成功"), "saves": ["bank_txn_id", "paid_at"]})
    def mark_paid(self, *, bank_txn_id, paid_at):
        self.bank_txn_id = bank_txn_id
        self.paid_at = paid_at

    @transition(field=status, source=OrderStatus.PENDING, target=OrderStatus.FAILED,
                custom={"verb": _("登记支付失败"), "saves": ["bank_txn_id"]})
    def mark_failed(self, *, bank_txn_id=""):
        self.bank_txn_id = bank_txn_id

    @transition(field=status, source=OrderStatus.PENDING, target=OrderStatus.EXPIRED, custom={"verb": _("关闭过期订单")})
    def expire(self):
        pass


class PaymentOrderStatusChange(StatusChange):
    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("缴费订单"))

    class Meta(StatusChange.Meta):
        verbose_name = _("缴费订单状态变更")
        verbose_name_plural = _("缴费订单状态变更")


class PaymentOrderBill(models.Model):
    """A bill an order pays, with what it owed when the order was made."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="order_bills",
                              verbose_name=_("缴费订单"))
    bill = models.ForeignKey("rent.Bill", on_delete=models.PROTECT, related_name="+", verbose_name=_("账单"))
    amount = models.DecimalField(_("本次应缴（元）"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("订单账单")
        verbose_name_plural = _("订单账单")
        constraints = [models.UniqueConstraint(fields=["order", "bill"], name="one_bill_once_per_order")]

    def __str__(self):
        return f"{self.order_id}/{self.bill_id} {self.amount}"


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("网上支付")
    CASH = "cash", _("现金（柜台）")
    POS = "pos", _("POS 刷卡（柜台）")
    STATEMENT = "statement", _("银行到账（对账认定）")


COUNTER_METHODS = (PaymentMethod.CASH, PaymentMethod.POS)


class Payment(models.Model):
    """Money received for a lease. Never changed after it is made; a refund is its own row."""

    receipt_no = models.CharField(_("收据号"), max_length=40, unique=True, default=new_receipt_no,
                                  help_text=_("网上支付自动编号；柜台缴费填写所开收据的编号。"))
    method = models.CharField(_("缴费方式"), max_length=10, choices=PaymentMethod.choices)
    tenant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rent_payments",
                               verbose_name=_("承租人"))
    lease = models.ForeignKey("rent.Lease", on_delete=models.PROTECT, related_name="payments",
                              verbose_name=_("租赁合同"))
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="payment", verbose_name=_("缴费订单"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    # The bank's transaction (online, a statement line, a POS slip's reference): one payment each.
    bank_txn_id = models.CharField(_("银行流水号"), max_length=64, null=True, blank=True, unique=True)
    paid_at = models.DateTimeField(_("缴费时间"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("经办人"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = TenantScopedQuerySet.as_manager()
    scope_district_path = "district"
    scope_street_path = "lease__unit__estate__street"

    class Meta:
        verbose_name = _("缴费记录")
        verbose_name_plural = _("缴费记录")
        ordering = ["-paid_at", "-id"]
        permissions = [("record_counter_payment", _("可登记柜台缴费")),
                       ("refund_payment", _("可办理退款"))]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        # Households that paid rent in a month (statistics' month cube, ADR 0016): an index-only scan.
        indexes = [models.Index(fields=["paid_at"], include=["district", "lease"], name="payment_paid_at_stats")]

    def __str__(self):
        return f"{self.receipt_no} {self.amount} 元"


class PaymentAllocation(models.Model):
    """Part of a payment (or of the lease's credit) applied to a bill; negative when a refund takes it back."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations",
                                verbose_name=_("缴费记录"))
    from_credit = models.BooleanField(_("由余额抵扣"), default=False)
    refund = models.ForeignKey("rent.Refund", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="allocations", verbose_name=_("退款"))
    bill = models.ForeignKey("rent.Bill", on_delete=models.PROTECT, related_name="allocations", verbose_name=_("账单"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("缴费分配")
        verbose_name_plural = _("缴费分配")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="allocation_not_zero")]

    def __str__(self):
        return f"{self.bill_id} {self.amount}"


class RentCredit(models.Model):
    """The lease's balance of money received beyond its bills (预存余额); never negative."""

    lease = models.OneToOneField("rent.Lease", on_delete=models.PROTECT, related_name="credit",
                                 verbose_name=_("租赁合同"))
    tenant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("承租人"))
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    balance = models.DecimalField(_("余额（元）"), max_digits=12, decimal_places=2, default=ZERO)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TenantScopedQuerySet.as_manager()
    scope_district_path = "district"

    class Meta:
        verbose_name = _("预存余额")
        verbose_name_plural = _("预存余额")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="credit_not_negative")]

    def __str__(self):
        return f"{self.balance} 元"


class CreditEntry(models.Model):
    class Kind(models.TextChoices):
        OVERPAYMENT = "overpayment", _("多缴转入")
        USED = "used", _("抵扣账单")
        REFUND = "refund", _("退款")
        REOPENED = "reopened", _("退款冲回转入")
        ADJUSTED = "adjusted", _("账单调减转入")

    credit = models.ForeignKey(RentCredit, on_delete=models.PROTECT, related_name="entries", verbose_name=_("余额"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2, help_text=_("转入为正，转出为负。"))
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("缴费记录"))
    refund = models.ForeignKey("rent.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("退款"))
    bill = models.ForeignKey("rent.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("账单"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("余额变动")
        verbose_name_plural = _("余额变动")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class Refund(models.Model):
    """Money paid back from a payment: taken from the lease's credit first, then from its bills."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("缴费记录"))
    amount = models.DecimalField(_("退款金额（元）"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("退款原因"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"退款 {self.amount} 元"


class NotificationAttempt(models.Model):
    """Every notification the bank sent to /payments/notify/, as received, and what the portal did."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("已入账")
        FAILED_RECORDED = "failed", _("已登记支付失败")
        DUPLICATE = "duplicate", _("重复通知（此前已处理）")
        REFUSED = "refused", _("已拒绝")

    order_no = models.CharField(_("订单号"), max_length=64, blank=True, db_index=True)
    order = models.ForeignKey(PaymentOrder, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="notifications", verbose_name=_("缴费订单"))
    raw_body = models.TextField(_("原始报文"))
    signature = models.CharField(_("签名"), max_length=200, blank=True)
    signature_valid = models.BooleanField(_("签名有效"))
    outcome = models.CharField(_("处理结果"), max_length=10, choices=Outcome.choices)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=10, default="notify",
                              choices=[("notify", _("银行通知")), ("query", _("主动查询"))])
    ip = models.GenericIPAddressField(_("来源 IP"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("银行通知记录")
        verbose_name_plural = _("银行通知记录")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.order_no or '—'} {self.get_outcome_display()}"


class StatementImport(models.Model):
    """One day's bank statement imported by a district (re-importing the day refreshes it)."""

    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    day = models.DateField(_("交易日期"))
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("导入人"))
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    lines_total = models.PositiveIntegerField(_("行数"), default=0)
    other_district_lines = models.PositiveIntegerField(_("其他区县订单行数"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "district"

    class Meta:
        verbose_name = _("银行对账单")
        verbose_name_plural = _("银行对账单")
        ordering = ["-day", "district_id"]
        constraints = [models.UniqueConstraint(fields=["district", "day"], name="one_statement_per_district_day")]

    def __str__(self):
        return f"{self.day} 对账单"


class StatementLine(models.Model):
    class Match(models.TextChoices):
        MATCHED = "matched", _("已对平")
        UNMATCHED = "unmatched", _("未匹配（银行有、平台无）")
        MISMATCHED = "mismatched", _("金额不符")

    class Decision(models.TextChoices):
        NONE = "", _("—")
        PENDING = "pending", _("待经办人决定")
        ACCEPTED = "accepted", _("已认定入账")
        DISMISSED = "dismissed", _("不予入账")

    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines",
                                  verbose_name=_("对账单"))
    line_no = models.PositiveIntegerField(_("行号"))
    day = models.DateField(_("交易日期"))
    bank_txn_id = models.CharField(_("银行流水号"), max_length=64)
    order_no = models.CharField(_("订单号"), max_length=64, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    bank_status = models.CharField(_("银行状态"), max_length=20, blank=True)
    match = models.CharField(_("对账结果"), max_length=12, choices=Match.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.ForeignKey(PaymentOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("缴费订单"))
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("缴费记录"))
    decision = models.CharField(_("处理决定"), max_length=10, choices=Decision.choices, blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.CharField(_("决定理由"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "statement__district"

    class Meta:
        verbose_name = _("对账单明细")
        verbose_name_plural = _("对账单明细")
        ordering = ["statement", "line_no"]
        constraints = [models.UniqueConstraint(fields=["statement", "bank_txn_id"], name="one_line_per_txn")]

    def __str__(self):
        return f"{self.bank_txn_id} {self.amount}"


class DepositRefundStatus(models.TextChoices):
    PENDING = "pending", _("待银行处理")
    PAID = "paid", _("已退还")
    FAILED = "failed", _("退还失败")


class DepositRefund(Lifecycle, models.Model):
    """押金退还 after move-out, paid through the bank: the account checked (name and number), then a
    one-line 代发 batch whose 批次号 is `reference` (the bank pays a batch once). Idempotent by reference.

        pending ──mark_paid──▶ paid      (the bank's result line 成功)
           └─────mark_failed──▶ failed   (失败, or the account check refused; a new reference retries)
    """

    reference = models.CharField(_("退还编号"), max_length=64, unique=True, editable=False,
                                 help_text=_("银行代发批次号：字母、数字、下划线或连字符。"))
    lease = models.ForeignKey("rent.Lease", on_delete=models.PROTECT, related_name="deposit_refunds",
                              verbose_name=_("租赁合同"), editable=False)
    tenant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("承租人"), editable=False)
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"), editable=False)
    amount = models.DecimalField(_("退还金额（元）"), max_digits=10, decimal_places=2, editable=False)
    account_name = models.CharField(_("收款户名"), max_length=60, editable=False)
    account_no = EncryptedCharField(_("收款账号"), editable=False)
    account_last4 = models.CharField(_("账号后四位"), max_length=4, editable=False)
    status = FSMField(_("状态"), max_length=8, choices=DepositRefundStatus.choices,
                      default=DepositRefundStatus.PENDING, editable=False, protected=True)
    bank_txn_id = models.CharField(_("银行流水号"), max_length=64, blank=True, editable=False)
    bank_reason = models.CharField(_("失败原因"), max_length=200, blank=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("经办人"), editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("银行处理时间"), null=True, blank=True, editable=False)

    objects = TenantScopedQuerySet.as_manager()
    scope_district_path = "district"
    scope_street_path = "lease__unit__estate__street"
    status_log = StatusLog("rent.DepositRefundStatusChange", "refund", save_all=True, not_found="未找到该押金退还记录。")

    class Meta:
        verbose_name = _("押金退还")
        verbose_name_plural = _("押金退还")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_refund_amount_positive")]

    def __str__(self):
        return f"{self.reference} {self.amount} 元"

    def save(self, *args, **kwargs):
        self.account_last4 = (self.account_no or "")[-4:]
        super().save(*args, **kwargs)

    @property
    def masked_account(self) -> str:
        return f"**** **** **** {self.account_last4}" if self.account_last4 else "—"

    @transition(field=status, source=DepositRefundStatus.PENDING, target=DepositRefundStatus.PAID,
                custom={"verb": _("登记退还成功"), "saves": ["bank_txn_id", "decided_at"]})
    def mark_paid(self, *, bank_txn_id):
        self.bank_txn_id = bank_txn_id
        self.decided_at = timezone.now()

    @transition(field=status, source=DepositRefundStatus.PENDING, target=DepositRefundStatus.FAILED,
                custom={"verb": _("登记退还失败"), "saves": ["bank_reason", "decided_at"]})
    def mark_failed(self, *, reason):
        self.bank_reason = (reason or "")[:200]
        self.decided_at = timezone.now()


class DepositRefundStatusChange(StatusChange):
    refund = models.ForeignKey(DepositRefund, on_delete=models.CASCADE, related_name="status_changes",
                               verbose_name=_("押金退还"))

    class Meta(StatusChange.Meta):
        verbose_name = _("押金退还状态变更")
        verbose_name_plural = _("押金退还状态变更")
