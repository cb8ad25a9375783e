"""Audit records: status changes (who, when, from, to, why) and full views of personal data."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from .users import Level


class StatusChange(models.Model):
    """One row per status change. Concrete subclasses add the FK to the record that changed.

    Written only by the transition engine (`gongzufang.workflow`), in the same transaction as the change.
    """

    from_status = models.CharField(_("原状态"), max_length=40, blank=True)
    to_status = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("操作人"),
    )
    actor_level = models.CharField(_("层级"), max_length=12, choices=Level.choices, default=Level.SYSTEM)
    opinion = models.TextField(_("意见/原因"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        labels = self._labels()
        return f"{labels.get(self.from_status, self.from_status) or '—'} → {labels.get(self.to_status, self.to_status)}"

    def _labels(self) -> dict:
        """The Chinese names of the statuses, from the status field of the record that changed."""
        for f in self._meta.fields:
            if f.many_to_one and f.name not in ("actor", "api_client"):
                name = getattr(self, "field", "") or "status"  # a unit's log names status or listing
                try:
                    return {str(k): str(v) for k, v in f.related_model._meta.get_field(name).choices or []}
                except FieldDoesNotExist:  # a log whose record has no such field shows codes
                    return {}
        return {}


class PiiAccessLog(models.Model):
    """Each time a full ID number (or other personal datum) is shown unmasked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("查看人"),
    )
    api_client = models.ForeignKey(
        "gongzufang.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("接口令牌"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=40)
    subject = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("字段"), max_length=40)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-created_at"]

    def __str__(self):
        who = self.user or self.api_client or "—"
        return f"{who} 查看 {self.content_type.model}#{self.object_id}.{self.field}"
