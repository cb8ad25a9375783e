"""人工核验 (issue 12, item 11): a department's `unknown` answer resolved by hand by the district — the
document looked at, who, why — recorded as a check result; the application then moves on."""

import pytest
from django.urls import reverse

from applications.crosscheck.services import MANUAL_SOURCE, check_resolve_by_hand
from applications.models import CheckResult, RuleEvaluation, Status
from applications.review import services as review
from gongzufang.errors import PortalError
from tests.applications import builders
from tests.applications.review_builders import fresh, in_cross_check, store_results

pytestmark = pytest.mark.django_db

DOCUMENT = "国家税务总局大庆市税务局 2025 年度个人所得税纳税记录（申请人提供，2026-11-20 开具）"


@pytest.fixture
def stuck(carol):
    """In the cross-check, every department answered but the tax office (garbage: unknown)."""
    app = in_cross_check(builders.submitted(), carol)
    store_results(app, status_overrides={"tax": "unknown"})
    assert not review.checks_finished(application_id=app.pk)
    return fresh(app)


def tax_result(app):
    return app.check_results.current().get(department="tax")


def resolve_url(app, result):
    return reverse("admin:applications_application_resolve_check", args=[app.pk, result.pk])


def test_the_district_resolves_it_in_the_admin_and_the_application_moves_on(client, dave, stuck):
    unknown = tax_result(stuck)
    client.force_login(dave)
    page = client.get(reverse("admin:applications_application_change", args=[stuck.pk])).content.decode()
    assert "人工核验：税务" in page and resolve_url(stuck, unknown) in page
    fields = {"status": "pass", "document": DOCUMENT, "reason": "税务接口返回数据无法解析，查验申请人提供的纳税记录原件。",
              "record": "year=2025\nannual_income=12000"}
    response = client.post(resolve_url(stuck, unknown), {f"manual-{unknown.pk}-{k}": v for k, v in fields.items()},
                           follow=True)
    assert "已记录税务的人工核验结果" in response.content.decode()

    manual = tax_result(stuck)
    assert manual.pk != unknown.pk and manual.status == "pass"
    assert manual.facts["source"] == MANUAL_SOURCE and manual.facts["document"] == DOCUMENT
    assert "无法解析" in manual.facts["reason"] and manual.facts["verified_by"] == dave.real_name
    assert manual.facts["monthly_income_avg"] == "1000.00"  # read as the tax adapter reads its records
    assert CheckResult.objects.get(pk=unknown.pk).is_current is False  # the unknown answer stays in the history
    app = fresh(stuck)
    assert app.status == Status.DISTRICT_REVIEW
    evaluation = RuleEvaluation.objects.get(application=app, is_current=True)
    income = next(r for r in evaluation.results if r["rule"] == "income")
    assert income["passed"] is True


def test_the_application_waits_while_another_result_is_unknown(dave, carol):
    app = in_cross_check(builders.submitted(), carol)
    store_results(app, status_overrides={"tax": "unknown", "vehicles": "unknown"})
    check_resolve_by_hand(result=tax_result(app), actor=dave, status="fail", document=DOCUMENT,
                          reason="纳税记录显示收入超标", record={"year": 2025, "annual_income": "960000"})
    assert fresh(app).status == Status.CROSS_CHECK
    assert tax_result(app).status == "fail"


def test_only_the_district_may_resolve_an_unknown_result_once(client, carol, bob, dave, stuck):
    unknown = tax_result(stuck)
    with pytest.raises(PortalError, match="区县的经办人"):
        check_resolve_by_hand(result=unknown, actor=carol, status="pass", document=DOCUMENT, reason="看过")
    with pytest.raises(PortalError, match="未找到"):
        check_resolve_by_hand(result=unknown, actor=bob, status="pass", document=DOCUMENT, reason="看过")
    client.force_login(bob)
    assert client.post(resolve_url(stuck, unknown), {"status": "pass", "document": DOCUMENT,
                                                     "reason": "看过"}).status_code == 404
    with pytest.raises(PortalError, match="证明材料"):
        check_resolve_by_hand(result=unknown, actor=dave, status="pass", document="", reason="看过")
    hukou = stuck.check_results.current().get(department="hukou")
    with pytest.raises(PortalError, match="无法核验"):
        check_resolve_by_hand(result=hukou, actor=dave, status="fail", document=DOCUMENT, reason="看过")
    assert fresh(stuck).status == Status.CROSS_CHECK
