"""District offices' systems that call /api/v1/ with a token (DESIGN §3, §15)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongzufang.scoping import NO_SCOPE, Scope, ScopedManager

from .audit import StatusChange


def token_digest(token: str) -> str:
    # Only a digest is stored: a leaked database does not leak usable tokens.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        REVOKED = "revoked", _("已吊销")

    name = models.CharField(_("名称"), max_length=80)
    district = models.ForeignKey(
        "gongzufang.District", on_delete=models.PROTECT, null=True, blank=True, related_name="api_clients",
        verbose_name=_("区县"), help_text=_("留空为市级令牌，可访问全部区县。"),
    )
    key_prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(_("可写"), default=True)
    can_view_full_id = models.BooleanField(_("可查看完整身份证号"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, editable=False)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("签发人"),
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ScopedManager()
    scope_district_path = "district"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("区县接口令牌")
        verbose_name_plural = _("区县接口令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.key_prefix}…）"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_authenticated(self):
        return True

    @property
    def scope(self) -> Scope:
        if not self.is_active:
            return NO_SCOPE
        if self.district_id is None:
            return Scope(city_wide=True)
        return Scope(district_id=self.district_id)


class ApiClientStatusChange(StatusChange):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("令牌状态变更")
        verbose_name_plural = _("令牌状态变更")
