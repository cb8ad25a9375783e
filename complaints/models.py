"""Feedback online (意见反馈, DESIGN §10): complaints, suggestions, consultations and repair requests,
and the 1–5 ratings people give a reply or a key service.

Every write goes through `complaints/services.py`; the status changes only there (submitted →
replied → closed, or submitted → escalated → replied → closed when the reply is overdue), each change
recorded as a `FeedbackStatusChange`. An item belongs to one district (routed from the unit, estate or
application it is about, or chosen by the submitter) and is scoped by it like every district-bound row.
"""

import os
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from gongzufang.models.audit import StatusChange
from gongzufang.models.users import Level
from gongzufang.scoping import ScopedQuerySet, scope_of
from gongzufang.storage import private_storage
from gongzufang.workdays import Deadline
from gongzufang.workflow import Lifecycle, StatusLog

TEXT_MAX = 2000
COMMENT_MAX = 500
ANONYMOUS_LABEL = _("匿名")


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    CONSULTATION = "consultation", _("咨询")
    REPAIR = "repair", _("报修")


class Category(models.TextChoices):
    HOUSING_QUALITY = "housing_quality", _("房屋质量")
    MAINTENANCE = "maintenance", _("维修养护")
    PROPERTY_SERVICE = "property_service", _("物业服务")
    APPLICATION = "application", _("申请审核")
    ALLOCATION = "allocation", _("配租选房")
    RENT = "rent", _("租金缴费")
    SUBSIDY = "subsidy", _("租赁补贴")
    STAFF_CONDUCT = "staff_conduct", _("工作人员服务态度与作风")
    POLICY = "policy", _("政策咨询")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上提交")
    HOTLINE = "hotline", _("12345 热线")
    WINDOW = "window", _("窗口受理")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待答复")
    ESCALATED = "escalated", _("超期未答复，市级督办")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = (Status.SUBMITTED, Status.ESCALATED)
ANSWERED_STATUSES = (Status.REPLIED, Status.CLOSED)


class HandlingLevel(models.TextChoices):
    DISTRICT = Level.DISTRICT.value, Level.DISTRICT.label
    CITY = Level.CITY.value, Level.CITY.label


class HandlersScopedQuerySet(ScopedQuerySet):
    """Feedback is handled by district and city caseworkers (and district API clients): a street
    clerk, whose scope is a street, sees none of it — in the admin, the pages, the API and services."""

    def for_user(self, principal):
        scope = scope_of(principal)
        if scope.street_id and not scope.city_wide:
            return self.none()
        return super().for_user(principal)


class FeedbackQuerySet(HandlersScopedQuerySet):
    def of_submitter(self, user):
        """A person's own items (an applicant has no district scope)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(submitter=user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(reply_due__lt=today or timezone.localdate())


def _is_handler(user) -> bool:
    from gongzufang.models.users import Role

    return bool(getattr(user, "is_superuser", False)) or getattr(user, "role", None) in (
        Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER)


def may_handle(feedback, user) -> bool:
    """Answered by a district or city caseworker (or a district system's token)."""
    return not hasattr(user, "role") or _is_handler(user)


may_handle.denied = _("意见反馈由区县或市级经办人办理。")


def may_close(feedback, user) -> bool:
    """办结 by the person (satisfied) or by a caseworker handling it."""
    return may_handle(feedback, user) or (feedback.submitter_id is not None and feedback.submitter_id == user.pk)


may_close.denied = may_handle.denied


class Feedback(Lifecycle, models.Model):
    number = models.CharField(_("编号"), max_length=16, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    text = models.TextField(_("内容"), max_length=TEXT_MAX)

    # Who: an applicant or tenant with an account; items taken by phone or at a window may have
    # only a name and a phone number, typed in by the caseworker who recorded them.
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_items",
        verbose_name=_("提交人"),
    )
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    anonymous_to_staff = models.BooleanField(
        _("对区县工作人员匿名"), default=False,
        help_text=_("仅限对工作人员的投诉：区县经办人看到“匿名”，市级经办人可见提交人。"),
    )

    # What it is about; the district is routed from these (services.route_district).
    estate = models.ForeignKey("housing.Estate", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("相关小区"))
    unit = models.ForeignKey("housing.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("相关房屋"))
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("相关申请"))
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("承办区县"))

    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    hotline_reference = models.CharField(_("12345 工单号"), max_length=40, blank=True,
                                         help_text=_("12345 热线转来的事项，由工作人员录入热线工单号。"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("录入人"))

    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED,
                      db_index=True, editable=False, protected=True)
    handling_level = models.CharField(_("办理层级"), max_length=10, choices=HandlingLevel.choices,
                                      default=HandlingLevel.DISTRICT, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True, editable=False)
    # Fixed at submission from the parameter then in force (a later change does not move it).
    reply_due = models.DateField(_("答复期限"), editable=False)
    reply_due_provisional = models.BooleanField(_("期限为暂定"), default=False, editable=False)
    reply = models.TextField(_("答复内容"), max_length=TEXT_MAX, blank=True, editable=False)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("答复人"), editable=False)
    replied_by_client = models.ForeignKey("gongzufang.ApiClient", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("答复系统"), editable=False)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)

    # One form, one item: the token is in the form page; a replay of the same form finds this row.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = FeedbackQuerySet.as_manager()
    scope_district_path = "district"
    scope_street_path = None  # handled by district and city caseworkers; street clerks see none (the queryset)
    # Who submitted stays out of the row history: the history pages are open to district staff.
    history = HistoricalRecords(excluded_fields=["submitter", "contact_name", "contact_phone",
                                                 "submission_token", "updated_at"])
    # The person is told of every change once it is committed (complaints/tasks.py).
    status_log = StatusLog("complaints.FeedbackStatusChange", "feedback",
                           on_commit_task="complaints.tasks.notify_feedback_change", not_found="未找到该意见反馈。")

    class Meta:
        verbose_name = _("意见反馈")
        verbose_name_plural = _("意见反馈")
        ordering = ["-submitted_at", "-id"]
        permissions = [("reply_feedback", _("可答复意见反馈"))]
        indexes = [models.Index(fields=["district", "status", "reply_due"], name="feedback_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["submitter", "submission_token"], condition=Q(submission_token__isnull=False),
                name="feedback_one_item_per_form",
            ),
            models.CheckConstraint(
                condition=Q(anonymous_to_staff=False) | Q(kind="complaint", category="staff_conduct"),
                name="feedback_anonymous_only_staff_complaints",
                violation_error_message=_("只有对工作人员的投诉可以选择匿名。"),
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def reply_deadline(self) -> Deadline:
        return Deadline(date=self.reply_due, provisional=self.reply_due_provisional)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.reply_due < (today or timezone.localdate())

    @classmethod
    def workflow_visible(cls, actor):
        """Staff and district systems: their area; the person who submitted it: their own items."""
        if getattr(actor, "is_staff", False) or not hasattr(actor, "role"):
            return cls.objects.for_user(actor)
        return cls.objects.of_submitter(actor)

    # --- transitions (taken through gongzufang.workflow by complaints/services.py) ---
    # Escalation is the daily job's: it picks the items past their reply date (its "today") under the lock.
    @transition(field=status, source=Status.SUBMITTED, target=Status.ESCALATED,
                custom={"verb": _("转市级督办"), "saves": ["handling_level", "escalated_at"]})
    def escalate(self):
        self.handling_level = HandlingLevel.CITY
        self.escalated_at = timezone.now()

    @transition(field=status, source=[Status.SUBMITTED, Status.ESCALATED], target=Status.REPLIED,
                permission=may_handle,
                custom={"label": _("答复"), "verb": _("答复"), "needs_opinion": True,
                        "saves": ["reply", "replied_at", "replied_by", "replied_by_client"]})
    def reply_with(self, *, text, by):
        self.reply, self.replied_at = text, timezone.now()
        if by is not None and not hasattr(by, "role"):  # a district system's token
            self.replied_by, self.replied_by_client = None, by
        else:
            self.replied_by, self.replied_by_client = by, None

    @transition(field=status, source=Status.REPLIED, target=Status.CLOSED, permission=may_close,
                custom={"label": _("办结"), "verb": _("办结"), "saves": ["closed_at"],
                        "refused": _("答复后才能办结。")})
    def close(self):
        self.closed_at = timezone.now()

    def submitter_visible_to(self, principal) -> bool:
        """A complaint about staff may hide its submitter from the district; the city level sees who."""
        return not self.anonymous_to_staff or scope_of(principal).city_wide

    @property
    def submitter_name(self) -> str:
        if self.submitter_id:
            return self.submitter.real_name or self.submitter.username
        return self.contact_name or "—"

    def submitter_label(self, principal) -> str:
        return self.submitter_name if self.submitter_visible_to(principal) else str(ANONYMOUS_LABEL)


def photo_upload_to(instance, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"feedback/{instance.feedback_id}/{uuid.uuid4().hex}{ext}"


class FeedbackPhoto(models.Model):
    """A photo attached to an item: checked by content, re-encoded without metadata, stored privately."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="photos", verbose_name=_("意见反馈"))
    file = models.FileField(_("照片"), storage=private_storage, upload_to=photo_upload_to, max_length=200)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = HandlersScopedQuerySet.as_manager()
    scope_district_path = "feedback__district"

    class Meta:
        verbose_name = _("反馈照片")
        verbose_name_plural = _("反馈照片")
        ordering = ["id"]

    def __str__(self):
        return f"{self.feedback_id}-{self.pk}"


class FeedbackStatusChange(StatusChange):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="status_changes",
                                 verbose_name=_("意见反馈"))
    # A reply sent by a district office's system through the API.
    api_client = models.ForeignKey("gongzufang.ApiClient", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("接口令牌"))
    # Set once, by the conditional update that claims the sending of its message.
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("反馈办理记录")
        verbose_name_plural = _("反馈办理记录")

    @property
    def to_label(self):
        return Status(self.to_status).label if self.to_status in Status.values else self.to_status


class RatedService(models.TextChoices):
    FEEDBACK_REPLY = "feedback_reply", _("意见反馈答复")
    REPAIR = "repair", _("报修服务")
    DECISION = "decision", _("审核结论")
    LEASE_SIGNING = "lease_signing", _("签约服务")


class ServiceRating(models.Model):
    """One rating, 1–5 with a comment, by one person of one rated thing (a reply, a decision, …)."""

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_ratings",
                              verbose_name=_("评价人"))
    service = models.CharField(_("服务"), max_length=20, choices=RatedService.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    score = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("评价内容"), max_length=COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "district"

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rater", "subject_type", "subject_id"], name="one_rating_per_rater_and_subject",
                                    violation_error_message=_("您已评价过该服务。")),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
        ]
        indexes = [models.Index(fields=["district", "service", "created_at"], name="rating_statistics")]

    def __str__(self):
        return f"{self.get_service_display()} {self.score}"
