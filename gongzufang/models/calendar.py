"""The working-day calendar table (DESIGN §12). Logic lives in gongzufang/workdays.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarYear(models.Model):
    """A year whose working days come from this table rather than from the provisional rules."""

    class Source(models.TextChoices):
        OFFICIAL = "official", _("国务院办公厅正式安排")
        PROVISIONAL = "provisional", _("暂定（按法定节假日推算）")

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.OFFICIAL)
    note = models.CharField(_("说明/文号"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}（{self.get_source_display()}）"


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday rule: a holiday on a weekday, or a make-up
    working day (调休) on a weekend. Days not listed follow the weekday rule."""

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("年度"))
    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=40, blank=True, help_text=_("如：春节、国庆节调休上班"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"
