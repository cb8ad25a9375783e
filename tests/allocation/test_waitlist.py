"""The waitlist (DESIGN §7): approval makes the entry with its public number, order by group rank,
qualification date and application number, positions follow every entry that leaves."""

import pytest
from django.urls import reverse

from allocation import selectors, services
from allocation.models import WaitlistEntry
from gongzufang.errors import PortalError
from gongzufang.workflow import PermissionDenied
from tests.allocation.builders import approved_entry, days_ago, quick_entry

pytestmark = pytest.mark.django_db


def test_city_approval_of_a_unit_application_puts_the_household_on_the_waitlist(district_a):
    entry = approved_entry(category="low_income")
    app = entry.application
    assert entry.district.code == "230602"
    assert entry.number.startswith(f"LH230602-{entry.qualified_on.year}-")
    assert len(entry.number.split("-")[-1]) == 5
    assert entry.qualified_on == app.decided_at.astimezone().date()
    assert entry.status == WaitlistEntry.Status.WAITING
    assert entry.group_rank == 10 and entry.priority_group == ""  # the general group's parameter
    assert entry.max_bedrooms == 1 and entry.household_size == 1
    first = entry.status_changes.get()
    assert first.to_status == "waiting" and "进入轮候" in first.opinion
    # Idempotent: the receiver run again (a repair job) returns the same entry.
    assert services.waitlist_enter(application=app) == entry
    assert WaitlistEntry.objects.filter(application=app).count() == 1


def test_a_subsidy_application_does_not_join_the_waitlist(district_a):
    from applications.models import Application
    from tests.applications import builders
    from tests.applications.review_builders import approved

    app = approved(builders.submitted(assistance="subsidy", category="low_income"))
    assert Application.objects.get(pk=app.pk).status == "approved"
    assert not WaitlistEntry.objects.filter(application=app).exists()


def test_numbers_follow_a_sequence_per_district_and_year(district_a):
    a, b = quick_entry(), quick_entry()
    na, nb = int(a.number.rsplit("-", 1)[1]), int(b.number.rsplit("-", 1)[1])
    assert nb == na + 1


def test_priority_groups_from_category_and_certificates(district_a):
    low = quick_entry(category="minimum_living")
    disabled = quick_entry(category="low_income", disability="grade_1")
    general = quick_entry(category="low_income")
    assert (low.priority_group, low.group_rank) == ("minimum_living", 1)
    assert (disabled.priority_group, disabled.group_rank) == ("severe_disability", 3)
    assert general.group_rank == 10


def test_household_size_gives_the_largest_unit(district_a):
    from tests.applications.builders import fresh_id_number

    family = quick_entry(members=[("spouse", "配偶", fresh_id_number(sex="male")),
                                  ("child", "孩子", fresh_id_number(born="20150101"))])
    assert family.household_size == 3 and family.max_bedrooms == 2


def test_order_positions_and_positions_follow_those_who_leave(district_a, dave):
    old = quick_entry(qualified_on=days_ago(300))
    new = quick_entry(qualified_on=days_ago(10))
    # Same group and date: the application number decides.
    same_day_1, same_day_2 = sorted([quick_entry(qualified_on=days_ago(100)) for _ in range(2)],
                                    key=lambda e: e.application_number)
    priority = quick_entry(category="minimum_living", qualified_on=days_ago(5))
    ordered = list(WaitlistEntry.objects.filter(district=district_a).in_order())
    assert ordered == [priority, old, same_day_1, same_day_2, new]

    pos = selectors.position_of(new)
    assert (pos.overall, pos.in_group, pos.ahead, pos.total) == (5, 4, 4, 5)
    assert selectors.position_of(priority).in_group == 1

    services.entry_make_ineligible(entry=old, actor=dave, reason="家庭人均月收入超过低收入标准")
    services.entry_switch_to_subsidy(entry=priority, actor=dave, reason="申请改领租赁补贴")
    pos = selectors.position_of(new)
    assert (pos.overall, pos.in_group, pos.ahead, pos.total) == (3, 3, 2, 3)
    old.refresh_from_db()
    assert old.status == "ineligible" and old.left_on is not None
    assert old.leave_reason == "家庭人均月收入超过低收入标准"
    assert selectors.position_of(old) is None
    change = old.status_changes.last()
    assert change.actor == dave and change.opinion == "家庭人均月收入超过低收入标准"


def test_position_is_one_query(district_a, django_assert_num_queries):
    entries = sorted([quick_entry() for _ in range(3)], key=lambda e: e.application_number)
    with django_assert_num_queries(1):
        assert selectors.position_of(entries[-1]).overall == 3


def test_leaving_needs_a_reason_and_a_caseworker(district_a, carol, dave):
    entry = quick_entry()
    with pytest.raises(PortalError, match="请写明原因"):
        services.entry_make_ineligible(entry=entry, actor=dave, reason=" ")
    with pytest.raises(PermissionDenied, match="区县或市级经办人"):
        services.entry_make_ineligible(entry=entry, actor=carol, reason="不符合")


def test_another_districts_caseworker_cannot_touch_the_entry(district_a, bob):
    from gongzufang.workflow import NotFound

    entry = quick_entry()
    with pytest.raises(NotFound, match="未找到该轮候记录"):
        services.entry_make_ineligible(entry=entry, actor=bob, reason="不符合")


def test_longest_wait_expires_entries_idempotently(district_a):
    old = quick_entry(qualified_on=days_ago(5 * 366 + 1))
    recent = quick_entry(qualified_on=days_ago(30))
    assert services.entries_expire_overdue() == 1
    assert services.entries_expire_overdue() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == "expired" and "已满 5 年" in old.leave_reason
    assert recent.status == "waiting"


def test_two_refusals_suspend_for_twelve_months_then_resume(district_a):
    entry = quick_entry()
    services.entry_count_refusal(entry=entry, actor=None, reason="未在选房时段内选房")
    entry.refresh_from_db()
    assert entry.refusals == 1 and entry.status == "waiting"
    services.entry_count_refusal(entry=entry, actor=None, reason="放弃所选房屋")
    entry.refresh_from_db()
    assert entry.status == "suspended" and entry.refusals == 2
    assert (entry.suspended_until - days_ago(0)).days in (365, 366)
    assert "暂停轮候至" in entry.status_changes.last().opinion
    assert services.entries_resume_due(on=entry.suspended_until) == 1
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_applicant_sees_number_positions_and_history(client, district_a, dave):
    ahead = quick_entry(qualified_on=days_ago(50))
    mine = quick_entry(qualified_on=days_ago(20))
    client.force_login(mine.application.applicant)
    page = client.get(reverse("allocation:my_waitlist")).content.decode()
    assert mine.number in page
    assert "全区排第 <strong>2</strong> 位" in page and "您前面还有 <strong>1</strong> 户" in page
    assert "审核通过，进入轮候" in page
    services.entry_make_ineligible(entry=ahead, actor=dave, reason="经核实已购买住房")
    page = client.get(reverse("allocation:my_waitlist")).content.decode()
    assert "全区排第 <strong>1</strong> 位" in page and "您前面还有 <strong>0</strong> 户" in page
    # Another applicant sees only their own.
    client.force_login(ahead.application.applicant)
    page = client.get(reverse("allocation:my_waitlist")).content.decode()
    assert ahead.number in page and mine.number not in page and "经核实已购买住房" in page


def test_the_progress_page_of_an_approved_unit_application_links_to_the_waitlist(client, district_a):
    entry = quick_entry()
    client.force_login(entry.application.applicant)
    page = client.get(reverse("applications:progress", args=[entry.application.pk])).content.decode()
    assert reverse("allocation:my_waitlist") in page


def test_declared_change_still_qualifying_is_recorded(client, district_a):
    from tests.applications.builders import fresh_id_number
    from tests.applications.review_builders import store_results

    entry = quick_entry(members=[("spouse", "配偶", fresh_id_number(sex="male"))])
    store_results(entry.application)
    spouse = entry.application.household.members.get(relationship="spouse")
    me = entry.application.household.members.get(relationship="self")
    client.force_login(entry.application.applicant)
    assert "变更申报" in client.get(reverse("allocation:my_waitlist")).content.decode()
    response = client.post(reverse("allocation:declare_change"), {
        f"income_{me.pk}": "1500.00", f"income_{spouse.pk}": "1000.00", f"left_{spouse.pk}": "on",
        "housing_type": "private_rent", "housing_area": "12.50"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "waiting" and entry.household_size == 1
    last = entry.status_changes.last()
    assert "配偶配偶迁出" in last.opinion and "仍符合条件" in last.opinion


def test_declared_change_no_longer_qualifying_leaves_with_the_reason(client, district_a):
    from tests.applications.review_builders import store_results

    entry = quick_entry()
    store_results(entry.application)
    me = entry.application.household.members.get(relationship="self")
    client.force_login(entry.application.applicant)
    response = client.post(reverse("allocation:declare_change"), {
        f"income_{me.pk}": "9000.00", "housing_type": "private_rent", "housing_area": "12.50"})
    page = response.content.decode()
    assert response.status_code == 200 and "不再符合公租房保障条件" in page and "家庭人均月收入" in page
    entry.refresh_from_db()
    assert entry.status == "ineligible" and "家庭人均月收入" in entry.leave_reason
    assert "变更申报" in entry.status_changes.last().opinion


def test_nothing_to_declare_is_refused_and_nothing_lost(client, district_a):
    entry = quick_entry()
    me = entry.application.household.members.get(relationship="self")
    client.force_login(entry.application.applicant)
    response = client.post(reverse("allocation:declare_change"), {
        f"income_{me.pk}": str(me.monthly_income), "housing_type": entry.application.housing_type,
        "housing_area": str(entry.application.housing_area)})
    assert response.status_code == 200 and "没有需要申报的变更" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == "waiting" and entry.status_changes.count() == 1
