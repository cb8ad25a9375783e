"""Records of the review (DESIGN §4–§6, issue 5): department check results, rule evaluations,
objections raised during the public notice, and recheck requests.

None of these is edited by hand: `applications/review.py` (the workflow services),
`applications/crosscheck.py` (the checks) and `applications/rules.py` (the rules) write them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzufang.scoping import ScopedQuerySet

from .applications import Application, HouseholdMember


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("通过")
    FAIL = "fail", _("不通过")
    UNKNOWN = "unknown", _("无法核验")


class CheckResultQuerySet(ScopedQuerySet):
    def current(self):
        return self.filter(is_current=True)


class CheckResult(models.Model):
    """One department's answer about one household member (部门联审).

    Every answer that differs from the one before is kept; the latest per (application, member,
    department) is `is_current`. An answer equal to the current one (same status, facts and reason) is
    that row "still true on" the new date: its `queried_at` and `reply_hash` become the new query's and
    `first_queried_at` keeps when the department first said so (ADR 0006). A result copied from another
    application's recent query (within the freshness window) names it in `reused_from`, so no
    department is asked twice about the same person within the window.
    """

    # Indexed only through the composite indexes below: every query is served by one of them, and
    # fewer indexes make storing ~20 rows per application cheaper (docs/benchmarks.md).
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="check_results",
                                    verbose_name=_("申请"), db_index=False)
    member = models.ForeignKey(HouseholdMember, on_delete=models.CASCADE, related_name="check_results",
                               verbose_name=_("家庭成员"))
    id_number_hash = models.CharField(max_length=64)
    department = models.CharField(_("部门"), max_length=32)
    status = models.CharField(_("结果"), max_length=8, choices=CheckOutcome.choices)
    facts = models.JSONField(_("部门返回的事实"), default=dict, blank=True)
    reply_hash = models.CharField(_("原始应答哈希"), max_length=64, blank=True)
    reason = models.CharField(_("无法核验的原因"), max_length=200, blank=True)
    # What a re-check compares instead of reading the facts back (applications.crosscheck.answers.answer_digest);
    # empty on rows stored before it existed, whose facts are compared instead.
    answer_digest = models.CharField(_("答复摘要"), max_length=32, blank=True, default="", editable=False)
    queried_at = models.DateTimeField(_("查询时间"), help_text=_("最近一次得到此答复的查询"))
    first_queried_at = models.DateTimeField(_("首次查询时间"), null=True, blank=True,
                                            help_text=_("部门首次作出此答复的时间；空：即查询时间"))
    reused_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("沿用的查询"))
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = CheckResultQuerySet.as_manager()
    scope_district_path = "application__district"
    scope_street_path = "application__street"

    class Meta:
        verbose_name = _("部门核验结果")
        verbose_name_plural = _("部门核验结果")
        ordering = ["department", "member_id", "-queried_at"]
        indexes = [
            # Not on queried_at: a re-check that finds the answer unchanged rewrites queried_at, and with no
            # indexed column changed PostgreSQL updates the row in place (HOT) when its page has room,
            # which the table's fillfactor keeps (migration 0011, docs/benchmarks.md).
            # Who else was asked about a person, answered by the index alone (runner._fresh_answers);
            # none of these columns changes when an answer is said again.
            models.Index(fields=["id_number_hash", "department", "application", "is_current", "id"],
                         name="checkresult_person_id"),
            models.Index(fields=["application", "is_current"], name="checkresult_app_current"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["application", "member", "department"], condition=Q(is_current=True),
                                    name="checkresult_one_current"),
        ]

    def __str__(self):
        return f"{self.application_id}/{self.department}/{self.member_id}: {self.status}"


class RuleEvaluation(models.Model):
    """The rules applied to an application on a decision date, with what each found.

    `results`: [{"rule", "label", "passed" (true/false/null when a fact is unknown), "value", "limit",
    "source", "reason"}]. `parameters`: the `ResolvedParameter.as_record()` of every parameter used,
    so the decision can be explained later even after the parameters change.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="rule_evaluations",
                                    verbose_name=_("申请"))
    decision_date = models.DateField(_("适用日期"))
    category = models.CharField(_("保障对象类别"), max_length=24)
    passed = models.BooleanField(_("全部符合"), null=True, help_text=_("空：有事实无法核验"))
    results = models.JSONField(_("逐条结果"), default=list)
    parameters = models.JSONField(_("所用参数"), default=list)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("评估时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "application__district"
    scope_street_path = "application__street"

    class Meta:
        verbose_name = _("资格规则评估")
        verbose_name_plural = _("资格规则评估")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(is_current=True),
                                    name="ruleevaluation_one_current"),
        ]

    def __str__(self):
        return f"{self.application_id} @ {self.decision_date}"

    @property
    def failed_results(self):
        return [r for r in self.results if r.get("passed") is False]

    @property
    def unknown_results(self):
        return [r for r in self.results if r.get("passed") is None]


class NoticeObjection(models.Model):
    """An objection raised by anyone during the public notice (公示). Each must be resolved by a
    caseworker before the application may go on to city review."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections",
                                    verbose_name=_("申请"))
    name = models.CharField(_("异议人"), max_length=40)
    contact = models.CharField(_("联系方式"), max_length=60)
    text = models.TextField(_("异议内容"), max_length=2000)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("处理人"))
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    resolution = models.TextField(_("处理意见"), blank=True, max_length=2000)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "application__district"
    scope_street_path = "application__street"

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["resolved_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, upheld__isnull=True)
                | Q(resolved_at__isnull=False, upheld__isnull=False),
                name="objection_resolved_with_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.application} 异议 #{self.pk}"

    @property
    def reference(self) -> str:
        """The objector's reference number (受理编号), "YY" + the day it was raised + the id:
        YY20261201000012. Derived, so every objection has one without a stored column."""
        from django.utils import timezone

        day = timezone.localtime(self.created_at) if self.created_at else timezone.localtime()
        return f"YY{day:%Y%m%d}{self.pk:06d}"


class RecheckRequest(models.Model):
    """复核: asked by the rejected applicant once, within the parameter's days; decided within
    15 working days by someone other than the person who rejected."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="recheck",
                                       verbose_name=_("申请"))
    reason = models.TextField(_("复核理由"), max_length=2000)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    due_on = models.DateField(_("办结期限"))
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("原决定人"))
    decided_at = models.DateTimeField(_("复核决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("复核人"))
    granted = models.BooleanField(_("复核结论"), null=True, blank=True)
    opinion = models.TextField(_("复核意见"), blank=True, max_length=2000)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "application__district"
    scope_street_path = "application__street"

    class Meta:
        verbose_name = _("复核申请")
        verbose_name_plural = _("复核申请")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.application} 复核"
