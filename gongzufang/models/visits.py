"""Visits (访问量) per day and kind of page (DESIGN §11).

Requests only increment a counter in the cache (gongzufang/visits.py); a periodic task moves the
counts here. A row is never written on a visitor's request path.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PageKind(models.TextChoices):
    HOME = "home", _("首页")
    UNIT_SEARCH = "unit_search", _("房源查询")
    UNIT = "unit", _("房源详情")
    ESTATE = "estate", _("小区详情")
    ARTICLE_LIST = "article_list", _("政策资讯列表")
    ARTICLE = "article", _("政策资讯正文")
    GUIDE = "guide", _("办事指南")
    OTHER = "other", _("其他页面")


class DailyVisitQuerySet(models.QuerySet):
    def for_user(self, principal):
        # City-wide totals, not personal data: every staff member may read them.
        return self.all()


class DailyVisit(models.Model):
    day = models.DateField(_("日期"))
    kind = models.CharField(_("页面类型"), max_length=16, choices=PageKind.choices)
    count = models.PositiveIntegerField(_("访问量"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DailyVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("访问量")
        verbose_name_plural = _("访问量")
        ordering = ["-day", "kind"]
        constraints = [models.UniqueConstraint(fields=["day", "kind"], name="daily_visit_one_row_per_day_and_kind")]

    def __str__(self):
        return f"{self.day} {self.get_kind_display()}：{self.count}"
