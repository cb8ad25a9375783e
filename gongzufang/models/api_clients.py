"""District offices' systems that call /api/v1/ with a token (DESIGN §3, §15)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from gongzufang.scoping import NO_SCOPE, Scope, ScopedManager
from gongzufang.workflow import Lifecycle, StatusLog

from .audit import StatusChange


def token_digest(token: str) -> str:
    # Only a digest is stored: a leaked database does not leak usable tokens.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(Lifecycle, models.Model):
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
    # An API client is not a person, but every review step must name the person accountable for it
    # (DESIGN §4). The district names the caseworker on whose behalf its system acts.
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("经办人账户"),
        help_text=_("经接口办理审核、发布房源等操作时记为操作人：区县令牌须为本区县的区县经办人或街道受理员，市级令牌须为市级经办人。"
                    "留空则该令牌不能办理审核。"),
    )
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, editable=False,
                      protected=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("签发人"),
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ScopedManager()
    scope_district_path = "district"
    history = HistoricalRecords()
    status_log = StatusLog("gongzufang.ApiClientStatusChange", "client")

    class Meta:
        verbose_name = _("区县接口令牌")
        verbose_name_plural = _("区县接口令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.key_prefix}…）"

    @transition(field=status, source=Status.ACTIVE, target=Status.REVOKED,
                custom={"label": _("吊销"), "verb": _("吊销"), "needs_opinion": True, "style": "danger"})
    def revoke(self):
        """吊销: the token stops working at once; a revoked token is never restored (issue a new one)."""

    def clean(self):
        from django.core.exceptions import ValidationError

        problem = acting_user_problem(self)
        if problem:
            raise ValidationError({"acting_user": problem})

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


def acting_user_problem(client) -> str | None:
    """Why the client's acting user may not act for it (None when it may): an active district
    caseworker or street clerk of the client's own district, or a city caseworker for a city-wide
    client. What that person may do at each step is then the review services' own rule."""
    from .users import Role

    user = client.acting_user if client.acting_user_id else None
    if user is None:
        return None
    if not user.is_active:
        return str(_("该经办人账户已停用。"))
    if client.district_id is None:
        if user.role != Role.CITY_CASEWORKER:
            return str(_("市级令牌的经办人须为市级经办人。"))
    elif user.role not in (Role.DISTRICT_CASEWORKER, Role.STREET_CLERK) or user.district_id != client.district_id:
        return str(_("区县令牌的经办人须为本区县的区县经办人或街道受理员。"))
    return None


class ApiClientStatusChange(StatusChange):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("令牌状态变更")
        verbose_name_plural = _("令牌状态变更")
