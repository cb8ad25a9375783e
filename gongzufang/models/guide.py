"""The public guide to the forms of assistance (保障方式): 实物配租 and 租赁补贴.

Each form lists the eligibility categories it serves (codes of gongzufang.parameters.CATEGORIES),
its conditions, the materials an applicant brings and the steps of the process. City staff keep
them in the admin; migration 0004 seeds both forms so the guide is never empty.

Condition text may quote a policy parameter as `{key}`, e.g. `{eligibility.income_limit.low_income}`;
the guide shows the value in force today, so the guide never disagrees with the rules.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzufang.parameters import CATEGORIES, MATERIAL_KINDS

CATEGORY_CHOICES = list(CATEGORIES.items())
MATERIAL_CHOICES = list(MATERIAL_KINDS.items())


class AssistanceFormQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_published=True)

    def for_user(self, principal):
        # Public policy information: the same for everyone.
        return self.all()


class AssistanceForm(models.Model):
    class Code(models.TextChoices):
        UNIT = "unit", _("实物配租")
        SUBSIDY = "subsidy", _("租赁补贴")

    code = models.CharField(_("代码"), max_length=12, choices=Code.choices, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    summary = models.TextField(_("简介"), blank=True)
    is_published = models.BooleanField(_("在办事指南中显示"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AssistanceFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("保障方式")
        verbose_name_plural = _("保障方式")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("guide_detail", args=[self.code])


class AssistanceCategory(models.Model):
    """An eligibility category this form of assistance serves."""

    form = models.ForeignKey(
        AssistanceForm, on_delete=models.CASCADE, related_name="categories", verbose_name=_("保障方式"),
    )
    category = models.CharField(_("保障对象类别"), max_length=24, choices=CATEGORY_CHOICES)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("保障对象类别")
        verbose_name_plural = _("保障对象类别")
        ordering = ["form__sort_order", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "category"], name="assistance_category_once_per_form",
                violation_error_message=_("同一保障方式中每个类别只能列一次。"),
            ),
        ]

    def __str__(self):
        return f"{self.form.name} · {self.get_category_display()}"


class AssistanceCondition(models.Model):
    """A condition of eligibility; with a category it applies to that category only."""

    form = models.ForeignKey(
        AssistanceForm, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("保障方式"),
    )
    category = models.CharField(
        _("适用类别"), max_length=24, choices=CATEGORY_CHOICES, blank=True, help_text=_("留空为所有类别。"),
    )
    text = models.TextField(
        _("条件"),
        help_text=_("纯文本。可用 {参数代码} 引用政策参数的现行值，如 {eligibility.housing_area_per_capita_max}。"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请条件")
        verbose_name_plural = _("申请条件")
        ordering = ["form_id", "sort_order", "id"]

    def __str__(self):
        return self.text[:40]


class AssistanceMaterial(models.Model):
    form = models.ForeignKey(
        AssistanceForm, on_delete=models.CASCADE, related_name="materials", verbose_name=_("保障方式"),
    )
    kind = models.CharField(
        _("材料类别"), max_length=24, choices=MATERIAL_CHOICES, blank=True,
        help_text=_("对应申请时的材料类别；留空为补充说明。"),
    )
    name = models.CharField(_("材料名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["form_id", "sort_order", "id"]

    def __str__(self):
        return self.name


class AssistanceStep(models.Model):
    form = models.ForeignKey(
        AssistanceForm, on_delete=models.CASCADE, related_name="steps", verbose_name=_("保障方式"),
    )
    title = models.CharField(_("环节"), max_length=40)
    description = models.TextField(_("说明"), blank=True)
    time_limit = models.CharField(_("时限"), max_length=40, blank=True, help_text=_("如：3 个工作日"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("办理流程")
        verbose_name_plural = _("办理流程")
        ordering = ["form_id", "sort_order", "id"]

    def __str__(self):
        return self.title
