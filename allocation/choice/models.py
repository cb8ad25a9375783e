"""What the choice jobs record per household and round (one row per round entry, so each job acts once)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChoiceWindow(models.Model):
    """The household's choice window in one round: when it was told the window opened, and what the
    close of the window found (chosen, missed — a refusal that counts —, no unit that fits left, or
    no longer waiting). Unique per round entry, so the open and close jobs are idempotent."""

    class Outcome(models.TextChoices):
        OPEN = "", _("未结束")
        CHOSEN = "chosen", _("已选房")
        MISSED = "missed", _("未在选房时间内选房（计入拒绝）")
        NO_FIT = "no_fit", _("无适合房源（不计入拒绝）")
        NOT_WAITING = "not_waiting", _("已不在轮候中")

    round_entry = models.OneToOneField("allocation.RoundEntry", on_delete=models.CASCADE,
                                       related_name="choice_window", verbose_name=_("方案家庭"))
    notified_at = models.DateTimeField(_("开始选房通知时间"), null=True, blank=True)
    outcome = models.CharField(_("选房结果"), max_length=12, choices=Outcome.choices, blank=True, default="")
    refusal_counted = models.BooleanField(_("计入拒绝次数"), default=False)
    closed_at = models.DateTimeField(_("结束处理时间"), null=True, blank=True)

    class Meta:
        app_label = "allocation"
        verbose_name = _("选房批次记录")
        verbose_name_plural = _("选房批次记录")

    def __str__(self):
        return f"{self.round_entry_id}: {self.get_outcome_display()}"
