"""Dated policy parameters (DESIGN §6): thresholds that staff change without a deploy.

The meaning of each key (label, type, unit, default, legal source) is declared in code in
gongzufang/parameters.py; rows here are its dated values. Read them with `param()`.

A row is **immutable once it is in force** (its effective date has come) **or a decision used it**
(a decision records the rows it applied, e.g. `RuleEvaluation.parameters` in applications): saving,
updating or deleting such a row is refused with `ParameterLocked`, whatever the code path (the admin,
a service, `QuerySet.update`/`delete`). A correction is a new row with a later effective date. A
future-dated row no decision used may still be edited or deleted.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongzufang.errors import PortalError

LOCKED_MESSAGE = "已生效或已被决定引用的参数不能修改或删除；如需更正，请新增一条生效日期更晚的版本。"


class ParameterLocked(PortalError):
    code = "parameter_locked"
    status = 409

    def __init__(self, message=LOCKED_MESSAGE, **kwargs):
        super().__init__(message, **kwargs)


# Apps whose decisions record the parameter rows they applied register a finder in AppConfig.ready():
# finder(row_ids, since=date) -> the ids among row_ids that a decision dated `since` or later used.
# (A decision can only use a row on or after its effective date, so `since` keeps the search short.)
USAGE_FINDERS: list[Callable] = []


def register_parameter_usage(finder: Callable) -> None:
    if finder not in USAGE_FINDERS:
        USAGE_FINDERS.append(finder)


def rows_used(row_ids, *, since=None) -> set[int]:
    """The ids among `row_ids` that any registered app's decision used."""
    row_ids = {pk for pk in row_ids if pk is not None}
    used = set()
    for finder in USAGE_FINDERS:
        if row_ids - used:
            used |= set(finder(sorted(row_ids - used), since=since))
    return used


class PolicyParameterQuerySet(models.QuerySet):
    def for_user(self, principal):
        # Parameters are public policy: every staff member and API client may read them all.
        # Writes are limited to city staff by admin permissions.
        return self.all()

    def in_force(self, today=None):
        return self.filter(effective_from__lte=today or timezone.localdate())

    def locked(self, today=None) -> list[int]:
        """The ids of these rows that may no longer change: in force, or used by a decision."""
        today = today or timezone.localdate()
        ids = set(self.in_force(today).values_list("pk", flat=True))
        future = list(self.exclude(pk__in=ids).values_list("pk", "effective_from"))
        if future:
            ids |= rows_used([pk for pk, _day in future], since=min(day for _pk, day in future))
        return sorted(ids)

    def _refuse_locked(self):
        if self.locked():
            raise ParameterLocked()

    def update(self, **kwargs):
        self._refuse_locked()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_locked()
        return super().delete()


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

    def save(self, *args, **kwargs):
        # Guards the row as stored, whatever the new values: an in-force row cannot be moved to the future.
        if self.pk is not None and not self._state.adding and self.is_locked():
            raise ParameterLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_locked():
            raise ParameterLocked()
        return super().delete(*args, **kwargs)

    def is_locked(self, today=None) -> bool:
        """In force, or used by a decision: the row as stored may no longer change."""
        if self.pk is None:
            return False
        return bool(type(self)._default_manager.filter(pk=self.pk).locked(today))
