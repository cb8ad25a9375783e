"""The repair form reads a flat's address as people write it (issue 12, item 14): with or without the
building, "号楼" or "栋", "室" or not, "4-2-502" or "2-502"; several matches are named, not refused blindly."""

import uuid

import pytest
from django.urls import reverse

from complaints.models import Feedback
from housing.unit_address import UnitAddress, building_key, parse
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db


def form(estate, unit_number):
    return {"token": str(uuid.uuid4()), "kind": "repair", "category": "maintenance", "text": "水管漏水。",
            "district": "", "estate": estate.pk, "unit_number": unit_number}


@pytest.fixture
def estate_of_four_buildings():
    """Like the demo's 益民小区: four buildings, each with a 2单元301 and a 2单元502."""
    estate = housing.estate("230602", name="益民小区")
    units = {}
    for n in range(1, 5):
        building = housing.building(estate, name=f"{n}号楼")
        for number in ("2单元301", "2单元502"):
            units[(n, number)] = housing.unit(building, number=number, floor=int(number[3]))
    return estate, units


@pytest.mark.parametrize(("text", "expected"), [
    ("4号楼2单元502", UnitAddress("4", "2", "502")),
    ("4栋2单元502室", UnitAddress("4", "2", "502")),
    ("４号楼 ２单元 ５０２", UnitAddress("4", "2", "502")),
    ("4#2单元502", UnitAddress("4", "2", "502")),
    ("4-2-502", UnitAddress("4", "2", "502")),
    ("2-502", UnitAddress(None, "2", "502")),
    ("2单元301", UnitAddress(None, "2", "301")),
    ("502室", UnitAddress(None, None, "502")),
])
def test_addresses_as_people_write_them_are_read(text, expected):
    assert parse(text) == expected


def test_a_building_name_is_reduced_to_its_number():
    assert [building_key(n) for n in ("4号楼", "4栋", "12", "A座", "综合楼")] == ["4", "4", "12", "A", None]


@pytest.mark.parametrize("text", ["4号楼2单元502", "4栋2单元502室", "4-2-502", "4号楼 2-502"])
def test_the_forms_own_examples_find_the_unit(client, tom, estate_of_four_buildings, text):
    estate, units = estate_of_four_buildings
    client.force_login(tom)
    response = client.post(reverse("complaints:new"), form(estate, text))
    assert response.status_code == 302, response.context["form"].errors
    assert Feedback.objects.get().unit == units[(4, "2单元502")]


@pytest.mark.parametrize("text", ["2单元301", "2-502"])
def test_without_the_building_a_single_building_estate_finds_the_unit(client, tom, text):
    building = housing.building(housing.estate("230602"), name="1号楼")
    unit = housing.unit(building, number=f"2单元{text[-3:]}")
    client.force_login(tom)
    response = client.post(reverse("complaints:new"), form(unit.estate, text))
    assert response.status_code == 302
    assert Feedback.objects.get().unit == unit


def test_without_the_building_several_matches_are_named(client, tom, estate_of_four_buildings):
    estate, _units = estate_of_four_buildings
    client.force_login(tom)
    response = client.post(reverse("complaints:new"), form(estate, "2单元301"))
    html = response.content.decode()
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert "本小区有 4 套房屋符合“2单元301”" in html and "1号楼2单元301" in html and "4号楼2单元301" in html


def test_a_flat_the_estate_does_not_have_is_refused(client, tom, estate_of_four_buildings):
    estate, _units = estate_of_four_buildings
    client.force_login(tom)
    response = client.post(reverse("complaints:new"), form(estate, "5号楼2单元502"))
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert "没有房号为“5号楼2单元502”的房屋" in response.content.decode()
