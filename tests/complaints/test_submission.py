"""Submitting an item: numbering, routing to the responsible district, anonymity, photos, bad input and
double submission."""

import uuid

import pytest
import time_machine
from django.db import IntegrityError

from complaints import services
from complaints.models import Category, Channel, Feedback, FeedbackStatusChange, Kind, Status
from gongzufang.errors import PortalError
from gongzufang.models.users import Level
from tests import factories
from tests.applications.builders import submitted
from tests.complaints.conftest import at, fake_photo, oversized_photo, photo, submit
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db


@time_machine.travel(at(2026, 11, 26, 9, 30), tick=False)
def test_items_are_numbered_by_day_in_sequence(tom, mary):
    first, second = submit(tom), submit(mary)
    assert (first.number, second.number) == ("FK202611260001", "FK202611260002")
    with time_machine.travel(at(2026, 11, 27, 8, 0), tick=False):
        assert submit(tom).number == "FK202611270001"


def test_the_first_status_change_is_recorded(tom):
    item = submit(tom)
    change = FeedbackStatusChange.objects.get(feedback=item)
    assert (change.from_status, change.to_status, change.actor, change.actor_level) == (
        "", Status.SUBMITTED, tom, Level.APPLICANT)
    assert item.status == Status.SUBMITTED and item.channel == Channel.ONLINE


# --- routing -------------------------------------------------------------------------------------


def test_an_item_about_a_unit_goes_to_the_units_district(tom, district_a, district_b):
    unit = housing.unit(housing.building(housing.estate("230603")))
    item = submit(tom, kind=Kind.REPAIR, category=Category.MAINTENANCE, unit=unit, district=district_a)
    assert item.district == district_b
    assert item.estate == unit.estate  # the estate follows from the unit


def test_an_item_about_an_estate_goes_to_the_estates_district(tom, district_a, district_b):
    estate = housing.estate("230603")
    assert submit(tom, estate=estate, district=district_a).district == district_b


def test_an_item_about_an_application_goes_to_the_applications_district(district_b):
    app = submitted(street=factories.first_street("230603"))
    item = submit(app.applicant, category=Category.APPLICATION, application=app)
    assert item.district == district_b and item.application == app


def test_otherwise_the_district_the_person_chose_answers(tom, district_b):
    assert submit(tom, district=district_b).district == district_b


def test_without_anything_to_route_by_the_district_is_asked_for(tom):
    with pytest.raises(PortalError) as exc:
        services.feedback_submit(submitter=tom, kind=Kind.SUGGESTION, category=Category.OTHER, text="建议")
    assert "请选择承办区县" in exc.value.message and "district" in exc.value.fields


def test_a_unit_outside_the_chosen_estate_is_refused(tom):
    unit = housing.unit(housing.building(housing.estate("230603")))
    with pytest.raises(PortalError, match="不在所选小区内"):
        submit(tom, unit=unit, estate=housing.estate("230602"))


def test_someone_elses_application_cannot_be_named(tom):
    app = submitted()
    with pytest.raises(PortalError, match="只能选择您本人的申请"):
        submit(tom, application=app)


# --- anonymity -----------------------------------------------------------------------------------


def test_a_complaint_about_staff_may_be_anonymous_to_the_district(tom, dave, chen):
    item = submit(tom, kind=Kind.COMPLAINT, category=Category.STAFF_CONDUCT, text="窗口人员态度恶劣", anonymous=True)
    assert item.anonymous_to_staff
    assert item.submitter_label(dave) == "匿名"
    assert item.submitter_label(chen) == "赵小明"
    assert item.history.first().history_user is None  # the history page does not name them either


@pytest.mark.parametrize(("kind", "category"), [
    (Kind.SUGGESTION, Category.STAFF_CONDUCT), (Kind.COMPLAINT, Category.PROPERTY_SERVICE)])
def test_only_complaints_about_staff_can_be_anonymous(tom, kind, category):
    with pytest.raises(PortalError, match="只有对工作人员的投诉"):
        submit(tom, kind=kind, category=category, anonymous=True)


def test_the_database_refuses_anonymity_for_other_items_too(tom):
    item = submit(tom)
    with pytest.raises(IntegrityError):
        Feedback.objects.filter(pk=item.pk).update(anonymous_to_staff=True)


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "message"), [
    ("text", "   ", "请填写反馈内容"),
    ("text", "长" * 2001, "不能超过 2000 个字"),
    ("kind", "praise", "请选择反馈类型"),
    ("category", "", "请选择类别"),
])
def test_bad_fields_are_refused_with_a_message(tom, district_a, field, value, message):
    values = {"kind": Kind.SUGGESTION, "category": Category.OTHER, "text": "建议", field: value}
    with pytest.raises(PortalError, match=message):
        services.feedback_submit(submitter=tom, district=district_a, **values)
    assert not Feedback.objects.exists()


def test_html_is_stored_as_typed_and_escaped_when_shown(tom):
    item = submit(tom, text="<script>alert('x')</script>")
    assert item.text == "<script>alert('x')</script>"  # escaping is the templates' job; see test_pages


def test_staff_cannot_submit_as_applicants(dave, district_a):
    with pytest.raises(PortalError, match="业务管理后台"):
        submit(dave, district=district_a)


# --- photos --------------------------------------------------------------------------------------


def test_photos_are_stored_privately_without_their_metadata(tom):
    from tests.complaints.conftest import jpeg_bytes

    item = submit(tom, photos=[photo(content=jpeg_bytes(exif=True)), photo("two.jpg")])
    stored = list(item.photos.all())
    assert len(stored) == 2
    data = stored[0].file.read()
    assert b"SecretCam" not in data and stored[0].content_type == "image/jpeg"
    assert "/private/feedback/" in stored[0].file.path
    with pytest.raises(ValueError):
        _ = stored[0].file.url  # no public URL exists


@pytest.mark.parametrize(("upload", "message"), [
    (fake_photo, "不是有效的图片"),
    (oversized_photo, "文件过大"),
])
def test_fake_or_oversized_photos_are_refused_and_nothing_is_saved(tom, upload, message):
    with pytest.raises(PortalError, match=message) as exc:
        submit(tom, photos=[photo(), upload()])
    assert "photos" in exc.value.fields
    assert not Feedback.objects.exists()


def test_more_than_three_photos_are_refused(tom):
    with pytest.raises(PortalError, match="最多上传 3 张"):
        submit(tom, photos=[photo(f"{i}.jpg") for i in range(4)])


# --- double submission ---------------------------------------------------------------------------


def test_the_same_form_sent_twice_makes_one_item(tom, district_a):
    token = uuid.uuid4()
    first, created = services.feedback_submit(submitter=tom, kind=Kind.SUGGESTION, category=Category.OTHER,
                                              text="建议", district=district_a, token=token)
    again, created_again = services.feedback_submit(submitter=tom, kind=Kind.SUGGESTION, category=Category.OTHER,
                                                    text="建议", district=district_a, token=str(token))
    assert created and not created_again and again.pk == first.pk
    assert Feedback.objects.count() == 1 and FeedbackStatusChange.objects.count() == 1


def test_the_database_keeps_one_item_per_form_token(tom, district_a):
    token = uuid.uuid4()
    item = submit(tom, token=token)
    clone = Feedback(number="FK209901010001", kind=item.kind, category=item.category, text="x", submitter=tom,
                     district=district_a, reply_due=item.reply_due, submission_token=token)
    with pytest.raises(IntegrityError):
        clone.save()


def test_another_persons_token_is_theirs_alone(tom, mary, district_a):
    token = uuid.uuid4()
    assert submit(tom, token=token).pk != submit(mary, token=token).pk


# --- recorded by staff ---------------------------------------------------------------------------


def test_a_hotline_item_is_recorded_with_its_work_order_number(dave, district_a):
    item = services.feedback_record(recorded_by=dave, channel=Channel.HOTLINE, kind=Kind.COMPLAINT,
                                    category=Category.PROPERTY_SERVICE, text="路灯坏了", district=district_a,
                                    hotline_reference="12345-0001", contact_name="李先生", contact_phone="13900000000")
    assert (item.channel, item.hotline_reference, item.recorded_by, item.submitter) == (
        Channel.HOTLINE, "12345-0001", dave, None)
    assert item.status_changes.get().opinion == "12345 热线受理（工单号 12345-0001）"


def test_a_hotline_item_needs_its_work_order_number(dave, district_a):
    with pytest.raises(PortalError, match="请填写12345 工单号"):
        services.feedback_record(recorded_by=dave, channel=Channel.HOTLINE, kind=Kind.COMPLAINT,
                                 category=Category.OTHER, text="x", district=district_a, contact_name="李先生")


def test_a_district_caseworker_records_only_for_their_district(dave, district_b):
    with pytest.raises(PortalError, match="其他区县"):
        services.feedback_record(recorded_by=dave, channel=Channel.WINDOW, kind=Kind.CONSULTATION,
                                 category=Category.POLICY, text="x", district=district_b, contact_name="李先生")


def test_staff_enter_the_hotline_reference_later(dave, district_a):
    item = services.feedback_record(recorded_by=dave, channel=Channel.HOTLINE, kind=Kind.COMPLAINT,
                                    category=Category.OTHER, text="x", district=district_a,
                                    hotline_reference="A-1", contact_name="李先生")
    assert services.feedback_set_hotline_reference(feedback=item, actor=dave, reference=" A-2 ").hotline_reference == "A-2"


def test_only_hotline_items_have_a_hotline_reference(tom, dave):
    item = submit(tom)
    with pytest.raises(PortalError, match="只有 12345 热线"):
        services.feedback_set_hotline_reference(feedback=item, actor=dave, reference="A-1")
