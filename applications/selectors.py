"""Reads for the applicant pages, the admin and (later) the API: look-ups that authorise in one step
(missing and not-yours are the same 404), what an application still lacks, its timeline and its
deadlines."""

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone

from applications.crosscheck.exchange import materials_supplied_online
from applications.models import Application, AssistanceType, Bedrooms, Material, RuleEvaluation, Section, Status
from gongzufang.models.users import Level
from gongzufang.parameters import MATERIAL_KINDS, param
from gongzufang.scoping import get_in_scope_or_404, get_or_404, in_scope
from gongzufang.workdays import Deadline, deadline

# --- look-ups ------------------------------------------------------------------------------------


def applicant_application_or_404(user, pk) -> Application:
    return get_or_404(Application.objects.of_applicant(user).select_related(
        "household", "street", "community", "district"), pk)


def staff_application_or_404(user, pk) -> Application:
    return get_in_scope_or_404(user, Application.objects.for_staff(user), pk)


def can_see_application(user, application) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if application.applicant_id == user.pk:
        return True
    return getattr(user, "is_caseworker", False) and in_scope(user, Application.objects.for_staff(user), application.pk)


def material_for_user_or_404(user, pk) -> Material:
    """A material file for its applicant, or a caseworker whose scope covers the application."""
    material = get_or_404(Material.objects.select_related("application"), pk)
    if not can_see_application(user, material.application):
        raise Http404
    return material


# --- what is asked -------------------------------------------------------------------------------


def required_material_kinds(application) -> list[str]:
    """The category's materials (a dated parameter), minus those a department supplies online."""
    if not application.category:
        return []
    kinds = param(f"materials.required.{application.category}", district=application.district_id)
    online = materials_supplied_online()
    return [k for k in kinds if k not in online]


def material_kinds_supplied_online(application) -> list[tuple[str, str]]:
    if not application.category:
        return []
    kinds = param(f"materials.required.{application.category}", district=application.district_id)
    online = materials_supplied_online()
    return [(k, MATERIAL_KINDS[k]) for k in kinds if k in online]


def missing_material_kinds(application) -> list[str]:
    have = set(application.materials.current().values_list("kind", flat=True))
    return [k for k in required_material_kinds(application) if k not in have]


def bedroom_choices_for(application):
    """Unit sizes the household may choose (DESIGN §7): up to its size's standard, smaller allowed."""
    size = max(1, application.household.members.count())
    largest = param(f"allocation.max_bedrooms.size_{min(size, 5)}", district=application.district_id)
    return [(value, label) for value, label in Bedrooms.choices if value <= largest]


def wizard_sections(application) -> list[tuple[str, str]]:
    sections = [
        (Section.ASSISTANCE, "保障方式"), (Section.MEMBERS, "家庭成员"), (Section.HOUSING, "现住房"),
        (Section.ASSETS, "家庭资产"), (Section.PREFERENCES, "意向"), (Section.PLACE, "街道社区"),
        (Section.CONSENT, "授权书"), (Section.MATERIALS, "材料"),
    ]
    if application.assistance_type == AssistanceType.SUBSIDY:
        sections = [s for s in sections if s[0] != Section.PREFERENCES]
    return sections


def section_done(application, section) -> bool:
    if section == Section.PLACE:
        return bool(application.street_id and application.community_id)
    if section == Section.CONSENT:
        return application.consent_at is not None
    if section == Section.MATERIALS:
        return bool(application.category) and not missing_material_kinds(application)
    if section == Section.ASSISTANCE:
        return bool(application.assistance_type and application.category)
    if section == Section.MEMBERS and section in (application.completed_sections or []):
        return not unconfirmed_members(application)
    return section in (application.completed_sections or [])


def unconfirmed_members(application) -> list:
    """Members the applicant has not yet checked and saved (已核对)."""
    return list(application.household.members.filter(confirmed_at__isnull=True).order_by("sort_order", "pk"))


MISSING_TEXT = {
    Section.ASSISTANCE: "请选择保障方式和保障对象类别",
    Section.MEMBERS: "请核对并保存家庭成员信息（至少保存一次本人的信息）",
    Section.HOUSING: "请填写现住房情况",
    Section.ASSETS: "请填写家庭资产情况",
    Section.PREFERENCES: "请选择意向区域和户型",
    Section.PLACE: "请选择所在街道和社区",
    Section.CONSENT: "请阅读并同意授权书",
}


def missing_items(application) -> list[tuple[str, str]]:
    """[(section, what is missing)] — empty when the application can be submitted."""
    missing = []
    for section, _label in wizard_sections(application):
        if section == Section.MATERIALS:
            for kind in missing_material_kinds(application):
                missing.append((f"material.{kind}", f"请上传{MATERIAL_KINDS[kind]}"))
        elif section == Section.MEMBERS and section in (application.completed_sections or []):
            missing.extend((section, f"请核对并保存家庭成员“{m.name}”的信息（保存即为已核对）")
                           for m in unconfirmed_members(application))
        elif not section_done(application, section):
            missing.append((section, MISSING_TEXT[section]))
    return missing


def first_open_section(application) -> str | None:
    for section, _label in wizard_sections(application):
        if not section_done(application, section):
            return section
    return None


def editable_sections(application) -> set[str] | None:
    """None: everything (a draft). A set: only these (returned for correction). Empty: nothing."""
    if application.status == Status.DRAFT:
        return None
    if application.status == Status.RETURNED_FOR_CORRECTION:
        return application.correction.sections()
    return set()


def can_edit(application, section) -> bool:
    allowed = editable_sections(application)
    if allowed is None:
        return True
    return section in allowed or (section.startswith("material.") and Section.MATERIALS in allowed)


# --- progress ------------------------------------------------------------------------------------

STEP_BUDGET_KEYS = {
    Status.ACCEPTED: "review.street_workdays",
    Status.STREET_REVIEW: "review.street_workdays",
    Status.CROSS_CHECK: "review.crosscheck_workdays",
    Status.DISTRICT_REVIEW: "review.district_workdays",
    Status.CITY_REVIEW: "review.city_workdays",
    # A recheck is decided within the same budget as a first decision (issue 5 item 8).
    Status.RECHECK_REQUESTED: "review.total_workdays",
}
STEP_LEVEL = {
    Status.SUBMITTED: Level.STREET, Status.ACCEPTED: Level.STREET, Status.STREET_REVIEW: Level.STREET,
    Status.CROSS_CHECK: Level.SYSTEM, Status.DISTRICT_REVIEW: Level.DISTRICT, Status.PUBLIC_NOTICE: Level.DISTRICT,
    Status.CITY_REVIEW: Level.CITY, Status.RECHECK_REQUESTED: Level.CITY,
}
FINISHED = {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}


@dataclass(frozen=True)
class TimelineEntry:
    when: object
    level: str
    outcome: str
    opinion: str
    actor_name: str


def timeline(application) -> list[TimelineEntry]:
    labels = dict(Status.choices)
    levels = dict(Level.choices)
    entries = []
    for change in application.status_changes.select_related("actor").order_by("created_at", "id"):
        actor = change.actor
        # Applicants see the office, not the caseworker's personal name.
        who = "" if actor is None or change.actor_level != Level.APPLICANT else (actor.real_name or "")
        entries.append(TimelineEntry(change.created_at, str(levels.get(change.actor_level, change.actor_level)),
                                     str(labels.get(change.to_status, change.to_status)), change.opinion, who))
    return entries


@dataclass(frozen=True)
class Progress:
    status_label: str
    step_level: str
    step_deadline: Deadline | None
    overall_deadline: Deadline | None
    paused: bool
    asked_now: str
    overdue: bool


def _step_deadline(application) -> Deadline | None:
    key = STEP_BUDGET_KEYS.get(application.status)
    if not key or not application.step_started_on:
        return None
    budget = param(key, district=application.district_id)
    return deadline(application.step_started_on, budget + application.step_paused_workdays)


def overall_deadline(application) -> Deadline | None:
    if not application.accepted_at or application.status in FINISHED or application.status == Status.RECHECK_REQUESTED:
        return None
    start: date = timezone.localtime(application.accepted_at).date()
    budget = param("review.total_workdays", district=application.district_id)
    return deadline(start, budget + application.total_paused_workdays)


def asked_now(application) -> str:
    status = application.status
    if status == Status.DRAFT:
        missing = missing_items(application)
        return ("请完成：" + "；".join(t for _s, t in missing) + "。") if missing else "信息已填写完整，请检查后提交申请。"
    if status == Status.RETURNED_FOR_CORRECTION:
        return "请按补正清单修改列出的内容，然后重新提交。审批时限在补正期间暂停计算。"
    if status == Status.SUBMITTED:
        return "无需操作。街道受理员将核对您的申请材料。"
    if status in (Status.ACCEPTED, Status.STREET_REVIEW, Status.CROSS_CHECK, Status.DISTRICT_REVIEW,
                  Status.CITY_REVIEW, Status.RECHECK_REQUESTED):
        return "无需操作，请等待审核。审核结果会通过短信和站内消息通知您。"
    if status == Status.PUBLIC_NOTICE:
        return "您的申请正在公示，无需操作。"
    if status == Status.APPROVED:
        return "审核已通过。请留意轮候和配租通知。"
    if status == Status.REJECTED:
        return "审核未通过，原因见下方记录。如有异议，可在规定期限内申请复核。"
    return "申请已撤回。如需申请，可重新发起。"


def recheck_last_day(application) -> date | None:
    """The last day a rejected applicant may ask for a recheck, or None if they no longer may (too
    late, or asked once already)."""
    from datetime import timedelta

    if application.status != Status.REJECTED or not application.decided_at:
        return None
    if hasattr(application, "recheck"):
        return None
    decided_on = timezone.localtime(application.decided_at).date()
    last_day = decided_on + timedelta(days=param("review.recheck_request_days", on=decided_on,
                                                 district=application.district_id))
    return last_day if timezone.localdate() <= last_day else None


def progress(application) -> Progress:
    step = _step_deadline(application)
    overall = overall_deadline(application)
    today = timezone.localdate()
    paused = (application.status in (Status.RETURNED_FOR_CORRECTION, Status.PUBLIC_NOTICE)
              and application.paused_on is not None)
    level = STEP_LEVEL.get(application.status)
    return Progress(
        status_label=application.get_status_display(),
        step_level=str(dict(Level.choices).get(level, "")) if level else "",
        step_deadline=None if paused else step,
        overall_deadline=None if paused else overall,
        paused=paused,
        asked_now=asked_now(application),
        overdue=bool(step and step.date < today and not paused),
    )


# --- for other apps ------------------------------------------------------------------------------
# What another app (complaints: feedback about an application, a rating of its decision) may ask of
# applications, instead of reaching into its models (the declared exception in pyproject.toml).

DECIDED_STATUSES = (Status.APPROVED, Status.REJECTED)


def application_model():
    """The Application model, for apps that refer to applications generically (ratings' content type)."""
    return Application


def applications_sent_by(user):
    """The person's applications other than unsent drafts, newest first: what their feedback may name."""
    return Application.objects.of_applicant(user).exclude(status=Status.DRAFT).order_by("-created_at")


def decided_applications_of(user):
    """The person's applications with a decision (approved or rejected)."""
    return Application.objects.of_applicant(user).filter(status__in=DECIDED_STATUSES)


def is_decided(application) -> bool:
    return application.status in DECIDED_STATUSES


def parameter_rows_used(row_ids, *, since=None) -> set[int]:
    """Which of these policy parameter rows an eligibility evaluation applied (RuleEvaluation.parameters
    records each row it used): such a row may never change (gongzufang.models.parameters, registered
    in ready()). `since`: only evaluations dated then or later can have used them."""
    wanted = set(row_ids)
    evaluations = RuleEvaluation.objects.all()
    if since is not None:
        evaluations = evaluations.filter(decision_date__gte=since)
    used = set()
    for records in evaluations.values_list("parameters", flat=True).iterator():
        used |= {record.get("row_id") for record in records or ()} & wanted
        if used == wanted:
            break
    return used


# --- the steps to come (issue 12, item 17) -------------------------------------------------------

# The steps after each status, in order: (status of the step, its name, its budget parameter).
STEPS = [
    (Status.SUBMITTED, "街道受理", None),
    (Status.STREET_REVIEW, "街道初审", "review.street_workdays"),
    (Status.CROSS_CHECK, "部门联审", "review.crosscheck_workdays"),
    (Status.DISTRICT_REVIEW, "区县审核", "review.district_workdays"),
    (Status.PUBLIC_NOTICE, "公示", "review.public_notice_days"),
    (Status.CITY_REVIEW, "市级复核", "review.city_workdays"),
]
_STEP_OF = {Status.ACCEPTED: Status.STREET_REVIEW, Status.RETURNED_FOR_CORRECTION: Status.SUBMITTED}


@dataclass(frozen=True)
class StepToCome:
    name: str
    budget: str
    expected_by: date | None


def steps_to_come(application) -> list[StepToCome]:
    """The steps after the current one, each with its budget and the day it is expected to end if
    every earlier step takes its whole budget (公示 in calendar days, the others in working days)."""
    from datetime import timedelta

    if application.status in FINISHED or application.status == Status.RECHECK_REQUESTED:
        return []
    current = _STEP_OF.get(application.status, application.status)
    order = [s for s, _n, _k in STEPS]
    if current not in order:
        return []
    step = _step_deadline(application)
    if application.status == Status.PUBLIC_NOTICE and application.notice_ends_on:
        day = application.notice_ends_on
    else:
        day = step.date if step else timezone.localdate()
    district = application.district_id
    steps = []
    for status, name, key in STEPS[order.index(current) + 1:]:
        budget = param(key, district=district)
        if status == Status.PUBLIC_NOTICE:
            # 公示 starts the day after the district's approval and runs for `budget` days.
            day = day + timedelta(days=budget)
            steps.append(StepToCome(name, f"{budget} 日（不计入审批时限）", day))
        else:
            day = deadline(day, budget).date
            steps.append(StepToCome(name, f"{budget} 个工作日", day))
    return steps


def expected_decision_by(application) -> Deadline | None:
    """Before acceptance: the latest decision day if the application were accepted today (the time
    limit runs from acceptance)."""
    if application.status != Status.SUBMITTED:
        return None
    return deadline(timezone.localdate(), param("review.total_workdays", district=application.district_id))
