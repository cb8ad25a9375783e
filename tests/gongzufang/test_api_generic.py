"""One set of ground rules run over every API endpoint: anonymous 401, another district 404,
read-only token 403 on writes, own district OK, malformed JSON and unknown parameters 400, and a
fixed number of queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api_endpoints import endpoints, list_endpoints, registry
from tests.conftest import api_client_for
from tests.scoping_samples import SAMPLES

pytestmark = pytest.mark.django_db
ENDPOINTS = endpoints()
IDS = [e[0] for e in ENDPOINTS]
LISTS = list_endpoints()
LIST_IDS = [e[0] for e in LISTS]
ERROR_KEYS = {"code", "message", "fields"}


def _detail_writes():
    """(basename, prefix, model, action url path) for every POST action on one record."""
    found = []
    for prefix, viewset, basename in registry():
        for extra in viewset.get_extra_actions():
            if extra.detail and "post" in extra.mapping:
                found.append((f"{basename}-{extra.url_path}", prefix, viewset.queryset.model, extra.url_path))
    return found


DETAIL_WRITES = _detail_writes()


def _snapshot(model, pk):
    return list(model.objects.filter(pk=pk).values())


def _samples(model, *districts):
    label = model._meta.label_lower
    assert label in SAMPLES, f"add a sample for {label} to tests/scoping_samples.py"
    return [SAMPLES[label](d) for d in districts]


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), ENDPOINTS, ids=IDS)
def test_anonymous_gets_401(basename, url, model, has_create):
    response = api_client_for(None).get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), ENDPOINTS, ids=IDS)
def test_own_district_ok_and_another_districts_id_404(basename, url, model, has_create, api_a, district_a, district_b):
    api = api_client_for(api_a)
    assert api.get(url).status_code == 200
    if model is None or not hasattr(model.objects, "for_user") or not getattr(model, "scope_district_path", None):
        pytest.skip(f"{basename} is city-wide public data or has no records of its own")
    ours, theirs = _samples(model, district_a, district_b)
    assert api.get(f"{url}{ours.pk}/").status_code == 200
    response = api.get(f"{url}{theirs.pk}/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到。", "fields": {}}
    listed = api.get(url, {"page_size": 200}).json()["results"]
    assert theirs.pk not in {row.get("id") for row in listed}


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), ENDPOINTS, ids=IDS)
def test_a_read_only_token_cannot_write(basename, url, model, has_create, api_a_readonly):
    response = api_client_for(api_a_readonly).post(url, {}, format="json")
    assert response.status_code in (403, 405)
    if has_create:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("basename", "prefix", "model", "path"), DETAIL_WRITES, ids=[w[0] for w in DETAIL_WRITES])
def test_actions_on_a_record_refuse_read_only_tokens_and_other_districts(
        basename, prefix, model, path, api_a, api_a_readonly, district_a, district_b):
    ours, theirs = _samples(model, district_a, district_b)
    before_ours, before_theirs = _snapshot(model, ours.pk), _snapshot(model, theirs.pk)
    body = {"opinion": "接口测试", "reply": "接口测试"}

    assert api_client_for(None).post(f"/api/v1/{prefix}/{ours.pk}/{path}/", body, format="json").status_code == 401
    refused = api_client_for(api_a_readonly).post(f"/api/v1/{prefix}/{ours.pk}/{path}/", body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    hidden = api_client_for(api_a).post(f"/api/v1/{prefix}/{theirs.pk}/{path}/", body, format="json")
    assert hidden.status_code == 404 and set(hidden.json()) == ERROR_KEYS
    assert _snapshot(model, ours.pk) == before_ours and _snapshot(model, theirs.pk) == before_theirs


@pytest.mark.parametrize("body", ["{not json", "[]", '{"a": ' * 50])
def test_malformed_json_gets_400_never_500(api_a, body):
    for _basename, url, _model, _has_create in ENDPOINTS:
        response = api_client_for(api_a).generic("POST", url, body, content_type="application/json")
        assert response.status_code in (400, 405), url
        assert set(response.json()) == ERROR_KEYS


@pytest.mark.parametrize(("basename", "prefix", "model", "path"), DETAIL_WRITES, ids=[w[0] for w in DETAIL_WRITES])
def test_malformed_json_on_a_records_action_gets_400(basename, prefix, model, path, api_a, district_a):
    (ours,) = _samples(model, district_a)
    before = _snapshot(model, ours.pk)
    response = api_client_for(api_a).generic("POST", f"/api/v1/{prefix}/{ours.pk}/{path}/", "{not json",
                                            content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == ERROR_KEYS
    assert _snapshot(model, ours.pk) == before


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), ENDPOINTS, ids=IDS)
def test_an_unknown_query_parameter_gets_400_naming_it(basename, url, model, has_create, api_a):
    response = api_client_for(api_a).get(url, {"stauts": "approved"})
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert "stauts" in response.json()["fields"]


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), LISTS, ids=LIST_IDS)
def test_an_unknown_ordering_gets_400(basename, url, model, has_create, api_a):
    response = api_client_for(api_a).get(url, {"ordering": "password"})
    assert response.status_code == 400
    assert "ordering" in response.json()["fields"]


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), LISTS, ids=LIST_IDS)
def test_updated_since_on_every_list_whose_records_have_updated_at(basename, url, model, has_create, api_city):
    if not any(f.name == "updated_at" for f in model._meta.get_fields()):
        pytest.skip(f"{model.__name__} has no updated_at")
    api = api_client_for(api_city)
    bad = api.get(url, {"updated_since": "yesterday"})
    assert bad.status_code == 400 and "updated_since" in bad.json()["fields"]
    later = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    assert api.get(url, {"updated_since": later}).json()["results"] == []


def _rows_for(model, district_a, district_b):
    """At least two rows in the list, so a page of 50 holds more than a page of 1."""
    label = model._meta.label_lower
    if label in SAMPLES and label not in {"gongzufang.district"}:
        _samples(model, district_a, district_b)
    elif label == "gongzufang.article":
        from tests.gongzufang.articles_helpers import article_with_images

        for i in range(2):
            article_with_images(title=f"政策{i}", images=0, cover=False, attachment=True)


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), LISTS, ids=LIST_IDS)
def test_a_list_issues_the_same_queries_for_a_page_of_1_and_of_50(
        basename, url, model, has_create, api_city, district_a, district_b, django_assert_num_queries):
    _rows_for(model, district_a, district_b)
    api = api_client_for(api_city)
    api.get(url)  # the token's last use is recorded once a minute: not inside the counted calls
    with CaptureQueriesContext(connection) as one:
        small = api.get(url, {"page_size": 1})
    with django_assert_num_queries(len(one.captured_queries)):
        large = api.get(url, {"page_size": 50})
    assert len(small.json()["results"]) == 1
    assert len(large.json()["results"]) >= 2
    if "cursor" in {p["name"] for p in _list_parameters(url)}:
        with CaptureQueriesContext(connection) as one:
            api.get(url, {"page_size": 1, "cursor": ""})
        with django_assert_num_queries(len(one.captured_queries)):
            assert len(api.get(url, {"page_size": 50, "cursor": ""}).json()["results"]) >= 2


def _list_parameters(url):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema["paths"][url]["get"].get("parameters", [])
