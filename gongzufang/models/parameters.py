"""Dated policy parameters (DESIGN §6): thresholds that staff change without a deploy.

The meaning of each key (label, type, unit, default, legal source) is declared in code in
gongzufang/parameters.py; rows here are its dated values. Read them with `param()`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PolicyParameterQuerySet(models.QuerySet):
    def for_user(self, principal):
        # Parameters are public policy: every staff member and API client may read them all.
        # Writes are limited to city staff by admin permissions.
        return self.all()


class PolicyParameter(models.Model):
    key = models.CharField(_("参数"), max_length=80, db_index=True)
    value = models.CharField(_("取值"), max_length=200)
    effective_from = models.DateField(_("生效日期"))
    district = models.ForeignKey(
        "gongzufang.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("适用区县"), help_text=_("留空为全市通用；填写则该区县优先使用本值。"),
    )
    legal_source = models.CharField(_("政策依据"), max_length=300)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("录入人"),
    )

    objects = PolicyParameterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["key", "district_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "effective_from", "district"], name="parameter_one_value_per_day_and_district",
                violation_error_message=_("同一参数在同一区县同一生效日期只能有一个取值。"),
            ),
            models.UniqueConstraint(
                fields=["key", "effective_from"], condition=Q(district__isnull=True),
                name="parameter_one_citywide_value_per_day",
                violation_error_message=_("同一参数在同一生效日期只能有一个全市取值。"),
            ),
        ]

    def __str__(self):
        where = self.district.name if self.district_id else "全市"
        return f"{self.key} = {self.value}（{where}，{self.effective_from} 起）"
