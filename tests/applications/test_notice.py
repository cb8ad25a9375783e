"""公示 and its objections: the public list (masked, today's only), the objection form (validated,
throttled, one objection per form however often it is sent, closed after the period), and resolving
objections (scope, permission, once)."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import applications.review.admin_notice  # noqa: F401  (registers the objection admin until applications/admin.py imports it)
from applications.models import Application, NoticeObjection, Status
from applications.review import services as review
from applications.review.notice import OBJECTIONS_PER_HOUR, objection_resolve, objection_submit
from gongzufang.errors import PortalError
from gongzufang.pii import mask_id_number
from tests import factories
from tests.applications.builders import applicant, fresh_id_number, submitted
from tests.applications.notice_builders import on_notice
from tests.helpers import at_once

pytestmark = pytest.mark.django_db

LIST = reverse("applications:notice_list")
TEXT = "该户在市区另有一套住房，长期出租，请核查。"


def detail(app):
    return reverse("applications:notice_detail", args=[app.number])


def objection(app, **overrides):
    data = {"token": str(uuid.uuid4()), "name": "李四", "contact": "13912345678", "text": TEXT}
    return {**data, **overrides}


@pytest.fixture
def zhang():
    """张三明 with his wife, on notice in 萨尔图区."""
    spouse = fresh_id_number(born="19920303")
    app = on_notice(submitted(applicant(name="张三明"), members=[("spouse", "李小红", spouse)]))
    app.spouse_id = spouse
    return app


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_applications_on_notice_today_masked(client, zhang):
    html = client.get(LIST).content.decode()
    assert zhang.number in html
    assert "张*明" in html and mask_id_number(zhang.applicant.id_number) in html
    assert "2 人" in html and "萨尔图区" in html


def test_full_names_and_id_numbers_appear_nowhere_in_the_html(client, zhang):
    for page in (client.get(LIST), client.get(detail(zhang))):
        html = page.content.decode()
        assert "张三明" not in html and "李小红" not in html
        assert zhang.applicant.id_number not in html and zhang.spouse_id not in html
        assert zhang.applicant.phone not in html


def test_other_statuses_and_other_periods_do_not_appear(client, zhang):
    waiting = submitted()
    ended = on_notice(starts_in=-10, lasts=7)  # ended three days ago, not yet closed
    later = on_notice(starts_in=2)
    html = client.get(LIST).content.decode()
    assert zhang.number in html
    for other in (waiting, ended, later):
        assert other.number not in html
    assert client.get(detail(waiting)).status_code == 404  # never on notice: not public at all


def test_search_by_number_and_filter_by_district(client, zhang):
    other = on_notice(street=factories.first_street("230603"))
    html = client.get(LIST, {"district": "230603"}).content.decode()
    assert other.number in html and zhang.number not in html
    html = client.get(LIST, {"q": zhang.number[-6:].lower()}).content.decode()
    assert zhang.number in html and other.number not in html
    html = client.get(LIST, {"q": "GZF00000000"}).content.decode()
    assert "没有符合条件的公示" in html


def test_an_unknown_district_is_a_form_error_not_a_crash(client, zhang):
    response = client.get(LIST, {"district": "<script>"})
    assert response.status_code == 200 and "<script>" not in response.content.decode()


def test_the_list_costs_the_same_queries_for_any_number_of_rows(client, django_assert_num_queries):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    on_notice()
    with CaptureQueriesContext(conn) as few:
        client.get(LIST)
    for _ in range(3):
        on_notice()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert response.content.decode().count('<li class="card">') == 4


def test_the_list_is_paginated(client, monkeypatch):
    from applications.review import views as views_notice

    monkeypatch.setattr(views_notice, "PER_PAGE", 2)
    apps = [on_notice() for _ in range(3)]
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "第 1 / 2 页" in first and sum(a.number in first for a in apps) == 2
    assert sum(a.number in second for a in apps) == 1


def test_the_info_hub_links_to_the_notice(client):
    assert LIST in client.get(reverse("info")).content.decode()


# --- raising an objection ------------------------------------------------------------------------


def test_an_objection_is_saved_with_its_contact(client, zhang):
    response = client.post(detail(zhang), objection(zhang), follow=True)
    saved = NoticeObjection.objects.get()
    assert (saved.application_id, saved.name, saved.contact, saved.text) == (zhang.pk, "李四", "13912345678", TEXT)
    assert saved.resolved_at is None
    assert "您的异议已提交" in response.content.decode()


@pytest.mark.parametrize("contact, kept", [
    ("0459-4661234", "0459-4661234"), ("+86 139 1234 5678", "13912345678"), ("li.si@example.cn", "li.si@example.cn"),
])
def test_landlines_and_email_are_contacts_too(client, zhang, contact, kept):
    client.post(detail(zhang), objection(zhang, contact=contact))
    assert NoticeObjection.objects.get().contact == kept


@pytest.mark.parametrize("overrides, message", [
    ({"contact": "找我"}, "联系方式应为 11 位手机号、带区号的固定电话"),
    ({"contact": "1234567"}, "联系方式应为 11 位手机号"),
    ({"contact": "li@"}, "电子邮箱格式不正确"),
    ({"contact": ""}, "请填写联系方式"),
    ({"text": ""}, "请填写异议内容"),
    ({"text": "   有问题   "}, "异议内容至少 10 个字"),
    ({"text": "x" * 2001}, "异议内容不能超过 2000 个字"),
    ({"text": "<script>alert('公示')</script>该户有房产，请核查"}, "异议内容不能包含网页代码"),
    ({"text": '请看 <img src=x onerror="alert(1)"> 这户有车'}, "异议内容不能包含网页代码"),
    ({"name": "<b>李四</b>"}, "姓名中不能包含网页代码"),
])
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(client, zhang, overrides, message):
    response = client.post(detail(zhang), objection(zhang, **overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert not NoticeObjection.objects.exists()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>李四" not in html  # echoed escaped


def test_what_was_typed_is_shown_back_escaped(client, zhang):
    response = client.post(detail(zhang), objection(zhang, text="<script>alert('公示')</script>该户有房产，请核查"))
    assert "&lt;script&gt;alert(&#x27;公示&#x27;)&lt;/script&gt;" in response.content.decode()


def test_a_less_than_sign_in_ordinary_text_is_allowed_and_escaped_in_the_admin(client, zhang, dave):
    client.post(detail(zhang), objection(zhang, text="他家人均月收入<5000 & 有车，不符合条件"))
    saved = NoticeObjection.objects.get()
    client.force_login(dave)
    html = client.get(reverse("admin:applications_noticeobjection_change", args=[saved.pk])).content.decode()
    assert "人均月收入&lt;5000 &amp; 有车" in html


def test_after_the_period_the_form_is_closed(client):
    ended = on_notice(starts_in=-8, lasts=7)  # last day was yesterday
    page = client.get(detail(ended))
    html = page.content.decode()
    assert "不再受理异议" in html and "提交异议" not in html
    response = client.post(detail(ended), objection(ended))
    assert response.status_code == 409 and not NoticeObjection.objects.exists()
    assert "不再受理异议" in response.content.decode()


def test_before_the_period_starts_the_form_is_not_open_yet(client):
    later = on_notice(starts_in=1)
    html = client.get(detail(later)).content.decode()
    assert "开始后方可提出异议" in html and "提交异议" not in html


def end_period(app):
    """The notice period is over (its last day was yesterday)."""
    from applications.models import Application

    yesterday = timezone.localdate() - timedelta(days=1)
    Application.objects.filter(pk=app.pk).update(notice_starts_on=yesterday - timedelta(days=6),
                                                 notice_ends_on=yesterday)
    return Application.objects.get(pk=app.pk)


def test_after_the_notice_closed_the_applicant_is_no_longer_shown(client, zhang):
    review.close_notice(application=end_period(zhang), actor=None)
    assert Application.objects.get(pk=zhang.pk).status == Status.CITY_REVIEW
    html = client.get(detail(zhang)).content.decode()
    assert "张*明" not in html and "不再受理异议" in html


def test_city_review_waits_until_every_objection_is_resolved(client, zhang, dave):
    client.post(detail(zhang), objection(zhang))
    raised = NoticeObjection.objects.get()
    app = end_period(zhang)
    with pytest.raises(PortalError) as refused:
        review.close_notice(application=app, actor=dave)
    assert refused.value.code == "objections_open"
    objection_resolve(objection=raised, actor=dave, upheld=False, resolution="经核查，该房屋系租住。")
    review.close_notice(application=app, actor=dave)
    assert Application.objects.get(pk=app.pk).status == Status.CITY_REVIEW


def test_the_service_refuses_outside_the_period_too():
    ended = on_notice(starts_in=-8, lasts=7)
    with pytest.raises(PortalError) as refused:
        objection_submit(application=ended, name="李四", contact="13912345678", text=TEXT)
    assert refused.value.code == "notice_closed"


def test_the_form_needs_its_csrf_token(zhang):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(detail(zhang), objection(zhang))
    assert response.status_code == 403 and not NoticeObjection.objects.exists()


def test_a_double_submit_makes_one_objection(client, zhang):
    data = objection(zhang)
    first = client.post(detail(zhang), data)
    second = client.post(detail(zhang), data)
    assert first.status_code == second.status_code == 302
    assert NoticeObjection.objects.count() == 1


def test_the_same_words_from_the_same_contact_with_a_fresh_form_are_one_objection(client, zhang):
    client.post(detail(zhang), objection(zhang))
    client.post(detail(zhang), objection(zhang))  # the page reloaded: a new token, same words
    client.post(detail(zhang), objection(zhang, text=TEXT + "另外，该户有一辆轿车。"))
    assert NoticeObjection.objects.count() == 2


def test_one_address_may_send_five_an_hour(client, zhang, time_machine):
    # The count is per clock hour: mid-hour, so that the hour does not turn during the test (it did, flakily)
    time_machine.move_to(timezone.localtime().replace(minute=20, second=0), tick=True)
    for n in range(OBJECTIONS_PER_HOUR):
        assert client.post(detail(zhang), objection(zhang, text=f"{TEXT}（第 {n} 条）")).status_code == 302
    response = client.post(detail(zhang), objection(zhang, text=f"{TEXT}（再一条）"))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert NoticeObjection.objects.count() == OBJECTIONS_PER_HOUR
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(detail(zhang), objection(zhang, text=f"{TEXT}（另一网络）")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_at_the_same_moment_make_one_objection(on_postgres):
    app = on_notice()

    def send():
        return objection_submit(application=app, name="李四", contact="13912345678", text=TEXT)

    outcomes = at_once(send, send)
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert NoticeObjection.objects.filter(application=app).count() == 1


# --- resolving -----------------------------------------------------------------------------------


@pytest.fixture
def raised(zhang):
    return objection_submit(application=zhang, name="李四", contact="13912345678", text=TEXT)


def test_the_districts_caseworker_resolves_it(raised, dave):
    objection_resolve(objection=raised, actor=dave, upheld=False, resolution="经入户核查，该房屋已于 2019 年出售。")
    raised.refresh_from_db()
    assert raised.resolved_by == dave and raised.resolved_at is not None and raised.upheld is False
    assert raised.resolution.startswith("经入户核查")


def test_an_upheld_objection_is_recorded_and_leaves_the_decision_to_the_caseworker(raised, chen):
    objection_resolve(objection=raised, actor=chen, upheld=True, resolution="核实该户有房产。")
    raised.refresh_from_db()
    assert raised.upheld is True and raised.application.status == Status.PUBLIC_NOTICE


def test_another_districts_caseworker_gets_not_found(raised, bob):
    with pytest.raises(PortalError) as refused:
        objection_resolve(objection=raised, actor=bob, upheld=False, resolution="无")
    assert refused.value.code == "not_found"
    raised.refresh_from_db()
    assert raised.resolved_at is None


def test_the_street_clerk_may_not_resolve(raised, carol):
    with pytest.raises(PortalError) as refused:
        objection_resolve(objection=raised, actor=carol, upheld=False, resolution="无")
    assert refused.value.code == "forbidden" and "没有处理公示异议的权限" in refused.value.message


def test_a_resolution_needs_an_opinion(raised, dave):
    with pytest.raises(PortalError) as refused:
        objection_resolve(objection=raised, actor=dave, upheld=False, resolution="  ")
    assert "请填写处理意见" in refused.value.message


def test_a_resolved_objection_cannot_be_resolved_again(raised, dave, chen):
    objection_resolve(objection=raised, actor=dave, upheld=False, resolution="不成立。")
    with pytest.raises(PortalError) as refused:
        objection_resolve(objection=NoticeObjection.objects.get(pk=raised.pk), actor=chen, upheld=True,
                          resolution="成立。")
    assert refused.value.code == "already_resolved" and "不能重复处理" in refused.value.message
    raised.refresh_from_db()
    assert raised.resolved_by == dave and raised.upheld is False


def test_open_objections_are_listed_for_the_application(raised, dave, zhang):
    from applications.review.selectors import has_open_objections, open_objections

    assert list(open_objections(zhang)) == [raised] and has_open_objections(zhang)
    objection_resolve(objection=raised, actor=dave, upheld=False, resolution="不成立。")
    assert not has_open_objections(zhang)


# --- the admin -----------------------------------------------------------------------------------


def resolve_url(obj):
    return reverse("admin:applications_noticeobjection_resolve", args=[obj.pk])


def test_the_admin_lists_open_objections_first_and_resolves_through_the_service(client, raised, dave, zhang):
    earlier = objection_submit(application=zhang, name="王五", contact="0459-4661234", text="该户收入情况与申报不符。")
    objection_resolve(objection=earlier, actor=dave, upheld=False, resolution="已核实收入。")
    client.force_login(dave)
    listing = client.get(reverse("admin:applications_noticeobjection_changelist"))
    assert [o.pk for o in listing.context["cl"].result_list] == [raised.pk, earlier.pk]
    # the application number opens the objection (one link, named by the number: no empty link around another)
    change = reverse("admin:applications_noticeobjection_change", args=[raised.pk])
    assert f'<a href="{change}">{zhang.number}</a>' in listing.content.decode()
    page = client.get(reverse("admin:applications_noticeobjection_change", args=[raised.pk])).content.decode()
    assert "处理异议" in page and resolve_url(raised) in page
    response = client.post(resolve_url(raised), {"upheld": "yes", "resolution": "核实该户有房产。"})
    assert response.status_code == 302
    raised.refresh_from_db()
    assert raised.upheld is True and raised.resolved_by == dave


def test_the_admin_form_shows_what_is_missing(client, raised, dave):
    client.force_login(dave)
    response = client.post(resolve_url(raised), {"upheld": "no", "resolution": ""})
    assert response.status_code == 200 and "请填写处理意见" in response.content.decode()
    raised.refresh_from_db()
    assert raised.resolved_at is None


def test_the_admin_refuses_a_second_resolution(client, raised, dave):
    objection_resolve(objection=raised, actor=dave, upheld=False, resolution="不成立。")
    client.force_login(dave)
    response = client.post(resolve_url(raised), {"upheld": "yes", "resolution": "成立。"}, follow=True)
    assert "不能重复处理" in response.content.decode()
    raised.refresh_from_db()
    assert raised.upheld is False


def test_another_district_cannot_see_or_resolve_in_the_admin(client, raised, bob):
    bob.user_permissions.add(*Permission.objects.filter(codename__in=["resolve_objection", "view_noticeobjection"]))
    client.force_login(bob)
    assert client.get(reverse("admin:applications_noticeobjection_change", args=[raised.pk])).status_code == 404
    assert client.post(resolve_url(raised), {"upheld": "yes", "resolution": "越权"}).status_code == 404
    raised.refresh_from_db()
    assert raised.resolved_at is None


def test_the_street_clerk_sees_but_may_not_resolve_in_the_admin(client, raised, carol):
    client.force_login(carol)
    page = client.get(reverse("admin:applications_noticeobjection_change", args=[raised.pk]))
    assert page.status_code == 200
    assert client.post(resolve_url(raised), {"upheld": "no", "resolution": "无"}).status_code == 403
