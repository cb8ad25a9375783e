"""The caseworkers' side: the waitlist queue and rounds in the admin (scoped, buttons from the
transitions), the API lists, and the report's figures."""

import pytest
from django.urls import reverse

from allocation import services
from allocation.models import AllocationRound, WaitlistEntry
from gongzufang import statistics
from tests import factories
from tests.allocation.builders import days_ago, drafted_round, quick_entry, units
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def test_admin_queue_is_in_order_and_scoped(client, district_a, district_b, dave, bob):
    later = quick_entry(qualified_on=days_ago(10))
    first = quick_entry(category="minimum_living", qualified_on=days_ago(3))
    theirs = quick_entry(street=factories.first_street("230603"))
    client.force_login(dave)
    page = client.get(reverse("admin:allocation_waitlistentry_changelist")).content.decode()
    assert page.index(first.number) < page.index(later.number)
    assert theirs.number not in page and "低保/特困" in page
    assert client.get(reverse("admin:allocation_waitlistentry_change", args=[theirs.pk])).status_code == 404
    change = client.get(reverse("admin:allocation_waitlistentry_change", args=[later.pk])).content.decode()
    assert "不再符合条件" in change and "转为租赁补贴" in change and "全区第 2 位" in change
    response = client.post(reverse("admin:allocation_waitlistentry_act", args=[later.pk, "make_ineligible"]),
                           {"opinion": "经核实已购买住房"})
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.status == "ineligible" and later.leave_reason == "经核实已购买住房"


def test_admin_round_create_publish_draw_buttons(client, district_a, dave, chen):
    quick_entry()
    quick_entry()
    units(count=2)
    client.force_login(dave)
    response = client.post(reverse("admin:allocation_allocationround_add"),
                           {"district": district_a.pk, "name": "十二月配租", "bedrooms": ["1"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    round_ = AllocationRound.objects.get(name="十二月配租")
    assert round_.entries.count() == 2 and round_.units.count() == 2
    change = client.get(reverse("admin:allocation_allocationround_change", args=[round_.pk])).content.decode()
    assert ">发布（冻结名单）</button>" in change and ">作废</button>" not in change  # voiding is the city's
    client.post(reverse("admin:allocation_allocationround_act", args=[round_.pk, "publish"]), {"opinion": ""})
    round_.refresh_from_db()
    assert round_.status == "published" and round_.commitment
    response = client.post(reverse("admin:allocation_allocationround_draw", args=[round_.pk]), {"public_entropy": "1"},
                           follow=True)
    assert "公开随机数不能为空，且至少 2 个字符" in response.content.decode()
    client.post(reverse("admin:allocation_allocationround_draw", args=[round_.pk]), {"public_entropy": "福彩 518"})
    round_.refresh_from_db()
    assert round_.status == "drawn" and round_.seed
    client.force_login(chen)
    change = client.get(reverse("admin:allocation_allocationround_change", args=[round_.pk])).content.decode()
    assert ">作废</button>" in change


def test_api_lists_are_scoped(district_a, district_b, api_a, dave):
    mine = quick_entry()
    theirs = quick_entry(street=factories.first_street("230603"))
    round_, _made = drafted_round(dave, entries=1)
    api = api_client_for(api_a)
    rows = api.get("/api/v1/waitlist/").json()["results"]
    numbers = [r["number"] for r in rows]
    assert mine.number in numbers and theirs.number not in numbers
    assert api.get(f"/api/v1/waitlist/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/waitlist/?colour=red").status_code == 400
    rounds = api.get("/api/v1/allocation-rounds/").json()["results"]
    assert [r["id"] for r in rounds] == [round_.pk]
    assert rounds[0]["households"] == round_.entries.count() and rounds[0]["secret"] is None


def test_statistics_waitlist_size_average_wait_and_allocations(district_a, chen, dave):
    quick_entry(qualified_on=days_ago(10))
    quick_entry(qualified_on=days_ago(30))
    gone = quick_entry(qualified_on=days_ago(50))
    services.entry_switch_to_subsidy(entry=gone, actor=dave, reason="改领补贴")
    today = days_ago(0)
    report = statistics.summary(start=days_ago(30), end=today, principal=chen)
    row = next(f for f in report.districts if f.district == district_a)
    assert row.waitlist_size == 2
    assert row.average_wait_days == 20
    assert row.allocations == 0
    assert report.total.waitlist_size >= 2
    assert WaitlistEntry.objects.filter(status="waiting").count() == 2
