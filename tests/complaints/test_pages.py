"""The person's pages: submit (with photos; bad input keeps the rest of the form), follow the item,
read the reply, rate it; another person's item answers 404; HTML is shown as text."""

import re
import uuid

import pytest
from django.urls import reverse

from complaints import services
from complaints.models import Category, Feedback, Kind, ServiceRating, Status
from tests.applications import review_builders
from tests.applications.builders import submitted
from tests.complaints.conftest import fake_photo, oversized_photo, photo, submit
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('x')</script>"


def form(**overrides):
    data = {"token": str(uuid.uuid4()), "kind": "complaint", "category": "property_service",
            "text": "物业长期不打扫楼道。", "district": "", "estate": "", "unit_number": ""}
    data.update(overrides)
    return data


def district_id(code="230602"):
    from gongzufang.models import District

    return District.objects.get(code=code).pk


def test_the_home_page_links_the_feedback_service(client):
    html = client.get(reverse("home")).content.decode()
    assert reverse("complaints:home") in html


def test_a_visitor_is_asked_to_log_in(client):
    assert "登录后提交" in client.get(reverse("complaints:home")).content.decode()
    response = client.get(reverse("complaints:new"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_submitting_with_photos(client, tom):
    client.force_login(tom)
    page = client.get(reverse("complaints:new"))
    token = page.context["form"]["token"].value()
    response = client.post(reverse("complaints:new"), form(token=token, district=district_id(),
                                                           photos=[photo("a.jpg"), photo("b.jpg")]))
    item = Feedback.objects.get()
    assert response.status_code == 302 and response.url == reverse("complaints:detail", args=[item.pk])
    assert item.photos.count() == 2 and item.submitter == tom
    page = client.get(response.url).content.decode()
    assert item.number in page and "待答复" in page and "答复期限" in page
    for photo_row in item.photos.all():
        served = client.get(reverse("complaints:photo", args=[photo_row.pk]))
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert served["Cache-Control"] == "private, no-store"


def test_a_unit_is_found_by_its_number_in_the_estate(client, tom, district_b):
    unit = housing.unit(housing.building(housing.estate("230603")), number="2单元301")
    client.force_login(tom)
    client.post(reverse("complaints:new"), form(kind="repair", category="maintenance", estate=unit.estate_id,
                                                 unit_number="2单元301"))
    item = Feedback.objects.get()
    assert (item.unit, item.district) == (unit, district_b)


def test_an_unknown_unit_number_is_refused_next_to_the_field(client, tom):
    estate = housing.estate("230603")
    client.force_login(tom)
    response = client.post(reverse("complaints:new"), form(estate=estate.pk, unit_number="9单元999"))
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert "没有房号为“9单元999”的房屋" in response.content.decode()


def test_a_link_from_a_unit_names_it(client, tom):
    unit = housing.unit(housing.building(housing.estate("230603")), number="1单元101")
    client.force_login(tom)
    page = client.get(reverse("complaints:new"), {"unit": unit.pk, "kind": "repair"})
    assert page.context["form"]["estate"].value() == unit.estate_id
    # With its building, so that the number is not ambiguous in an estate of several buildings.
    assert page.context["form"]["unit_number"].value() == f"{unit.building.name}1单元101"


@pytest.mark.parametrize(("upload", "message"), [(fake_photo, "不是有效的图片"), (oversized_photo, "文件过大")])
def test_a_bad_photo_is_refused_with_a_message_and_the_rest_of_the_form_kept(client, tom, upload, message):
    client.force_login(tom)
    data = form(text="楼道灯坏了三个月", district=district_id("230603"), photos=[upload()])
    response = client.post(reverse("complaints:new"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert message in html and 'class="error-summary"' in html
    assert "楼道灯坏了三个月</textarea>" in html
    assert re.search(r'<option value="%d" selected>' % district_id("230603"), html)
    assert response.context["form"]["token"].value() == data["token"]  # the corrected form is the same form


def test_four_photos_are_refused(client, tom):
    client.force_login(tom)
    response = client.post(reverse("complaints:new"), form(district=district_id(),
                                                           photos=[photo(f"{i}.jpg") for i in range(4)]))
    assert "最多上传 3 张照片" in response.content.decode() and not Feedback.objects.exists()


def test_html_and_script_are_shown_as_text(client, tom):
    client.force_login(tom)
    client.post(reverse("complaints:new"), form(text=SCRIPT, district=district_id()))
    item = Feedback.objects.get()
    assert item.text == SCRIPT
    for url in (reverse("complaints:detail", args=[item.pk]), reverse("complaints:home")):
        html = client.get(url).content.decode()
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_a_script_in_a_reply_is_shown_as_text(client, tom, dave):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=dave, text=SCRIPT)
    client.force_login(tom)
    html = client.get(reverse("complaints:detail", args=[item.pk])).content.decode()
    assert SCRIPT not in html and "&lt;script&gt;" in html


def test_the_same_form_sent_twice_makes_one_item(client, tom):
    client.force_login(tom)
    data = form(district=district_id())
    first = client.post(reverse("complaints:new"), data)
    second = client.post(reverse("complaints:new"), data)  # a double click, or the browser's "resend"
    assert Feedback.objects.count() == 1
    assert first.url == second.url


def test_a_form_without_its_token_is_refused(client, tom):
    client.force_login(tom)
    data = form(district=district_id())
    del data["token"]
    response = client.post(reverse("complaints:new"), data)
    assert response.status_code == 200 and not Feedback.objects.exists()


def test_someone_elses_item_answers_404(client, tom, mary, dave):
    item = submit(tom, photos=[photo()])
    services.feedback_reply(feedback=item, actor=dave, text="已处理")
    client.force_login(mary)
    for name in ("complaints:detail",):
        assert client.get(reverse(name, args=[item.pk])).status_code == 404
    for name in ("complaints:rate", "complaints:close"):
        assert client.post(reverse(name, args=[item.pk]), {"score": "5"}).status_code == 404
    assert client.get(reverse("complaints:photo", args=[item.photos.get().pk])).status_code == 404
    assert client.get(reverse("complaints:detail", args=[999999])).status_code == 404
    assert not ServiceRating.objects.exists()
    assert Feedback.objects.get(pk=item.pk).status == Status.REPLIED


def test_photos_are_for_the_submitter_and_caseworkers_in_scope(client, tom, dave, bob, carol, chen):
    item = submit(tom, photos=[photo()])
    url = reverse("complaints:photo", args=[item.photos.get().pk])
    expected = {dave: 200, chen: 200, bob: 404, carol: 404}
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    client.logout()
    assert client.get(url).status_code in (302, 404)


def test_the_person_reads_the_reply_and_rates_it(client, tom, dave):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=dave, text="已安排保洁每日清扫。")
    client.force_login(tom)
    html = client.get(reverse("complaints:detail", args=[item.pk])).content.decode()
    assert "已安排保洁每日清扫。" in html and "已答复" in html and "评价本次服务" in html
    response = client.post(reverse("complaints:rate", args=[item.pk]), {"score": "4", "comment": "满意"})
    assert response.status_code == 302
    rating = ServiceRating.objects.get()
    assert (rating.score, rating.comment, rating.rater) == (4, "满意", tom)
    html = client.get(reverse("complaints:detail", args=[item.pk])).content.decode()
    assert "4 分：满意" in html and "评价本次服务" not in html


@pytest.mark.parametrize("score", ["0", "6", "abc", ""])
def test_a_rating_out_of_range_is_refused_on_the_page(client, tom, dave, score):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=dave, text="已处理")
    client.force_login(tom)
    response = client.post(reverse("complaints:rate", args=[item.pk]), {"score": score, "comment": "好"})
    assert response.status_code == 400 and not ServiceRating.objects.exists()
    html = response.content.decode()
    assert ("1 到 5 之间的整数" in html) or ("请选择评分" in html)
    assert "好</textarea>" in html


def test_a_second_rating_is_refused(client, tom, dave):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=dave, text="已处理")
    client.force_login(tom)
    client.post(reverse("complaints:rate", args=[item.pk]), {"score": "4"})
    response = client.post(reverse("complaints:rate", args=[item.pk]), {"score": "1"}, follow=True)
    assert "只能评价一次" in response.content.decode()
    assert ServiceRating.objects.get().score == 4


def test_the_person_closes_after_the_reply(client, tom, dave):
    item = submit(tom)
    services.feedback_reply(feedback=item, actor=dave, text="已处理")
    client.force_login(tom)
    client.post(reverse("complaints:close", args=[item.pk]))
    assert Feedback.objects.get(pk=item.pk).status == Status.CLOSED


def test_an_anonymous_complaint_closed_on_the_page_does_not_name_its_submitter(client, tom, dave):
    item = submit(tom, kind=Kind.COMPLAINT, category=Category.STAFF_CONDUCT, anonymous=True)
    services.feedback_reply(feedback=item, actor=dave, text="已处理")
    client.force_login(tom)
    client.post(reverse("complaints:close", args=[item.pk]))
    assert Feedback.objects.get(pk=item.pk).status == Status.CLOSED
    assert tom.pk not in set(Feedback.history.filter(id=item.pk).values_list("history_user_id", flat=True))


def test_a_decision_is_rated_from_the_feedback_page():
    app = review_builders.approved(submitted())
    from django.test import Client

    client = Client()
    client.force_login(app.applicant)
    home = client.get(reverse("complaints:home")).content.decode()
    url = reverse("complaints:rate_service", args=["decision", app.pk])
    assert url in home
    assert client.post(url, {"score": "5", "comment": "办理很快"}).status_code == 302
    assert ServiceRating.objects.get().service == "decision"
    assert url not in client.get(reverse("complaints:home")).content.decode()


def test_someone_elses_decision_cannot_be_rated_by_url(client, tom):
    app = review_builders.approved(submitted())
    client.force_login(tom)
    assert client.get(reverse("complaints:rate_service", args=["decision", app.pk])).status_code == 404
    assert client.get(reverse("complaints:rate_service", args=["nonsense", app.pk])).status_code == 404


def test_the_list_shows_status_and_due_date(client, tom):
    submit(tom)
    client.force_login(tom)
    html = client.get(reverse("complaints:home")).content.decode()
    assert "待答复" in html and 'class="deadline' in html


def test_pages_fit_a_phone_without_a_wide_table(client, tom):
    client.force_login(tom)
    html = client.get(reverse("complaints:new")).content.decode()
    assert 'name="viewport"' in html and "<table" not in html
    assert str(Kind.REPAIR.label) in html


def test_an_anonymous_complaint_sent_from_the_page_is_not_named_in_the_history(client, tom):
    client.force_login(tom)
    client.post(reverse("complaints:new"), form(kind="complaint", category="staff_conduct", anonymous="on",
                                                text="窗口人员推诿", district=district_id()))
    item = Feedback.objects.get()
    assert item.anonymous_to_staff
    assert list(Feedback.history.filter(id=item.pk).values_list("history_user_id", flat=True)) == [None]


def test_anonymity_for_anything_but_a_complaint_about_staff_is_refused_on_the_page(client, tom):
    client.force_login(tom)
    response = client.post(reverse("complaints:new"), form(kind="suggestion", category="other", anonymous="on",
                                                           district=district_id()))
    assert "只有对工作人员的投诉" in response.content.decode() and not Feedback.objects.exists()
