"""The caseworkers' admin for applications: scoped, drafts hidden, ID numbers masked, status read-only,
accept and return as buttons calling the services with friendly messages."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Status
from tests import factories
from tests.applications import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(db):
    return builders.submitted(builders.applicant("王丽", "230602198503150022"))


def test_the_list_masks_id_numbers_and_hides_drafts(client, carol, app):
    draft = builders.draft()
    client.force_login(carol)
    response = client.get(reverse("admin:applications_application_changelist"))
    body = response.content.decode()
    assert app.number in body and draft.number not in body
    assert "2306**********0022" in body and "230602198503150022" not in body
    assert client.get(reverse("admin:applications_application_change", args=[draft.pk])).status_code == 404


def test_the_change_page_shows_members_masked_and_no_editable_status(client, carol, app):
    client.force_login(carol)
    response = client.get(reverse("admin:applications_application_change", args=[app.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="status"' not in body and "230602198503150022" not in body
    assert "受理（材料齐全）" in body and "退回补正" in body
    assert reverse("applications:material_file", args=[app.materials.first().pk]) in body


def test_accept_button(client, carol, app):
    client.force_login(carol)
    response = client.post(reverse("admin:applications_application_accept", args=[app.pk]),
                           {"opinion": "齐全"}, follow=True)
    assert "已受理" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED


def test_a_refused_accept_shows_the_services_message(client, carol, app):
    services.application_accept(application=app, actor=carol)
    client.force_login(carol)
    response = client.post(reverse("admin:applications_application_accept", args=[app.pk]), follow=True)
    assert "不能受理" in response.content.decode()


def test_a_district_caseworker_has_no_accept_button_and_is_refused(client, dave, app):
    client.force_login(dave)
    body = client.get(reverse("admin:applications_application_change", args=[app.pk])).content.decode()
    assert "受理（材料齐全）" not in body
    response = client.post(reverse("admin:applications_application_accept", args=[app.pk]))
    assert response.status_code == 403
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_another_districts_application_is_404_for_every_button(client, bob, app):
    client.force_login(bob)
    for name in ("change", "accept", "return"):
        assert client.get(reverse(f"admin:applications_application_{name}", args=[app.pk])).status_code == 404


def test_the_return_form_builds_an_itemised_list(client, carol, app):
    client.force_login(carol)
    change = reverse("admin:applications_application_change", args=[app.pk])
    assert "退回补正（一次性告知）" in client.get(change).content.decode()  # the clerk's step, offered
    url = reverse("admin:applications_application_return", args=[app.pk])
    body = client.get(url).content.decode()
    assert "收入证明" in body and "现住房情况" in body
    response = client.post(url, {"pick_housing": "on", "text_housing": ""})
    assert "请写明该项需要补正的具体要求" in response.content.decode()
    response = client.post(url, {})
    assert "请至少勾选一项" in response.content.decode()
    response = client.post(url, {"pick_housing": "on", "text_housing": "面积有误",
                                 "pick_material__income": "on", "text_material__income": "不清晰"}, follow=True)
    assert "已退回补正" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.RETURNED_FOR_CORRECTION
    assert app.correction.sections() == {"housing", "material.income"}
    # Once only: no second button, and a forced second post is refused with a message.
    body = client.get(reverse("admin:applications_application_change", args=[app.pk])).content.decode()
    assert "退回补正（一次性告知）" not in body


def test_the_application_admin_cannot_add_or_delete(client, chen, app):
    client.force_login(chen)
    assert client.get(reverse("admin:applications_application_add")).status_code == 403
    assert client.post(reverse("admin:applications_application_delete", args=[app.pk])).status_code == 403


def test_a_second_street_clerk_sees_only_their_street(client, app):
    other = factories.ClerkFactory(street=factories.district("230602").streets.order_by("code")[1])
    client.force_login(other)
    body = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert app.number not in body
