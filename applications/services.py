"""The writes to an application shared by every room (DESIGN §14, STYLE.md): starting, submitting,
resubmitting after 补正, withdrawing, the clerk's acceptance and return for correction, the claims on
members' ID numbers, and the helpers the rooms' services build on
(`lock_application`, `require_owner`, `transition_application`, `claim_members`). The wizard's writes
are in `applications.apply.services`, the review's in `applications.review.services`.

Keyword-only, each in one transaction, locking the application row first so that a write racing a
submission cannot slip in after it. Status changes go through `transition_application`, i.e. the one
engine `gongzufang.workflow.transition`: scope, the transition's permission and guards, the
`ApplicationStatusChange` row (actor, level, opinion), and the SMS and in-site message on commit. Refusals are `PortalError`s with a Chinese message; `fields` names the form field.
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import selectors
from applications.models import (
    Application,
    CorrectionItem,
    CorrectionRequest,
    Household,
    HouseholdMember,
    MemberClaim,
    Relationship,
    Status,
)
from applications.review import clock
from gongzufang import workflow
from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.idnumber import birth_date_from_id, sex_from_id
from gongzufang.models.users import Role
from gongzufang.pii import mask_id_number

# --- helpers -------------------------------------------------------------------------------------


def lock_application(application) -> Application:
    """The application's row, locked until the transaction ends (every write starts here)."""
    return workflow.lock(Application, application.pk)


def require_owner(application, actor):
    """Only the applicant may act on their own application."""
    if actor is None or application.applicant_id != actor.pk:
        raise PortalError("只有申请人本人可以操作。", code="not_owner")


def transition_application(application, *, method, actor, opinion=""):
    """Take the transition `method` on the locked row through the one engine (scope, permission,
    guards, the status-change row, the applicant's message on commit). Returns the change."""
    return workflow.transition(application, method, actor=actor, opinion=opinion)


def clean_text(value, limit: int, field: str, label: str) -> str:
    """Stripped text within the column's length (forms check too; this guards every other caller)."""
    text = (value or "").strip()
    if len(text) > limit:
        raise PortalError(f"{label}不能超过 {limit} 个字。", fields={field: ["too_long"]})
    return text


def _new_number() -> str:
    return f"GZF{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}"


# --- starting an application ---------------------------------------------------------------------


def application_start(*, applicant) -> Application:
    """Open a draft (or return the applicant's existing draft, so the wizard resumes)."""
    if applicant.role != Role.APPLICANT:
        raise PortalError("工作人员账户不能提交公租房申请。", code="not_applicant")
    if not applicant.id_verified_at or not applicant.id_number:
        raise PortalError("请先完成实名认证。", code="not_verified")
    with transaction.atomic():
        # Serialise two "start" clicks of the same person on their account row.
        get_user_model().objects.select_for_update().filter(pk=applicant.pk).first()
        draft = Application.objects.filter(applicant=applicant, status=Status.DRAFT).first()
        if draft:
            return draft
        active = Application.objects.filter(applicant=applicant).exclude(
            status__in=[Status.DRAFT, Status.WITHDRAWN, Status.REJECTED]).exclude(
            status=Status.APPROVED, assistance_ended_at__isnull=False).first()
        if active:
            raise PortalError(f"您已有一份正在办理的申请（编号 {active.number}），不能重复申请。", code="already_active")
        household = Household.objects.create(applicant=applicant)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    application = Application.objects.create(applicant=applicant, household=household,
                                                             number=_new_number())
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - a million numbers a day
            raise PortalError("申请编号生成失败，请重试。")
        HouseholdMember.objects.create(
            household=household, relationship=Relationship.SELF, name=applicant.real_name,
            id_number=applicant.id_number, sex=sex_from_id(applicant.id_number),
            birth_date=birth_date_from_id(applicant.id_number), marital_status="unmarried",
        )
    return application


# --- household members: one active application per person ----------------------------------------


def member_claimed_elsewhere(id_hash, application) -> bool:
    """Whether the person is a member of another active application (their number is claimed)."""
    return MemberClaim.objects.filter(id_number_hash=id_hash).exclude(application=application).exists()


ELSEWHERE = ("身份证号码为 {masked} 的成员已在其他正在办理的公租房申请中。同一人不能同时在两份申请中；"
             "如有疑问，请咨询所在街道受理窗口。")


# --- submission, correction, withdrawal (applicant) ----------------------------------------------


def claim_members(app):
    """Claim every member's ID number for this application; refused if any is claimed elsewhere."""
    MemberClaim.objects.filter(application=app).delete()
    for member in app.household.members.all():
        if member_claimed_elsewhere(member.id_number_hash, app):
            raise PortalError(ELSEWHERE.format(masked=mask_id_number(member.id_number)), code="member_elsewhere")
        try:
            with transaction.atomic():
                MemberClaim.objects.create(id_number_hash=member.id_number_hash, application=app)
        except IntegrityError:  # another household's submission claimed it a moment ago
            raise PortalError(ELSEWHERE.format(masked=mask_id_number(member.id_number)), code="member_elsewhere")


def release_member_claims(application) -> None:
    """Call when an application stops being active (withdrawn; issue 5: rejected; the assistance ended)."""
    MemberClaim.objects.filter(application=application).delete()


def application_assistance_ended(*, application_id, on=None) -> None:
    """The household's assistance (a lease, a subsidy) has ended by an exit (tenancy's `exit_close` calls
    this, in its transaction): the approved application stops claiming its members, so they may be in a
    new application, and the applicant may start one. A re-application ban is the eligibility rules'
    business (`no_reapplication_ban`), seen at the next application's review. Idempotent."""
    with transaction.atomic():
        app = Application.objects.select_for_update().filter(pk=application_id).first()
        if app is None or app.status != Status.APPROVED:
            return
        if app.assistance_ended_at is None:
            Application.objects.filter(pk=app.pk).update(assistance_ended_at=on or timezone.now())
        release_member_claims(app)


def application_submit(*, application, actor) -> tuple[Application, bool]:
    """Submit a complete draft. Idempotent: a second submission (double click, a second tab) finds the
    application already submitted and changes nothing. Returns (application, whether it changed)."""
    with transaction.atomic():
        app = lock_application(application)
        require_owner(app, actor)
        if app.status != Status.DRAFT:
            if app.submitted_at is not None and app.status != Status.WITHDRAWN:
                return app, False
            raise TransitionNotAllowed(f"当前状态为“{app.get_status_display()}”，不能提交。")
        missing = selectors.missing_items(app)
        if missing:
            raise PortalError("申请还不完整：" + "；".join(text for _section, text in missing) + "。", code="incomplete")
        claim_members(app)
        app.submitted_at = timezone.now()
        transition_application(app, method="submit", actor=actor, opinion="申请人网上提交")
    return app, True


def application_resubmit(*, application, actor) -> tuple[Application, bool]:
    """Send a corrected application back to where it was returned from; the clock runs again."""
    with transaction.atomic():
        app = lock_application(application)
        require_owner(app, actor)
        if app.status != Status.RETURNED_FOR_CORRECTION:
            resolved = CorrectionRequest.objects.filter(application=app, resolved_at__isnull=False).exists()
            if resolved and app.status != Status.WITHDRAWN:
                return app, False
            raise TransitionNotAllowed(f"当前状态为“{app.get_status_display()}”，不能重新提交。")
        missing = selectors.missing_items(app)
        if missing:
            raise PortalError("申请还不完整：" + "；".join(text for _section, text in missing) + "。", code="incomplete")
        claim_members(app)
        correction = app.correction
        correction.resolved_at = timezone.now()
        correction.save(update_fields=["resolved_at"])
        transition_application(app, method="resubmit", actor=actor, opinion="申请人补正后重新提交")
        app.returned_from = ""
        clock.resume(app)  # after the transition, so the due dates are those of the step it went back to
        app.save(update_fields=["returned_from", *clock.CLOCK_FIELDS])
    return app, True


def application_withdraw(*, application, actor, reason="") -> Application:
    with transaction.atomic():
        app = lock_application(application)
        require_owner(app, actor)
        if app.status == Status.WITHDRAWN:
            return app
        if not app.is_withdrawable:
            raise TransitionNotAllowed("申请已有审核结论，不能撤回。")
        transition_application(app, method="withdraw", actor=actor, opinion=(reason or "申请人撤回").strip()[:500])
        app.paused_on = app.step_due_on = app.due_on = None
        app.save(update_fields=["paused_on", "step_due_on", "due_on"])
        release_member_claims(app)
    return app


# --- the clerk's steps ---------------------------------------------------------------------------


def _require_clerk(app, actor):
    """The street clerk of the application's street (or a superuser): outsiders are told it is not
    found; the level is the transition's permission (`CLERK`), checked here first so that its message
    comes before any other refusal."""
    if actor is None or not workflow.may_see(app, actor):
        raise PortalError("未找到该申请。", code="not_found")
    if not (actor.is_superuser or actor.role == Role.STREET_CLERK):
        raise PortalError("受理和退回补正由申请人所在街道的受理员办理。", code="wrong_level")


ACCEPT_OPINION_MAX = 1000


def application_accept(*, application, actor, opinion="") -> Application:
    opinion = (opinion or "").strip()
    if len(opinion) > ACCEPT_OPINION_MAX:
        raise PortalError(f"受理意见不能超过 {ACCEPT_OPINION_MAX} 个字。", fields={"opinion": ["too_long"]})
    with transaction.atomic():
        app = lock_application(application)
        _require_clerk(app, actor)
        if app.status != Status.SUBMITTED:
            raise TransitionNotAllowed(f"当前状态为“{app.get_status_display()}”，不能受理。")
        app.accepted_at = timezone.now()
        transition_application(app, method="accept", actor=actor, opinion=opinion or "材料齐全，予以受理")
        clock.restart_step(app)
        app.save(update_fields=clock.CLOCK_FIELDS)
    return app


def application_return_for_correction(*, application, actor, items, note="") -> CorrectionRequest:
    """补正: one itemised list [(section, what to fix)], once per application. The clock (if running)
    pauses until the applicant resubmits."""
    items = [(section, (text or "").strip()) for section, text in items if section]
    if not items:
        raise PortalError("请至少列出一项需要补正的内容。", fields={"items": ["required"]})
    if any(not text for _s, text in items):
        raise PortalError("每项补正内容都要写明具体要求。", fields={"items": ["note"]})
    if any(len(text) > 300 for _s, text in items):
        raise PortalError("每项补正要求不能超过 300 个字。", fields={"items": ["too_long"]})
    note = clean_text(note, 2000, "note", "补充说明")
    if len({s for s, _t in items}) != len(items):
        raise PortalError("补正清单中有重复的项目。", fields={"items": ["duplicate"]})
    with transaction.atomic():
        app = lock_application(application)
        _require_clerk(app, actor)
        if CorrectionRequest.objects.filter(application=app).exists():
            raise TransitionNotAllowed("该申请已退回补正过一次，按规定只能一次性告知补正。")
        if app.status not in (Status.SUBMITTED, Status.ACCEPTED, Status.STREET_REVIEW):
            raise TransitionNotAllowed(f"当前状态为“{app.get_status_display()}”，不能退回补正。")
        returned_from = app.status
        app.returned_from = returned_from
        if returned_from != Status.SUBMITTED:  # the clock runs only after acceptance
            clock.pause(app)
        opinion = "；".join(f"{CorrectionItem(section=s).get_section_display()}：{t}" for s, t in items)
        if note.strip():
            opinion += f"。{note.strip()}"
        transition_application(app, method="return_for_correction", actor=actor, opinion=opinion)
        correction = CorrectionRequest.objects.create(application=app, requested_by=actor, note=note.strip(),
                                                      returned_from=returned_from)
        CorrectionItem.objects.bulk_create(CorrectionItem(request=correction, section=s, note=t) for s, t in items)
    return correction
