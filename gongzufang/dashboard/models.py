"""The monthly aggregate of the report's period figures (ADR 0016): one row per (figure, month, district,
key[, previous month]) for the closed months, kept by `refresh_monthly_figures` (gongzufang/dashboard/
monthly.py) and read by `gongzufang.statistics` instead of the source rows; the current month is read live.

`MonthlyState` says which (figure, month) rows are stored and from what state of their source rows (the
fingerprint: count and latest change of the rows placed in that month), so the job recomputes a closed
month only when its source changed — a decision recorded late for a closed month, a bill paid late."""

from django.db import models


class MonthlyFigure(models.Model):
    figure = models.CharField("指标", max_length=48)
    month = models.DateField("月份")  # the first day of the month
    district = models.ForeignKey("gongzufang.District", on_delete=models.CASCADE, related_name="+",
                                 verbose_name="区县")
    key = models.CharField("分项", max_length=48, blank=True, default="")  # kind, ground, working days
    # Figures counting each thing once per period (households that paid rent): the month this thing last
    # appeared before this month (None: never), so a period's count is the rows whose previous month is
    # before the period (ADR 0016).
    previous = models.DateField("上次出现月份", null=True, blank=True)
    value = models.DecimalField("数值", max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "月度统计"
        indexes = [models.Index(fields=["month", "figure"], name="monthlyfigure_month_figure")]

    def __str__(self):
        return f"{self.figure} {self.month:%Y-%m} {self.district_id} {self.key}: {self.value}"


class MonthlyState(models.Model):
    figure = models.CharField("指标", max_length=48)
    month = models.DateField("月份")
    fingerprint = models.CharField("源数据指纹", max_length=120)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度统计状态"
        constraints = [models.UniqueConstraint(fields=["figure", "month"], name="monthlystate_one_per_month")]

    def __str__(self):
        return f"{self.figure} {self.month:%Y-%m}"


class CurrentFigure(models.Model):
    """The as-of-today figures (arrears, overdue applications, households waiting, units by status …) per
    district, as the beat job last computed them (gongzufang/dashboard/current.py, ADR 0016)."""

    figure = models.CharField("指标", max_length=48)
    district = models.ForeignKey("gongzufang.District", on_delete=models.CASCADE, related_name="+",
                                 verbose_name="区县")
    key = models.CharField("分项", max_length=48, blank=True, default="")
    value = models.DecimalField("数值", max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "当前状况统计"
        indexes = [models.Index(fields=["figure", "district"], name="currentfigure_figure_district")]

    def __str__(self):
        return f"{self.figure} {self.district_id} {self.key}: {self.value}"


class CurrentState(models.Model):
    """When a figure's snapshot was taken (`computed_at`, the moment its query started) and for which day."""

    figure = models.CharField("指标", max_length=48, unique=True)
    day = models.DateField("统计日")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "当前状况统计状态"

    def __str__(self):
        return f"{self.figure} {self.computed_at:%Y-%m-%d %H:%M}"
