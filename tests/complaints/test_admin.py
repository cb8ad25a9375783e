"""The caseworkers' admin: the queue, filters, search, reply and close buttons calling the services with
a friendly message on refusal, hotline items, Excel export, history, statistics; scoped by district;
HTML shown as text; an anonymous complaint's submitter hidden below the city level."""

import io
from datetime import date

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Category, Channel, Feedback, Kind, RatedService, Status
from tests.complaints.conftest import at, submit

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def changelist(client, **params):
    return client.get(reverse("admin:complaints_feedback_changelist"), params)


def change_url(item):
    return reverse("admin:complaints_feedback_change", args=[item.pk])


def shown(response):
    return [obj.number for obj in response.context["cl"].result_list]


@pytest.fixture
def anonymous_complaint(tom):
    return submit(tom, kind=Kind.COMPLAINT, category=Category.STAFF_CONDUCT, text="窗口人员推诿", anonymous=True)


def test_the_queue_puts_escalated_then_overdue_then_waiting_then_answered_first(client, dave, tom, mary):
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        escalated = submit(tom, text="最早")
    with time_machine.travel(at(2026, 11, 3, 9, 0), tick=False):
        overdue = submit(mary, text="超期")
    with time_machine.travel(at(2026, 11, 10, 9, 0), tick=False):
        services.feedback_escalate(feedback_id=escalated.pk)
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False):
        answered = submit(tom, text="已答复")
        services.feedback_reply(feedback=answered, actor=dave, text="好")
        waiting = submit(mary, text="新的")
        client.force_login(dave)
        response = changelist(client)
        assert shown(response) == [escalated.number, overdue.number, waiting.number, answered.number]
        assert "已超期" in response.content.decode()
        assert shown(changelist(client, due="overdue")) == [escalated.number, overdue.number]
        assert shown(changelist(client, status="replied")) == [answered.number]


def test_a_district_caseworker_sees_only_their_district(client, dave, tom, district_b):
    ours, theirs = submit(tom), submit(tom, district=district_b)
    client.force_login(dave)
    assert shown(changelist(client)) == [ours.number]
    for name in ("change", "history"):
        assert client.get(reverse(f"admin:complaints_feedback_{name}", args=[theirs.pk])).status_code == 404
    for name in ("reply", "close", "hotline"):
        response = client.post(reverse(f"admin:complaints_feedback_{name}", args=[theirs.pk]), {"reply": "越权答复"})
        assert response.status_code == 404, name
    assert Feedback.objects.get(pk=theirs.pk).status == Status.SUBMITTED


def test_a_street_clerk_has_no_feedback_admin(client, carol, tom):
    submit(tom)
    client.force_login(carol)
    assert changelist(client).status_code == 403


def test_replying_in_the_admin_calls_the_service_and_tells_the_person(client, dave, tom,
                                                                     django_capture_on_commit_callbacks):
    from notifications.models import SmsOutbox

    item = submit(tom)
    client.force_login(dave)
    page = client.get(change_url(item)).content.decode()
    assert "答复并通知提交人" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:complaints_feedback_reply", args=[item.pk]), {"reply": "已安排维修。"},
                               follow=True)
    item.refresh_from_db()
    assert (item.status, item.reply, item.replied_by) == (Status.REPLIED, "已安排维修。", dave)
    assert "已答复，已通过短信和站内消息告知提交人" in response.content.decode()
    assert SmsOutbox.objects.filter(phone=tom.phone, purpose="feedback:replied").exists()


def test_a_second_reply_gets_a_friendly_message(client, dave, chen, tom):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=chen, text="市局已答复")
    client.force_login(dave)
    page = client.get(change_url(item)).content.decode()
    assert "答复并通知提交人" not in page  # no reply box once answered
    response = client.post(reverse("admin:complaints_feedback_reply", args=[item.pk]), {"reply": "再答复"}, follow=True)
    assert "该事项已答复（已答复），不能重复答复。" in response.content.decode()
    assert Feedback.objects.get(pk=item.pk).reply == "市局已答复"


def test_an_empty_reply_gets_a_message(client, dave, tom):
    item = submit(tom)
    client.force_login(dave)
    response = client.post(reverse("admin:complaints_feedback_reply", args=[item.pk]), {"reply": "  "}, follow=True)
    assert "请填写答复内容" in response.content.decode()
    assert Feedback.objects.get(pk=item.pk).status == Status.SUBMITTED


def test_closing_in_the_admin(client, dave, tom):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=dave, text="好")
    client.force_login(dave)
    client.post(reverse("admin:complaints_feedback_close", args=[item.pk]))
    assert Feedback.objects.get(pk=item.pk).status == Status.CLOSED


def test_html_is_shown_as_text_in_the_admin(client, dave, tom):
    item = submit(tom, text=SCRIPT)
    services.feedback_reply(feedback=item, actor=dave, text=SCRIPT)
    client.force_login(dave)
    for url in (reverse("admin:complaints_feedback_changelist"), change_url(item),
                reverse("admin:complaints_feedback_history", args=[item.pk])):
        html = client.get(url).content.decode()
        assert SCRIPT not in html, url
    assert ESCAPED in client.get(change_url(item)).content.decode()


def test_an_anonymous_complaint_hides_its_submitter_from_the_district(client, dave, tom, anonymous_complaint):
    services.feedback_reply(feedback=anonymous_complaint, actor=dave, text="已调查")
    services.service_rating_submit(rater=tom, service=RatedService.FEEDBACK_REPLY, subject=anonymous_complaint,
                                   score=2)
    client.force_login(dave)
    pages = [changelist(client), client.get(change_url(anonymous_complaint)),
             client.get(reverse("admin:complaints_feedback_history", args=[anonymous_complaint.pk])),
             client.get(reverse("admin:complaints_servicerating_changelist"))]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert tom.real_name not in html and tom.phone not in html and tom.username not in html
    assert "匿名" in pages[0].content.decode() and "匿名" in pages[1].content.decode()
    assert "匿名" in pages[3].content.decode()
    assert shown(changelist(client, q=tom.real_name)) == []  # not findable by name either


def test_the_city_level_sees_who_complained(client, chen, tom, anonymous_complaint):
    client.force_login(chen)
    html = client.get(change_url(anonymous_complaint)).content.decode()
    assert tom.real_name in html and tom.phone in html
    assert shown(changelist(client, q=tom.real_name)) == [anonymous_complaint.number]


def test_search_finds_by_number_and_text(client, dave, tom, mary):
    first, second = submit(tom, text="电梯经常故障"), submit(mary, text="绿化")
    client.force_login(dave)
    assert shown(changelist(client, q="电梯")) == [first.number]
    assert shown(changelist(client, q=second.number)) == [second.number]


def test_excel_export_has_chinese_headings_own_district_and_hides_anonymous(client, dave, tom, district_b,
                                                                          anonymous_complaint):
    ours = submit(tom, text="=HYPERLINK(\"http://evil\")")
    submit(tom, district=district_b, text="龙凤区的事")
    client.force_login(dave)
    from complaints.resources import FeedbackResource

    fields = {f"feedbackresource_{f}": "on" for f in FeedbackResource().get_export_order()}
    response = client.post(reverse("admin:complaints_feedback_export"), {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    headers = rows[0]
    assert headers[:4] == ("编号", "类型", "类别", "状态") and "提交人" in headers
    records = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    assert set(records) == {ours.number, anonymous_complaint.number}
    assert records[anonymous_complaint.number]["提交人"] == "匿名"
    assert records[ours.number]["内容"].startswith("'=")  # never run as a formula
    assert records[ours.number]["承办区县"] == "萨尔图区" and records[ours.number]["状态"] == "待答复"


def test_history_records_each_change(client, dave, tom):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=dave, text="好")
    client.force_login(dave)
    response = client.get(reverse("admin:complaints_feedback_history", args=[item.pk]))
    assert response.status_code == 200 and item.history.count() == 2


def test_recording_a_hotline_item(client, dave, district_a):
    client.force_login(dave)
    url = reverse("admin:complaints_feedback_record")
    data = {"channel": "hotline", "hotline_reference": "", "kind": "complaint", "category": "property_service",
            "text": "来电：楼道堆物", "district": district_a.pk, "contact_name": "李先生", "contact_phone": "13900000009"}
    response = client.post(url, data)
    assert "请填写12345 工单号" in response.content.decode() and not Feedback.objects.exists()
    response = client.post(url, {**data, "hotline_reference": "12345-777"})
    item = Feedback.objects.get()
    assert response.status_code == 302 and response.url == change_url(item)
    assert (item.channel, item.hotline_reference, item.contact_name, item.recorded_by) == (
        Channel.HOTLINE, "12345-777", "李先生", dave)


def test_a_district_caseworker_cannot_record_for_another_district(client, dave, district_b):
    client.force_login(dave)
    response = client.post(reverse("admin:complaints_feedback_record"), {
        "channel": "window", "kind": "consultation", "category": "policy", "text": "咨询", "district": district_b.pk,
        "contact_name": "王女士"})
    assert response.status_code == 200 and not Feedback.objects.exists()


def test_the_hotline_reference_is_entered_by_staff(client, dave, district_a):
    item = services.feedback_record(recorded_by=dave, channel=Channel.HOTLINE, kind=Kind.COMPLAINT,
                                    category=Category.OTHER, text="x", district=district_a,
                                    hotline_reference="A-1", contact_name="李先生")
    client.force_login(dave)
    assert "保存工单号" in client.get(change_url(item)).content.decode()
    client.post(reverse("admin:complaints_feedback_hotline", args=[item.pk]), {"hotline_reference": "A-2"})
    assert Feedback.objects.get(pk=item.pk).hotline_reference == "A-2"


def test_the_statistics_page(client, chen, dave, tom, district_b):
    submit(tom, kind=Kind.COMPLAINT, category=Category.OTHER)
    submit(tom, district=district_b)
    today = date.today().isoformat()
    client.force_login(chen)
    response = client.get(reverse("admin:complaints_feedback_statistics"), {"start": "2000-01-01", "end": "2100-01-01"})
    assert response.status_code == 200 and response.context["total"].total == 2
    assert len(response.context["rows"]) == 9
    client.force_login(dave)
    response = client.get(reverse("admin:complaints_feedback_statistics"), {"start": "2000-01-01", "end": "2100-01-01"})
    assert response.context["total"].total == 1 and [r.district.code for r in response.context["rows"]] == ["230602"]
    response = client.get(reverse("admin:complaints_feedback_statistics"), {"start": today, "end": "2000-01-01"})
    assert "起始日期不能晚于截止日期" in response.content.decode()


def test_the_statistics_page_shows_its_default_period_in_the_date_pickers(client, dave):
    """<input type=date> reads only ISO dates: in the Chinese format (2026/01/01) the fields would show empty."""
    import re

    client.force_login(dave)
    page = client.get(reverse("admin:complaints_feedback_statistics")).content.decode()
    today = timezone.localdate()
    assert re.search(rf'<input type="date" name="start" value="{today.year}-01-01"', page)
    assert re.search(rf'<input type="date" name="end" value="{today.isoformat()}"', page)


def test_the_admin_index_lists_feedback_under_its_section(client, dave):
    client.force_login(dave)
    sections = {s["name"]: [m["object_name"] for m in s["models"]] for s in client.get(reverse("admin:index")).context["app_list"]}
    assert set(sections["意见反馈"]) >= {"Feedback", "ServiceRating"}


def test_the_text_keeps_its_lines_and_is_escaped_once(client, dave, tom):
    item = submit(tom, text="第一行 <b>\n第二行")
    client.force_login(dave)
    html = client.get(change_url(item)).content.decode()
    assert "<p>第一行 &lt;b&gt;<br>第二行</p>" in html
    assert "&lt;p&gt;" not in html and "&amp;lt;" not in html
