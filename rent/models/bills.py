"""Bills (账单, DESIGN §8): one per lease and period, never two (a unique constraint), made by the
monthly job in rent/billing/. The first and last month of a lease are prorated by day.

`amount_paid` is what payments applied to the bill (the payment half, rent/payments/, writes it);
the status follows it only through the transitions below, whose guards compare the amounts:

    unpaid ──settle_partly──▶ partly_paid ──settle──▶ paid
       └───────────────settle────────────────────────▶
    (a refund moves back through `reopen` / `settle_partly`)
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gongzufang.models.audit import StatusChange
from gongzufang.scoping import ScopedQuerySet
from gongzufang.workflow import Lifecycle, StatusLog, guard

ZERO = Decimal("0.00")


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", _("待缴")
    PARTLY_PAID = "partly_paid", _("部分缴纳")
    PAID = "paid", _("已缴清")


@guard(lambda bill: _("已缴 %(paid)s 元，应缴 %(amount)s 元，尚未缴清。") % {"paid": bill.amount_paid,
                                                                       "amount": bill.amount})
def fully_paid(bill) -> bool:
    return bill.amount_paid >= bill.amount


@guard(lambda bill: _("已缴 %(paid)s 元，不是部分缴纳（应缴 %(amount)s 元）。") % {"paid": bill.amount_paid,
                                                                           "amount": bill.amount})
def partly_paid(bill) -> bool:
    return ZERO < bill.amount_paid < bill.amount


@guard("该账单仍有已缴金额，不能改回待缴。")
def nothing_paid(bill) -> bool:
    return bill.amount_paid == ZERO


class BillQuerySet(ScopedQuerySet):
    def outstanding(self):
        return self.exclude(status=BillStatus.PAID)

    def overdue(self, on):
        return self.outstanding().filter(due_on__lt=on)


class Bill(Lifecycle, models.Model):
    lease = models.ForeignKey("rent.Lease", on_delete=models.PROTECT, related_name="bills", verbose_name=_("租赁合同"))
    # copies of what the lease implies, for the tenant's page and district scoping without joins
    tenant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rent_bills",
                               verbose_name=_("承租人"), editable=False)
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"), editable=False)
    period = models.DateField(_("账期"), help_text=_("账期所在月的第一天。"))
    period_start = models.DateField(_("计费起日"))
    period_end = models.DateField(_("计费止日"))
    days = models.PositiveSmallIntegerField(_("计费天数"))
    days_in_period = models.PositiveSmallIntegerField(_("账期天数"))
    monthly_rent = models.DecimalField(_("月租金（元）"), max_digits=9, decimal_places=2)
    amount = models.DecimalField(_("应缴金额（元）"), max_digits=10, decimal_places=2)
    amount_paid = models.DecimalField(_("已缴金额（元）"), max_digits=10, decimal_places=2, default=ZERO)
    due_on = models.DateField(_("缴费截止日"))
    status = FSMField(_("缴费状态"), max_length=12, choices=BillStatus.choices, default=BillStatus.UNPAID,
                      editable=False, protected=True)
    paid_at = models.DateTimeField(_("缴清时间"), null=True, blank=True, editable=False)
    # Parts of the period at different rents (a rent change inside it), or a correction: what the amount is made of.
    lines = models.JSONField(_("计费明细"), default=list, blank=True, editable=False)
    note = models.CharField(_("说明"), max_length=400, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("开出时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = BillQuerySet.as_manager()
    scope_district_path = "district"
    scope_street_path = "lease__unit__estate__street"
    status_log = StatusLog("rent.BillStatusChange", "bill", save_all=True, not_found="未找到该账单。")

    class Meta:
        verbose_name = _("账单")
        verbose_name_plural = _("账单")
        ordering = ["-period", "lease_id"]
        constraints = [
            models.UniqueConstraint(fields=["lease", "period"], name="one_bill_per_lease_period",
                                    violation_error_message=_("该合同本账期的账单已开出，不能重复开具。")),
            models.CheckConstraint(condition=Q(amount__gte=0), name="bill_amount_not_negative"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount")),
                                   name="bill_paid_within_amount"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="bill_period_ordered"),
        ]
        indexes = [
            models.Index(fields=["tenant", "-period"], name="bill_tenant_period"),
            models.Index(fields=["district", "status", "due_on"], name="bill_district_status_due"),
            # The statistics' month cube reads the bills due in a month (the current one live, a closed one
            # for the monthly job) from this index alone (ADR 0016).
            models.Index(fields=["due_on"], include=["district", "amount", "amount_paid", "status", "lease"],
                         name="bill_due_on_stats"),
        ]

    def __str__(self):
        return f"{self.lease.number if self.lease_id else ''} {self.period:%Y年%m月} 账单"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.amount_paid

    # --- transitions (rent/billing/services.py and the payment half call them through the engine) ---
    @transition(field=status, source=[BillStatus.UNPAID, BillStatus.PARTLY_PAID, BillStatus.PAID],
                target=BillStatus.PARTLY_PAID, conditions=[partly_paid],
                custom={"verb": _("登记部分缴纳"), "saves": ["amount_paid", "paid_at"]})
    def settle_partly(self):
        self.paid_at = None

    @transition(field=status, source=[BillStatus.UNPAID, BillStatus.PARTLY_PAID], target=BillStatus.PAID,
                conditions=[fully_paid], custom={"verb": _("登记缴清"), "saves": ["amount_paid", "paid_at"]})
    def settle(self):
        from django.utils import timezone

        self.paid_at = timezone.now()

    @transition(field=status, source=[BillStatus.PARTLY_PAID, BillStatus.PAID], target=BillStatus.UNPAID,
                conditions=[nothing_paid], custom={"verb": _("改回待缴"), "saves": ["amount_paid", "paid_at"]})
    def reopen(self):
        self.paid_at = None


class BillStatusChange(StatusChange):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("账单"))

    class Meta(StatusChange.Meta):
        verbose_name = _("账单状态变更")
        verbose_name_plural = _("账单状态变更")


class BillingRun(models.Model):
    """One month's bill run: which chunks (pk ranges of leases) are done, so a run killed half-way is
    finished by running it again (the unique constraint on bills does the rest)."""

    period = models.DateField(_("账期"), unique=True)
    chunks = models.PositiveIntegerField(_("分片数"), default=0)
    chunks_done = models.PositiveIntegerField(_("已完成分片"), default=0)
    bills_created = models.PositiveIntegerField(_("新开账单"), default=0)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账单批次")
        verbose_name_plural = _("账单批次")
        ordering = ["-period"]

    def __str__(self):
        return f"{self.period:%Y年%m月} 账单批次"


class BillReminder(models.Model):
    """One reminder (SMS and site message) per bill and stage: due date +3 and +10 days."""

    class Stage(models.TextChoices):
        PLUS_3 = "d3", _("逾期3日提醒")
        PLUS_10 = "d10", _("逾期10日提醒")

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("账单"))
    stage = models.CharField(_("提醒"), max_length=4, choices=Stage.choices)
    day = models.DateField(_("提醒日期"))
    sms_ok = models.BooleanField(_("短信已发出"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("欠费提醒")
        verbose_name_plural = _("欠费提醒")
        constraints = [models.UniqueConstraint(fields=["bill", "stage"], name="one_reminder_per_bill_stage")]

    def __str__(self):
        return f"{self.bill_id} {self.get_stage_display()}"


class BillAdjustment(models.Model):
    """A bill's amount corrected after it was made (the lease ended inside the period, or its rent
    changed from a day the bill already covered); what was paid beyond the new amount went to credit."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("账单"))
    old_amount = models.DecimalField(_("原应缴（元）"), max_digits=10, decimal_places=2)
    new_amount = models.DecimalField(_("调整后应缴（元）"), max_digits=10, decimal_places=2)
    to_credit = models.DecimalField(_("转入余额（元）"), max_digits=10, decimal_places=2, default=ZERO)
    reason = models.CharField(_("原因"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("账单调整")
        verbose_name_plural = _("账单调整")
        ordering = ["id"]

    def __str__(self):
        return f"{self.bill_id} {self.old_amount}→{self.new_amount}"
