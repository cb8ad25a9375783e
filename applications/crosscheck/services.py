"""The caseworker's writes of the cross-department check: asking one department again."""

import logging

from applications.crosscheck.exchange import departments as registered_departments
from applications.crosscheck.runner import CheckSummary, run_checks
from applications.eligibility import rules
from applications.models import Application, Status
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
