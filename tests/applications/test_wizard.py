"""The application wizard: every step saved, resumable, categories from the guide, bad input
answered next to the field, nothing already saved lost."""

import pytest
from django.urls import reverse

from applications import services
from applications.apply import services as apply_services
from applications.models import Application, Status
from gongzufang.models import Community, Street
from gongzufang.selectors.guide import assistance_category_choices
from tests import factories
from tests.applications import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return builders.applicant("王丽", "230602198503150022")


@pytest.fixture
def app(user):
    return services.application_start(applicant=user)


def login(client, user):
    client.force_login(user)
    return client


def test_the_home_page_explains_and_offers_to_start(client, user):
    assert "注册" in client.get(reverse("applications:apply_home")).content.decode()
    body = login(client, user).get(reverse("applications:apply_home")).content.decode()
    assert "开始新的申请" in body


def test_an_unverified_account_is_sent_to_verify(client):
    user = factories.UserFactory(phone="13711112222", username="13711112222")
    login(client, user)
    response = client.post(reverse("applications:apply_start"))
    assert response.url == reverse("applications:verify")
    assert not Application.objects.exists()


def test_staff_cannot_apply(client, carol):
    carol.id_number, carol.id_verified_at = "230602198807203015", carol.date_joined
    carol.save()
    login(client, carol).post(reverse("applications:apply_start"))
    assert not Application.objects.exists()


def test_starting_twice_resumes_the_same_draft(client, user):
    login(client, user)
    first = client.post(reverse("applications:apply_start"))
    second = client.post(reverse("applications:apply_start"))
    assert Application.objects.filter(applicant=user).count() == 1
    assert first.url == second.url == reverse("applications:step_assistance", args=[Application.objects.get().pk])


def test_the_assistance_step_offers_each_forms_categories_from_the_guide(client, app):
    body = login(client, app.applicant).get(reverse("applications:step_assistance", args=[app.pk])).content.decode()
    for form_name, options in assistance_category_choices():
        assert form_name in body
        for value, label in options:
            assert f'value="{value}"' in body and label in body


def test_a_choice_not_offered_is_refused(client, app):
    response = login(client, app.applicant).post(reverse("applications:step_assistance", args=[app.pk]),
                                                 {"choice": "unit:astronaut"})
    assert "请选择列出的保障方式和类别" in response.content.decode()


def test_each_step_is_saved_and_the_wizard_resumes_at_the_first_open_step(client, app):
    login(client, app.applicant)
    value = assistance_category_choices()[0][1][0][0]
    response = client.post(reverse("applications:step_assistance", args=[app.pk]), {"choice": value})
    assert response.url == reverse("applications:members", args=[app.pk])
    app.refresh_from_db()
    assert f"{app.assistance_type}:{app.category}" == value
    # Log out, come back: it continues where it stopped.
    client.logout()
    login(client, app.applicant)
    assert client.get(reverse("applications:resume", args=[app.pk])).url == reverse("applications:members", args=[app.pk])


def test_housing_step_errors_sit_next_to_the_field_and_in_the_summary(client, app):
    login(client, app.applicant)
    response = client.post(reverse("applications:step_housing", args=[app.pk]),
                           {"housing_type": "private_rent", "housing_area": "-3", "housing_address": "某街 1 号"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_housing_area_error"' in body and "面积不能为负数" in body
    assert 'href="#id_housing_area"' in body
    assert 'value="某街 1 号"' in body
    import re

    assert re.search(r'<input[^>]*value="private_rent"[^>]*checked', body)


def test_subsidy_has_no_preferences_step(client, app):
    apply_services.application_set_assistance(application=app, actor=app.applicant, assistance_type="subsidy",
                                        category="new_graduate")
    login(client, app.applicant)
    body = client.get(reverse("applications:step_housing", args=[app.pk])).content.decode()
    steps = body.split('<ol class="steps">')[1].split("</ol>")[0]
    assert "意向" not in steps and "现住房" in steps
    response = client.get(reverse("applications:step_preferences", args=[app.pk]))
    assert response.status_code == 302


def test_a_unit_larger_than_the_household_may_have_is_refused(client, app):
    apply_services.application_set_assistance(application=app, actor=app.applicant, assistance_type="unit",
                                        category="low_income")
    district = factories.district("230602")
    response = login(client, app.applicant).post(reverse("applications:step_preferences", args=[app.pk]),
                                                 {"districts": [district.pk], "bedrooms": "3"})
    assert response.status_code == 200
    assert "bedrooms" in response.context["form"].errors
    response = client.post(reverse("applications:step_preferences", args=[app.pk]),
                           {"districts": [district.pk], "bedrooms": "1"})
    assert response.status_code == 302


def test_the_street_decides_the_district_and_a_community_of_another_street_is_refused(client, app):
    street = Street.objects.get(code="230603001")
    other = Community.objects.filter(street__district__code="230602").first()
    login(client, app.applicant)
    response = client.post(reverse("applications:step_place", args=[app.pk]),
                           {"street": street.pk, "community": other.pk})
    assert "不属于所选街道" in response.content.decode()
    mine = street.communities.first()
    client.post(reverse("applications:step_place", args=[app.pk]), {"street": street.pk, "community": mine.pk})
    app.refresh_from_db()
    assert app.street == street and app.district.code == "230603" and app.community == mine


def test_consent_must_be_ticked_and_its_time_is_recorded(client, app):
    login(client, app.applicant)
    body = client.get(reverse("applications:step_consent", args=[app.pk])).content.decode()
    assert "授权" in body and "政务数据共享交换平台" in body
    response = client.post(reverse("applications:step_consent", args=[app.pk]), {})
    assert "请勾选同意授权书" in response.content.decode()
    app.refresh_from_db()
    assert app.consent_at is None
    client.post(reverse("applications:step_consent", args=[app.pk]), {"agree": "on"})
    app.refresh_from_db()
    assert app.consent_at is not None and app.consent_version


def test_missing_consent_blocks_submission(client):
    app = builders.draft(consent=False)
    login(client, app.applicant)
    body = client.get(reverse("applications:review", args=[app.pk])).content.decode()
    assert "请阅读并同意授权书" in body
    response = client.post(reverse("applications:submit", args=[app.pk]), follow=True)
    assert "授权书" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.DRAFT


SCRIPT = "<script>alert(1)</script><img src=x>"  # fits the 40-character name fields


def test_html_and_script_in_every_text_field_are_escaped_everywhere(client, admin_client, carol):
    user = builders.applicant(name=SCRIPT)
    app = builders.draft(user, members=[("child", SCRIPT, builders.fresh_id_number(born="20120608"))])
    apply_services.application_set_housing(application=app, actor=user, housing_type="other", housing_area=1,
                                     housing_address=SCRIPT)
    apply_services.application_set_assets(application=app, actor=user, vehicle_count=0, vehicle_value=0, business_count=0,
                                    business_capital=0, property_sold_recently=False, assets_note=SCRIPT)
    me = app.household.members.get(relationship="self")
    apply_services.member_save(application=app, actor=user, member=me, relationship="self", name=me.name,
                         id_number=me.id_number, marital_status="married", employer=SCRIPT, monthly_income=1)
    material = app.materials.first()
    material.original_name = SCRIPT
    material.save()
    app, _ = services.application_submit(application=app, actor=user)
    services.application_return_for_correction(application=app, actor=carol, items=[("housing", SCRIPT)], note=SCRIPT)
    login(client, user)
    pages = [reverse(name, args=[app.pk]) for name in
             ("applications:progress", "applications:review", "applications:members", "applications:materials")]
    pages += [reverse("applications:apply_home"), reverse("notifications:messages")]
    for url in pages:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, url
    assert "&lt;script&gt;" in client.get(pages[1]).content.decode()
    # The admin too.
    admin_pages = [reverse("admin:applications_application_changelist"),
                   reverse("admin:applications_application_change", args=[app.pk])]
    for url in admin_pages:
        body = admin_client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, url
    assert "&lt;script&gt;" in admin_client.get(admin_pages[1]).content.decode()


def test_another_applicants_draft_is_404_on_every_page(client, app):
    login(client, builders.applicant())
    for name in ("progress", "resume", "step_assistance", "members", "step_housing", "step_assets",
                 "step_preferences", "step_place", "step_consent", "materials", "review", "withdraw"):
        assert client.get(reverse(f"applications:{name}", args=[app.pk])).status_code == 404, name
    assert client.post(reverse("applications:submit", args=[app.pk])).status_code == 404


def test_wizard_pages_need_log_in(client, app):
    response = client.get(reverse("applications:members", args=[app.pk]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_submitted_application_cannot_be_edited(client):
    app = builders.submitted()
    login(client, app.applicant)
    response = client.post(reverse("applications:step_housing", args=[app.pk]),
                           {"housing_type": "own", "housing_area": "100"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.housing_type == "private_rent"
