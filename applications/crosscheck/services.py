"""The caseworker's writes of the cross-department check: asking one department again, and
resolving by hand a result the department could not give (人工核验)."""

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone

from applications.crosscheck.exchange import departments as registered_departments
from applications.crosscheck.runner import CheckSummary, run_checks
from applications.eligibility import rules
from applications.models import Application, CheckOutcome, CheckResult, Status
from gongzufang.errors import PortalError
from gongzufang.scoping import in_scope

logger = logging.getLogger(__name__)

# Statuses in which a caseworker may ask one department again (after that, the decision stands).
RERUN_STATUSES = (Status.CROSS_CHECK, Status.DISTRICT_REVIEW)


def check_rerun(*, application, department, actor) -> CheckSummary:
    """A caseworker asks one department again about one application's household, whatever the
    freshness window says. The permission (`applications.rerun_check`) is the caller's to check;
    the scope is checked here, as everywhere: outside it the application is "not found"."""
    if not in_scope(actor, Application.objects.for_staff(actor), application.pk):
        raise PortalError("未找到该申请。", code="not_found")
    if department not in registered_departments():
        raise PortalError("没有这个核验部门。", code="unknown_department")
    status = Application.objects.filter(pk=application.pk).values_list("status", flat=True).get()
    if status not in RERUN_STATUSES:
        label = Status(status).label
        raise PortalError(f"当前状态为“{label}”，只有部门联审或区县审核环节可以重新核验部门数据。",
                          code="rerun_not_allowed")
    summary = run_checks([application.pk], departments=[department], force=True)
    logger.info("check rerun: application %s department %s by user %s: %s", application.pk, department,
                getattr(actor, "pk", None), dict(summary.statuses))
    if status == Status.DISTRICT_REVIEW:
        _reevaluate(application.pk)
    return summary


def _reevaluate(application_id):
    """In district review the rules were already applied: apply them again to the new answers, so
    the caseworker never decides on an evaluation that no longer matches the facts."""
    rules.evaluate(Application.objects.get(pk=application_id))


# --- 人工核验: an `unknown` answer resolved by hand ------------------------------------------------

MANUAL_SOURCE = "人工核验"
DOCUMENT_MAX = 200
MANUAL_REASON_MAX = 1000


def check_resolve_by_hand(*, result, actor, status, document, reason, record=None) -> CheckResult:
    """A district caseworker looked at a document (a tax certificate the applicant brought, a
    department's stamped letter) because the department's answer was `unknown`. Recorded like any
    check: a new current CheckResult of the same member and department, `pass` or `fail`, with the
    source "人工核验", the document, the reason and the caseworker in its facts; the unknown row stays
    in the history. `record` is what the document says, in the department's own record fields (e.g.
    税务 `{"year": 2025, "annual_income": "36000"}`): read by the department's adapter, so the rules
    get the facts in the agreed form. Then the application moves on if nothing else is unknown."""
    from applications.review import services as review

    if actor is None or not in_scope(actor, Application.objects.for_staff(actor), result.application_id):
        raise PortalError("未找到该申请。", code="not_found")
    # The district decides on the facts, so the district's review permission (a district caseworker).
    if not actor.has_perm("applications.district_review_application"):
        raise PortalError("人工核验由申请所在区县的经办人办理，您没有权限。", code="forbidden")
    if status not in (CheckOutcome.PASS, CheckOutcome.FAIL):
        raise PortalError("请选择人工核验的结论（通过或不通过）。", fields={"status": ["required"]})
    document = (document or "").strip()
    reason = (reason or "").strip()
    if not document:
        raise PortalError("请写明查看的证明材料（名称、出具单位、日期）。", fields={"document": ["required"]})
    if len(document) > DOCUMENT_MAX:
        raise PortalError(f"证明材料不能超过 {DOCUMENT_MAX} 个字。", fields={"document": ["too_long"]})
    if not reason:
        raise PortalError("请写明人工核验的理由和经过。", fields={"reason": ["required"]})
    if len(reason) > MANUAL_REASON_MAX:
        raise PortalError(f"理由不能超过 {MANUAL_REASON_MAX} 个字。", fields={"reason": ["too_long"]})
    adapter = registered_departments().get(result.department)
    facts = {}
    if record:
        try:
            facts = adapter().evaluate(record)[1] if adapter else dict(record)
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
            raise PortalError(f"证明材料上的记录不完整或格式不对（{exc}），请按部门记录的字段填写。",
                              fields={"record": ["invalid"]}) from None
    now = timezone.now()
    name = actor.real_name or actor.username
    facts.update({"source": MANUAL_SOURCE, "document": document, "reason": reason,
                  "verified_by": name, "verified_by_id": actor.pk, "replaces_result": result.pk})
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=result.application_id)
        if app.status not in RERUN_STATUSES:
            raise PortalError(f"当前状态为“{Status(app.status).label}”，只有部门联审或区县审核环节可以人工核验。",
                              code="resolve_not_allowed")
        current = CheckResult.objects.select_for_update().filter(pk=result.pk, is_current=True).first()
        if current is None:
            raise PortalError("该核验结果已有更新的结果，请刷新页面。", code="stale")
        if current.status != CheckOutcome.UNKNOWN:
            raise PortalError("只有“无法核验”的结果可以人工核验。", code="not_unknown")
        current.is_current = False
        current.save(update_fields=["is_current"])
        reply = json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)
        manual = CheckResult.objects.create(
            application=app, member_id=current.member_id, id_number_hash=current.id_number_hash,
            department=current.department, status=status, facts=facts,
            reply_hash=hashlib.sha256(reply.encode()).hexdigest(), queried_at=now, is_current=True,
        )
        status_now = app.status
    logger.info("check resolved by hand: application %s department %s result %s -> %s (%s) by user %s",
                app.pk, current.department, current.pk, manual.pk, status, actor.pk)
    if status_now == Status.CROSS_CHECK:
        review.checks_finished(application_id=app.pk)
    else:
        _reevaluate(app.pk)
    return manual
