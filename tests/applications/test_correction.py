"""The clerk's steps (受理, 补正) and the applicant's correction: one itemised list, once; only those
items can be changed; the clock pauses until resubmission."""

from datetime import date

import pytest
from django.urls import reverse

from applications import selectors, services
from applications.apply import services as apply_services
from applications.models import Application, CorrectionRequest, Status
from gongzufang.errors import PortalError, TransitionNotAllowed
from notifications.models import SiteMessage, SmsOutbox
from notifications.subjects import dedup_key
from tests import factories
from tests.applications import builders
from tests.helpers import at

pytestmark = pytest.mark.django_db



@pytest.fixture
def app(db):
    return builders.submitted()  # in carol's street (the first street of 230602)


def test_the_streets_clerk_accepts(app, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application=app, actor=carol, opinion="材料齐全")
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED and app.accepted_at and app.step_started_on
    change = app.status_changes.last()
    assert (change.actor, change.actor_level, change.opinion) == (carol, "street", "材料齐全")
    assert SiteMessage.objects.filter(dedup_key=dedup_key(change), title="申请已受理").exists()
    assert SmsOutbox.objects.filter(purpose="status:accepted", phone=app.applicant.phone).exists()


def test_a_clerk_of_another_street_cannot_find_it(app):
    other = factories.ClerkFactory(street=factories.district("230602").streets.order_by("code")[1])
    with pytest.raises(PortalError, match="未找到"):
        services.application_accept(application=app, actor=other)


def test_a_district_caseworker_does_not_accept(app, dave):
    with pytest.raises(PortalError, match="受理员"):
        services.application_accept(application=app, actor=dave)


def test_accepting_twice_is_refused_with_a_message(app, carol):
    services.application_accept(application=app, actor=carol)
    with pytest.raises(TransitionNotAllowed, match="已受理"):
        services.application_accept(application=app, actor=carol)
    assert app.status_changes.count() == 2


def test_return_for_correction_with_an_itemised_list(app, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return_for_correction(
            application=app, actor=carol, items=[("housing", "面积与租赁合同不符"), ("material.income", "缺少 2026 年收入证明")])
    app.refresh_from_db()
    assert app.status == Status.RETURNED_FOR_CORRECTION and app.returned_from == "submitted"
    assert app.correction.sections() == {"housing", "material.income"}
    message = SiteMessage.objects.get(dedup_key=dedup_key(app.status_changes.last()))
    assert "面积与租赁合同不符" in message.body and "缺少 2026 年收入证明" in message.body


@pytest.mark.parametrize("items, message", [
    ([], "至少列出一项"),
    ([("housing", "")], "具体要求"),
    ([("housing", "a"), ("housing", "b")], "重复"),
])
def test_a_bad_correction_list_is_refused(app, carol, items, message):
    with pytest.raises(PortalError, match=message):
        services.application_return_for_correction(application=app, actor=carol, items=items)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_an_application_is_returned_once_only(app, carol):
    services.application_return_for_correction(application=app, actor=carol, items=[("housing", "面积有误")])
    services.application_resubmit(application=app, actor=app.applicant)
    with pytest.raises(TransitionNotAllowed, match="一次"):
        services.application_return_for_correction(application=app, actor=carol, items=[("assets", "再改")])
    assert CorrectionRequest.objects.count() == 1


def test_the_applicant_changes_only_the_listed_items(client, app, carol):
    services.application_return_for_correction(application=app, actor=carol,
                                               items=[("housing", "面积有误"), ("material.income", "不清晰")])
    user = app.applicant
    apply_services.application_set_housing(application=app, actor=user, housing_type="private_rent", housing_area=20)
    with pytest.raises(PortalError, match="不在补正清单"):
        apply_services.application_set_assets(application=app, actor=user, vehicle_count=1, vehicle_value=1000,
                                        business_count=0, business_capital=0, property_sold_recently=False)
    with pytest.raises(PortalError, match="不在补正清单"):
        apply_services.material_upload(application=app, actor=user, kind="current_housing", upload=builders.upload())
    old = app.materials.current().get(kind="income")
    apply_services.material_upload(application=app, actor=user, kind="income", upload=builders.upload("clear.png"),
                             replaces=old)
    # The pages agree: an item not listed redirects with a message, a listed one opens.
    client.force_login(user)
    assert client.get(reverse("applications:step_assets", args=[app.pk])).status_code == 302
    assert client.get(reverse("applications:step_housing", args=[app.pk])).status_code == 200
    body = client.get(reverse("applications:materials", args=[app.pk])).content.decode()
    assert 'name="income-file"' in body and 'name="current_housing-file"' not in body


def test_resubmission_goes_back_to_where_it_was_returned_from(client, app, carol, django_capture_on_commit_callbacks):
    services.application_accept(application=app, actor=carol)
    services.application_return_for_correction(application=app, actor=carol, items=[("housing", "面积有误")])
    client.force_login(app.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", args=[app.pk]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED and app.returned_from == ""
    assert app.correction.resolved_at is not None
    assert SiteMessage.objects.filter(body__contains="已补正并重新提交").exists()
    # A second click changes nothing.
    client.post(reverse("applications:submit", args=[app.pk]))
    assert app.status_changes.count() == 4


def test_resubmission_needs_the_required_items_present(app, carol):
    services.application_return_for_correction(application=app, actor=carol, items=[("material.income", "重新上传")])
    income = app.materials.current().get(kind="income")
    apply_services.material_remove(application=app, actor=app.applicant, material=income)
    with pytest.raises(PortalError, match="请上传收入证明"):
        services.application_resubmit(application=app, actor=app.applicant)


def test_the_clock_pauses_during_correction():
    with at(date(2025, 3, 3)):  # a Monday
        app = builders.submitted()
        clerk = factories.ClerkFactory(street=app.street)
        services.application_accept(application=app, actor=clerk)
    app = Application.objects.get(pk=app.pk)
    assert selectors.progress(app).step_deadline.date == date(2025, 3, 6)  # 3 working days
    assert selectors.progress(app).overall_deadline.date == date(2025, 3, 24)  # 15 working days
    with at(date(2025, 3, 4)):
        services.application_return_for_correction(application=app, actor=clerk, items=[("housing", "面积有误")])
    app = Application.objects.get(pk=app.pk)
    paused = selectors.progress(app)
    assert paused.paused and paused.step_deadline is None
    with at(date(2025, 3, 10)):  # 4 working days later (Wed, Thu, Fri, Mon)
        services.application_resubmit(application=app, actor=app.applicant)
    app = Application.objects.get(pk=app.pk)
    assert (app.step_paused_workdays, app.total_paused_workdays) == (4, 4)
    resumed = selectors.progress(app)
    assert resumed.step_deadline.date == date(2025, 3, 12)
    assert resumed.overall_deadline.date == date(2025, 3, 28)
    assert not resumed.step_deadline.provisional  # 2025 has an official calendar


def test_a_deadline_in_a_year_without_an_official_calendar_is_provisional():
    with at(date(2031, 3, 3)):
        app = builders.submitted()
        services.application_accept(application=app, actor=factories.ClerkFactory(street=app.street))
        progress = selectors.progress(Application.objects.get(pk=app.pk))
    assert progress.step_deadline.provisional and progress.overall_deadline.provisional
