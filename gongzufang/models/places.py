"""Districts (区县), streets and towns (街道/镇) and communities (社区) of the city."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongzufang.scoping import ScopedManager


class District(models.Model):
    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    is_county = models.BooleanField(_("县"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedManager()
    scope_district_path = "self"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class Street(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("区县"))
    code = models.CharField(_("代码"), max_length=12, unique=True)
    name = models.CharField(_("街道/镇"), max_length=40)
    is_town = models.BooleanField(_("乡镇"), default=False)

    objects = ScopedManager()
    scope_district_path = "district"
    scope_street_path = "pk"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("街道/乡镇")
        verbose_name_plural = _("街道/乡镇")
        ordering = ["district__sort_order", "code"]

    def __str__(self):
        return f"{self.district.name}{self.name}"


class Community(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("街道/镇"))
    code = models.CharField(_("代码"), max_length=15, unique=True)
    name = models.CharField(_("社区/村"), max_length=40)

    objects = ScopedManager()
    scope_district_path = "street__district"
    scope_street_path = "street"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["code"]

    def __str__(self):
        return self.name
