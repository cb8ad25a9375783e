"""The housing stock through the district API: estates, buildings and units of the token's district,
written through housing/services.py, with every reference in a body re-checked against the district."""

from decimal import Decimal

import pytest
from django.utils import timezone

from gongzufang.models import Street
from gongzufang.services.api_clients import api_client_issue
from housing.models import Building, Estate, Unit, UnitStatusChange
from tests import factories
from tests.conftest import api_client_for
from tests.helpers import api_error as error
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db



@pytest.fixture
def api(api_a):
    return api_client_for(api_a)


@pytest.fixture
def ours(db):
    return housing.stock("230602", units=3, published=False)


@pytest.fixture
def theirs(db):
    return housing.stock("230603", units=2, published=False)


# --- reading ----------------------------------------------------------------------------------------


def test_the_unit_list_shows_only_the_districts_units_with_their_derived_fields(api, ours, theirs):
    estate, building, units = ours
    rows = api.get("/api/v1/units/").json()["results"]
    assert [r["id"] for r in rows] == [u.pk for u in units]
    first = rows[0]
    assert first["district"] == "230602" and first["estate"] == estate.pk and first["building"] == building.pk
    assert first["monthly_rent"] == "360.00"  # 45 ㎡ × 8.00 元
    assert first["status"] == "vacant" and first["listing"] == "unlisted" and first["listing_label"] == "未发布"


def test_unit_filters_of_the_public_search_and_the_district_systems_own(api, ours):
    estate, building, units = ours
    other_building = housing.building(estate)
    big = housing.unit(other_building, area="90.00", bedrooms=3, furnished=True)
    housing.unit(other_building, area="30.00", bedrooms=0)
    from housing import services

    services.unit_publish(unit=units[0], actor=None)
    services.unit_set_status(unit=units[1], to_status="maintenance", actor=None)

    def ids(**params):
        response = api.get("/api/v1/units/", params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(listing="published") == {units[0].pk}
    assert ids(status="maintenance") == {units[1].pk}
    assert ids(building=other_building.pk) == {big.pk, big.pk + 1}
    assert ids(bedrooms="3") == {big.pk}
    assert ids(area_min="80") == {big.pk}
    assert ids(rent_max="300") == {big.pk + 1}
    assert ids(furnished="true") == {big.pk}
    assert ids(estate=estate.pk, district="230602") == {*(u.pk for u in units), big.pk, big.pk + 1}
    assert ids(district="230603") == set()


def test_bad_filter_values_answer_400_naming_the_field(api, ours):
    for params, name in (({"area_min": "lots"}, "area_min"), ({"status": "sold"}, "status"),
                         ({"building": "x"}, "building"), ({"updated_since": "2026-13-40"}, "updated_since"),
                         ({"sort": "rent"}, "sort")):
        body = error(api.get("/api/v1/units/", params), 400)
        assert name in body["fields"], params


def test_updated_since_returns_what_changed_after_the_moment(api, ours):
    _estate, _building, units = ours
    moment = timezone.now()
    Unit.objects.filter(pk=units[2].pk).update(updated_at=moment + timezone.timedelta(seconds=5))
    Unit.objects.exclude(pk=units[2].pk).update(updated_at=moment - timezone.timedelta(hours=1))
    rows = api.get("/api/v1/units/", {"updated_since": moment.isoformat()}).json()["results"]
    assert [r["id"] for r in rows] == [units[2].pk]


def test_ordering_by_rent_descending(api, ours):
    estate, building, units = ours
    dear = housing.unit(building, area="80.00")
    rows = api.get("/api/v1/units/", {"ordering": "-monthly_rent"}).json()["results"]
    assert rows[0]["id"] == dear.pk


def test_the_estate_list_counts_buildings_and_filters_by_name(api, ours, theirs):
    estate, _building, _units = ours
    housing.building(estate)
    rows = api.get("/api/v1/estates/", {"name": estate.name[-2:]}).json()["results"]
    assert [(r["id"], r["building_count"], r["district"]) for r in rows] == [(estate.pk, 2, "230602")]


# --- creating and changing ----------------------------------------------------------------------------


def test_creating_an_estate_building_and_unit_in_the_district(api):
    street = factories.first_street("230602")
    estate = api.post("/api/v1/estates/", {"name": "东湖公租房小区", "street": street.code, "address": "东湖路 8 号",
                                           "rent_per_sqm": "9.50"}, format="json")
    assert estate.status_code == 201, estate.content
    assert estate.json()["district"] == "230602" and estate.json()["is_published"] is False
    building = api.post("/api/v1/buildings/", {"estate": estate.json()["id"], "name": "1号楼", "floors": 6,
                                               "has_lift": True}, format="json")
    assert building.status_code == 201, building.content
    unit = api.post("/api/v1/units/", {"building": building.json()["id"], "number": "1单元101", "floor": 1,
                                       "area": "50.00", "bedrooms": 1}, format="json")
    assert unit.status_code == 201, unit.content
    made = Unit.objects.get(pk=unit.json()["id"])
    assert (made.district.code, made.estate_id, made.has_lift, made.monthly_rent) == \
        ("230602", estate.json()["id"], True, Decimal("475.00"))
    assert unit.json()["monthly_rent"] == "475.00"


def test_a_body_naming_another_districts_street_estate_or_building_is_refused_and_nothing_is_made(api, theirs):
    their_estate, their_building, _units = theirs
    counts = (Estate.objects.count(), Building.objects.count(), Unit.objects.count())
    their_street = Street.objects.filter(district__code="230603").first()
    # Answered as a wrong id in the URL is: 404, naming the field.
    body = error(api.post("/api/v1/estates/", {"name": "越界小区", "street": their_street.code, "address": "某路"},
                          format="json"), 404)
    assert "street" in body["fields"] and body["code"] == "not_found"
    body = error(api.post("/api/v1/buildings/", {"estate": their_estate.pk, "name": "9号楼", "floors": 3},
                          format="json"), 404)
    assert "estate" in body["fields"]
    body = error(api.post("/api/v1/units/", {"building": their_building.pk, "number": "999", "floor": 1,
                                             "area": "40", "bedrooms": 1}, format="json"), 404)
    assert "building" in body["fields"]
    error(api.post("/api/v1/units/", {"building": 2**31 - 1, "number": "1", "floor": 1, "area": "40",
                                      "bedrooms": 1}, format="json"), 404)
    assert (Estate.objects.count(), Building.objects.count(), Unit.objects.count()) == counts


def test_another_districts_records_cannot_be_changed(api, theirs):
    estate, building, units = theirs
    before = Unit.objects.get(pk=units[0].pk).area
    error(api.patch(f"/api/v1/units/{units[0].pk}/", {"area": "99.00"}, format="json"), 404)
    error(api.patch(f"/api/v1/estates/{estate.pk}/", {"address": "改了"}, format="json"), 404)
    error(api.patch(f"/api/v1/buildings/{building.pk}/", {"floors": 30}, format="json"), 404)
    assert Unit.objects.get(pk=units[0].pk).area == before
    assert Estate.objects.get(pk=estate.pk).address != "改了"


def test_a_unit_or_building_cannot_be_moved_and_an_estate_cannot_leave_its_district(api_city, ours, theirs):
    api = api_client_for(api_city)  # a city token sees both districts, and still may not move stock
    estate, building, units = ours
    their_estate, their_building, _their_units = theirs
    body = error(api.patch(f"/api/v1/units/{units[0].pk}/", {"building": their_building.pk}, format="json"), 400)
    assert "building" in body["fields"]
    body = error(api.patch(f"/api/v1/buildings/{building.pk}/", {"estate": their_estate.pk}, format="json"), 400)
    assert "estate" in body["fields"]
    their_street = Street.objects.filter(district__code="230603").first()
    body = error(api.patch(f"/api/v1/estates/{estate.pk}/", {"street": their_street.code}, format="json"), 400)
    assert "其他区县" in body["fields"]["street"][0]
    assert Unit.objects.get(pk=units[0].pk).building_id == building.pk
    assert Estate.objects.get(pk=estate.pk).district.code == "230602"


def test_changing_a_unit_recomputes_its_rent(api, ours):
    _estate, _building, units = ours
    response = api.patch(f"/api/v1/units/{units[0].pk}/", {"area": "50.00", "rent_per_sqm": "10.00"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["monthly_rent"] == "500.00"
    assert Unit.objects.get(pk=units[0].pk).monthly_rent == Decimal("500.00")


def test_status_and_listing_cannot_be_written_directly(api, ours):
    _estate, _building, units = ours
    response = api.patch(f"/api/v1/units/{units[0].pk}/", {"listing": "published", "status": "occupied"},
                         format="json")
    assert response.status_code == 200
    unit = Unit.objects.get(pk=units[0].pk)
    assert (unit.listing, unit.status) == ("unlisted", "vacant")


def test_wrong_types_and_values_are_400_and_nothing_changes(api, ours):
    _estate, building, units = ours
    for body in ({"area": "huge"}, {"floor": 99}, {"bedrooms": -1}, {"area": "5"}, {"number": ["a"]}):
        error(api.patch(f"/api/v1/units/{units[0].pk}/", body, format="json"), 400)
    too_high = api.post("/api/v1/units/", {"building": building.pk, "number": "顶楼", "floor": 7, "area": "40",
                                           "bedrooms": 1}, format="json")
    assert "floor" in error(too_high, 400)["fields"]
    assert not Unit.objects.filter(number="顶楼").exists()


def test_a_duplicate_unit_number_is_refused_in_the_error_shape(api, ours):
    _estate, building, units = ours
    response = api.post("/api/v1/units/", {"building": building.pk, "number": units[0].number, "floor": 1,
                                           "area": "40", "bedrooms": 1}, format="json")
    assert response.status_code in (400, 409)
    assert "房号" in error(response, response.status_code)["message"] + str(response.json()["fields"])
    assert Unit.objects.filter(building=building, number=units[0].number).count() == 1


def test_a_read_only_token_cannot_create_or_change(api_a_readonly, ours):
    _estate, building, units = ours
    api = api_client_for(api_a_readonly)
    error(api.patch(f"/api/v1/units/{units[0].pk}/", {"area": "60"}, format="json"), 403)
    error(api.post("/api/v1/units/", {"building": building.pk, "number": "X", "floor": 1, "area": "40",
                                      "bedrooms": 1}, format="json"), 403)
    assert Unit.objects.get(pk=units[0].pk).area == Decimal("45.00")


def test_delete_and_put_are_not_offered(api, ours):
    _estate, _building, units = ours
    error(api.delete(f"/api/v1/units/{units[0].pk}/"), 405)
    error(api.put(f"/api/v1/units/{units[0].pk}/", {}, format="json"), 405)
    assert Unit.objects.filter(pk=units[0].pk).exists()


# --- publishing -------------------------------------------------------------------------------------


def test_publishing_and_withdrawing_a_unit_is_recorded_with_the_token(api, ours):
    _estate, _building, units = ours
    published = api.post(f"/api/v1/units/{units[0].pk}/publish/", {"opinion": "验收合格"}, format="json")
    assert published.status_code == 200, published.content
    assert published.json()["listing"] == "published" and published.json()["published_at"]
    change = UnitStatusChange.objects.get(unit=units[0], to_status="published")
    assert change.opinion == "验收合格（接口：萨尔图区住建局系统）" and change.actor is None

    again = error(api.post(f"/api/v1/units/{units[0].pk}/publish/", {}, format="json"), 409)
    assert "已发布" in again["message"]
    withdrawn = api.post(f"/api/v1/units/{units[0].pk}/withdraw/", format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["listing"] == "withdrawn"


def test_only_a_vacant_unit_can_be_published(api, ours):
    from housing import services

    _estate, _building, units = ours
    services.unit_set_status(unit=units[0], to_status="occupied", actor=None)
    body = error(api.post(f"/api/v1/units/{units[0].pk}/publish/", format="json"), 409)
    assert "空置" in body["message"]
    assert Unit.objects.get(pk=units[0].pk).listing == "unlisted"


def test_the_tokens_acting_caseworker_is_recorded_as_the_actor(ours, district_a):
    caseworker = factories.DistrictCaseworkerFactory(district=district_a)
    client, token = api_client_issue(name="萨尔图区系统", district=district_a)
    client.acting_user = caseworker
    client.save()
    client.token = token
    _estate, _building, units = ours
    response = api_client_for(client).post(f"/api/v1/units/{units[0].pk}/publish/", format="json")
    assert response.status_code == 200
    change = UnitStatusChange.objects.get(unit=units[0], to_status="published")
    assert change.actor == caseworker and change.actor_level == "district"


def test_an_acting_user_of_another_district_is_refused(ours, district_a, district_b):
    client, token = api_client_issue(name="萨尔图区系统", district=district_a)
    client.acting_user = factories.DistrictCaseworkerFactory(district=district_b)
    client.save()
    client.token = token
    _estate, _building, units = ours
    body = error(api_client_for(client).post(f"/api/v1/units/{units[0].pk}/publish/", format="json"), 403)
    assert "本区县" in body["message"]
    assert Unit.objects.get(pk=units[0].pk).listing == "unlisted"


def test_publishing_an_estate(api, district_a):
    estate = housing.estate("230602", published=False)
    response = api.post(f"/api/v1/estates/{estate.pk}/publish/", {"opinion": "竣工"}, format="json")
    assert response.status_code == 200 and response.json()["is_published"] is True
    error(api.post(f"/api/v1/estates/{estate.pk}/publish/", format="json"), 409)
    assert api.post(f"/api/v1/estates/{estate.pk}/withdraw/", format="json").json()["is_published"] is False


@pytest.mark.parametrize("action", ["publish", "withdraw"])
@pytest.mark.parametrize("length", [101, 300, 500])
def test_a_long_estate_opinion_is_kept_whole_in_the_record_and_shortened_in_the_history(api, action, length):
    from housing.models import EstateStatusChange

    estate = housing.estate("230602", published=action == "withdraw")
    opinion = "整体改造" * (length // 4) + "改" * (length % 4)
    response = api.post(f"/api/v1/estates/{estate.pk}/{action}/", {"opinion": opinion}, format="json")
    assert response.status_code == 200, response.content  # PostgreSQL refused > 100 characters: a 500
    change = EstateStatusChange.objects.filter(estate=estate).latest("pk")
    assert change.opinion == f"{opinion}（接口：萨尔图区住建局系统）"
    reason = estate.history.latest().history_change_reason
    assert len(reason) <= 100 and reason.startswith("整体改造") and reason.endswith("…（接口：萨尔图区住建局系统）")


def test_a_long_unit_opinion_keeps_the_token_in_the_history(api, ours):
    _estate, _building, units = ours
    response = api.post(f"/api/v1/units/{units[0].pk}/publish/", {"opinion": "验" * 500}, format="json")
    assert response.status_code == 200
    reason = Unit.objects.get(pk=units[0].pk).history.latest().history_change_reason
    assert len(reason) <= 100 and reason.endswith("…（接口：萨尔图区住建局系统）")


# --- cursor pagination ------------------------------------------------------------------------------


def test_walking_every_unit_with_the_cursor(api, ours):
    estate, building, units = ours
    more = [housing.unit(building, area=f"{40 + i}.00") for i in range(4)]
    expected = sorted([u.pk for u in units + more], reverse=True)
    seen, url = [], "/api/v1/units/?ordering=-id&page_size=2&cursor="
    while url:
        page = api.get(url).json()
        assert "count" not in page
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == expected


def test_a_cursor_walk_by_rent_breaks_ties_by_id(api, ours):
    _estate, building, units = ours  # three units at the same rent
    housing.unit(building, area="80.00")
    seen, url = [], "/api/v1/units/?ordering=monthly_rent&page_size=1&cursor="
    while url:
        page = api.get(url).json()
        seen += [(Decimal(r["monthly_rent"]), r["id"]) for r in page["results"]]
        url = page["next"]
    assert seen == sorted(seen) and len(seen) == 4


def test_a_cursor_that_does_not_decode_or_fits_another_ordering_points_at_no_page(api, ours):
    page = api.get("/api/v1/units/", {"page_size": 1, "cursor": "", "ordering": "id"}).json()
    token = page["next"].split("cursor=")[1].split("&")[0]
    for params in ({"cursor": "not-a-cursor"}, {"cursor": token, "ordering": "-area"}, {"cursor": "e30"}):
        body = error(api.get("/api/v1/units/", params), 404)
        assert "游标" in body["message"] or "cursor" in str(body), params


def test_with_a_cursor_the_page_number_is_ignored(api, ours):
    _estate, _building, units = ours
    page = api.get("/api/v1/units/", {"cursor": "", "page": 7, "page_size": 2, "ordering": "id"}).json()
    assert [r["id"] for r in page["results"]] == [units[0].pk, units[1].pk]
    assert "page=" not in page["next"]


def test_a_huge_page_size_is_capped_at_200(api, ours):
    _estate, building, _units = ours
    Unit.objects.bulk_create([
        Unit(building=building, estate_id=building.estate_id, district_id=building.estate.district_id,
             number=f"B{i}", floor=1, area=Decimal("40"), bedrooms=1, rent_per_sqm=Decimal("8"),
             monthly_rent=Decimal("320")) for i in range(205)
    ])
    for params in ({"page_size": 100000}, {"page_size": 100000, "cursor": ""}):
        page = api.get("/api/v1/units/", params).json()
        assert len(page["results"]) == 200 and page["next"]
