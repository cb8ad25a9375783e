"""Applicant accounts: SMS verification codes, identity verifications and on-site registrations
(注册认证, issue 4). The codes are sent through `notifications.services.sms_send` (the outbox is there)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SmsPurpose(models.TextChoices):
    REGISTER = "register", _("注册")
    LOGIN = "login", _("登录")
    RESET = "reset", _("找回/设置密码")


class SmsCode(models.Model):
    """A verification code; only its keyed hash is stored. Valid for 5 minutes; 5 wrong tries void it;
    issuing a new one voids the older ones of the same phone and purpose."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    purpose = models.CharField(_("用途"), max_length=12, choices=SmsPurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("失效时间"))
    failed_attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="smscode_lookup")]

    def __str__(self):
        return f"{self.phone} {self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class IdentityVerification(models.Model):
    """Each attempt at real-name verification (实名认证), passed or not, with the department reply."""

    class Method(models.TextChoices):
        ONLINE = "online", _("网上核验（公安户籍）")
        ONSITE = "onsite", _("窗口现场核验")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_verifications",
        verbose_name=_("账户"),
    )
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices, default=Method.ONLINE)
    outcome = models.CharField(_("结果"), max_length=12)  # pass / fail / unknown / duplicate
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    department_result = models.JSONField(_("部门应答"), default=dict, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("核验人"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("实名认证记录")
        verbose_name_plural = _("实名认证记录")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_method_display()} {self.outcome} {self.created_at:%Y-%m-%d %H:%M}"


class OnsiteRegistration(models.Model):
    """An applicant registered at a street window (现场注册) by a clerk."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="onsite_registration",
        verbose_name=_("申请人账户"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理员"),
    )
    street = models.ForeignKey("gongzufang.Street", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道/镇"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("现场注册")
        verbose_name_plural = _("现场注册")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} @ {self.street_id}"
