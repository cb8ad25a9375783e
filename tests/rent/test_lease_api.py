"""/api/v1/leases/ and /api/v1/bills/: the token's district only, filters checked, another district's
id is 404."""

from datetime import date

import pytest

from rent.billing import services
from tests.conftest import api_client_for
from tests.rent.builders import active_lease

pytestmark = pytest.mark.django_db


@pytest.fixture
def leases():
    ours = active_lease(start_on=date(2026, 1, 1))
    theirs = active_lease(district_code="230603", start_on=date(2026, 1, 1))
    services.bills_make(period=date(2026, 2, 1))
    return ours, theirs


def test_leases_of_the_tokens_district_only(api_a, leases):
    ours, theirs = leases
    api = api_client_for(api_a)
    body = api.get("/api/v1/leases/")
    assert body.status_code == 200
    numbers = [row["number"] for row in body.json()["results"]]
    assert ours.number in numbers and theirs.number not in numbers
    row = next(r for r in body.json()["results"] if r["number"] == ours.number)
    assert row["monthly_rent"] == str(ours.monthly_rent) and row["status"] == "active" and row["district"] == "230602"
    assert api.get(f"/api/v1/leases/{theirs.pk}/").status_code == 404


def test_bills_filters_and_scope(api_a, leases):
    ours, theirs = leases
    api = api_client_for(api_a)
    rows = api.get("/api/v1/bills/?period=2026-02&status=unpaid").json()["results"]
    assert [r["lease"] for r in rows] == [ours.number] and rows[0]["period"] == "2026-02"
    assert api.get("/api/v1/bills/?colour=red").status_code == 400
    assert api.get(f"/api/v1/bills/{theirs.bills.get().pk}/").status_code == 404
