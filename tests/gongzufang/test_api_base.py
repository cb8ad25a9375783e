"""The API's ground rules on the resources the foundation serves: districts and parameters."""

import pytest
from django.utils import timezone

from gongzufang.models import District
from gongzufang.services.api_clients import api_client_revoke
from tests.conftest import api_client_for
from tests.helpers import api_error

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]


def test_anonymous_calls_get_401_in_the_error_shape():
    response = api_client_for(None).get("/api/v1/districts/")
    assert_error_shape(response, 401, "not_authenticated")


def test_a_wrong_token_gets_401():
    api = api_client_for(None)
    api.credentials(HTTP_AUTHORIZATION="Token gzf_not-a-real-token")
    assert_error_shape(api.get("/api/v1/districts/"), 401, "not_authenticated")


def test_a_revoked_token_gets_401(api_a, chen):
    api_client_revoke(client=api_a, actor=chen, reason="泄露")
    response = api_client_for(api_a).get("/api/v1/districts/")
    assert_error_shape(response, 401, "not_authenticated")
    assert "吊销" in response.json()["message"]


def test_a_district_token_sees_only_its_district(api_a, district_b):
    api = api_client_for(api_a)
    response = api.get("/api/v1/districts/")
    assert response.status_code == 200
    assert [d["code"] for d in response.json()["results"]] == ["230602"]
    assert response.json()["results"][0]["streets"]
    assert_error_shape(api.get(f"/api/v1/districts/{district_b.pk}/"), 404, "not_found")
    assert api.get(f"/api/v1/districts/{api_a.district_id}/").status_code == 200


def test_a_city_token_sees_every_district(api_city):
    response = api_client_for(api_city).get("/api/v1/districts/")
    assert response.json()["count"] == District.objects.count() == 9


def test_the_district_list_issues_a_fixed_number_of_queries(api_city, django_assert_max_num_queries):
    api = api_client_for(api_city)
    with django_assert_max_num_queries(6):
        small = api.get("/api/v1/districts/", {"page_size": 1})
    with django_assert_max_num_queries(6):
        large = api.get("/api/v1/districts/", {"page_size": 200})
    assert len(small.json()["results"]) == 1 and len(large.json()["results"]) == 9


def test_last_use_is_recorded(api_a):
    before = timezone.now()
    api_client_for(api_a).get("/api/v1/parameters/")
    api_a.refresh_from_db()
    assert api_a.last_used_at >= before


def test_parameters_are_readable_and_filterable(api_a):
    response = api_client_for(api_a).get("/api/v1/parameters/", {"key": "review."})
    assert response.status_code == 200
    keys = {row["key"] for row in response.json()["results"]}
    assert "review.total_workdays" in keys and all(k.startswith("review.") for k in keys)


def test_bad_filter_values_get_400_in_the_error_shape(api_a):
    response = api_client_for(api_a).get("/api/v1/parameters/", {"on_or_before": "not-a-date"})
    assert_error_shape(response, 400, "invalid")
    assert "on_or_before" in response.json()["fields"]


def test_writes_are_refused_on_read_only_resources(api_a, api_a_readonly):
    assert api_client_for(api_a).post("/api/v1/districts/", {}, format="json").status_code == 405
    assert_error_shape(api_client_for(api_a_readonly).post("/api/v1/districts/", {}, format="json"),
                       403, "permission_denied")


def test_a_huge_page_size_is_capped(api_city):
    from gongzufang.models import PolicyParameter

    for i in range(130):  # enough rows that the cap, not the data, limits the page
        PolicyParameter.objects.create(key="lease.term_years", value="3", legal_source="t",
                                       effective_from=f"{2100 - i // 12}-{i % 12 + 1:02d}-01")
    response = api_client_for(api_city).get("/api/v1/parameters/", {"page_size": 100000})
    assert response.status_code == 200
    assert PolicyParameter.objects.count() > 200
    assert len(response.json()["results"]) == 200
    assert response.json()["next"]


def test_the_schema_and_docs_are_served_without_outside_urls(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/districts/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_odd_text_in_a_filter_matches_nothing_rather_than_failing(api_a):
    response = api_client_for(api_a).get("/api/v1/parameters/", {"key": "review.<script>", "district": "²³"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_nul_in_a_filter_is_a_400_naming_the_parameter(api_a):
    response = api_client_for(api_a).get("/api/v1/parameters/", {"key": "review.\x00<script>", "district": "\x00"})
    body = api_error(response, 400)
    assert set(body["fields"]) == {"key", "district"} and "NUL" in body["message"]
