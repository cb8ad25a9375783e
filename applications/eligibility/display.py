"""Showing a rule evaluation: a table for caseworkers, plain-Chinese reasons for the applicant.

Caseworkers see every rule with its per-member detail and the parameter versions used. The
applicant sees only the rules that failed, one sentence each, built from household-level values
(no other member's details beyond what the applicant declared, no caseworker names).
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from applications.models import RuleEvaluation
from applications.models.applications import Status
from gongzufang.parameters import DEFAULT_SOURCE, is_default_source, parameter_row

RESULT_LABELS = {True: "符合", False: "不符合", None: "无法核验"}
RESULT_CLASSES = {True: "ok", False: "fail", None: "warn"}
OVERALL_LABELS = {True: "全部符合", False: "有不符合的条件", None: "有无法核验的条件"}
TABLE_TEMPLATE = "applications/includes/rule_table.html"
# The applicant sees reasons once the application is rejected (and while a recheck is pending).
REASONS_SHOWN_IN = (Status.REJECTED, Status.RECHECK_REQUESTED)


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
        "parameters": [parameter_row(p) for p in evaluation.parameters],
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
        # A demo default's seed date (2000-01-01) is no date of entry into force.
        if not is_default_source(text) and record.get("effective_from"):
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


# --- department answers (部门联审) in Chinese --------------------------------------------------------
# A department's answer says whether the query succeeded; whether the facts meet the conditions is the
# rules' verdict, shown beside it, so no fact that fails a rule is ever called "通过".

QUERY_LABELS = {"pass": "查询成功", "fail": "查询成功", "unknown": "无法核验"}

# fact key → (label, unit or kind): "元", "㎡", "套", "辆", "户", "个月", "元/月" as units; "date" and
# "bool" for dates and yes/no; "" for text.
FACT_LABELS = {
    "name": ("姓名", ""),
    "hukou_district": ("户籍所在区划代码", ""),
    "hukou_address": ("户籍地址", ""),
    "status": ("户籍状态", ""),
    "status_label": ("户籍状态", ""),
    "residence_permit": ("持有本市居住证", "bool"),
    "vehicle_count": ("名下机动车", "辆"),
    "vehicle_value_total": ("机动车价值合计", "元"),
    "vehicles": ("车辆明细", "list"),
    "property_count": ("名下住房", "套"),
    "property_area_total": ("住房建筑面积合计", "㎡"),
    "properties": ("住房明细", "list"),
    "sales": ("出售住房记录", "list"),
    "minimum_living": ("低保对象", "bool"),
    "extreme_poverty": ("特困供养对象", "bool"),
    "since": ("认定日期", "date"),
    "insured": ("参加社会保险", "bool"),
    "months_contributed": ("连续缴费", "个月"),
    "employer": ("参保单位", ""),
    "labour_contract_months": ("劳动合同期限", "个月"),
    "account_status": ("公积金账户状态", ""),
    "monthly_deposit": ("公积金月缴存额", "元"),
    "has_housing_loan": ("有公积金贷款", "bool"),
    "business_count": ("名下经营主体", "户"),
    "registered_capital_total": ("注册资本合计", "元"),
    "businesses": ("经营主体明细", "list"),
    "year": ("纳税年度", "年"),
    "annual_income": ("年收入", "元"),
    "monthly_income_avg": ("月均收入", "元"),
    "disabled": ("持残疾人证", "bool"),
    "grade": ("残疾等级", "级"),
    "kind": ("类别", ""),
    "deceased": ("已登记死亡", "bool"),
    "died_on": ("死亡日期", "date"),
    "marital_status": ("婚姻登记状况", ""),
    "registered_on": ("登记日期", "date"),
    "highest_degree": ("最高学历", ""),
    "school": ("毕业院校", ""),
    "graduated_on": ("毕业日期", "date"),
    # inside list items
    "plate": ("号牌", ""),
    "value": ("价值", "元"),
    "address": ("地址", ""),
    "area": ("建筑面积", "㎡"),
    "sold_on": ("出售日期", "date"),
    "credit_code": ("统一社会信用代码", ""),
    "registered_capital": ("注册资本", "元"),
}
# Values of facts that are codes (the contract in docs/departments.md), in Chinese.
FACT_VALUE_LABELS = {
    "status": {"normal": "正常", "deceased": "已死亡注销", "cancelled": "已注销", "moved_out": "已迁出"},
    "marital_status": {"unmarried": "未婚", "single": "未婚", "married": "已婚", "divorced": "离异", "widowed": "丧偶"},
    "account_status": {"normal": "正常缴存", "sealed": "封存", "none": "未开户"},
}
HIDDEN_FACTS = {"status"}  # shown through status_label when both are there


def _money(value) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _date_text(value) -> str:
    from datetime import date

    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def fact_value_text(key: str, value) -> str:
    """One fact's value as a person reads it: 是/否, 无, amounts with 元, dates YYYY年MM月DD日."""
    _label, kind = FACT_LABELS.get(key, (key, ""))
    if value is None or value == "":
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind == "bool":
        return "是" if value in (1, "1", "true", "True") else "否"
    if kind == "date":
        return _date_text(value)
    if kind == "list":
        if not value:
            return "无"
        return "；".join(
            "，".join(f"{FACT_LABELS.get(k, (k, ''))[0]} {fact_value_text(k, v)}" for k, v in item.items())
            if isinstance(item, dict) else str(item) for item in value)
    if key in FACT_VALUE_LABELS:
        return FACT_VALUE_LABELS[key].get(str(value), str(value))
    if kind == "元":
        return f"{_money(value)} 元"
    if kind:
        return f"{value} {kind}"
    return str(value)


def fact_lines(facts: dict) -> list[tuple[str, str]]:
    """(label, value text) for each fact a department returned, in Chinese."""
    facts = facts or {}
    return [(FACT_LABELS.get(k, (k, ""))[0], fact_value_text(k, v)) for k, v in facts.items()
            if not (k in HIDDEN_FACTS and "status_label" in facts)]


def query_text(check) -> str:
    """Whether the department's query succeeded (not whether the applicant qualifies)."""
    text = QUERY_LABELS.get(check.status, check.status)
    return f"{text}（{check.reason}）" if check.status == "unknown" and check.reason else text


def rule_verdicts(department: str, evaluation: RuleEvaluation | None) -> list[tuple[str, str]]:
    """(css class, "不符合：在本市无自有住房（名下有住房 1 套）") for each rule that reads this department's
    facts, from the current evaluation."""
    from applications.eligibility.rules import RULES

    if evaluation is None:
        return []
    verdicts = []
    for result in evaluation.results:
        rule = RULES.get(result.get("rule"))
        if rule is None or department not in rule.departments:
            continue
        passed = result.get("passed")
        value = ""
        if passed is False and result.get("value"):
            limit = f"；标准：{result['limit']}" if result.get("limit") else ""
            value = f"（{result['value']}{limit}）"
        verdicts.append((RESULT_CLASSES[passed], f"{RESULT_LABELS[passed]}：{result['label']}{value}"))
    return verdicts


def failed_condition_text(result: dict) -> str:
    """"在本市无自有住房：1 套，标准 0 套（来源：不动产登记 2026-11-20 查询）" — one failed rule in the
    words the applicant is told at the end of the cross-check (household-level values only)."""
    text = f"“{result['label']}”" + (f"：{result['value']}" if result.get("value") else "")
    if result.get("limit"):
        text += f"，标准 {result['limit']}"
    if result.get("source"):
        text += f"（来源：{result['source']}）"
    return text


def applicant_failed_conditions(application) -> list[str]:
    """The failed conditions of the current evaluation, for the applicant as soon as they have been told
    of them (from the end of the cross-check until the decision; at rejection the reasons card takes over)."""
    if application.status in REASONS_SHOWN_IN or application.status in (Status.DRAFT, Status.WITHDRAWN):
        return []
    evaluation = RuleEvaluation.objects.filter(application=application, is_current=True).first()
    if evaluation is None or evaluation.passed is not False:
        return []
    records = {p["key"]: p for p in evaluation.parameters}
    return [reason_sentence(r, records) for r in evaluation.failed_results]
