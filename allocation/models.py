"""Waitlist (轮候), allocation rounds and the lottery (配租方案, 摇号), and offers (选房) — DESIGN §7, issue 13.

- `WaitlistEntry`: one per approved 实物配租 application, in its district, with a public number
  (`LH230602-2026-00012`). Order: (`group_rank`, `qualified_on`, application number); the index
  `waitlist_order` serves it per district and status.
- `AllocationRound`: the units and households of one allocation; published (pool frozen, pool hash
  and commitment public), drawn once (`gzf-lottery-v1`, allocation/lottery.py), or voided by the city.
- `RoundUnit`, `RoundEntry`: the frozen pool; `DrawPosition`: the draw's result, one new row per round
  entry (its position and choice window), written once at the draw.
- `Offer`: a unit held for a household to sign. The partial unique constraint
  `allocation_one_live_offer_per_unit` is the last line of "one unit is never given twice".

Every status is a protected FSM field changed only through `gongzufang.workflow.transition`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from gongzufang.fields import EncryptedCharField
from gongzufang.models.audit import StatusChange
from gongzufang.models.users import Role
from gongzufang.scoping import ScopedQuerySet
from gongzufang.workflow import Lifecycle, StatusLog, guard, may

# --- who may act ------------------------------------------------------------------------------------

CASEWORKER = may("allocation.manage_round", roles=(Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER),
                 denied="配租方案由区县或市级经办人办理，您没有权限。")
CITY_ONLY = may("allocation.void_round", roles=(Role.CITY_CASEWORKER,),
                denied="作废配租方案由市级经办人办理，您没有权限。")
# 选房 (allocation/choice): the household refuses its own offer online, staff record it or withdraw one.
OFFER_STAFF = may("allocation.choose_at_counter", roles=(Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER),
                  denied="撤销选房由区县或市级经办人办理，您没有权限。")
OFFER_PARTIES = may(roles=(Role.APPLICANT, Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER),
                    denied="放弃选房由本家庭或区县、市级经办人办理，您没有权限。")
WAITLIST_STAFF = may("allocation.manage_waitlist", roles=(Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER),
                     denied="轮候资格变更由区县或市级经办人办理，您没有权限。")


# --- waitlist ------------------------------------------------------------------------------------------


class WaitlistEntryQuerySet(ScopedQuerySet):
    def of_applicant(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(application__applicant=user)

    def in_order(self):
        """The waitlist order (DESIGN §7): group rank, qualification date, application number."""
        return self.order_by("group_rank", "qualified_on", "application_number")


class WaitlistSequence(models.Model):
    """The last number given in one district and year; the row is locked while a number is taken, so
    two approvals at once never share a number."""

    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("轮候编号序列")
        verbose_name_plural = _("轮候编号序列")
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="waitlist_sequence_once")]

    def __str__(self):
        return f"{self.district_id}-{self.year}: {self.last}"


class WaitlistEntry(Lifecycle, models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("轮候中")
        SUSPENDED = "suspended", _("暂停轮候")
        ALLOCATED = "allocated", _("已配租")
        SWITCHED_TO_SUBSIDY = "switched_to_subsidy", _("已转为租赁补贴")
        INELIGIBLE = "ineligible", _("不再符合条件")
        EXPIRED = "expired", _("超过最长轮候期")

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="waitlist_entry", verbose_name=_("申请"))
    # Copied from the application so the queue sorts in one index (the number never changes).
    application_number = models.CharField(_("申请编号"), max_length=24, editable=False)
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    number = models.CharField(_("轮候编号"), max_length=32, unique=True, editable=False)
    priority_group = models.CharField(_("优先类别"), max_length=32, blank=True,
                                      help_text=_("空表示一般轮候家庭。"))
    group_rank = models.PositiveSmallIntegerField(_("优先顺位"), help_text=_("1 为最优先，取自政策参数。"))
    qualified_on = models.DateField(_("取得资格日期"))
    household_size = models.PositiveSmallIntegerField(_("家庭人数"))
    max_bedrooms = models.PositiveSmallIntegerField(_("可配最大户型（居室）"),
                                                    help_text=_("可选较小户型，不可选较大户型。"))
    refusals = models.PositiveSmallIntegerField(_("拒绝配租次数"), default=0)
    suspended_until = models.DateField(_("暂停至"), null=True, blank=True)
    left_on = models.DateField(_("退出轮候日期"), null=True, blank=True)
    leave_reason = models.CharField(_("退出原因"), max_length=200, blank=True)
    status = FSMField(_("轮候状态"), max_length=24, choices=Status.choices, default=Status.WAITING,
                      protected=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = WaitlistEntryQuerySet.as_manager()
    scope_district_path = "district"
    status_log = StatusLog("allocation.WaitlistEntryStatusChange", "entry", save_all=True,
                           on_commit_task="allocation.tasks.notify_entry_change", not_found="未找到该轮候记录。")

    class Meta:
        verbose_name = _("轮候家庭")
        verbose_name_plural = _("轮候家庭")
        ordering = ["group_rank", "qualified_on", "application_number"]
        permissions = [("manage_waitlist", _("可办理轮候资格变更"))]
        indexes = [
            models.Index(fields=["district", "status", "group_rank", "qualified_on", "application_number"],
                         name="waitlist_order"),
        ]

    def __str__(self):
        return self.number

    @classmethod
    def workflow_visible(cls, actor):
        if getattr(actor, "role", None) == Role.APPLICANT and not getattr(actor, "is_superuser", False):
            return cls.objects.of_applicant(actor)
        return cls.objects.for_user(actor)

    @property
    def is_waiting(self):
        return self.status == self.Status.WAITING

    # 变更申报: a change declared during the wait that still qualifies is recorded in the history
    # (the status stays as it is); one that no longer qualifies is `make_ineligible` with the reasons.
    @transition(field=status, source=[Status.WAITING, Status.SUSPENDED],
                target=RETURN_VALUE(Status.WAITING, Status.SUSPENDED),
                custom={"verb": "变更申报", "saves": ["household_size", "max_bedrooms"]})
    def declare_change(self, household_size=None, max_bedrooms=None):
        if household_size:
            self.household_size, self.max_bedrooms = household_size, max_bedrooms
        return self.status

    # A refusal that counts (not choosing in one's window, refusing, not signing in time) and does not
    # (yet) suspend: recorded in the history with its reason; the status stays as it is.
    @transition(field=status, source=[Status.WAITING, Status.SUSPENDED],
                target=RETURN_VALUE(Status.WAITING, Status.SUSPENDED),
                custom={"verb": "计入拒绝配租", "saves": ["refusals"]})
    def count_refusal(self):
        return self.status

    # A choice window that closed with no unit that fits left: recorded (it does not count as a refusal).
    @transition(field=status, source=[Status.WAITING, Status.SUSPENDED],
                target=RETURN_VALUE(Status.WAITING, Status.SUSPENDED), custom={"verb": "登记选房结果"})
    def note_window(self):
        return self.status

    # Leaving, and coming back after a suspension: each with a reason (the opinion of the change).
    @transition(field=status, source=Status.WAITING, target=Status.SUSPENDED,
                custom={"verb": "暂停轮候", "saves": ["suspended_until", "refusals"]})
    def suspend(self, until=None):
        self.suspended_until = until

    @transition(field=status, source=Status.SUSPENDED, target=Status.WAITING,
                custom={"verb": "恢复轮候", "saves": ["suspended_until"]})
    def resume(self):
        self.suspended_until = None

    @transition(field=status, source=[Status.WAITING, Status.SUSPENDED], target=Status.ALLOCATED,
                custom={"verb": "登记配租", "saves": ["left_on", "leave_reason"]})
    def allocate(self, on=None, reason=""):
        self.left_on, self.leave_reason = on, reason

    @transition(field=status, source=[Status.WAITING, Status.SUSPENDED], target=Status.SWITCHED_TO_SUBSIDY,
                permission=WAITLIST_STAFF,
                custom={"label": "转为租赁补贴", "verb": "转为租赁补贴", "needs_opinion": True,
                        "saves": ["left_on", "leave_reason"], "summary": "转为租赁补贴",
                        "description": "家庭申请改为领取租赁补贴，退出实物配租轮候；须写明理由。",
                        "example": "家庭申请改领租赁补贴"})
    def switch_to_subsidy(self, on=None, reason=""):
        self.left_on, self.leave_reason = on, reason

    @transition(field=status, source=[Status.WAITING, Status.SUSPENDED], target=Status.INELIGIBLE,
                permission=WAITLIST_STAFF,
                custom={"label": "不再符合条件", "verb": "认定不再符合条件", "needs_opinion": True, "style": "danger",
                        "saves": ["left_on", "leave_reason"], "summary": "认定不再符合条件",
                        "description": "经核实家庭不再符合保障条件，退出轮候；须写明理由。",
                        "example": "家庭人均月收入超过低收入标准"})
    def make_ineligible(self, on=None, reason=""):
        self.left_on, self.leave_reason = on, reason

    @transition(field=status, source=[Status.WAITING, Status.SUSPENDED], target=Status.EXPIRED,
                custom={"verb": "按超过最长轮候期退出", "saves": ["left_on", "leave_reason"]})
    def expire(self, on=None, reason=""):
        self.left_on, self.leave_reason = on, reason


class WaitlistEntryStatusChange(StatusChange):
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("轮候家庭"))

    class Meta(StatusChange.Meta):
        verbose_name = _("轮候状态变更")
        verbose_name_plural = _("轮候状态变更")


# --- rounds ---------------------------------------------------------------------------------------------


@guard("配租方案中还没有房源，不能发布。")
def round_has_units(round_):
    return round_.units.exists()


@guard("配租方案中还没有轮候家庭，不能发布。")
def round_has_entries(round_):
    return round_.entries.exists()


class AllocationRound(Lifecycle, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已公布，待摇号")
        DRAWN = "drawn", _("已摇号")
        VOIDED = "voided", _("已作废")

    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"))
    name = models.CharField(_("方案名称"), max_length=80)
    unit_filters = models.JSONField(_("房源筛选条件"), default=dict, blank=True)
    max_households = models.PositiveIntegerField(_("参加家庭数上限"), null=True, blank=True,
                                                 help_text=_("留空表示所有符合条件的轮候家庭。"))
    households_per_window = models.PositiveIntegerField(_("每批选房户数"))
    window_hours = models.PositiveIntegerField(_("每批选房时长（小时）"))
    choice_starts_at = models.DateTimeField(_("选房开始时间"), null=True, blank=True)
    pool_hash = models.CharField(_("名单哈希"), max_length=64, blank=True, editable=False)
    commitment = models.CharField(_("种子承诺值"), max_length=64, blank=True, editable=False)
    # 32 random bytes as 64 hex characters, encrypted at rest; shown only once drawn.
    secret = EncryptedCharField(_("种子密值"), blank=True, default="", editable=False)
    public_entropy = models.CharField(_("公开随机数"), max_length=200, blank=True, editable=False)
    seed = models.CharField(_("种子"), max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"), editable=False)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("摇号时间"), null=True, blank=True, editable=False)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("摇号经办人"), editable=False)
    void_reason = models.CharField(_("作废原因"), max_length=500, blank=True, editable=False)
    status = FSMField(_("方案状态"), max_length=12, choices=Status.choices, default=Status.DRAFT,
                      protected=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "district"
    status_log = StatusLog("allocation.RoundStatusChange", "round", save_all=True, not_found="未找到该配租方案。")

    class Meta:
        verbose_name = _("配租方案")
        verbose_name_plural = _("配租方案")
        ordering = ["-created_at", "-id"]
        permissions = [("manage_round", _("可办理配租方案与摇号")), ("void_round", _("可作废配租方案"))]

    def __str__(self):
        return self.name

    @property
    def is_frozen(self):
        return self.status != self.Status.DRAFT

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED, permission=CASEWORKER,
                conditions=[round_has_units, round_has_entries],
                custom={"label": "发布（冻结名单）", "verb": "发布", "summary": "发布配租方案",
                        "description": "冻结房源和家庭名单，公布名单哈希和种子承诺值。", "example": ""})
    def publish(self):
        pass

    # Not a plain button: the caseworker enters the public entropy (admin "摇号" form).
    @transition(field=status, source=Status.PUBLISHED, target=Status.DRAWN, permission=CASEWORKER,
                custom={"verb": "摇号", "refused": lambda r: "该方案已摇号，摇号结果不能重新生成。"
                        if r.status == AllocationRound.Status.DRAWN else f"当前状态为“{r.get_status_display()}”，不能摇号。"})
    def draw(self):
        pass

    @transition(field=status, source=[Status.DRAFT, Status.PUBLISHED, Status.DRAWN], target=Status.VOIDED,
                permission=CITY_ONLY,
                custom={"label": "作废", "verb": "作废", "needs_opinion": True, "style": "danger",
                        "saves": ["void_reason"], "summary": "作废配租方案",
                        "description": "作废该方案并记录原因；重新配租须新建方案（新的种子承诺）。",
                        "example": "摇号现场公证程序不完整"})
    def void(self, reason=""):
        self.void_reason = reason


class RoundStatusChange(StatusChange):
    round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("配租方案"))

    class Meta(StatusChange.Meta):
        verbose_name = _("配租方案状态变更")
        verbose_name_plural = _("配租方案状态变更")


class RoundUnit(models.Model):
    round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="units",
                              verbose_name=_("配租方案"))
    unit = models.ForeignKey("housing.Unit", on_delete=models.PROTECT, related_name="round_units",
                             verbose_name=_("房屋"))

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "round__district"

    class Meta:
        verbose_name = _("方案房源")
        verbose_name_plural = _("方案房源")
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="round_unit_once")]

    def __str__(self):
        return f"{self.round_id}:{self.unit_id}"


class RoundEntry(models.Model):
    """One household of a round's frozen pool. Its draw position and choice window are a `DrawPosition`
    row written once at the draw (`.draw`; the properties below read it, None before the draw)."""

    # Not indexed alone: every unique constraint below starts with the round.
    round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="entries",
                              verbose_name=_("配租方案"), db_index=False)
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="round_entries",
                              verbose_name=_("轮候家庭"))
    ref = models.CharField(_("轮候编号"), max_length=32)
    group_rank = models.PositiveSmallIntegerField(_("优先顺位"))

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "round__district"

    class Meta:
        verbose_name = _("方案家庭")
        verbose_name_plural = _("方案家庭")
        ordering = ["round_id", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["round", "entry"], name="round_entry_once"),
            models.UniqueConstraint(fields=["round", "ref"], name="round_ref_once"),
        ]

    def __str__(self):
        return f"{self.round_id}:{self.ref}"

    @property
    def drawn(self):
        """The entry's DrawPosition, or None before the draw (the lookup is cached on the instance)."""
        try:
            return self.draw
        except DrawPosition.DoesNotExist:
            return None

    @property
    def position(self):
        d = self.drawn
        return d.position if d else None

    @property
    def window_no(self):
        d = self.drawn
        return d.window_no if d else None

    @property
    def window_opens_at(self):
        d = self.drawn
        return d.window_opens_at if d else None

    @property
    def window_closes_at(self):
        d = self.drawn
        return d.window_closes_at if d else None


class DrawPosition(models.Model):
    """The draw's result for one household: its place in the choice order and its choice window.
    Written once, by the draw, as new rows (one INSERT … SELECT on PostgreSQL, in primary-key order, so
    the one index grows at its end; allocation/services.store_positions) and never updated.

    Only the primary key is indexed and enforced by the database. The rest is checked by the design
    (ADR 0012): the draw writes exactly the rows of the round's own pool, positions 1…N from one
    enumeration, in the transaction that holds the round's row lock and after checking the round is
    not drawn yet — and the primary key would refuse a second set for the same households anyway. The
    foreign keys are not declared in the database (no per-row trigger during the insert); the ORM still
    cascades deletes. A round's rows are read through the round's entries (their index)."""

    round_entry = models.OneToOneField(RoundEntry, on_delete=models.CASCADE, primary_key=True, related_name="draw",
                                       db_constraint=False, verbose_name=_("方案家庭"))
    round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="positions",
                              db_constraint=False, db_index=False, verbose_name=_("配租方案"))
    position = models.PositiveIntegerField(_("选房顺序号"))
    window_no = models.PositiveIntegerField(_("选房批次"))
    window_opens_at = models.DateTimeField(_("选房开始"))
    window_closes_at = models.DateTimeField(_("选房截止"))

    objects = ScopedQuerySet.as_manager()
    scope_district_path = "round__district"

    class Meta:
        verbose_name = _("摇号顺序")
        verbose_name_plural = _("摇号顺序")
        ordering = ["round_id", "position"]

    def __str__(self):
        return f"{self.round_id}:{self.position}"


# --- offers ------------------------------------------------------------------------------------------------


class OfferQuerySet(ScopedQuerySet):
    def of_applicant(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(round_entry__entry__application__applicant=user)

    def live(self):
        return self.filter(status__in=LIVE_OFFER_STATUSES)


LIVE_OFFER_STATUSES = ["held", "signed"]


class Offer(Lifecycle, models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("已选定，待签约")
        SIGNED = "signed", _("已签约")
        REFUSED = "refused", _("已放弃")
        EXPIRED = "expired", _("逾期未签约")
        WITHDRAWN = "withdrawn", _("已撤销")

    round_entry = models.ForeignKey(RoundEntry, on_delete=models.PROTECT, related_name="offers",
                                    verbose_name=_("方案家庭"))
    unit = models.ForeignKey("housing.Unit", on_delete=models.PROTECT, related_name="offers", verbose_name=_("房屋"))
    # Copied from the round for scoping without joins.
    district = models.ForeignKey("gongzufang.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区县"), editable=False)
    sign_by = models.DateField(_("签约期限"))
    chosen_at = models.DateTimeField(_("选房时间"))
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("选房操作人"))
    at_counter = models.BooleanField(_("现场选房"), default=False)
    refusal_counts = models.BooleanField(_("计入拒绝次数"), default=False)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.HELD,
                      protected=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OfferQuerySet.as_manager()
    scope_district_path = "district"
    status_log = StatusLog("allocation.OfferStatusChange", "offer", save_all=True, not_found="未找到该选房记录。")

    class Meta:
        verbose_name = _("选房结果")
        verbose_name_plural = _("选房结果")
        ordering = ["-chosen_at", "-id"]
        permissions = [("choose_at_counter", _("可代为现场选房"))]
        constraints = [
            # The last line of "one unit is never given to two households" (DESIGN §7).
            models.UniqueConstraint(fields=["unit"], condition=Q(status__in=LIVE_OFFER_STATUSES),
                                    name="allocation_one_live_offer_per_unit",
                                    violation_error_message=_("该房屋已被选定。")),
            models.UniqueConstraint(fields=["round_entry"], condition=Q(status__in=LIVE_OFFER_STATUSES),
                                    name="allocation_one_live_offer_per_household",
                                    violation_error_message=_("该家庭已选定房屋。")),
        ]
        indexes = [models.Index(fields=["status", "sign_by"], name="offer_status_sign_by")]

    def __str__(self):
        return f"{self.round_entry_id} → {self.unit_id}"

    @classmethod
    def workflow_visible(cls, actor):
        if getattr(actor, "role", None) == Role.APPLICANT and not getattr(actor, "is_superuser", False):
            return cls.objects.of_applicant(actor)
        return cls.objects.for_user(actor)

    @transition(field=status, source=Status.HELD, target=Status.SIGNED, custom={"verb": "签约"})
    def sign(self):
        pass

    @transition(field=status, source=Status.HELD, target=Status.REFUSED, permission=OFFER_PARTIES,
                custom={"label": "登记家庭放弃（计入拒绝）", "verb": "放弃", "style": "danger", "needs_opinion": True,
                        "saves": ["reason", "refusal_counts"], "summary": "登记家庭放弃选定的房屋",
                        "description": "家庭放弃选定的房屋：计入一次拒绝配租，房屋恢复可选。",
                        "example": "家庭认为楼层不合适，放弃"})
    def refuse(self, reason="", counts=True):
        self.reason, self.refusal_counts = reason, counts

    @transition(field=status, source=Status.HELD, target=Status.EXPIRED,
                custom={"verb": "按逾期未签约处理", "saves": ["reason", "refusal_counts"]})
    def expire(self, reason="", counts=True):
        self.reason, self.refusal_counts = reason, counts

    @transition(field=status, source=Status.HELD, target=Status.WITHDRAWN, permission=OFFER_STAFF,
                custom={"label": "撤销选房（不计入拒绝）", "verb": "撤销", "needs_opinion": True,
                        "saves": ["reason", "refusal_counts"], "summary": "撤销选房",
                        "description": "经办人撤销选房（如房屋需维修）：不计入拒绝，房屋恢复可选；须写明理由。",
                        "example": "房屋漏水需维修"})
    def withdraw(self, reason=""):
        self.reason, self.refusal_counts = reason, False


class OfferStatusChange(StatusChange):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("选房结果"))

    class Meta(StatusChange.Meta):
        verbose_name = _("选房状态变更")
        verbose_name_plural = _("选房状态变更")


# The choice jobs' per-household record (allocation/choice/models.py), loaded with the app's models.
from .choice.models import ChoiceWindow  # noqa: E402, F401
