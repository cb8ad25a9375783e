"""A masked ID number must not give the whole number back (issue 12, item 1). The mask shows the
first 4 and the last 4 characters — the sequence and the check digit; with the birth date beside it,
the nine county codes of 2306 and the check digit leave one number. So wherever the mask is shown to
someone without the full-ID permission (a plain API token, a district caseworker's admin page, an
export), the birth date is not: the age is. These tests rebuild each member's number from what is
shown, as an attacker would, and require at least two candidates to remain."""

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from applications.models import Application
from applications.review.admin_tools import ApplicationResource
from gongzufang.idnumber import check_character
from gongzufang.pii import mask_id_number
from tests.applications import builders
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

COUNTIES = ["230602", "230603", "230604", "230605", "230606", "230621", "230622", "230623", "230624"]


def shown_dates(born: date, text: str, age: int | None) -> list[date]:
    """The birth dates consistent with what `text` shows: the date itself if it is there (in any usual
    form), otherwise every date that gives the age shown (or any date of the last 100 years)."""
    forms = {born.isoformat(), f"{born:%Y%m%d}", f"{born.year}年{born.month}月{born.day}日", f"{born:%Y/%m/%d}"}
    if any(f in text for f in forms):
        return [born]
    today = date.today()
    if age is None:
        first, last = today.replace(year=today.year - 100), today
    else:
        first = today.replace(year=today.year - age - 1) + timedelta(days=1)
        last = today.replace(year=today.year - age)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def candidates(masked: str, text: str, born: date, age: int | None) -> int:
    """How many valid numbers fit the mask and what `text` shows."""
    head, tail = masked[:4], masked[-4:]
    sequence, check = tail[:3], tail[3]
    counties = [c for c in COUNTIES if c.startswith(head)]
    return sum(check_character(f"{c}{d:%Y%m%d}{sequence}") == check
               for c in counties for d in shown_dates(born, text, age))


@pytest.fixture
def family():
    members = [("spouse", "李明", builders.fresh_id_number(born="19820615", sex="male")),
               ("child", "李小雨", builders.fresh_id_number(born="20120301"))]
    return builders.submitted(builders.applicant(id_number=builders.fresh_id_number(born="19850315")),
                              members=members)


def each_member(app):
    return list(app.household.members.all())


def test_a_plain_token_cannot_rebuild_any_members_number(api_a, family):
    detail = api_client_for(api_a).get(f"/api/v1/applications/{family.pk}/").json()
    text = str(detail)
    shown = {m["id"]: m for m in detail["members"]}
    assert len(shown) == 3
    for member in each_member(family):
        row = shown[member.pk]
        assert "birth_date" not in row and row["age"] == member.age
        assert member.id_number not in text
        assert candidates(row["id_number_masked"], text, member.birth_date, row["age"]) >= 2, member


def test_a_district_caseworkers_page_cannot_rebuild_any_members_number(client, dave, family):
    client.force_login(dave)
    page = client.get(reverse("admin:applications_application_change", args=[family.pk])).content.decode()
    assert "年龄" in page
    for member in each_member(family):
        masked = mask_id_number(member.id_number)
        assert masked in page and member.id_number not in page
        assert candidates(masked, page, member.birth_date, member.age) >= 2, member


def test_the_export_cannot_rebuild_any_members_number(dave, family):
    request = RequestFactory().get("/admin/applications/application/")
    request.user = dave
    model_admin = admin.site._registry[Application]
    resource = ApplicationResource(user=dave)
    data = resource.export(queryset=model_admin.get_export_queryset(request))
    book = openpyxl.load_workbook(io.BytesIO(data.export("xlsx")))
    text = " ".join(str(v) for row in book.active.values for v in row if v is not None)
    for member in each_member(family):
        assert member.id_number not in text
        masked = mask_id_number(member.id_number)
        if masked in text:
            assert candidates(masked, text, member.birth_date, None) >= 2, member


def test_with_the_birth_date_beside_the_mask_one_number_would_be_left(family):
    # The attack the tests above guard against: date + mask → exactly the number (the nine county codes all give different check digits).
    member = each_member(family)[0]
    masked = mask_id_number(member.id_number)
    assert candidates(masked, member.birth_date.isoformat(), member.birth_date, None) == 1
    assert re.fullmatch(r"2306\*{10}\d{3}[\dX]", masked)
