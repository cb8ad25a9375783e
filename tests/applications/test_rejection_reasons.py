"""What a rejected applicant reads (issue 4 item 7, issue 5 item 6): one plain-Chinese sentence per
failed rule naming the rule, the value found, the limit and the source — from the evaluation that
stood at the rejection, with no other member's details and no caseworker names."""

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from applications.eligibility import rules
from applications.eligibility.display import applicant_reasons
from applications.models import CheckResult, Status
from applications.review import services as review
from gongzufang.models import PolicyParameter
from gongzufang.parameters import default_source
from tests.applications import builders
from tests.applications.review_builders import BENIGN_FACTS, accepted, fresh, in_cross_check
from tests.helpers import at

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)



def checks_done(app, per_member=None):
    """The cross-check's answers (benign unless `per_member[relationship][department]` says otherwise),
    then the end of the run: the rules are evaluated and the district reviews."""
    per_member = per_member or {}
    for member in app.household.members.all():
        for department, facts in BENIGN_FACTS.items():
            facts = {**facts, "name": member.name} if department == "hukou" else dict(facts)
            if department == "marriage":
                facts["marital_status"] = member.marital_status
            facts.update(per_member.get(member.relationship, {}).get(department, {}))
            CheckResult.objects.create(application=app, member=member, id_number_hash=member.id_number_hash,
                                       department=department, status="pass", facts=facts, reply_hash="0" * 64,
                                       queried_at=timezone.now())
    assert review.checks_finished(application_id=app.pk)
    app = fresh(app)
    assert app.status == Status.DISTRICT_REVIEW
    return app


def rejected(app, caseworker, opinion="经审核，不符合保障条件"):
    review.reject(application=app, actor=caseworker, opinion=opinion)
    return fresh(app)


INCOME_REASON = ("未通过“家庭人均月收入”条件：家庭人均月收入 2,350.00 元，超过低收入家庭标准 1,800.00 元/人·月"
                 f"（来源：税务部门 2026-11-20 查询；标准依据：{default_source('eligibility.income_limit.low_income')}）。")


def test_a_rejected_applicant_reads_each_failed_rule_with_value_limit_and_source(carol, dave):
    with at(DAY):
        app = in_cross_check(builders.submitted(), carol)
        app = checks_done(app, {"self": {"tax": {"monthly_income_avg": "2350.00"},
                                         "vehicles": {"vehicle_count": 1, "vehicle_value_total": "150000.00"}}})
        assert applicant_reasons(app) == []  # nothing is said before the decision
        app = rejected(app, dave)
    assert applicant_reasons(app) == [
        INCOME_REASON,
        "未通过“机动车价值”条件：家庭名下机动车总价值 150,000.00 元，超过上限 100,000.00 元"
        f"（来源：公安车辆管理部门 2026-11-20 查询；标准依据：{default_source('eligibility.vehicle_value_max')}）。",
    ]


def test_the_legal_source_and_effective_date_of_a_real_parameter_are_named(carol, dave):
    PolicyParameter.objects.create(key="eligibility.income_limit.low_income", value="2000.00",
                                   effective_from=date(2026, 1, 1), legal_source="大庆市住房和城乡建设局〔2026〕12号")
    with at(DAY):
        app = checks_done(in_cross_check(builders.submitted(), carol),
                          {"self": {"tax": {"monthly_income_avg": "2100.00"}}})
        app = rejected(app, dave)
    assert applicant_reasons(app) == [
        "未通过“家庭人均月收入”条件：家庭人均月收入 2,100.00 元，超过低收入家庭标准 2,000.00 元/人·月"
        "（来源：税务部门 2026-11-20 查询；标准依据：大庆市住房和城乡建设局〔2026〕12号（2026-01-01 起施行））。"]


def test_a_rule_without_a_parameter_cites_the_national_regulation(carol, dave):
    with at(DAY):
        app = checks_done(in_cross_check(builders.submitted(), carol),
                          {"self": {"property": {"property_count": 1, "property_area_total": "60.00",
                                                 "properties": [{"address": "让胡路区某小区 3-2-501", "area": "60.00"}]}}})
        app = rejected(app, dave)
    reasons = applicant_reasons(app)
    assert (f"未通过“在本市无自有住房”条件：家庭成员在本市名下有住房 1 套，不符合在本市无自有住房的条件"
            f"（来源：不动产登记中心 2026-11-20 查询；标准依据：{rules.NATIONAL_BASIS}）。") in reasons
    # 60 ㎡ for one person also fails the area rule; the address is not repeated to the applicant.
    assert any(r.startswith("未通过“家庭人均住房面积”条件：家庭人均住房建筑面积 60.00 ㎡，未低于标准 15.00 ㎡") for r in reasons)
    assert not any("让胡路区某小区" in r for r in reasons)


def test_reasons_name_no_other_members_details_and_no_caseworker(carol, dave):
    husband = ("spouse", "李明", builders.fresh_id_number(born="19880101", sex="male"))
    with at(DAY):
        app = checks_done(in_cross_check(builders.submitted(members=[husband]), carol), {"spouse": {
            "housing_fund": {"has_housing_loan": True, "monthly_deposit": "900.00"},
            "business": {"business_count": 1, "registered_capital_total": "500000.00",
                         "businesses": [{"name": "大庆李明商贸有限公司", "credit_code": "91230600MA1234567X",
                                         "registered_capital": "500000.00"}]},
        }})
        app = rejected(app, dave, opinion="刘伟核查：配偶名下有公司")
    reasons = applicant_reasons(app)
    assert reasons == [
        "未通过“经营性资产”条件：家庭成员名下企业或个体户注册资本合计 500,000.00 元，超过上限 100,000.00 元"
        f"（来源：市场监管部门 2026-11-20 查询；标准依据：{default_source('eligibility.business_capital_max')}）。",
        "未通过“无住房公积金贷款”条件：家庭成员中有 1 人有住房公积金购房贷款"
        f"（来源：住房公积金中心 2026-11-20 查询；标准依据：{rules.NATIONAL_BASIS}）。",
    ]
    text = "".join(reasons)
    for private in ("李明", "配偶", "大庆李明商贸", "91230600MA1234567X", "900.00", dave.real_name, "刘伟"):
        assert private not in text
    # The caseworkers' table has the detail.
    evaluation = app.rule_evaluations.get(is_current=True)
    assert "配偶李明" in next(r for r in evaluation.results if r["rule"] == "no_fund_loan")["detail"]


def test_reasons_come_from_the_evaluation_at_rejection_not_a_later_one(carol, dave):
    row = PolicyParameter.objects.create(key="eligibility.income_limit.low_income", value="1800.00",
                                         effective_from=date(2026, 1, 1), legal_source="市住建局〔2026〕1号")
    with at(DAY):
        app = checks_done(in_cross_check(builders.submitted(), carol), {"self": {"tax": {"monthly_income_avg": "2350.00"}}})
        app = rejected(app, dave)
    before = applicant_reasons(app)
    # Afterwards a new limit takes effect (a used row never changes: a new version) and the income
    # changes; a new evaluation is made, e.g. while a recheck is pending — the applicant is still told
    # why they were rejected.
    PolicyParameter.objects.create(key=row.key, value="3000.00", effective_from=DAY + timedelta(days=1),
                                   legal_source="改后的文件")
    with at(DAY + timedelta(days=2)):
        review.recheck_request(application=app, actor=app.applicant, reason="收入已下降")
        CheckResult.objects.filter(application=app, department="tax").update(
            facts={**BENIGN_FACTS["tax"], "monthly_income_avg": "900.00"})
        assert rules.evaluate(app).passed is True
    app = fresh(app)
    assert app.status == Status.RECHECK_REQUESTED
    assert applicant_reasons(app) == before
    assert "1,800.00 元/人·月" in before[0] and "市住建局〔2026〕1号" in before[0]


def test_a_rejection_before_the_rules_ran_gives_no_rule_reasons(carol):
    with at(DAY):
        app = rejected(accepted(builders.submitted(), carol), carol, opinion="材料与本人不符")
    assert app.status == Status.REJECTED
    assert applicant_reasons(app) == []
    assert render_to_string("applications/includes/rejection_reasons.html", {"rejection_reasons": []}).strip() == ""


def test_the_include_lists_the_reasons_escaped():
    html = render_to_string("applications/includes/rejection_reasons.html",
                            {"rejection_reasons": [INCOME_REASON, "未通过“<b>x</b>”条件：…"]})
    assert "<h2 id=\"rejection-reasons-title\">未通过的原因</h2>" in html
    assert f"<li>{INCOME_REASON}</li>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
