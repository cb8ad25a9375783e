"""Leases (租赁合同, DESIGN §8; docs/adr/0014-leases.md): one per signed offer, with the rent as it was
computed (its inputs and the parameter rows used are kept beside it), the bureau-signed contract PDF,
the tenant's SMS signature and the move-in handover (入住交接).

Status, changed only through `gongzufang.workflow.transition` by rent/leases/services.py:

    draft ──issue──▶ issued (待签约) ──sign──▶ signed ──activate──▶ active ──end──▶ ended
      └──────cancel (offer lapsed)──┴──▶ terminated ◀──terminate── (signed, active)
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gongzufang.models.audit import StatusChange
from gongzufang.models.users import Role
from gongzufang.parameters import CATEGORIES
from gongzufang.scoping import ScopedQuerySet
from gongzufang.storage import private_storage
from gongzufang.workflow import Lifecycle, StatusLog, guard, may

CATEGORY_CHOICES = list(CATEGORIES.items())


def new_verification_code() -> str:
    """The code in the contract's QR link (/rent/contracts/verify/<code>/): unguessable, URL-safe."""
    return secrets.token_urlsafe(18)


def contract_path(instance, filename):
    return f"rent/contracts/{instance.number}-{secrets.token_hex(6)}.pdf"


def handover_photo_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"rent/handover/{secrets.token_hex(12)}.{ext}"


class LeaseStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    ISSUED = "issued", _("待签约")
    SIGNED = "signed", _("已签约")
    ACTIVE = "active", _("履行中")
    ENDED = "ended", _("已到期")
    TERMINATED = "terminated", _("已解除")


# Staff who prepare, hand over and end leases: the district (and the city).
STAFF = may("rent.change_lease", roles=(Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER),
            denied="租赁合同由区县住房保障经办人办理。")


def tenant_only(lease, user) -> bool:
    return user is not None and lease.tenant_id == user.pk


tenant_only.denied = "只有承租人本人可以签署该合同。"


@guard("合同文本尚未生成并加盖电子签章，不能发出签约。")
def has_contract(lease) -> bool:
    return bool(lease.contract_pdf) and bool(lease.contract_sha256)


@guard("签约记录不完整（时间、地址、设备与合同摘要），不能签约。")
def signature_recorded(lease) -> bool:
    return bool(lease.signed_at and lease.signed_pdf_sha256)


@guard("尚未办理入住交接，不能开始履行。")
def handed_over(lease) -> bool:
    return Handover.objects.filter(lease_id=lease.pk).exists()


class Lease(Lifecycle, models.Model):
    number = models.CharField(_("合同编号"), max_length=40, unique=True, editable=False)
    # Empty for a lease made before the portal (存量合同, imported by the district): no offer was chosen here.
    offer = models.OneToOneField("allocation.Offer", on_delete=models.PROTECT, related_name="lease",
                                 verbose_name=_("选房结果"), null=True, blank=True)
    tenant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leases",
                               verbose_name=_("承租人"))
    tenant_name = models.CharField(_("承租人姓名"), max_length=40)
    unit = models.ForeignKey("housing.Unit", on_delete=models.PROTECT, related_name="leases", verbose_name=_("房屋"))
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"), editable=False)
    category = models.CharField(_("保障类别"), max_length=24, choices=CATEGORY_CHOICES)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"), default=1)

    # term
    start_on = models.DateField(_("起租日"))
    end_on = models.DateField(_("租期届满日"), help_text=_("租期最后一日。"))
    term_years = models.PositiveSmallIntegerField(_("租期（年）"), validators=[MinValueValidator(1),
                                                                           MaxValueValidator(5)])
    # rent, as computed when the lease was made (DESIGN §8): area × rent per ㎡ × coefficient
    area = models.DecimalField(_("建筑面积（㎡）"), max_digits=6, decimal_places=2)
    rent_per_sqm = models.DecimalField(_("租金标准（元/㎡·月）"), max_digits=6, decimal_places=2)
    coefficient = models.DecimalField(_("租金系数"), max_digits=4, decimal_places=2)
    monthly_rent = models.DecimalField(_("月租金（元）"), max_digits=9, decimal_places=2)
    deposit_months = models.PositiveSmallIntegerField(_("押金（月数）"))
    deposit = models.DecimalField(_("押金（元）"), max_digits=10, decimal_places=2)
    parameters_used = models.JSONField(_("采用的政策参数"), default=list, blank=True, editable=False)

    status = FSMField(_("合同状态"), max_length=12, choices=LeaseStatus.choices, default=LeaseStatus.DRAFT,
                      editable=False, protected=True)

    # the contract, signed by the bureau (PAdES); the QR code leads to /rent/contracts/verify/<code>/
    contract_pdf = models.FileField(_("合同文本（PDF）"), storage=private_storage, upload_to=contract_path, max_length=200,
                                    blank=True, editable=False)
    contract_sha256 = models.CharField(_("合同文件 SHA-256"), max_length=64, blank=True, editable=False)
    verification_code = models.CharField(_("验证码"), max_length=32, unique=True, default=new_verification_code,
                                         editable=False)
    issued_at = models.DateTimeField(_("发出签约时间"), null=True, blank=True, editable=False)

    # the tenant's signature (SMS code): when, from where, with what, over which exact file
    signed_at = models.DateTimeField(_("签约时间"), null=True, blank=True, editable=False)
    signed_ip = models.GenericIPAddressField(_("签约 IP 地址"), null=True, blank=True, editable=False)
    signed_user_agent = models.CharField(_("签约设备（User-Agent）"), max_length=400, blank=True, editable=False)
    signed_phone = models.CharField(_("签约手机号"), max_length=20, blank=True, editable=False)
    signed_pdf_sha256 = models.CharField(_("所签合同 SHA-256"), max_length=64, blank=True, editable=False)

    # arrears (DESIGN §9): flagged until the exit issue opens a case
    arrears_flagged_at = models.DateTimeField(_("欠租标记时间"), null=True, blank=True, editable=False)
    arrears_months = models.DecimalField(_("累计欠租（月）"), max_digits=6, decimal_places=2, default=0,
                                         editable=False)
    arrears_amount = models.DecimalField(_("欠租金额（元）"), max_digits=12, decimal_places=2, default=0,
                                         editable=False)

    ended_on = models.DateField(_("终止日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "district"
    scope_street_path = "unit__estate__street"
    status_log = StatusLog("rent.LeaseStatusChange", "lease", on_commit_task="rent.tasks.lease_status_changed",
                           save_all=True, not_found="未找到该租赁合同。")

    class Meta:
        verbose_name = _("租赁合同")
        verbose_name_plural = _("租赁合同")
        ordering = ["-created_at", "-id"]
        permissions = [("sign_lease", "签署租赁合同"), ("hand_over_lease", "办理入住交接")]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gt=models.F("start_on")), name="lease_ends_after_start"),
            models.CheckConstraint(condition=Q(monthly_rent__gte=0) & Q(deposit__gte=0), name="lease_money_not_negative"),
            # one live lease per unit: never two households in one flat
            models.UniqueConstraint(fields=["unit"], name="one_live_lease_per_unit",
                                    condition=Q(status__in=["draft", "issued", "signed", "active"]),
                                    violation_error_message=_("该房屋已有未终止的租赁合同。")),
        ]
        indexes = [models.Index(fields=["status", "id"], name="lease_status_id")]

    def __str__(self):
        return f"{self.number} {self.tenant_name}"

    @classmethod
    def workflow_visible(cls, actor):
        """A tenant acts on their own lease (signing); staff on their area's."""
        if getattr(actor, "role", None) == Role.APPLICANT and not getattr(actor, "is_superuser", False):
            return cls.objects.filter(tenant=actor)
        return cls.objects.for_user(actor)

    @property
    def is_arrears_flagged(self):
        return self.arrears_flagged_at is not None

    # --- transitions (taken through gongzufang.workflow by rent/leases/services.py) ---
    @transition(field=status, source=LeaseStatus.DRAFT, target=LeaseStatus.ISSUED, permission=STAFF,
                conditions=[has_contract],
                custom={"label": _("发出签约"), "verb": _("发出签约"), "saves": ["issued_at"],
                        "summary": "发出签约"})
    def issue(self):
        pass

    @transition(field=status, source=LeaseStatus.ISSUED, target=LeaseStatus.SIGNED, permission=tenant_only,
                conditions=[signature_recorded], custom={"verb": _("签约")})
    def sign(self):
        pass

    @transition(field=status, source=LeaseStatus.SIGNED, target=LeaseStatus.ACTIVE, conditions=[handed_over],
                custom={"verb": _("开始履行")})
    def activate(self):
        pass

    @transition(field=status, source=LeaseStatus.ACTIVE, target=LeaseStatus.ACTIVE,
                custom={"verb": _("续租"), "saves": ["end_on", "term_years"]})
    def renew(self):
        """The annual review renewed the lease (rent/leases/services.py `lease_renew`): its end moves."""

    @transition(field=status, source=LeaseStatus.ACTIVE, target=LeaseStatus.ENDED,
                custom={"verb": _("到期终止"), "saves": ["ended_on"]})
    def end(self):
        pass

    @transition(field=status, source=[LeaseStatus.DRAFT, LeaseStatus.ISSUED], target=LeaseStatus.TERMINATED,
                custom={"verb": _("作废"), "saves": ["ended_on"]})
    def cancel(self):
        pass

    @transition(field=status, source=[LeaseStatus.SIGNED, LeaseStatus.ACTIVE], target=LeaseStatus.TERMINATED,
                permission=STAFF,
                custom={"label": _("解除合同"), "verb": _("解除合同"), "needs_opinion": True, "style": "danger",
                        "saves": ["ended_on"]})
    def terminate(self):
        pass


class LeaseStatusChange(StatusChange):
    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("租赁合同"))

    class Meta(StatusChange.Meta):
        verbose_name = _("合同状态变更")
        verbose_name_plural = _("合同状态变更")


class Handover(models.Model):
    """入住交接: what staff handed over and read at move-in, once per lease."""

    lease = models.OneToOneField(Lease, on_delete=models.CASCADE, related_name="handover", verbose_name=_("租赁合同"))
    handed_over_on = models.DateField(_("交接日期"))
    keys = models.PositiveSmallIntegerField(_("钥匙（把）"), validators=[MaxValueValidator(50)])
    access_cards = models.PositiveSmallIntegerField(_("门禁卡（张）"), default=0, validators=[MaxValueValidator(50)])
    water_meter = models.DecimalField(_("水表读数（吨）"), max_digits=10, decimal_places=2,
                                      validators=[MinValueValidator(0)])
    electricity_meter = models.DecimalField(_("电表读数（度）"), max_digits=10, decimal_places=2,
                                            validators=[MinValueValidator(0)])
    gas_meter = models.DecimalField(_("燃气表读数（㎥）"), max_digits=10, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(0)])
    condition = models.TextField(_("房屋及设施状况"), max_length=2000)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("交接经办人"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "lease__district"

    class Meta:
        verbose_name = _("入住交接")
        verbose_name_plural = _("入住交接")

    def __str__(self):
        return f"{self.lease.number} 入住交接"


class HandoverPhoto(models.Model):
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="photos", verbose_name=_("入住交接"))
    image = models.ImageField(_("照片"), storage=private_storage, upload_to=handover_photo_path)
    caption = models.CharField(_("说明"), max_length=60, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "handover__lease__district"

    class Meta:
        verbose_name = _("交接照片")
        verbose_name_plural = _("交接照片")
        ordering = ["id"]

    def __str__(self):
        return self.caption or f"照片 {self.pk}"


class SignCode(models.Model):
    """An SMS code for signing one lease (like applications' log-in codes: only its keyed hash is
    kept; 5 minutes; 5 wrong tries void it; a new one voids the older ones)."""

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="sign_codes", verbose_name=_("租赁合同"))
    phone = models.CharField(_("手机号"), max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("签约验证码")
        verbose_name_plural = _("签约验证码")
        indexes = [models.Index(fields=["lease", "-created_at"], name="signcode_lookup")]

    def __str__(self):
        return f"{self.lease_id} {self.created_at:%Y-%m-%d %H:%M}"


class RentChangeKind(models.TextChoices):
    ADJUST = "adjust", _("年度复核调整租金")
    MARKET = "market", _("腾退期满按市场租金")


class LeaseRentChange(models.Model):
    """A change of the monthly rent from a day on (the annual review's new coefficient, or market rent
    once the move-out period is over). The lease keeps the rent it was signed with; bills use the rent
    in force each day (rent/leases/terms.py `rent_schedule`). One per (lease, kind, effective_from)."""

    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="rent_changes", verbose_name=_("租赁合同"))
    kind = models.CharField(_("调整类型"), max_length=8, choices=RentChangeKind.choices)
    old_monthly_rent = models.DecimalField(_("原月租金（元）"), max_digits=9, decimal_places=2)
    new_monthly_rent = models.DecimalField(_("新月租金（元）"), max_digits=9, decimal_places=2)
    effective_from = models.DateField(_("起算日"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("经办人"))
    reason = models.CharField(_("原因"), max_length=300)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "lease__district"

    class Meta:
        verbose_name = _("租金调整")
        verbose_name_plural = _("租金调整")
        ordering = ["effective_from", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lease", "kind", "effective_from"], name="one_rent_change_per_kind_day"),
            models.CheckConstraint(condition=Q(new_monthly_rent__gte=0), name="rent_change_not_negative"),
        ]
        indexes = [models.Index(fields=["lease", "effective_from"], name="rent_change_lease_from")]

    def __str__(self):
        return f"{self.lease_id} {self.effective_from:%Y-%m-%d} {self.old_monthly_rent}→{self.new_monthly_rent}"


def renewal_contract_path(instance, filename):
    return f"rent/contracts/{instance.lease.number}-R{instance.sequence}-{secrets.token_hex(6)}.pdf"


class LeaseRenewal(models.Model):
    """续租 decided by the annual review: the lease's term extended from the day after its old end,
    with a renewal contract (the contract rendered for the new term) signed by the bureau (pyHanko)."""

    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="renewals", verbose_name=_("租赁合同"))
    sequence = models.PositiveSmallIntegerField(_("续租次数"))
    years = models.PositiveSmallIntegerField(_("续租年限"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    old_end_on = models.DateField(_("原租期届满日"))
    new_end_on = models.DateField(_("续租后届满日"))
    monthly_rent = models.DecimalField(_("续租时月租金（元）"), max_digits=9, decimal_places=2)
    contract_pdf = models.FileField(_("续租合同（PDF）"), storage=private_storage, upload_to=renewal_contract_path,
                                    max_length=200, editable=False)
    contract_sha256 = models.CharField(_("续租合同 SHA-256"), max_length=64, editable=False)
    verification_code = models.CharField(_("验证码"), max_length=32, unique=True, default=new_verification_code,
                                         editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("经办人"))
    reason = models.CharField(_("依据"), max_length=300)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "lease__district"

    class Meta:
        verbose_name = _("续租")
        verbose_name_plural = _("续租")
        ordering = ["lease", "sequence"]
        constraints = [models.UniqueConstraint(fields=["lease", "sequence"], name="one_renewal_per_sequence")]

    def __str__(self):
        return f"{self.lease.number} 第{self.sequence}次续租"
