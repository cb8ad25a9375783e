"""One set of ground rules run over every API endpoint: anonymous 401, another district 404,
read-only token 403 on writes, own district OK."""

import pytest

from tests.api_endpoints import endpoints
from tests.conftest import api_client_for
from tests.scoping_samples import SAMPLES

pytestmark = pytest.mark.django_db
ENDPOINTS = endpoints()
IDS = [e[0] for e in ENDPOINTS]


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), ENDPOINTS, ids=IDS)
def test_anonymous_gets_401(basename, url, model, has_create):
    response = api_client_for(None).get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("basename", "url", "model", "has_create"), ENDPOINTS, ids=IDS)
def test_own_district_ok_and_another_districts_id_404(basename, url, model, has_create, api_a, district_a, district_b):
    api = api_client_for(api_a)
    assert api.get(url).status_code == 200
    if not hasattr(model.objects, "for_user") or not getattr(model, "scope_district_path", None):
        pytest.skip(f"{model.__name__} is city-wide public data")
    label = model._meta.label_lower
    assert label in SAMPLES, f"add a sample for {label} to tests/scoping_samples.py"
    ours, theirs = SAMPLES[label](district_a), SAMPLES[label](district_b)
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


@pytest.mark.parametrize("body", ["{not json", "[]", '{"a": ' * 50])
def test_malformed_json_gets_400_never_500(api_a, body):
    for _basename, url, _model, _has_create in ENDPOINTS:
        response = api_client_for(api_a).generic("POST", url, body, content_type="application/json")
        assert response.status_code in (400, 405), url
        assert set(response.json()) == {"code", "message", "fields"}
