"""Households, applications, corrections, materials and in-site messages (DESIGN §4, issue 4).

The status of an application changes only through the django-fsm-2 transitions below, each called
by a service in `applications/services.py` that locks the row, checks the guard, records an
`ApplicationStatusChange` and sends messages on commit. The field is protected: assigning to it
raises.
"""

import os
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from gongzufang.fields import EncryptedCharField, PiiHashField
from gongzufang.models.audit import StatusChange
from gongzufang.models.users import Role
from gongzufang.parameters import CATEGORIES, MATERIAL_KINDS
from gongzufang.scoping import ScopedQuerySet
from gongzufang.storage import private_storage
from gongzufang.workflow import Lifecycle, StatusLog, guard, may


class Status(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已提交，待受理")
    RETURNED_FOR_CORRECTION = "returned_for_correction", _("退回补正")
    ACCEPTED = "accepted", _("已受理")
    STREET_REVIEW = "street_review", _("街道初审")
    CROSS_CHECK = "cross_check", _("部门联审")
    DISTRICT_REVIEW = "district_review", _("区县审核")
    PUBLIC_NOTICE = "public_notice", _("公示")
    CITY_REVIEW = "city_review", _("市级复核")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核未通过")
    RECHECK_REQUESTED = "recheck_requested", _("已申请复核")
    WITHDRAWN = "withdrawn", _("已撤回")


# A household may have one application in these at a time (its members' ID numbers are claimed).
ACTIVE_STATUSES = frozenset(Status) - {Status.DRAFT, Status.WITHDRAWN, Status.REJECTED}
# Withdrawal is possible until a decision (approved / rejected).
WITHDRAWABLE_STATUSES = [
    Status.DRAFT, Status.SUBMITTED, Status.RETURNED_FOR_CORRECTION, Status.ACCEPTED, Status.STREET_REVIEW,
    Status.CROSS_CHECK, Status.DISTRICT_REVIEW, Status.PUBLIC_NOTICE, Status.CITY_REVIEW,
]
# A street clerk may return an application for correction from these (once, DESIGN §4).
RETURNABLE_STATUSES = [Status.SUBMITTED, Status.ACCEPTED, Status.STREET_REVIEW]
# Steps at which a caseworker decides, and where approval there leads (a granted recheck too).
# 公示 is one of them: an objection found to stand (异议成立) leads the district to 不通过 there.
REJECTABLE_STATUSES = [Status.ACCEPTED, Status.STREET_REVIEW, Status.DISTRICT_REVIEW, Status.PUBLIC_NOTICE,
                       Status.CITY_REVIEW]
AFTER_APPROVAL = {
    Status.ACCEPTED: Status.CROSS_CHECK, Status.STREET_REVIEW: Status.CROSS_CHECK,
    Status.DISTRICT_REVIEW: Status.PUBLIC_NOTICE, Status.PUBLIC_NOTICE: Status.CITY_REVIEW,
    Status.CITY_REVIEW: Status.APPROVED,
}


class AssistanceType(models.TextChoices):
    UNIT = "unit", _("实物配租")
    SUBSIDY = "subsidy", _("租赁补贴")


CATEGORY_CHOICES = list(CATEGORIES.items())
MATERIAL_CHOICES = list(MATERIAL_KINDS.items())


class HousingType(models.TextChoices):
    NONE = "none", _("无自有住房，借住亲友")
    PRIVATE_RENT = "private_rent", _("租住私房")
    PUBLIC_RENT = "public_rent", _("租住公房")
    DORMITORY = "dormitory", _("单位宿舍")
    OWN = "own", _("自有住房")
    OTHER = "other", _("其他")


class Bedrooms(models.IntegerChoices):
    ONE = 1, _("一居室")
    TWO = 2, _("两居室")
    THREE = 3, _("三居室")


# Parts of an application, as the wizard's steps; a correction list names these (and materials).
class Section(models.TextChoices):
    ASSISTANCE = "assistance", _("保障方式与类别")
    MEMBERS = "members", _("家庭成员")
    HOUSING = "housing", _("现住房情况")
    ASSETS = "assets", _("家庭资产")
    PREFERENCES = "preferences", _("意向区域与户型")
    PLACE = "place", _("所在街道与社区")
    CONSENT = "consent", _("授权书")
    MATERIALS = "materials", _("申请材料")


# --- households ----------------------------------------------------------------------------------


class Household(models.Model):
    """The household as declared in one application."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="households", verbose_name=_("申请人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "application__district"
    scope_street_path = "application__street"

    class Meta:
        verbose_name = _("申请家庭")
        verbose_name_plural = _("申请家庭")

    def __str__(self):
        return f"{self.applicant} 的家庭"


class Relationship(models.TextChoices):
    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    OTHER = "other", _("其他共同生活成员")


class MaritalStatus(models.TextChoices):
    UNMARRIED = "unmarried", _("未婚")
    MARRIED = "married", _("已婚")
    DIVORCED = "divorced", _("离异")
    WIDOWED = "widowed", _("丧偶")


class Disability(models.TextChoices):
    NONE = "none", _("无")
    GRADE_1 = "grade_1", _("一级")
    GRADE_2 = "grade_2", _("二级")
    GRADE_3 = "grade_3", _("三级")
    GRADE_4 = "grade_4", _("四级")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("家庭"))
    relationship = models.CharField(_("与申请人关系"), max_length=12, choices=Relationship.choices)
    name = models.CharField(_("姓名"), max_length=40)
    id_number = EncryptedCharField(_("身份证号码"))
    id_number_hash = PiiHashField(source="id_number")
    # Derived from the ID number by the service that saves the member, never typed.
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    marital_status = models.CharField(_("婚姻状况"), max_length=12, choices=MaritalStatus.choices)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    monthly_income = models.DecimalField(
        _("月收入（元）"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)],
    )
    disability = models.CharField(_("残疾等级"), max_length=8, choices=Disability.choices, default=Disability.NONE)
    sort_order = models.PositiveSmallIntegerField(default=0)
    # 已核对: set when the applicant saves the member's form; the applicant's own row, created from the
    # verified identity with placeholder facts, is unconfirmed until then, and submission waits for it.
    confirmed_at = models.DateTimeField(_("申请人核对时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "household__application__district"
    scope_street_path = "household__application__street"

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "id_number_hash"], name="member_once_per_household",
                violation_error_message=_("该成员已在家庭成员中，不能重复添加。"),
            ),
            models.UniqueConstraint(
                fields=["household"], condition=Q(relationship="self"), name="one_self_per_household",
            ),
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="member_income_not_negative"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_relationship_display()}）"

    @property
    def id_number_masked(self):
        from gongzufang.pii import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def age(self):
        """Age in whole years today: shown beside the masked number instead of the birth date."""
        from gongzufang.pii import age_of

        return age_of(self.birth_date)


# --- applications --------------------------------------------------------------------------------


class ApplicationQuerySet(ScopedQuerySet):
    def of_applicant(self, user):
        """The applicant's own applications (an applicant has no district scope)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(applicant=user)

    def for_staff(self, user):
        """What caseworkers see: their area, never an applicant's unsent draft."""
        return self.for_user(user).exclude(status=Status.DRAFT)


# --- who may take each step (the transitions' `permission`; gongzufang.workflow checks them) ---------


def _decider(role, perm, who):
    return may(perm, roles=(role,), denied=f"此环节由{who}办理，您没有权限。")


STREET = _decider(Role.STREET_CLERK, "applications.street_review_application", "街道受理员")
DISTRICT = _decider(Role.DISTRICT_CASEWORKER, "applications.district_review_application", "区县经办人")
CITY = _decider(Role.CITY_CASEWORKER, "applications.city_review_application", "市级经办人")
STEP_DECIDER = {
    Status.ACCEPTED: STREET, Status.STREET_REVIEW: STREET,
    Status.DISTRICT_REVIEW: DISTRICT, Status.PUBLIC_NOTICE: DISTRICT, Status.CITY_REVIEW: CITY,
}
CLERK = may("applications.accept_application", roles=(Role.STREET_CLERK,),
            denied="受理和退回补正由申请人所在街道的受理员办理。")
RETURNING_CLERK = may("applications.return_application", roles=(Role.STREET_CLERK,),
                      denied="受理和退回补正由申请人所在街道的受理员办理。")
NOTICE_CLOSER = may(roles=(Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER), denied="公示结束由区县或市级经办人办理。")
RECHECK_DECIDER = may("applications.decide_recheck", denied="复核由市级经办人办理，您没有权限。")


def applicant_only(application, user) -> bool:
    return user is not None and application.applicant_id == user.pk


applicant_only.denied = "只有申请人本人可以操作。"


def current_decider(application, user) -> bool:
    """不通过 is decided by whoever decides the current step."""
    decider = STEP_DECIDER.get(application.status)
    return True if decider is None else decider(application, user)


current_decider.denied = lambda application, user: STEP_DECIDER[application.status].denied \
    if application.status in STEP_DECIDER else "您没有权限办理此事项。"


@guard("当前状态为“公示”：公示期间只有异议成立时才能作不通过决定，否则公示期满后提交市级复核。")
def rejectable_now(application) -> bool:
    """During 公示 the district rejects only on an upheld objection (issue 12, item 7); the notice is
    otherwise the public's turn, and the decision goes on to the city."""
    return application.status != Status.PUBLIC_NOTICE or application.objections.filter(upheld=True).exists()


@guard("该申请已退回补正过一次，按规定只能一次性告知补正。")
def not_yet_returned(application) -> bool:
    return not application.was_returned


class Application(Lifecycle, models.Model):
    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申请人"),
    )
    household = models.OneToOneField(Household, on_delete=models.PROTECT, related_name="application",
                                     verbose_name=_("家庭"))
    assistance_type = models.CharField(_("保障方式"), max_length=8, choices=AssistanceType.choices, blank=True)
    category = models.CharField(_("保障对象类别"), max_length=24, choices=CATEGORY_CHOICES, blank=True)

    # Who handles it: the street (and its district, kept here for scoping) of the applicant.
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("区县"))
    street = models.ForeignKey("gongzufang.Street", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("街道/镇"))
    community = models.ForeignKey("gongzufang.Community", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("社区"))

    preferred_districts = models.ManyToManyField("gongzufang.District", blank=True, related_name="+",
                                                 verbose_name=_("意向区域"))
    preferred_bedrooms = models.PositiveSmallIntegerField(_("意向户型"), choices=Bedrooms.choices, null=True, blank=True)

    housing_type = models.CharField(_("现住房类型"), max_length=16, choices=HousingType.choices, blank=True)
    housing_area = models.DecimalField(_("现住房建筑面积（㎡）"), max_digits=7, decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(0), MaxValueValidator(10000)])
    housing_address = models.CharField(_("现住址"), max_length=200, blank=True)

    # Declared assets (DESIGN §6): vehicles, businesses, property sold in the last 5 years.
    vehicle_count = models.PositiveSmallIntegerField(_("机动车数量"), default=0)
    vehicle_value = models.DecimalField(_("机动车总价值（元）"), max_digits=12, decimal_places=2, default=0,
                                        validators=[MinValueValidator(0)])
    business_count = models.PositiveSmallIntegerField(_("经营企业/个体户数量"), default=0)
    business_capital = models.DecimalField(_("注册资本合计（元）"), max_digits=14, decimal_places=2, default=0,
                                           validators=[MinValueValidator(0)])
    property_sold_recently = models.BooleanField(_("近 5 年内出售过住房"), default=False)
    assets_note = models.TextField(_("资产补充说明"), blank=True, max_length=1000)

    consent_at = models.DateTimeField(_("授权时间"), null=True, blank=True)
    consent_version = models.CharField(_("授权书版本"), max_length=20, blank=True)

    status = FSMField(_("状态"), max_length=32, choices=Status.choices, default=Status.DRAFT, protected=True,
                      db_index=True)
    # Wizard steps saved at least once (resumable; Section values).
    completed_sections = models.JSONField(_("已填写部分"), default=list, blank=True)
    returned_from = models.CharField(_("补正前状态"), max_length=32, blank=True)

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    # The clock (DESIGN §4): the current step started on `step_started_on`; working days spent in 补正
    # (and, for issue 5, 公示) are added back to its budget and to the total.
    step_started_on = models.DateField(_("本环节开始日"), null=True, blank=True)
    step_paused_workdays = models.PositiveIntegerField(_("本环节暂停工作日"), default=0)
    total_paused_workdays = models.PositiveIntegerField(_("累计暂停工作日"), default=0)
    paused_on = models.DateField(_("暂停开始日"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    # An approved application's assistance ended (the household exited, tenancy/): its members' ID numbers
    # are no longer claimed and the applicant may apply again — when no re-application ban is in force,
    # which the eligibility rules check (`no_reapplication_ban`). The decision stays "approved".
    assistance_ended_at = models.DateTimeField(_("保障终止时间"), null=True, blank=True)
    # Kept on the row so that queues sort and filter by them in the database (overdue first);
    # set by the workflow services at every transition and when the clock pauses or resumes.
    step_due_on = models.DateField(_("本环节期限"), null=True, blank=True, db_index=True)
    due_on = models.DateField(_("审批期限"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("期限按暂定日历"), default=False)
    notice_starts_on = models.DateField(_("公示开始日"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止日"), null=True, blank=True)
    rejected_from = models.CharField(_("不通过时环节"), max_length=32, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("不通过决定人"))
    # Working days from acceptance to decision, pauses (补正, 公示) not counted (DESIGN §11).
    processing_workdays = models.PositiveIntegerField(_("办理用时（工作日）"), null=True, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()
    scope_district_path = "district"
    scope_street_path = "street"
    # The applicant is told of each change by SMS and in-site message once it is committed.
    status_log = StatusLog("applications.ApplicationStatusChange", "application",
                           on_commit_task="applications.tasks.notify_status_change", save_all=True,
                           not_found="未找到该申请。")

    class Meta:
        verbose_name = _("公租房申请")
        verbose_name_plural = _("公租房申请")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("accept_application", _("可受理申请")),
            ("return_application", _("可退回补正")),
            ("register_applicant", _("可现场注册申请人")),
            ("street_review_application", _("可街道初审")),
            ("district_review_application", _("可区县审核")),
            ("city_review_application", _("可市级复核")),
            ("rerun_check", _("可重新核验部门数据")),
            ("resolve_objection", _("可处理公示异议")),
            ("decide_recheck", _("可办理复核申请")),
            ("view_full_id_number", _("可查看完整身份证号码")),
        ]
        indexes = [models.Index(fields=["district", "status"], name="application_district_status")]

    def __str__(self):
        return self.number

    # --- guards ---
    @property
    def was_returned(self) -> bool:
        return CorrectionRequest.objects.filter(application_id=self.pk).exists()

    def can_be_returned(self) -> bool:
        return not self.was_returned

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES and self.assistance_ended_at is None

    @property
    def is_withdrawable(self) -> bool:
        return self.status in WITHDRAWABLE_STATUSES

    @classmethod
    def workflow_visible(cls, actor):
        """Whom the engine lets act: the applicant on their own; staff in their area, never on a draft."""
        if getattr(actor, "role", None) == Role.APPLICANT and not getattr(actor, "is_superuser", False):
            return cls.objects.of_applicant(actor)
        return cls.objects.for_staff(actor)

    # --- transitions: taken only through gongzufang.workflow, by the services of applications' rooms.
    # `label` makes a transition a button in the admin and an action of the API (review.perform).
    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED, permission=applicant_only,
                custom={"verb": "提交"})
    def submit(self):
        pass

    @transition(field=status, source=Status.RETURNED_FOR_CORRECTION,
                target=RETURN_VALUE(Status.SUBMITTED, Status.ACCEPTED, Status.STREET_REVIEW),
                permission=applicant_only, custom={"verb": "重新提交"})
    def resubmit(self):
        return self.returned_from or Status.SUBMITTED

    @transition(field=status, source=WITHDRAWABLE_STATUSES, target=Status.WITHDRAWN, permission=applicant_only,
                custom={"refused": "申请已有审核结论，不能撤回。"})
    def withdraw(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED, permission=CLERK,
                custom={"label": "受理", "verb": "受理"})
    def accept(self):
        pass

    # Not a plain button: the clerk fills in the itemised list (admin "退回补正" form).
    @transition(field=status, source=RETURNABLE_STATUSES, target=Status.RETURNED_FOR_CORRECTION,
                conditions=[not_yet_returned], permission=RETURNING_CLERK, custom={"verb": "退回补正"})
    def return_for_correction(self):
        pass

    # Review (DESIGN §4): street, the departments' check, district, public notice, city.
    @transition(field=status, source=Status.ACCEPTED, target=Status.STREET_REVIEW, permission=STREET,
                custom={"label": "开始初审", "verb": "开始初审", "summary": "开始街道初审",
                        "description": "受理后开始街道初审（可选步骤）。", "example": ""})
    def begin_street_review(self):
        pass

    @transition(field=status, source=[Status.ACCEPTED, Status.STREET_REVIEW], target=Status.CROSS_CHECK,
                permission=STREET,
                custom={"label": "初审通过，提交部门联审", "verb": "初审通过", "summary": "街道初审通过",
                        "description": "初审通过，进入部门联审。", "example": "初审通过"})
    def street_approve(self):
        pass

    @transition(field=status, source=Status.CROSS_CHECK, target=Status.DISTRICT_REVIEW,
                custom={"verb": "完成部门联审"})
    def checks_complete(self):
        pass

    @transition(field=status, source=Status.DISTRICT_REVIEW, target=Status.PUBLIC_NOTICE, permission=DISTRICT,
                custom={"label": "区县审核通过，进入公示", "verb": "区县审核通过", "summary": "区县审核通过",
                        "description": "区县审核通过，进入公示。", "example": "符合保障条件"})
    def district_approve(self):
        pass

    @transition(field=status, source=Status.PUBLIC_NOTICE, target=Status.CITY_REVIEW, permission=NOTICE_CLOSER,
                custom={"label": "公示期满，提交市级复核", "verb": "结束公示", "summary": "结束公示",
                        "description": "公示期满且异议均已处理，提交市级复核。", "example": ""})
    def close_notice(self):
        pass

    @transition(field=status, source=Status.CITY_REVIEW, target=Status.APPROVED, permission=CITY,
                custom={"label": "市级复核通过", "verb": "复核通过", "summary": "市级复核通过",
                        "description": "市级复核通过，审核办结。", "example": "同意"})
    def city_approve(self):
        pass

    @transition(field=status, source=REJECTABLE_STATUSES, target=Status.REJECTED, permission=current_decider,
                conditions=[rejectable_now],
                custom={"label": "不通过", "verb": "作不通过决定", "needs_opinion": True, "style": "danger",
                        "summary": "不通过", "description": "在当前环节作出不通过决定；须写明理由。",
                        "example": "家庭人均月收入超过低收入标准"})
    def reject(self):
        pass

    @transition(field=status, source=Status.REJECTED, target=Status.RECHECK_REQUESTED, permission=applicant_only,
                custom={"verb": "申请复核"})
    def request_recheck(self):
        pass

    # A granted recheck overturns the rejection: the application goes on from the step after the one
    # that rejected it, as if that step had approved.
    @transition(field=status, source=Status.RECHECK_REQUESTED,
                target=RETURN_VALUE(Status.CROSS_CHECK, Status.PUBLIC_NOTICE, Status.CITY_REVIEW, Status.APPROVED),
                permission=RECHECK_DECIDER,
                custom={"label": "复核成立（撤销原决定）", "verb": "作复核决定", "needs_opinion": True,
                        "summary": "复核成立",
                        "description": "复核认为原决定有误：撤销原决定，申请继续办理；须写明理由，且办理人不能是原决定人。",
                        "example": "收入证明经核实有误"})
    def recheck_grant(self):
        return AFTER_APPROVAL[self.rejected_from]

    @transition(field=status, source=Status.RECHECK_REQUESTED, target=Status.REJECTED, permission=RECHECK_DECIDER,
                custom={"label": "复核维持原决定", "verb": "作复核决定", "needs_opinion": True, "style": "danger",
                        "summary": "复核维持原决定", "description": "复核维持不通过的原决定；须写明理由。",
                        "example": "经复核，原决定无误"})
    def recheck_uphold(self):
        pass


class ApplicationStatusChange(StatusChange):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes",
                                    verbose_name=_("申请"))

    class Meta(StatusChange.Meta):
        verbose_name = _("申请状态变更")
        verbose_name_plural = _("申请状态变更")


class MemberClaim(models.Model):
    """While an application is active, each member's ID number is claimed by it: the unique hash
    makes "one active application per household" hold even for two submissions at the same moment."""

    id_number_hash = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="member_claims")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("成员占用")
        verbose_name_plural = _("成员占用")

    def __str__(self):
        return f"{self.application_id}:{self.id_number_hash[:8]}"


class CorrectionRequest(models.Model):
    """补正: the one itemised list a clerk returns an application with (one per application)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="correction",
                                       verbose_name=_("申请"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("退回人"))
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    returned_from = models.CharField(_("退回时状态"), max_length=32)
    created_at = models.DateTimeField(_("退回时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("补正提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正通知")
        verbose_name_plural = _("补正通知")

    def __str__(self):
        return f"{self.application} 补正"

    def sections(self) -> set:
        return {item.section for item in self.items.all()}


def correction_section_choices():
    return list(Section.choices) + [(f"material.{k}", f"材料：{v}") for k, v in MATERIAL_KINDS.items()]


class CorrectionItem(models.Model):
    request = models.ForeignKey(CorrectionRequest, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("需补正内容"), max_length=40, choices=correction_section_choices())
    note = models.CharField(_("要求"), max_length=300)

    class Meta:
        verbose_name = _("补正事项")
        verbose_name_plural = _("补正事项")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["request", "section"], name="correction_item_once")]

    def __str__(self):
        return f"{self.get_section_display()}：{self.note}"


# --- materials -----------------------------------------------------------------------------------


def material_upload_to(instance, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}{ext}"


class MaterialQuerySet(ScopedQuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)


class Material(models.Model):
    """An uploaded document. Replacing or removing one keeps the old row, marked superseded."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials",
                                    verbose_name=_("申请"))
    kind = models.CharField(_("材料类别"), max_length=24, choices=MATERIAL_CHOICES)
    file = models.FileField(_("文件"), storage=private_storage, upload_to=material_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("被替换时间"), null=True, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                      verbose_name=_("替换为"))

    objects = MaterialQuerySet.as_manager()
    scope_district_path = "application__district"
    scope_street_path = "application__street"

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["kind", "uploaded_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"
