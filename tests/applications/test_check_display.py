"""Department answers shown as a person reads them: the query's outcome beside the rules' verdict (never
"通过" on a fact that fails a rule), facts in Chinese with units and dates (issue 12, item 8)."""

import pytest
from django.urls import reverse

from applications.eligibility.display import fact_lines, fact_value_text
from tests.applications import builders
from tests.applications.review_builders import in_district_review

pytestmark = pytest.mark.django_db


def test_facts_are_labelled_in_chinese_with_units_and_dates():
    assert fact_lines({"property_count": 1}) == [("名下住房", "1 套")]
    assert fact_lines({"deceased": False, "died_on": None}) == [("已登记死亡", "否"), ("死亡日期", "无")]
    assert fact_value_text("vehicle_value_total", "268000.00") == "268,000.00 元"
    assert fact_value_text("registered_on", "2015-03-08") == "2015年03月08日"
    assert fact_value_text("marital_status", "married") == "已婚"
    assert "号牌 黑E·1****，类别 小型轿车，价值 268,000.00 元" in fact_value_text(
        "vehicles", [{"plate": "黑E·1****", "kind": "小型轿车", "value": "268000.00"}])


def test_the_change_page_says_query_succeeded_and_the_rule_fails(client, carol, dave):
    app = in_district_review(builders.submitted(), carol,
                             overrides={"property": {"property_count": 1, "property_area_total": "60.00"},
                                        "vehicles": {"vehicle_count": 1, "vehicle_value_total": "268000.00"}})
    client.force_login(dave)
    body = client.get(reverse("admin:applications_application_change", args=[app.pk])).content.decode()
    inline = body[body.index("部门联审结果（当前）"):]
    inline = inline[:inline.index("</fieldset>") if "</fieldset>" in inline else len(inline)]
    assert "查询成功" in inline
    assert "不符合：在本市无自有住房（1 套；标准：0 套）" in inline
    assert "不符合：机动车价值" in inline
    assert "名下住房：1 套" in inline and "机动车价值合计：268,000.00 元" in inline
    assert "已登记死亡：否" in inline and "死亡日期：无" in inline
    assert "property_count" not in inline and "died_on" not in inline and "False" not in inline
    assert ">通过<" not in inline
