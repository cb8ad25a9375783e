"""The caseworkers' queues: scoped to the district, due dates shown, buttons from the transitions."""

import pytest
from django.urls import reverse

from tenancy import services
from tenancy.models import AnnualReview, ExitStatus
from tests.rent.builders import active_lease
from tests.tenancy.builders import lease_with_anniversary_in

pytestmark = pytest.mark.django_db


def test_queues_are_scoped_and_the_buttons_act(client, dave, bob):
    lease = lease_with_anniversary_in(10)
    services.open_annual_reviews(notify=False)
    review = AnnualReview.objects.get(lease=lease)
    case = services.exit_open(lease=active_lease(), ground="vacant", origin="caseworker", facts="连续空置", actor=dave)
    client.force_login(dave)
    page = client.get(reverse("admin:tenancy_annualreview_changelist")).content.decode()
    assert review.number in page and f"{review.due_on:%Y}" in page
    change = client.get(reverse("admin:tenancy_exitcase_change", args=[case.pk])).content.decode()
    assert "告知并给予陈述申辩期" in change
    client.post(reverse("admin:tenancy_exitcase_act", args=[case.pk, "notify"]))
    case.refresh_from_db()
    assert case.status == ExitStatus.STATEMENT
    refused = client.post(reverse("admin:tenancy_exitcase_act", args=[case.pk, "decide"]), {"opinion": "x"},
                          follow=True).content.decode()
    assert "陈述申辩期尚未届满" in refused

    client.force_login(bob)
    assert review.number not in client.get(reverse("admin:tenancy_annualreview_changelist")).content.decode()
    assert client.get(reverse("admin:tenancy_exitcase_change", args=[case.pk])).status_code == 404
    assert client.post(reverse("admin:tenancy_exitcase_act", args=[case.pk, "withdraw"]),
                       {"opinion": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == ExitStatus.STATEMENT


def test_the_caseworker_settles_in_the_admin_and_the_refund_goes_through_the_bank(client, dave, simulated_bank):
    from django.utils import timezone

    lease = active_lease()
    case = services.exit_apply(lease=lease, actor=lease.tenant, reason="已购买商品住房")
    services.exit_decide(case=case, actor=dave)
    services.exit_inspect(case=case, actor=dave, inspected_on=timezone.localdate(), condition="完好")
    client.force_login(dave)
    act = reverse("admin:tenancy_exitcase_act", args=[case.pk, "settle"])
    change = reverse("admin:tenancy_exitcase_change", args=[case.pk])
    assert "承租人尚未填写" in client.get(change).content.decode()
    refused = client.post(act, {"deductions": "保洁,50"}, follow=True).content.decode()
    assert "尚未在退出页面填写退款账户" in refused
    case.refresh_from_db()
    assert case.status == ExitStatus.INSPECTED and not case.deductions.exists()

    services.exit_refund_account(case=case, actor=lease.tenant, account_name="王丽", account_no="621700123456789003")
    client.post(act, {"deductions": "保洁,50"})
    case.refresh_from_db()
    assert case.status == ExitStatus.SETTLED and case.refund_amount == lease.deposit - 50
    page = client.get(change).content.decode()
    assert "王丽 **** **** **** 9003" in page and "621700123456789003" not in page
    assert f"{case.refund_amount} 元 · 已退还" in page


def test_the_review_page_shows_what_changed_since_the_last_decision(client, dave):
    from django.utils import timezone

    from tenancy.models import AnnualReview as Review

    lease = lease_with_anniversary_in(10)
    services.open_annual_reviews(notify=False)
    review = Review.objects.get(lease=lease)
    client.force_login(dave)
    url = reverse("admin:tenancy_annualreview_change", args=[review.pk])
    assert "部门核验完成后显示" in client.get(url).content.decode()
    Review.objects.filter(pk=review.pk).update(checked_at=timezone.now(), changes=[
        {"what": "张三·公安车辆管理部门", "before": "车辆数量：0", "after": "车辆数量：1；车辆价值：150,000.00"}])
    page = client.get(url).content.decode()
    assert "<th scope=\"row\">张三·公安车辆管理部门</th><td>车辆数量：0</td><td>车辆数量：1；车辆价值：150,000.00</td>" in page
