"""The caseworkers' review (DESIGN §4, issue 5): every decision after acceptance, as services.

Each service locks the application row, asks the engine whether the step may be taken
(`gongzufang.workflow.check`: area, the transition's permission, the state), checks what is its own
(the departments' results, objections, deadlines), takes the transition through the engine
(`applications.services.transition_application`: the change row, the applicant's message on commit),
moves the clock and enqueues its follow-up work. Two caseworkers acting at once: the second waits for
the lock, then finds the status moved on and gets a clear refusal.

The admin and the API do not call these one by one: they ask `allowed_actions(application, user)`
(derived from the model's transitions) for the buttons to show and run one with `perform(name, …)`.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from applications.eligibility import rules
from applications.eligibility.display import failed_condition_text
from applications.models import AFTER_APPROVAL, Application, CheckOutcome, RecheckRequest, RuleEvaluation, Status
from applications.review import clock
from applications.services import (
    application_accept,
    claim_members,
    lock_application,
    release_member_claims,
    require_owner,
    transition_application,
)
from applications.signals import application_approved
from gongzufang import workflow
from gongzufang.errors import PortalError
from gongzufang.jobs import enqueue
from gongzufang.parameters import param
from gongzufang.workdays import add_workdays


def _check(app, name, actor):
    """Refuse now, with the engine's message, what the transition would refuse (outside the area: not
    found; another level: its message; wrong step: the state), before any other check of the step."""
    workflow.check(app, name, actor=actor)


def _opinion(text, *, required=False, default=""):
    text = (text or "").strip()
    if len(text) > 2000:
        raise PortalError("意见不能超过 2000 个字。", fields={"opinion": ["too_long"]})
    if required and not text:
        raise PortalError("请填写意见（不通过时须写明理由）。", fields={"opinion": ["required"]})
    return text or default


def _save(app):
    app.save(update_fields=[*clock.CLOCK_FIELDS, "notice_starts_on", "notice_ends_on", "rejected_from",
                            "rejected_by", "decided_at", "processing_workdays", "updated_at"])


def _arrive(app, *, today):
    """Set up the step the application has just entered."""
    if app.status == Status.PUBLIC_NOTICE:
        days = param("review.public_notice_days", on=today, district=app.district_id)
        app.notice_starts_on = today + timedelta(days=1)
        app.notice_ends_on = today + timedelta(days=days)
        clock.pause(app, today)
        clock.refresh(app)
    elif app.status == Status.APPROVED:
        app.decided_at = timezone.now()
        clock.stop(app, today)
    else:
        clock.restart_step(app, today)
    if app.status == Status.CROSS_CHECK:
        app_id = app.pk
        transaction.on_commit(lambda: _enqueue_cross_check(app_id))


def _announce_if_approved(app, actor):
    """Tell the apps above (waitlist, subsidy grant) in this same transaction (applications/signals.py)."""
    if app.status == Status.APPROVED:
        application_approved.send(sender=Application, application=app, actor=actor)


def _enqueue_cross_check(app_id):
    # By name: the cross-check room imports this module (its runner ends in `checks_finished`).
    enqueue("applications.tasks_crosscheck.cross_check_application", app_id)


# --- street level --------------------------------------------------------------------------------


def begin_street_review(*, application, actor, opinion="") -> Application:
    """The clerk takes an accepted application into street review (optional: approving works from
    accepted too). The step's clock does not restart: acceptance and street review share 3 days."""
    with transaction.atomic():
        app = lock_application(application)
        _check(app, "begin_street_review", actor)
        transition_application(app, method="begin_street_review", actor=actor, opinion=_opinion(opinion, default="开始街道初审"))
    return app


def street_approve(*, application, actor, opinion="") -> Application:
    with transaction.atomic():
        app = lock_application(application)
        _check(app, "street_approve", actor)
        text = _opinion(opinion, default="街道初审通过，提交部门联审")
        transition_application(app, method="street_approve", actor=actor, opinion=text)
        _arrive(app, today=timezone.localdate())
        _save(app)
    return app


# --- the cross-department check ------------------------------------------------------------------


def checks_finished(*, application_id) -> bool:
    """Called when a cross-check run ends. With every current result known, the rules are evaluated
    and the application goes to district review; with any `unknown`, it stays waiting (never passed
    on). Returns whether it moved."""
    with transaction.atomic():
        app = Application.objects.select_for_update().filter(pk=application_id).first()
        if app is None or app.status != Status.CROSS_CHECK:
            return False
        results = list(app.check_results.current().values_list("department", "status"))
        if not results or any(status == CheckOutcome.UNKNOWN for _d, status in results):
            return False
        evaluation = rules.evaluate(app)
        failed = {d for d, status in results if status == CheckOutcome.FAIL}
        departments = {d for d, _s in results}
        text = f"部门联审完成：{len(departments)} 个部门已核验"
        text += f"，其中 {len(failed)} 个部门反馈异常" if failed else "，查询均成功"
        if evaluation.passed is False:
            # The applicant reads this in the progress record and the message: name each condition.
            failed_rules = evaluation.failed_results
            text += f"；{len(failed_rules)} 项资格条件不符合：" + "；".join(failed_condition_text(r) for r in failed_rules)
        elif evaluation.passed:
            text += "；资格条件全部符合"
        transition_application(app, method="checks_complete", actor=None, opinion=text)
        _arrive(app, today=timezone.localdate())
        _save(app)
    return True


# --- district and city ---------------------------------------------------------------------------


def _require_clean_checks(app):
    """Approval needs every department answered and every rule met on a current evaluation."""
    if app.check_results.current().filter(status=CheckOutcome.UNKNOWN).exists():
        raise PortalError("有部门数据尚无法核验，请重新核验后再审核通过。", code="checks_unknown")
    evaluation = RuleEvaluation.objects.filter(application=app, is_current=True).first()
    if evaluation is None:
        raise PortalError("尚无资格规则评估结果，不能审核通过。", code="no_evaluation")
    if evaluation.passed is not True:
        raise PortalError("资格条件未全部符合（或有无法核验的项目），不能审核通过；如确不符合，请作不通过处理。",
                          code="rules_not_met")


def district_approve(*, application, actor, opinion="") -> Application:
    with transaction.atomic():
        app = lock_application(application)
        _check(app, "district_approve", actor)
        _require_clean_checks(app)
        transition_application(app, method="district_approve", actor=actor,
                    opinion=_opinion(opinion, default="区县审核通过，进入公示"))
        _arrive(app, today=timezone.localdate())
        _save(app)
    return app


def close_notice(*, application, actor=None) -> Application:
    """公示 ends: after the period, with every objection resolved, on to city review. `actor` None is
    the daily task; a district or city caseworker may also close it."""
    today = timezone.localdate()
    with transaction.atomic():
        app = lock_application(application)
        _check(app, "close_notice", actor)
        if app.notice_ends_on and today <= app.notice_ends_on:
            raise PortalError(f"公示期至 {app.notice_ends_on:%Y-%m-%d} 止，期满后才能结束公示。", code="notice_running")
        open_objections = app.objections.filter(resolved_at__isnull=True).count()
        if open_objections:
            raise PortalError(f"还有 {open_objections} 条公示异议未处理，处理完毕后才能提交市级复核。",
                              code="objections_open")
        upheld = app.objections.filter(upheld=True).count()
        text = "公示期满，无异议" if not app.objections.exists() else (
            f"公示期满，异议已全部处理（其中 {upheld} 条成立）")
        transition_application(app, method="close_notice", actor=actor, opinion=text)
        clock.resume(app, today)
        _arrive(app, today=today)
        _save(app)
    return app


def city_approve(*, application, actor, opinion="") -> Application:
    with transaction.atomic():
        app = lock_application(application)
        _check(app, "city_approve", actor)
        if app.objections.filter(upheld=True).exists():
            raise PortalError("公示期间有成立的异议，不能审核通过。", code="objection_upheld")
        transition_application(app, method="city_approve", actor=actor, opinion=_opinion(opinion, default="市级复核通过"))
        _arrive(app, today=timezone.localdate())
        _save(app)
        _announce_if_approved(app, actor)
    return app


def upheld_objections_reason(app) -> str:
    """The objections found to stand, as a stated reason of the rejection ("" if none)."""
    upheld = list(app.objections.filter(upheld=True).order_by("created_at", "pk"))
    if not upheld:
        return ""
    items = "；".join(
        f"异议{n}（{timezone.localtime(o.created_at):%Y-%m-%d} 提出）：{o.text}，核查结论：{o.resolution}"
        for n, o in enumerate(upheld, 1))
    return f"公示期间异议成立（{len(upheld)} 条）。{items}"


def reject(*, application, actor, opinion) -> Application:
    """不通过, by whoever decides the current step; the opinion is required, except where objections
    found to stand during 公示 are the reason: they are always named in it (DESIGN §4: a rejection names
    its reasons). The household's ID numbers are released (they may apply again or ask for a recheck)."""
    with transaction.atomic():
        app = lock_application(application)
        _check(app, "reject", actor)
        objections = upheld_objections_reason(app) if app.status in (Status.PUBLIC_NOTICE, Status.CITY_REVIEW) else ""
        text = _opinion(opinion, required=not objections)
        if objections and objections not in text:
            text = f"{text}\n{objections}" if text else objections
        app.rejected_from = app.status
        app.rejected_by = actor
        transition_application(app, method="reject", actor=actor, opinion=text)
        app.decided_at = timezone.now()
        clock.stop(app)
        _save(app)
        release_member_claims(app)
    return app


# --- recheck (复核) -------------------------------------------------------------------------------


def recheck_request(*, application, actor, reason) -> RecheckRequest:
    """The rejected applicant asks, once, within `review.recheck_request_days` days of the decision."""
    reason = (reason or "").strip()
    if not reason:
        raise PortalError("请写明申请复核的理由。", fields={"reason": ["required"]})
    if len(reason) > 2000:
        raise PortalError("复核理由不能超过 2000 个字。", fields={"reason": ["too_long"]})
    today = timezone.localdate()
    with transaction.atomic():
        app = lock_application(application)
        require_owner(app, actor)
        if RecheckRequest.objects.filter(application=app).exists():
            if app.status == Status.RECHECK_REQUESTED:
                return app.recheck  # a double click: the first request stands
            raise PortalError("每份申请只能申请一次复核。", code="recheck_used")
        _check(app, "request_recheck", actor)
        days = param("review.recheck_request_days", on=today, district=app.district_id)
        decided_on = timezone.localtime(app.decided_at).date() if app.decided_at else today
        last_day = decided_on + timedelta(days=days)
        if today > last_day:
            raise PortalError(f"申请复核的期限（决定后 {days} 日内，至 {last_day:%Y-%m-%d}）已过。", code="recheck_late")
        claim_members(app)  # refused, with the usual message, if someone now applies elsewhere
        budget = param("review.total_workdays", on=today, district=app.district_id)
        recheck = RecheckRequest.objects.create(application=app, reason=reason, due_on=add_workdays(today, budget),
                                                rejected_by=app.rejected_by)
        transition_application(app, method="request_recheck", actor=actor, opinion=f"申请人申请复核：{reason}")
        app.decided_at = None
        app.processing_workdays = None
        clock.restart_step(app, today)
        _save(app)
    return recheck


def recheck_decide(*, application, actor, granted: bool, opinion) -> Application:
    """Decided by a city caseworker other than the one who rejected. Granted: the application goes on
    from the step after the one that rejected it; upheld: rejected for good."""
    text = _opinion(opinion, required=True)
    today = timezone.localdate()
    with transaction.atomic():
        app = lock_application(application)
        if actor is None:
            raise PortalError("未找到该申请。", code="not_found")
        _check(app, "recheck_grant", actor)
        recheck = app.recheck
        if recheck.rejected_by_id is not None and recheck.rejected_by_id == actor.pk:
            raise PortalError("复核须由原决定人以外的工作人员办理。", code="same_decider")
        recheck.decided_at, recheck.decided_by = timezone.now(), actor
        recheck.granted, recheck.opinion = bool(granted), text
        recheck.save(update_fields=["decided_at", "decided_by", "granted", "opinion"])
        if granted:
            transition_application(app, method="recheck_grant", actor=actor, opinion=f"复核成立：{text}")
            app.rejected_from, app.rejected_by = "", None
            _arrive(app, today=today)
        else:
            transition_application(app, method="recheck_uphold", actor=actor, opinion=f"复核维持原决定：{text}")
            app.decided_at = timezone.now()
            clock.stop(app, today)
            release_member_claims(app)
        _save(app)
        _announce_if_approved(app, actor)
    return app


# --- what a user may do now, for the admin's buttons and the API ---------------------------------
# The buttons are the transitions of `Application` that have a label and that this user may take at
# this step (`gongzufang.workflow.available_actions`); each runs the service of the same name, which
# does the step's own work around the transition.

SERVICES = {
    "accept": lambda *, application, actor, opinion: application_accept(
        application=application, actor=actor, opinion=opinion),
    "begin_street_review": lambda **kw: begin_street_review(**kw),
    "street_approve": lambda **kw: street_approve(**kw),
    "district_approve": lambda **kw: district_approve(**kw),
    "close_notice": lambda *, application, actor, opinion: close_notice(application=application, actor=actor),
    "city_approve": lambda **kw: city_approve(**kw),
    "reject": lambda **kw: reject(**kw),
    "recheck_grant": lambda **kw: recheck_decide(granted=True, **kw),
    "recheck_uphold": lambda **kw: recheck_decide(granted=False, **kw),
}
ACTION_NAMES = tuple(SERVICES)


def allowed_actions(application, user) -> list[workflow.Action]:
    """The actions this user may take at this step, in the order the transitions are declared."""
    return [a for a in workflow.available_actions(application, user) if a.name in SERVICES]


def action_of(name) -> workflow.Action | None:
    """The button `name` as the model declares it (label, opinion, style), whoever asks."""
    for action in workflow.declared_actions(Application):
        if action.name == name:
            return action
    return None


def perform(name, *, application, actor, opinion="") -> Application:
    """Run the action `name` as `actor` (the service checks everything again under the lock)."""
    service = SERVICES.get(name)
    if service is None:
        raise PortalError("未知的操作。", code="unknown_action")
    return service(application=application, actor=actor, opinion=opinion)


# --- background ----------------------------------------------------------------------------------


def close_finished_notices(today=None) -> int:
    """Close every notice whose period has ended with no open objection (the daily task). Returns
    how many moved on; those with open objections wait for a caseworker."""
    today = today or timezone.localdate()
    due = Application.objects.filter(status=Status.PUBLIC_NOTICE, notice_ends_on__lt=today).values_list("pk", flat=True)
    moved = 0
    for pk in list(due):
        try:
            close_notice(application=Application(pk=pk), actor=None)
        except PortalError:
            continue  # an objection arrived meanwhile, or someone else closed it
        moved += 1
    return moved


__all__ = [
    "ACTION_NAMES", "AFTER_APPROVAL", "SERVICES", "action_of", "allowed_actions", "begin_street_review", "checks_finished", "city_approve",
    "close_finished_notices", "close_notice", "district_approve", "perform", "recheck_decide", "recheck_request",
    "reject", "street_approve",
]
