"""The estate and unit pages write money to the fen and rooms as every other page does (issue 12, item 16)."""

import pytest
from django.urls import reverse

from tests.housing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    """Rent 7.15/㎡: 22.00 ㎡ gives 157.30 a month, the figure SQLite's MIN() wrote as 157.300000000000."""
    made = factories.estate("230602", rent_per_sqm="7.15")
    building = factories.building(made, name="1号楼")
    factories.unit(building, number="1单元101", area="22.00", bedrooms=0, published=True)
    factories.unit(building, number="1单元102", area="40.00", bedrooms=1, published=True)
    factories.unit(building, number="1单元201", area="60.00", bedrooms=2, published=True)
    factories.unit(building, number="1单元202", area="75.00", bedrooms=3, published=True)
    return made


def test_the_lowest_rent_is_written_to_the_fen(client, estate):
    html = client.get(reverse("housing:estate_detail", args=[estate.pk])).content.decode()
    assert "月租金 157.30 元起" in html
    assert "157.3000" not in html


def test_rooms_are_named_as_on_the_unit_pages(client, estate):
    html = client.get(reverse("housing:estate_detail", args=[estate.pk])).content.decode()
    for label in ("开间</a>", "一居室</a>", "两居室</a>", "三居室</a>"):
        assert label in html
    assert "3 居室" not in html


def test_search_cards_name_rooms_by_bedrooms(client, estate):
    html = client.get(reverse("housing:unit_search"), {"estate": estate.pk}).content.decode()
    assert "三居室 · 75.00㎡" in html
