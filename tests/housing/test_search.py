"""The public unit search, unit and estate pages, and the photos they show."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from housing import selectors, services
from housing.models import EstatePhoto, Unit, UnitPhoto
from tests.housing import factories

pytestmark = pytest.mark.django_db

SEARCH = reverse("housing:unit_search")


def found(response):
    return [u.pk for u in response.context["search"].units]


def errors_on_page(response):
    return re.findall(r'class="error" id="e-[a-z_]+">([^<]*)<', response.content.decode())


# ---------------------------------------------------------------- what is public


def test_only_published_units_of_published_estates_are_shown(client, dave):
    _e, building, units = factories.stock(units=3)
    hidden_estate, _b, hidden_units = factories.stock(units=2)
    services.estate_withdraw(estate=hidden_estate, actor=dave)
    unlisted = factories.unit(building)
    services.unit_withdraw(unit=units[0], actor=dave, opinion="核对")

    response = client.get(SEARCH)
    assert response.status_code == 200
    assert sorted(found(response)) == sorted(u.pk for u in units[1:])
    assert unlisted.pk not in found(response)
    assert client.get(reverse("housing:unit_detail", args=[units[0].pk])).status_code == 404
    assert client.get(reverse("housing:unit_detail", args=[hidden_units[0].pk])).status_code == 404
    assert client.get(reverse("housing:unit_detail", args=[unlisted.pk])).status_code == 404
    assert client.get(reverse("housing:estate_detail", args=[hidden_estate.pk])).status_code == 404


# ---------------------------------------------------------------- each filter


@pytest.fixture
def city():
    """A small city: two districts, a lift building, furnished and ground-floor units, various sizes."""
    a = factories.estate("230602", rent_per_sqm="8.00")
    a_low = factories.building(a, floors=6)
    a_high = factories.building(a, floors=11, has_lift=True)
    b = factories.estate("230603", rent_per_sqm="7.00")
    b_low = factories.building(b, floors=6)
    units = {
        "a_studio_ground": factories.unit(a_low, floor=1, area="30.00", bedrooms=0, published=True),
        "a_one_furnished": factories.unit(a_low, floor=3, area="45.00", bedrooms=1, furnished=True, published=True),
        "a_two_lift": factories.unit(a_high, floor=8, area="60.00", bedrooms=2, published=True),
        "a_three_lift": factories.unit(a_high, floor=9, area="75.00", bedrooms=3, published=True),
        "b_four_ground": factories.unit(b_low, floor=1, area="90.00", bedrooms=4, published=True),
        "b_one": factories.unit(b_low, floor=5, area="40.00", bedrooms=1, furnished=True, published=True),
    }
    return {"a": a, "b": b, **units}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"district": "230603"}, {"b_four_ground", "b_one"}),
        ({"bedrooms": "0"}, {"a_studio_ground"}),
        ({"bedrooms": "1"}, {"a_one_furnished", "b_one"}),
        ({"bedrooms": "3"}, {"a_three_lift", "b_four_ground"}),  # 3 means "three or more"
        ({"area_min": "45", "area_max": "75"}, {"a_one_furnished", "a_two_lift", "a_three_lift"}),
        ({"rent_max": "300"}, {"a_studio_ground", "b_one"}),  # 240.00 and 280.00
        ({"rent_min": "480", "rent_max": "600"}, {"a_two_lift", "a_three_lift"}),  # 480.00, 600.00
        ({"furnished": "1"}, {"a_one_furnished", "b_one"}),
        ({"access": "lift"}, {"a_two_lift", "a_three_lift"}),
        ({"access": "ground"}, {"a_studio_ground", "b_four_ground"}),
        ({"access": "step_free"}, {"a_studio_ground", "b_four_ground", "a_two_lift", "a_three_lift"}),
        ({"district": "230602", "bedrooms": "1", "furnished": "1"}, {"a_one_furnished"}),
    ],
)
def test_each_filter_narrows_the_results(client, city, params, expected):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert errors_on_page(response) == []
    assert set(found(response)) == {city[name].pk for name in expected}


def test_the_estate_filter_and_its_choices(client, city):
    response = client.get(SEARCH, {"estate": city["b"].pk})
    assert set(found(response)) == {city["b_four_ground"].pk, city["b_one"].pk}
    assert (city["b"].pk, city["b"].name) in response.context["search"].estate_choices
    # with a district chosen, its estates are offered
    response = client.get(SEARCH, {"district": "230602"})
    assert [pk for pk, _ in response.context["search"].estate_choices] == [city["a"].pk]


@pytest.mark.parametrize(
    ("sort", "key", "reverse_"),
    [("rent", "monthly_rent", False), ("-rent", "monthly_rent", True), ("area", "area", False), ("-area", "area", True)],
)
def test_sorting(client, city, sort, key, reverse_):
    response = client.get(SEARCH, {"sort": sort})
    values = [getattr(u, key) for u in response.context["search"].units]
    assert values == sorted(values, reverse=reverse_)
    assert len(values) == 6


def test_newest_first_by_default(client, city, dave):
    services.unit_withdraw(unit=city["a_two_lift"], actor=dave)
    services.unit_publish(unit=city["a_two_lift"], actor=dave)
    assert found(client.get(SEARCH))[0] == city["a_two_lift"].pk


def test_rent_shown_is_area_times_rate(client, city):
    response = client.get(SEARCH, {"district": "230603", "bedrooms": "1"})
    assert "280.00" in response.content.decode()  # 40.00 ㎡ × 7.00


# ---------------------------------------------------------------- pagination


@pytest.fixture
def twelve_units():
    _e, _b, units = factories.stock(units=12)
    return units


def test_pages_do_not_overlap_and_keep_the_filters(client, twelve_units):
    seen = []
    for page in (1, 2, 3):
        response = client.get(SEARCH, {"per_page": 5, "page": page, "furnished": ""})
        assert response.context["search"].num_pages == 3
        seen += found(response)
    assert sorted(seen) == sorted(u.pk for u in twelve_units)
    response = client.get(SEARCH, {"per_page": 5, "bedrooms": "1", "sort": "rent"})
    assert 'href="?bedrooms=1&amp;sort=rent&amp;per_page=5&amp;page=2"' in response.content.decode()


def test_a_page_beyond_the_last_shows_the_last_with_a_notice(client, twelve_units):
    response = client.get(SEARCH, {"per_page": 5, "page": 99999})
    assert response.status_code == 200
    assert response.context["search"].page == 3
    assert len(found(response)) == 2
    assert "页码超出范围" in response.content.decode()


def test_a_broad_search_says_more_than_the_cap(client, twelve_units, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 10)
    response = client.get(SEARCH, {"per_page": 5, "page": 3})
    body = response.content.decode()
    assert "找到超过 10 套房源" in body
    assert response.context["search"].num_pages == 2
    assert "请增加筛选条件" in body


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "field_message"),
    [
        ({"area_min": "abc"}, "最小面积：请输入数字。"),
        ({"bedrooms": "-5"}, "请选择开间、一居室、两居室或三居室及以上。"),
        ({"rent_max": "1e309"}, "最高租金：不能大于 100000 元。"),
        ({"rent_max": "NaN"}, "最高租金：请输入数字。"),
        ({"rent_min": "-1"}, "最低租金：不能小于 0。"),
        ({"area_min": "9" * 400}, "最小面积：请输入数字。"),
        ({"area_min": "60", "area_max": "40"}, "最大面积：不能小于最小面积。"),
        ({"district": "<script>alert(1)</script>"}, "没有这个区县，请从列表中选择。"),
        ({"estate": "1 OR 1=1"}, "小区参数无效。"),
        ({"estate": "99999999999999999999"}, "小区参数无效。"),
        ({"access": "'\"><img src=x>"}, "请从列表中选择。"),
        ({"sort": "id; DROP TABLE housing_unit"}, "无效的排序方式，已按最新发布排序。"),
    ],
)
def test_bad_filters_give_a_normal_page_with_a_message_beside_the_field(client, city, params, field_message):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert field_message in errors_on_page(response)
    assert "部分筛选条件无效" in response.content.decode()
    assert len(found(response)) == 6  # the bad filter is ignored, the rest still applies
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "<img src=x>" not in response.content.decode()


@pytest.mark.parametrize("page_number", ["abc", "-1", "0", "1.5", "9" * 30])
def test_bad_page_numbers_show_page_one(client, city, page_number):
    response = client.get(SEARCH, {"page": page_number})
    assert response.status_code == 200
    assert response.context["search"].page == 1
    assert "页码无效" in response.content.decode()


@pytest.mark.parametrize("per_page", ["1", "51", "100000", "x"])
def test_bad_page_sizes_use_the_default(client, city, per_page):
    response = client.get(SEARCH, {"per_page": per_page})
    assert response.status_code == 200
    assert response.context["search"].per_page == selectors.PER_PAGE_DEFAULT


def test_the_form_keeps_what_the_visitor_typed(client, city):
    body = client.get(SEARCH, {"area_min": "abc", "rent_max": "500"}).content.decode()
    assert 'name="area_min" inputmode="decimal" placeholder="最小" value="abc"' in body
    assert 'value="500"' in body


# ---------------------------------------------------------------- queries


def _photographed_units(n):
    _e, _b, units = factories.stock(units=n)
    estate = units[0].estate
    EstatePhoto.objects.create(estate=estate, image="public/housing/estates/x.jpg", width=8, height=5)
    for unit in units[::2]:
        UnitPhoto.objects.create(unit=unit, image="public/housing/units/x.jpg", width=8, height=5)
    return units


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_the_search_page_issues_the_same_queries_for_5_or_50_units(client):
    _photographed_units(60)
    small, r5 = _queries(client, SEARCH, {"per_page": 5})
    large, r50 = _queries(client, SEARCH, {"per_page": 50})
    assert len(found(r5)) == 5 and len(found(r50)) == 50
    assert small == large
    assert large <= 4  # districts, capped count, the page with its covers (+ nothing per unit)
    filtered, _ = _queries(client, SEARCH, {"per_page": 50, "district": "230602", "bedrooms": "1", "sort": "rent"})
    assert filtered == large + 1  # + the estates of the chosen district


def test_the_unit_page_issues_the_same_queries_whatever_the_photos(client):
    units = _photographed_units(4)
    few, _ = _queries(client, reverse("housing:unit_detail", args=[units[1].pk]), {})
    for i in range(6):
        UnitPhoto.objects.create(unit=units[1], image=f"public/housing/units/{i}.jpg", width=8, height=5)
    many, response = _queries(client, reverse("housing:unit_detail", args=[units[1].pk]), {})
    assert few == many
    assert response.content.decode().count("/housing/photos/unit/") == 6


def test_the_cards_show_the_unit_photo_or_else_the_estate_photo(client):
    units = _photographed_units(2)
    body = client.get(SEARCH, {"sort": "area"}).content.decode()
    assert "/housing/photos/unit/" in body
    assert "/housing/photos/estate/" in body
    assert len(units) == 2


# ---------------------------------------------------------------- unit and estate pages


def test_the_unit_page_shows_the_facts_and_the_estates_renovations(client, dave):
    from datetime import date

    estate, _b, (unit, *_rest) = factories.stock(units=2, area="45.55")
    services.renovation_record(estate=estate, title="电气线路改造", started_on=date(2023, 5, 1), units=[unit])
    response = client.get(reverse("housing:unit_detail", args=[unit.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert estate.name in body and unit.number in body
    assert "364.40" in body  # 45.55 × 8.00
    assert "电气线路改造" in body
    assert reverse("applications:apply_home") in body


def test_the_estate_page_summarises_its_published_units(client):
    estate, _b, _units = factories.stock(units=3, bedrooms=1)
    response = client.get(reverse("housing:estate_detail", args=[estate.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["summary"]["total"] == 3
    assert f"?estate={estate.pk}" in body
    assert client.get(reverse("housing:estate_detail", args=[999999])).status_code == 404


def test_the_home_page_leads_to_the_unit_search_through_information_browsing(client):
    assert f'href="{reverse("info")}"' in client.get(reverse("home")).content.decode()
    assert f'href="{SEARCH}"' in client.get(reverse("info")).content.decode()


# ---------------------------------------------------------------- photos


def _real_photo(model, owner_field, owner):
    from django.core.files.base import ContentFile

    photo = model(**{owner_field: owner})
    photo.image.save("p.jpg", ContentFile(factories.image_bytes()), save=True)
    return photo


def test_photos_of_published_stock_are_public(client):
    estate, _b, (unit,) = factories.stock(units=1)
    estate_photo = _real_photo(EstatePhoto, "estate", estate)
    unit_photo = _real_photo(UnitPhoto, "unit", unit)
    for name, pk in (("housing:estate_photo", estate_photo.pk), ("housing:unit_photo", unit_photo.pk)):
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"].startswith("public")
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_photos_of_unpublished_stock_are_only_for_staff_of_that_district(client, dave, bob):
    estate, _b, (unit,) = factories.stock("230602", units=1)
    services.unit_withdraw(unit=unit, actor=dave)
    photo = _real_photo(UnitPhoto, "unit", unit)
    url = reverse("housing:unit_photo", args=[photo.pk])
    assert client.get(url).status_code == 404
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(dave)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_media_root_is_not_served(client):
    estate, _b, _u = factories.stock(units=1)
    photo = _real_photo(EstatePhoto, "estate", estate)
    assert client.get(f"/files/{photo.image.name}").status_code == 404
    assert client.get(f"/media/{photo.image.name}").status_code == 404


def test_a_floor_plan_is_served_while_the_unit_is_published(client, dave):
    from django.core.files.base import ContentFile

    _e, _b, (unit,) = factories.stock(units=1)
    unit.floor_plan.save("plan.png", ContentFile(factories.image_bytes("PNG")), save=True)
    url = reverse("housing:floor_plan", args=[unit.pk])
    assert client.get(url)["Content-Type"] == "image/png"
    services.unit_withdraw(unit=unit, actor=dave)
    assert client.get(url).status_code == 404
    assert Unit.objects.get(pk=unit.pk).monthly_rent == Decimal("360.00")
