"""Query parameters that used to be quietly ignored (so a 200 with something else than was asked) are
400s naming the parameter; every list, buildings and feedback included, can be synced incrementally
with `updated_since` (inclusive) and the keyset cursor as a safe resume point."""

from datetime import timedelta

import pytest

from housing.models import Building
from tests.conftest import api_client_for
from tests.helpers import api_error
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/units/", "/api/v1/estates/", "/api/v1/buildings/", "/api/v1/feedback/", "/api/v1/applications/",
         "/api/v1/articles/"]


@pytest.fixture
def api(api_a):
    return api_client_for(api_a)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", " ", "1e2"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400(api, value):
    body = api_error(api.get("/api/v1/units/", {"page_size": value}), 400)
    assert list(body["fields"]) == ["page_size"]


def test_a_large_page_size_is_still_capped_not_refused(api):
    housing.stock("230602", units=2)
    assert api.get("/api/v1/units/", {"page_size": "5000"}).status_code == 200


@pytest.mark.parametrize("url", LISTS)
def test_an_empty_updated_since_is_a_400(api, url):
    body = api_error(api.get(url, {"updated_since": ""}), 400)
    assert list(body["fields"]) == ["updated_since"]


@pytest.mark.parametrize(("url", "name"), [
    ("/api/v1/buildings/", "has_lift"), ("/api/v1/estates/", "is_published"), ("/api/v1/units/", "furnished"),
    ("/api/v1/feedback/", "overdue"), ("/api/v1/applications/", "overdue"),
])
@pytest.mark.parametrize("value", ["abc", "", "yes please", "2"])
def test_a_yes_no_filter_given_anything_else_is_a_400(api, url, name, value):
    body = api_error(api.get(url, {name: value}), 400)
    assert list(body["fields"]) == [name]


def test_buildings_filter_by_lift(api):
    estate = housing.estate("230602")
    with_lift, without = housing.building(estate, has_lift=True), housing.building(estate, has_lift=False)
    for value, expected in (("true", [with_lift.pk]), ("0", [without.pk])):
        assert [r["id"] for r in api.get("/api/v1/buildings/", {"has_lift": value}).json()["results"]] == expected


def test_buildings_sync_incrementally_and_the_boundary_is_inclusive(api):
    estate = housing.estate("230602")
    old, changed = housing.building(estate), housing.building(estate)
    Building.objects.filter(pk=old.pk).update(updated_at=changed.updated_at - timedelta(hours=1))
    changed.refresh_from_db()
    rows = api.get("/api/v1/buildings/", {"updated_since": changed.updated_at.isoformat()}).json()["results"]
    assert [r["id"] for r in rows] == [changed.pk]  # updated_at == updated_since is included (>=)
    assert rows[0]["updated_at"]


def test_a_building_sync_walks_with_the_cursor_ordered_by_updated_at(api):
    estate = housing.estate("230602")
    made = [housing.building(estate) for _ in range(5)]
    seen, url = [], "/api/v1/buildings/?ordering=updated_at&page_size=2&cursor="
    while url:
        page = api.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(b.pk for b in made) and len(seen) == len(set(seen))


def test_feedback_has_updated_at_and_syncs_incrementally(api):
    from tests.complaints.conftest import submit
    from tests.factories import UserFactory

    item = submit(UserFactory())
    rows = api.get("/api/v1/feedback/", {"updated_since": item.updated_at.isoformat(), "ordering": "updated_at",
                                         "cursor": ""}).json()["results"]
    assert [r["number"] for r in rows] == [item.number] and rows[0]["updated_at"]
    later = (item.updated_at + timedelta(seconds=1)).isoformat()
    assert api.get("/api/v1/feedback/", {"updated_since": later}).json()["results"] == []


def test_ordering_takes_one_field_as_documented(api, client):
    body = api_error(api.get("/api/v1/units/", {"ordering": "id,area"}), 400)
    assert list(body["fields"]) == ["ordering"]
    assert api.get("/api/v1/units/", {"ordering": "-area"}).status_code == 200
    schema = client.get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/units/"]["get"]["parameters"]}
    assert "逗号" not in parameters["ordering"]["description"] and "一个" in parameters["ordering"]["description"]
    assert ">=" in parameters["updated_since"]["description"] and "cursor" in parameters["updated_since"]["description"]
    assert parameters["page_size"]["schema"]["minimum"] == 1
