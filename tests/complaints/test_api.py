"""The feedback API: the token's own district only (another district's id answers 404), reply through
the same service, the one error shape, anonymity kept from district tokens."""

import pytest
import time_machine

from complaints import services
from complaints.models import Category, Feedback, FeedbackStatusChange, Kind, Status
from gongzufang.models.users import Level
from tests.complaints.conftest import at, submit
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/feedback/"


def reply_url(item):
    return f"{URL}{item.pk}/reply/"


def test_the_list_is_the_tokens_district(api_a, tom, district_b):
    ours, theirs = submit(tom), submit(tom, district=district_b)
    rows = api_client_for(api_a).get(URL).json()["results"]
    assert [r["number"] for r in rows] == [ours.number]
    assert rows[0]["district"] == "230602" and rows[0]["status"] == "submitted"
    assert api_client_for(api_a).get(f"{URL}{theirs.pk}/").status_code == 404


def test_a_city_token_sees_every_district(api_city, tom, district_b):
    submit(tom)
    submit(tom, district=district_b)
    assert api_client_for(api_city).get(URL).json()["count"] == 2


def test_replying_through_the_api(api_a, tom, django_capture_on_commit_callbacks):
    from notifications.models import SiteMessage

    item = submit(tom)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(api_a).post(reply_url(item), {"reply": "已派人维修。"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reply"]) == ("replied", "已派人维修。")
    item.refresh_from_db()
    assert item.replied_by_client == api_a and item.replied_by is None
    change = FeedbackStatusChange.objects.filter(feedback=item).last()
    assert (change.api_client, change.actor, change.actor_level) == (api_a, None, Level.DISTRICT)
    assert SiteMessage.objects.filter(recipient=tom, title="建议已答复").exists()


def test_another_districts_item_cannot_be_answered(api_a, tom, district_b):
    theirs = submit(tom, district=district_b)
    response = api_client_for(api_a).post(reply_url(theirs), {"reply": "越权"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到。", "fields": {}}
    assert Feedback.objects.get(pk=theirs.pk).status == Status.SUBMITTED


def test_a_second_reply_is_a_conflict(api_a, tom, dave):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=dave, text="已答复")
    response = api_client_for(api_a).post(reply_url(item), {"reply": "再答"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_replied" and "不能重复答复" in response.json()["message"]


@pytest.mark.parametrize("body", [{}, {"reply": ""}, {"reply": "答" * 2001}, {"reply": ["a"]}])
def test_a_bad_reply_is_400_in_the_one_error_shape(api_a, tom, body):
    item = submit(tom)
    response = api_client_for(api_a).post(reply_url(item), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"} and "reply" in response.json()["fields"]


def test_a_read_only_token_cannot_reply(api_a_readonly, tom):
    item = submit(tom)
    assert api_client_for(api_a_readonly).post(reply_url(item), {"reply": "x"}, format="json").status_code == 403


def test_anonymous_without_a_token(tom):
    item = submit(tom)
    assert api_client_for(None).post(reply_url(item), {"reply": "x"}, format="json").status_code == 401


def test_a_district_token_sees_anonymous_where_the_city_token_sees_who(api_a, api_city, tom):
    item = submit(tom, kind=Kind.COMPLAINT, category=Category.STAFF_CONDUCT, anonymous=True)
    assert api_client_for(api_a).get(f"{URL}{item.pk}/").json()["submitter"] == "匿名"
    assert api_client_for(api_city).get(f"{URL}{item.pk}/").json()["submitter"] == tom.real_name


def test_html_is_returned_as_data_not_markup(api_a, tom):
    item = submit(tom, text="<b>x</b>")
    response = api_client_for(api_a).get(f"{URL}{item.pk}/")
    assert response["Content-Type"].startswith("application/json") and response.json()["text"] == "<b>x</b>"


def test_filters_by_status_and_overdue(api_a, tom, mary):
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        old = submit(tom)
    with time_machine.travel(at(2026, 11, 20, 9, 0), tick=False):
        new = submit(mary)
        api = api_client_for(api_a)
        assert [r["number"] for r in api.get(URL, {"overdue": "true"}).json()["results"]] == [old.number]
        assert [r["number"] for r in api.get(URL, {"overdue": "false"}).json()["results"]] == [new.number]
        assert api.get(URL, {"status": "replied"}).json()["count"] == 0
        assert api.get(URL, {"status": "nonsense"}).status_code == 400
        row = api.get(f"{URL}{old.pk}/").json()
        assert row["overdue"] is True and row["reply_due"] == "2026-11-09"


def test_the_row_history_names_the_token(api_a, tom):
    item = submit(tom)
    api_client_for(api_a).post(reply_url(item), {"reply": "已处理"}, format="json")
    last = item.history.first()
    assert last.history_user is None and last.history_change_reason == "接口：萨尔图区住建局系统"


def test_filter_by_district_code(api_city, tom, district_b):
    submit(tom)
    theirs = submit(tom, district=district_b)
    api = api_client_for(api_city)
    assert [r["number"] for r in api.get(URL, {"district": "230603"}).json()["results"]] == [theirs.number]
    assert api.get(URL, {"district": "999999"}).json()["count"] == 0
    assert api.get(URL, {"district": "\x00"}).status_code == 400  # a NUL is refused before anything reads it
