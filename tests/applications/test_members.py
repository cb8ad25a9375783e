"""Household members: ID numbers checked, sex and birth date derived, nobody listed twice, and a person
already in another household's active application refused without revealing that household."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from applications import services
from applications.apply import services as apply_services
from applications.models import HouseholdMember
from gongzufang.errors import PortalError
from tests.applications import builders

pytestmark = pytest.mark.django_db


def member_form(**overrides):
    data = {"relationship": "child", "name": "李小雨", "id_number": "230603201206080049",
            "marital_status": "unmarried", "employer": "", "monthly_income": "0", "disability": "none"}
    data.update(overrides)
    return data


@pytest.fixture
def draft_app(db):
    user = builders.applicant("王丽", "230602198503150022")
    return services.application_start(applicant=user)


def test_the_applicant_is_the_first_member_with_sex_and_birth_date_from_the_id(draft_app):
    me = draft_app.household.members.get()
    assert me.relationship == "self" and me.name == "王丽"
    assert me.sex == "female" and me.birth_date == date(1985, 3, 15)


def test_adding_a_member_derives_sex_and_birth_date(client, draft_app):
    client.force_login(draft_app.applicant)
    response = client.post(reverse("applications:members", args=[draft_app.pk]), member_form())
    assert response.status_code == 302
    child = draft_app.household.members.get(relationship="child")
    assert child.sex == "female" and child.birth_date == date(2012, 6, 8)
    assert child.id_number == "230603201206080049"


@pytest.mark.parametrize("number, message", [
    ("230603201206080048", "身份证号码有误"),
    ("230603201302300049", "出生日期"),
    ("2306032012060800", "应为18位"),
    ("２３０６０３２０１２０６０８００４９", "全角"),
    ("230603206206080049", "出生日期"),  # born in 2062
])
def test_wrong_id_numbers_are_refused_and_the_form_keeps_what_was_typed(client, draft_app, number, message):
    client.force_login(draft_app.applicant)
    response = client.post(reverse("applications:members", args=[draft_app.pk]), member_form(id_number=number))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="李小雨"' in body
    assert draft_app.household.members.count() == 1


def test_a_member_listed_twice_is_refused(client, draft_app):
    client.force_login(draft_app.applicant)
    client.post(reverse("applications:members", args=[draft_app.pk]), member_form())
    response = client.post(reverse("applications:members", args=[draft_app.pk]), member_form(name="李小雨二"))
    assert "已在家庭成员中，不能重复添加" in response.content.decode()
    assert draft_app.household.members.count() == 2


def test_the_applicant_cannot_be_added_again_as_another_relation(client, draft_app):
    client.force_login(draft_app.applicant)
    response = client.post(reverse("applications:members", args=[draft_app.pk]),
                           member_form(relationship="spouse", name="王丽", id_number="230602198503150022"))
    assert "不能重复添加" in response.content.decode()


def test_the_applicants_own_name_and_number_cannot_be_changed(client, draft_app):
    me = draft_app.household.members.get()
    client.force_login(draft_app.applicant)
    response = client.post(reverse("applications:member_edit", args=[draft_app.pk, me.pk]),
                           member_form(relationship="spouse", name="别人", id_number="230603201206080049",
                                       marital_status="married", monthly_income="2100.50"))
    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.name, me.id_number, me.relationship) == ("王丽", "230602198503150022", "self")
    assert me.marital_status == "married" and me.monthly_income == Decimal("2100.50")


def test_one_spouse_only(draft_app):
    user = draft_app.applicant
    apply_services.member_save(application=draft_app, actor=user, relationship="spouse", name="李明",
                         id_number="230602199001011238", marital_status="married")
    with pytest.raises(PortalError, match="已有配偶"):
        apply_services.member_save(application=draft_app, actor=user, relationship="spouse", name="张伟",
                             id_number="230602198807203015", marital_status="married")


@pytest.mark.parametrize("income, message", [("-1", "不能为负数"), ("abc", "请输入数字金额"), ("1.234", "两位小数")])
def test_bad_incomes(client, draft_app, income, message):
    client.force_login(draft_app.applicant)
    response = client.post(reverse("applications:members", args=[draft_app.pk]), member_form(monthly_income=income))
    assert message in response.content.decode()


def test_a_person_in_another_households_active_application_is_refused_without_details(client, draft_app):
    other = builders.submitted(builders.applicant("赵强", "230603199202110052"),
                               members=[("child", "李小雨", "230603201206080049")])
    client.force_login(draft_app.applicant)
    response = client.post(reverse("applications:members", args=[draft_app.pk]), member_form())
    body = response.content.decode()
    assert "已在其他正在办理的公租房申请中" in body
    assert "2306**********0049" in body
    # Nothing of the other household: not its number, applicant, street or status.
    for secret in (other.number, "赵强", "230603199202110052", "已提交"):
        assert secret not in body


def test_a_household_already_applying_cannot_submit_again(draft_app):
    builders.submitted(builders.applicant("李明", "230602199001011238"))
    with pytest.raises(PortalError, match="其他正在办理"):
        apply_services.member_save(application=draft_app, actor=draft_app.applicant, relationship="spouse", name="李明",
                             id_number="230602199001011238", marital_status="married")


def test_removing_a_member(client, draft_app):
    client.force_login(draft_app.applicant)
    client.post(reverse("applications:members", args=[draft_app.pk]), member_form())
    child = draft_app.household.members.get(relationship="child")
    client.post(reverse("applications:member_delete", args=[draft_app.pk, child.pk]))
    assert not HouseholdMember.objects.filter(pk=child.pk).exists()
    me = draft_app.household.members.get()
    client.post(reverse("applications:member_delete", args=[draft_app.pk, me.pk]))
    assert HouseholdMember.objects.filter(pk=me.pk).exists()


def test_id_numbers_are_stored_encrypted_and_shown_masked(client, draft_app):
    from django.db import connection

    client.force_login(draft_app.applicant)
    client.post(reverse("applications:members", args=[draft_app.pk]), member_form())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM applications_householdmember")
        assert all("230603201206080049" not in row[0] for row in cursor.fetchall())
    body = client.get(reverse("applications:members", args=[draft_app.pk])).content.decode()
    assert "2306**********0049" in body and "230603201206080049" not in body


def test_another_applicants_members_page_is_404(client, draft_app):
    client.force_login(builders.applicant())
    assert client.get(reverse("applications:members", args=[draft_app.pk])).status_code == 404
    me = draft_app.household.members.get()
    assert client.post(reverse("applications:member_delete", args=[draft_app.pk, me.pk])).status_code == 404
