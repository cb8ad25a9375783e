"""Showing a rule evaluation: a table for caseworkers, plain-Chinese reasons for the applicant.

Caseworkers see every rule with its per-member detail and the parameter versions used. The
applicant sees only the rules that failed, one sentence each, built from household-level values
(no other member's details beyond what the applicant declared, no caseworker names).
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from applications.models import RuleEvaluation
from applications.models.applications import Status
from gongzufang.parameters import DEFAULT_SOURCE, PARAMETERS

RESULT_LABELS = {True: "符合", False: "不符合", None: "无法核验"}
RESULT_CLASSES = {True: "ok", False: "fail", None: "warn"}
OVERALL_LABELS = {True: "全部符合", False: "有不符合的条件", None: "有无法核验的条件"}
TABLE_TEMPLATE = "applications/includes/rule_table.html"
# The applicant sees reasons once the application is rejected (and while a recheck is pending).
REASONS_SHOWN_IN = (Status.REJECTED, Status.RECHECK_REQUESTED)


def _parameter_row(record: dict) -> dict:
    definition = PARAMETERS.get(record["key"])
    unit = definition.unit if definition else ""
    return {
        "key": record["key"],
        "label": definition.label if definition else record["key"],
        "value": f"{record['value']} {unit}".strip(),
        "effective_from": record.get("effective_from") or "—",
        "scope": f"区县 {record['district']}" if record.get("district") else "全市",
        "legal_source": record.get("legal_source") or "—",
        "row_id": record.get("row_id"),
    }


def rule_table_context(evaluation: RuleEvaluation) -> dict:
    """What `applications/includes/rule_table.html` needs (its one variable, `rule_table`)."""
    return {
        "evaluation": evaluation,
        "overall": OVERALL_LABELS[evaluation.passed],
        "overall_class": RESULT_CLASSES[evaluation.passed],
        "rows": [
            {**r, "result": RESULT_LABELS[r.get("passed")], "result_class": RESULT_CLASSES[r.get("passed")]}
            for r in evaluation.results
        ],
        "parameters": [_parameter_row(p) for p in evaluation.parameters],
    }


def rule_table_html(evaluation: RuleEvaluation | None) -> SafeString:
    """The caseworkers' table (for the admin); every value is escaped by the template."""
    if evaluation is None:
        return SafeString("<p>尚未进行资格规则评估。</p>")
    return render_to_string(TABLE_TEMPLATE, {"rule_table": rule_table_context(evaluation)})


def evaluation_at_rejection(application) -> RuleEvaluation | None:
    """The evaluation that was current when the application was rejected."""
    if application.status not in REASONS_SHOWN_IN:
        return None
    evaluations = RuleEvaluation.objects.filter(application=application).order_by("-created_at", "-id")
    # The rejection's own status change, not `decided_at`: a recheck request clears that, and the
    # rules may be evaluated again while the recheck is pending.
    rejection = application.status_changes.filter(to_status=Status.REJECTED).order_by("-created_at", "-id").first()
    if rejection is not None:
        return evaluations.filter(created_at__lte=rejection.created_at).first()
    return evaluations.filter(is_current=True).first()


def _basis(result: dict, records: dict) -> str:
    sources = []
    for key in result.get("parameters") or ():
        record = records.get(key)
        if record is None:
            continue
        text = record.get("legal_source") or DEFAULT_SOURCE
        if text != DEFAULT_SOURCE and record.get("effective_from"):
            text = f"{text}（{record['effective_from']} 起施行）"
        if text not in sources:
            sources.append(text)
    return "；".join(sources) or result.get("basis") or ""


def reason_sentence(result: dict, records: dict) -> str:
    """"未通过“家庭人均月收入”条件：家庭人均月收入 2,350.00 元，超过低收入家庭标准 1,800.00 元/人·月
    （来源：税务部门 2026-11-20 查询；标准依据：…）。" """
    tail = [f"来源：{result['source']}"] if result.get("source") else []
    basis = _basis(result, records)
    if basis:
        tail.append(f"标准依据：{basis}")
    suffix = f"（{'；'.join(tail)}）" if tail else ""
    return f"未通过“{result['label']}”条件：{result['reason']}{suffix}。"


def applicant_reasons(application) -> list[str]:
    """One plain-Chinese sentence per failed rule of the evaluation current at rejection."""
    evaluation = evaluation_at_rejection(application)
    if evaluation is None:
        return []
    records = {p["key"]: p for p in evaluation.parameters}
    return [reason_sentence(r, records) for r in evaluation.failed_results]
