"""Actions answer at their own address only: `….json` after an action was a 500 for every token."""

import pytest

from tests.conftest import api_client_for
from tests.housing import factories as stock

pytestmark = pytest.mark.django_db


def test_a_format_suffix_after_an_action_is_not_found_and_changes_nothing(api_a):
    _e, _b, (unit,) = stock.stock("230602", units=1)
    client = api_client_for(api_a)
    response = client.post(f"/api/v1/units/{unit.pk}/withdraw.json", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    unit.refresh_from_db()
    assert unit.listing == "published"


def test_lists_and_details_still_answer_with_a_format_suffix(api_a):
    _e, _b, (unit,) = stock.stock("230602", units=1)
    client = api_client_for(api_a)
    assert client.get("/api/v1/units.json").status_code == 200
    assert client.get(f"/api/v1/units/{unit.pk}.json").json()["id"] == unit.pk
