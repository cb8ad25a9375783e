"""Eligibility rules (issue 5 item 6, DESIGN §6): each rule at its boundary, unknown department
answers never passing, rules chosen by category, parameters taken on the decision date and
recorded with the evaluation, and the caseworkers' table."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.eligibility import rules
from applications.eligibility.display import rule_table_html
from applications.models import CheckResult, RuleEvaluation
from gongzufang.models import District, PolicyParameter
from gongzufang.parameters import default_source
from tests.applications import builders
from tests.helpers import at_once

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)  # the decision date of every evaluation here
QUERIED_AT = timezone.make_aware(datetime(2026, 11, 20, 9, 30))

# One record per department (docs/departments.md) that meets every rule of every category for a
# married applicant declaring 1,500.00 元 a month (tests.applications.builders.draft).
GOOD = {
    "hukou": {"name": "", "hukou_district": "230602", "hukou_address": "大庆市萨尔图区", "status": "normal",
              "status_label": "正常", "residence_permit": True},
    "vehicles": {"vehicle_count": 0, "vehicle_value_total": "0.00", "vehicles": []},
    "property": {"property_count": 0, "property_area_total": "0.00", "properties": [], "sales": []},
    "civil_affairs": {"minimum_living": True, "extreme_poverty": False, "since": "2024-03-01"},
    "social_insurance": {"insured": True, "months_contributed": 24, "employer": "大庆某公司",
                         "labour_contract_months": 36},
    "housing_fund": {"account_status": "normal", "monthly_deposit": "200.00", "has_housing_loan": False},
    "business": {"business_count": 0, "registered_capital_total": "0.00", "businesses": []},
    "tax": {"year": 2025, "annual_income": "12000.00", "monthly_income_avg": "1000.00"},
    "disability": {"disabled": True, "grade": 2, "kind": "肢体"},
    "death": {"deceased": False, "died_on": None},
    "marriage": {"marital_status": "married", "registered_on": "2015-05-01"},
    "education": {"highest_degree": "本科", "school": "东北石油大学", "graduated_on": "2024-07-01"},
}


def answer(app, department, member=None, *, outcome="pass", reason="", **facts):
    """Store `department`'s current answer about `member` (default: the applicant), as the
    cross-check runner does: earlier answers stay, no longer current."""
    member = member or app.household.members.get(relationship="self")
    CheckResult.objects.filter(application=app, member=member, department=department, is_current=True).update(
        is_current=False)
    return CheckResult.objects.create(
        application=app, member=member, id_number_hash=member.id_number_hash, department=department,
        status=outcome, facts={} if outcome == "unknown" else {**GOOD[department], **facts},
        reason=reason or ("交换平台超时（2 秒）" if outcome == "unknown" else ""), reply_hash="0" * 64,
        queried_at=QUERIED_AT)


def answer_all(app):
    for member in app.household.members.all():
        for department in GOOD:
            answer(app, department, member)


def application(category="low_income", members=()):
    app = builders.submitted(category=category, members=members)
    answer_all(app)
    return app


def result(evaluation, code):
    return next(r for r in evaluation.results if r["rule"] == code)


def spouse():
    return ("spouse", "李明", builders.fresh_id_number(born="19880101", sex="male"))


# --- a household that meets everything -----------------------------------------------------------


@pytest.mark.parametrize("category", sorted(rules.CATEGORIES))
def test_a_household_meeting_every_condition_passes_every_rule_of_its_category(category):
    app = application(category, members=[spouse()])
    evaluation = rules.evaluate(app, on=DAY)
    assert evaluation.passed is True
    assert evaluation.category == category and evaluation.decision_date == DAY and evaluation.is_current
    assert [r["rule"] for r in evaluation.results] == [r.code for r in rules.rules_for(category)]
    assert all(r["passed"] is True for r in evaluation.results), [r for r in evaluation.results if not r["passed"]]


# --- each rule at its boundary -------------------------------------------------------------------

B = [
    # (rule, category, department, facts, passed, value shown)
    ("income", "low_income", "tax", {"monthly_income_avg": "1800.00"}, True, "1,800.00 元/人·月"),
    ("income", "low_income", "tax", {"monthly_income_avg": "1799.99"}, True, "1,799.99 元/人·月"),
    ("income", "low_income", "tax", {"monthly_income_avg": "1800.01"}, False, "1,800.01 元/人·月"),
    ("income", "lower_middle_income", "tax", {"monthly_income_avg": "2800.01"}, False, "2,800.01 元/人·月"),
    ("income", "lower_middle_income", "tax", {"monthly_income_avg": "2800.00"}, True, "2,800.00 元/人·月"),
    ("housing_area", "low_income", "property", {"property_area_total": "14.99"}, True, "14.99 ㎡/人"),
    ("housing_area", "low_income", "property", {"property_area_total": "15.00"}, False, "15.00 ㎡/人"),
    ("housing_area", "low_income", "property", {"property_area_total": "15.01"}, False, "15.01 ㎡/人"),
    ("no_property", "low_income", "property", {"property_count": 0}, True, "0 套"),
    ("no_property", "low_income", "property", {"property_count": 1}, False, "1 套"),
    ("no_recent_sale", "low_income", "property", {"sales": [{"address": "某路 1 号", "area": "50.00",
                                                             "sold_on": "2021-11-20"}]}, False, "1 次"),
    ("no_recent_sale", "low_income", "property", {"sales": [{"address": "某路 1 号", "area": "50.00",
                                                             "sold_on": "2021-11-19"}]}, True, "0 次"),
    ("vehicle_value", "low_income", "vehicles", {"vehicle_value_total": "100000.00", "vehicle_count": 1}, True,
     "100,000.00 元"),
    ("vehicle_value", "low_income", "vehicles", {"vehicle_value_total": "99999.99", "vehicle_count": 1}, True,
     "99,999.99 元"),
    ("vehicle_value", "low_income", "vehicles", {"vehicle_value_total": "100000.01", "vehicle_count": 1}, False,
     "100,000.01 元"),
    ("business_capital", "low_income", "business", {"registered_capital_total": "100000.00"}, True, "100,000.00 元"),
    ("business_capital", "low_income", "business", {"registered_capital_total": "99999.99"}, True, "99,999.99 元"),
    ("business_capital", "low_income", "business", {"registered_capital_total": "100000.01"}, False,
     "100,000.01 元"),
    ("alive", "low_income", "death", {"deceased": False}, True, "0 人"),
    ("alive", "low_income", "death", {"deceased": True, "died_on": "2026-10-01"}, False, "1 人"),
    ("hukou_local", "low_income", "hukou", {"hukou_district": "230603"}, True, "230603（正常）"),
    ("hukou_local", "low_income", "hukou", {"hukou_district": "110105"}, False, "110105（正常）"),
    ("hukou_local", "low_income", "hukou", {"status": "moved_out", "status_label": "已迁出"}, False,
     "230602（已迁出）"),
    ("residence_permit", "migrant_worker", "hukou", {"residence_permit": True}, True, "持有"),
    ("residence_permit", "migrant_worker", "hukou", {"residence_permit": False}, False, "未持有"),
    ("social_insurance", "migrant_worker", "social_insurance", {"months_contributed": 12}, True, "12 个月"),
    ("social_insurance", "migrant_worker", "social_insurance", {"months_contributed": 11}, False, "11 个月"),
    ("social_insurance", "new_graduate", "social_insurance", {"months_contributed": 13}, True, "13 个月"),
    ("labour_contract", "new_graduate", "social_insurance", {"labour_contract_months": 12}, True, "12 个月"),
    ("labour_contract", "new_graduate", "social_insurance", {"labour_contract_months": 11}, False, "11 个月"),
    ("labour_contract", "new_graduate", "social_insurance", {"labour_contract_months": 0}, False, "0 个月"),
    ("graduated_recently", "new_graduate", "education", {"graduated_on": "2021-11-20"}, True, "2021-11-20 毕业"),
    ("graduated_recently", "new_graduate", "education", {"graduated_on": "2021-11-19"}, False, "2021-11-19 毕业"),
    ("graduated_recently", "new_graduate", "education", {"graduated_on": None}, False, "无毕业记录"),
    ("minimum_living_status", "minimum_living", "civil_affairs", {"minimum_living": False, "extreme_poverty": True},
     True, "特困供养对象"),
    ("minimum_living_status", "minimum_living", "civil_affairs", {"minimum_living": False}, False,
     "非低保、特困对象"),
    ("disability_confirmed", "special", "disability", {"disabled": True, "grade": 1}, True, "1 人"),
    ("disability_confirmed", "special", "disability", {"disabled": False, "grade": None}, False, "0 人"),
    ("marital_status", "low_income", "marriage", {"marital_status": "married"}, True, "申报“已婚”，登记“已婚”"),
    ("marital_status", "low_income", "marriage", {"marital_status": "unmarried"}, False, "申报“已婚”，登记“未婚”"),
    ("no_fund_loan", "low_income", "housing_fund", {"has_housing_loan": False}, True, "0 笔"),
    ("no_fund_loan", "low_income", "housing_fund", {"has_housing_loan": True}, False, "1 笔"),
]


@pytest.mark.parametrize(("code", "category", "department", "facts", "passed", "value"), B,
                         ids=[f"{b[0]}-{'pass' if b[4] else 'fail'}-{i}" for i, b in enumerate(B)])
def test_each_rule_at_its_boundary(code, category, department, facts, passed, value):
    app = application(category)
    # A department's own outcome is "fail" only for a death or an abnormal registration (docs/departments.md).
    failing = facts.get("deceased") or facts.get("status", "normal") != "normal"
    answer(app, department, outcome="fail" if failing else "pass", **facts)
    evaluation = rules.evaluate(app, on=DAY)
    found = result(evaluation, code)
    assert (found["passed"], found["value"]) == (passed, value)
    assert evaluation.passed is passed  # every other rule passes
    assert found["source"].startswith(f"{rules.DEPARTMENT_NAMES[department]} 2026-11-20 查询")


def test_every_rule_has_a_boundary_case_both_ways():
    covered = {(b[0], b[4]) for b in B}
    # no_reapplication_ban reads no department: its both ways are in test_reapplication_ban_rule.py
    assert {(code, outcome) for code in rules.RULES if code != "no_reapplication_ban"
            for outcome in (True, False)} <= covered


def test_a_registered_death_in_the_hukou_record_alone_fails_the_alive_rule():
    app = application(members=[spouse()])
    husband = app.household.members.get(relationship="spouse")
    answer(app, "hukou", husband, outcome="fail", status="deceased", status_label="已死亡注销")
    found = result(rules.evaluate(app, on=DAY), "alive")
    assert (found["passed"], found["value"]) == (False, "1 人")
    assert found["reason"] == "申报的家庭成员中有 1 人已登记死亡"
    assert "配偶李明" in found["detail"]


# --- households of several people ----------------------------------------------------------------


def test_income_counts_the_larger_of_declared_and_taxed_income_of_every_member():
    app = application(members=[spouse()])  # applicant declares 1,500.00, spouse 1,000.00
    husband = app.household.members.get(relationship="spouse")
    answer(app, "tax", husband, monthly_income_avg="2700.00")
    found = result(rules.evaluate(app, on=DAY), "income")
    # (max(1500, 1000) + max(1000, 2700)) / 2 = 2100.00
    assert (found["passed"], found["value"]) == (False, "2,100.00 元/人·月")
    assert found["reason"] == "家庭人均月收入 2,100.00 元，超过低收入家庭标准 1,800.00 元/人·月"
    assert found["source"] == "税务部门 2026-11-20 查询；申请人申报"  # the applicant's declared 1,500 was larger
    assert found["parameters"] == ["eligibility.income_limit.low_income"]


def test_per_capita_area_adds_every_members_registered_area():
    app = application(members=[spouse()])
    husband = app.household.members.get(relationship="spouse")
    answer(app, "property", property_area_total="10.00", property_count=0)
    answer(app, "property", husband, property_area_total="19.98", property_count=0)
    found = result(rules.evaluate(app, on=DAY), "housing_area")
    assert (found["passed"], found["value"]) == (True, "14.99 ㎡/人")


def test_declared_assets_count_when_larger_than_the_registers():
    app = application()
    type(app).objects.filter(pk=app.pk).update(vehicle_value=Decimal("120000.00"), vehicle_count=1,
                                               property_sold_recently=True)
    evaluation = rules.evaluate(app, on=DAY)
    cars = result(evaluation, "vehicle_value")
    assert (cars["passed"], cars["value"], cars["source"]) == (
        False, "120,000.00 元", "公安车辆管理部门 2026-11-20 查询；申请人申报")
    assert result(evaluation, "no_recent_sale")["passed"] is False


# --- unknown answers -----------------------------------------------------------------------------

UNKNOWN_CASES = [
    (r.code, department, sorted(r.categories)[0])
    for r in rules.RULES.values() for department in r.departments
]


@pytest.mark.parametrize(("code", "department", "category"), UNKNOWN_CASES,
                         ids=[f"{c}-{d}" for c, d, _ in UNKNOWN_CASES])
def test_a_rule_is_unknown_when_its_department_could_not_answer(code, department, category):
    app = application(category)
    answer(app, department, outcome="unknown", reason="交换平台超时（2 秒）")
    evaluation = rules.evaluate(app, on=DAY)
    found = result(evaluation, code)
    assert found["passed"] is None and found["value"] == "无法核验"
    assert "交换平台超时（2 秒）" in found["detail"]
    assert evaluation.passed is None  # unknown never counts as passed


def test_a_member_never_asked_is_unknown_too():
    app = application(members=[spouse()])
    husband = app.household.members.get(relationship="spouse")
    CheckResult.objects.filter(member=husband, department="tax").delete()
    found = result(rules.evaluate(app, on=DAY), "income")
    assert found["passed"] is None
    assert "李明（未查询）" in found["detail"]


def test_a_malformed_fact_is_unknown_not_an_error():
    app = application()
    answer(app, "tax", monthly_income_avg="一千")
    evaluation = rules.evaluate(app, on=DAY)
    assert result(evaluation, "income")["passed"] is None
    assert evaluation.passed is None


def test_a_failed_rule_makes_the_evaluation_fail_even_with_another_unknown():
    app = application()
    answer(app, "tax", outcome="unknown")
    answer(app, "vehicles", vehicle_value_total="300000.00", vehicle_count=2)
    assert rules.evaluate(app, on=DAY).passed is False


def test_one_confirmed_disability_is_enough_even_if_another_member_is_unknown():
    app = application("special", members=[spouse()])
    husband = app.household.members.get(relationship="spouse")
    answer(app, "disability", husband, outcome="unknown")
    found = result(rules.evaluate(app, on=DAY), "disability_confirmed")
    assert found["passed"] is True


# --- rules chosen by category --------------------------------------------------------------------


def test_rules_are_chosen_by_category():
    codes = {c: {r.code for r in rules.rules_for(c)} for c in rules.CATEGORIES}
    common = {"income", "housing_area", "no_property", "no_recent_sale", "vehicle_value", "business_capital",
              "alive", "marital_status", "no_fund_loan", "no_reapplication_ban"}
    assert codes["low_income"] == codes["lower_middle_income"] == common | {"hukou_local"}
    assert codes["minimum_living"] == common | {"hukou_local", "minimum_living_status"}
    assert codes["special"] == common | {"hukou_local", "disability_confirmed"}
    assert codes["new_graduate"] == common | {"hukou_local", "social_insurance", "labour_contract",
                                              "graduated_recently"}
    assert codes["migrant_worker"] == common | {"residence_permit", "social_insurance"}


def test_the_cross_check_asks_only_the_departments_the_categorys_rules_read():
    assert set(rules.departments_needed("low_income")) == {
        "tax", "property", "vehicles", "business", "death", "hukou", "marriage", "housing_fund"}
    assert "education" in rules.departments_needed("new_graduate")
    assert "civil_affairs" in rules.departments_needed("minimum_living")
    assert "disability" not in rules.departments_needed("low_income")
    assert "social_insurance" in rules.departments_needed("migrant_worker")


def test_a_migrant_workers_hukou_elsewhere_is_not_held_against_them():
    app = application("migrant_worker")
    answer(app, "hukou", hukou_district="370102", residence_permit=True)
    evaluation = rules.evaluate(app, on=DAY)
    assert evaluation.passed is True
    assert "hukou_local" not in {r["rule"] for r in evaluation.results}


def test_an_application_without_a_category_is_refused_with_a_chinese_message():
    from gongzufang.errors import PortalError

    app = application()
    type(app).objects.filter(pk=app.pk).update(category="")
    with pytest.raises(PortalError) as refused:
        rules.evaluate(app, on=DAY)
    assert refused.value.message == "申请尚未选择保障对象类别，无法进行资格审核。"
    assert not RuleEvaluation.objects.filter(application=app).exists()


# --- parameters on the decision date -------------------------------------------------------------


def income_limit_row(value, effective_from, district=None, source="大庆市住房和城乡建设局〔2026〕12号"):
    return PolicyParameter.objects.create(key="eligibility.income_limit.low_income", value=value,
                                          effective_from=effective_from, district=district, legal_source=source)


def income_record(evaluation):
    return next(p for p in evaluation.parameters if p["key"] == "eligibility.income_limit.low_income")


def test_parameters_are_taken_on_the_decision_date_and_recorded_with_their_row_and_source():
    app = application()
    answer(app, "tax", monthly_income_avg="1900.00")
    in_force = income_limit_row("2000.00", DAY)
    income_limit_row("1850.00", DAY + timedelta(days=1))  # not yet in force on DAY
    evaluation = rules.evaluate(app, on=DAY)
    assert result(evaluation, "income")["passed"] is True
    assert income_record(evaluation) == {
        "key": "eligibility.income_limit.low_income", "value": "2000.00", "row_id": in_force.pk,
        "effective_from": "2026-11-20", "district": None, "legal_source": "大庆市住房和城乡建设局〔2026〕12号"}
    # The day after, the newer row applies.
    later = rules.evaluate(app, on=DAY + timedelta(days=1))
    assert result(later, "income")["passed"] is False
    assert income_record(later)["value"] == "1850.00"


def test_a_districts_own_value_wins_over_the_city_wide_one():
    app = application()  # in 萨尔图区 230602
    answer(app, "tax", monthly_income_avg="1900.00")
    income_limit_row("1700.00", DAY - timedelta(days=30))
    own = income_limit_row("1950.00", DAY - timedelta(days=60), district=District.objects.get(code="230602"),
                           source="萨尔图区住建局〔2026〕3号")
    income_limit_row("5000.00", DAY - timedelta(days=60), district=District.objects.get(code="230603"))
    evaluation = rules.evaluate(app, on=DAY)
    found = result(evaluation, "income")
    assert found["passed"] is True
    assert found["limit"] == "不超过 1,950.00 元/人·月（低收入家庭标准）"
    record = income_record(evaluation)
    assert (record["row_id"], record["district"], record["legal_source"]) == (own.pk, "230602", "萨尔图区住建局〔2026〕3号")


def test_every_parameter_read_is_recorded_once_with_the_seeded_default_row():
    app = application("new_graduate")
    evaluation = rules.evaluate(app, on=DAY)
    keys = [p["key"] for p in evaluation.parameters]
    assert sorted(keys) == sorted({
        "eligibility.income_limit.new_graduate", "eligibility.housing_area_per_capita_max",
        "eligibility.property_sold_years", "eligibility.vehicle_value_max", "eligibility.business_capital_max",
        "eligibility.social_insurance_months", "eligibility.labour_contract_months",
        "eligibility.new_graduate_years"})
    seeded = PolicyParameter.objects.get(key="eligibility.vehicle_value_max", district__isnull=True)
    record = next(p for p in evaluation.parameters if p["key"] == "eligibility.vehicle_value_max")
    assert (record["row_id"], record["value"], record["legal_source"]) == (
        seeded.pk, "100000.00", default_source("eligibility.vehicle_value_max"))
    assert result(evaluation, "labour_contract")["parameters"] == ["eligibility.labour_contract_months"]


def test_a_parameter_changed_after_the_evaluation_does_not_change_it():
    app = application()
    answer(app, "tax", monthly_income_avg="1900.00")
    row = income_limit_row("2000.00", DAY - timedelta(days=1))
    first = rules.evaluate(app, on=DAY)
    # The row it used never changes; the correction is a new version, in force from a later date.
    income_limit_row("1500.00", DAY, source="改后的文件")
    assert PolicyParameter.objects.get(pk=row.pk).value == "2000.00"
    first.refresh_from_db()
    assert first.passed is True and result(first, "income")["limit"] == "不超过 2,000.00 元/人·月（低收入家庭标准）"
    assert income_record(first)["value"] == "2000.00" and income_record(first)["legal_source"] != "改后的文件"
    # Evaluating again applies the new value, and only the new evaluation is current.
    second = rules.evaluate(app, on=DAY)
    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.passed) == (False, True, False)
    assert RuleEvaluation.objects.filter(application=app, is_current=True).get() == second


@pytest.mark.django_db(transaction=True)
def test_two_evaluations_at_once_leave_exactly_one_current(on_postgres):
    app = application()
    outcomes = at_once(lambda: rules.evaluate(app, on=DAY), lambda: rules.evaluate(app, on=DAY))
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert RuleEvaluation.objects.filter(application=app).count() == 2
    assert RuleEvaluation.objects.filter(application=app, is_current=True).count() == 1


# --- the caseworkers' table ----------------------------------------------------------------------


def test_the_table_shows_each_rule_with_its_outcome_value_limit_source_and_parameters():
    app = application(members=[spouse()])
    answer(app, "tax", monthly_income_avg="3000.00")
    husband = app.household.members.get(relationship="spouse")
    answer(app, "housing_fund", husband, outcome="unknown", reason="HTTP 503")
    html = rule_table_html(rules.evaluate(app, on=DAY))
    assert "<th scope=\"row\">家庭人均月收入</th>" in html
    assert '结论 <span class="badge fail">有不符合的条件</span>' in html
    assert html.count('<span class="badge fail">不符合</span>') == 1
    assert html.count('<span class="badge warn">无法核验</span>') == 1
    assert html.count('<span class="badge ok">符合</span>') == len(rules.rules_for("low_income")) - 2
    assert "2,000.00 元/人·月" in html  # (3000 + 1000) / 2
    assert "税务部门 2026-11-20 查询" in html
    assert "配偶李明（HTTP 503）" in html
    assert "eligibility.income_limit.low_income" in html
    assert default_source("eligibility.income_limit.low_income") in html


def test_html_in_declared_text_and_department_facts_is_escaped_in_the_table():
    app = builders.submitted(members=[("spouse", "<b>李明</b>", builders.fresh_id_number(sex="male"))])
    answer_all(app)
    answer(app, "hukou", outcome="fail", status="cancelled", status_label="<script>alert(1)</script>")
    husband = app.household.members.get(relationship="spouse")
    answer(app, "tax", husband, outcome="unknown", reason="<img src=x onerror=alert(2)>")
    html = rule_table_html(rules.evaluate(app, on=DAY))
    assert "<script>" not in html and "<b>李明</b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;李明&lt;/b&gt;" in html
