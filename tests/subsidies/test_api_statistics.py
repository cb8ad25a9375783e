"""/api/v1/subsidy-payments/: one row per grant and month from the moment the batch is made (a batch
made twice shows the same rows), filter `period`, field `grant`, scoped; and the bureau's figure
"households paid a subsidy" with the money paid."""

from datetime import date

import pytest

from gongzufang import workflow
from subsidies import services
from subsidies.models import SubsidyPayment
from tests.conftest import api_client_for
from tests.helpers import api_error

from .builders import quick_payment

pytestmark = pytest.mark.django_db


def test_payments_one_row_per_grant_and_month_scoped_and_filtered(api_a, district_b):
    ours, theirs = quick_payment("230602"), quick_payment("230603")
    api = api_client_for(api_a)
    rows = api.get("/api/v1/subsidy-payments/", {"period": "2030-01"}).json()["results"]
    assert [(r["grant"], r["period"], r["status"]) for r in rows] == [(ours.grant_id, "2030-01", "pending")]
    assert api.get("/api/v1/subsidy-payments/", {"period": "2030-02"}).json()["results"] == []
    assert api.get(f"/api/v1/subsidy-payments/{theirs.pk}/").status_code == 404
    api_error(api.get("/api/v1/subsidy-payments/", {"period": "2030-13"}), 400)
    # The batch "made again" shows the same rows.
    assert services.batch_make(district=ours.district, period=date(2030, 1, 1)).added == 0
    again = api.get("/api/v1/subsidy-payments/", {"period": "2030-01"}).json()["results"]
    assert [r["id"] for r in again] == [r["id"] for r in rows]
    grant = api.get(f"/api/v1/subsidy-grants/{ours.grant_id}/").json()
    assert grant["account"]["account_masked"].startswith("**** ") and "account_no" not in grant["account"]
    assert grant["computation"]["parameters"][0]["row_id"]
    batches = api.get("/api/v1/subsidy-batches/").json()["results"]
    assert [b["number"] for b in batches] == [ours.batch.number]


def test_households_paid_a_subsidy_is_a_real_figure(api_a):
    paid = quick_payment("230602")
    quick_payment("230602")  # still pending: not counted
    workflow.transition(SubsidyPayment.objects.get(pk=paid.pk), "mark_paid", actor=None)
    body = api_client_for(api_a).get("/api/v1/statistics/", {"from": "2030-01-01", "to": "2030-01-31"}).json()
    assert body["total"]["households_paid_subsidy"] == 1
    assert body["total"]["subsidy_paid_amount"] == str(paid.amount)
    assert "尚未上线" not in body["notes"]["households_paid_subsidy"]
    empty = api_client_for(api_a).get("/api/v1/statistics/", {"from": "2029-01-01", "to": "2029-01-31"}).json()
    assert empty["total"]["households_paid_subsidy"] == 0
