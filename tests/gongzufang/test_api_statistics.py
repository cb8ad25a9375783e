"""GET /api/v1/statistics/: the DESIGN §11 figures for a period and the token's district (a city token:
every district and the total), with the figures that have no source yet null and explained."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from applications.models import Application, Status
from applications.review import services as review
from complaints import services as feedback_services
from complaints.models import Category, Kind
from gongzufang.models import DailyVisit
from housing import services as housing_services
from tests import factories
from tests.applications import builders
from tests.applications.review_builders import fresh, in_district_review, in_public_notice
from tests.conftest import api_client_for
from tests.gongzufang.articles_helpers import article_with_images
from tests.helpers import api_error as error
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db



def today_params(**extra):
    today = timezone.localdate().isoformat()
    return {"from": today, "to": today, **extra}


@pytest.fixture
def activity(db, carol, dave, district_a, district_b):
    """Today, in 萨尔图区: two applications submitted (one rejected at district review, one overdue at
    street level), two units published, a complaint; in 龙凤区 one application and one unit."""
    rejected = in_district_review(builders.submitted(), carol)
    review.reject(application=rejected, actor=dave, opinion="人均收入超标")
    waiting = builders.submitted()
    Application.objects.filter(pk=waiting.pk).update(step_due_on=timezone.localdate() - timedelta(days=1))
    builders.submitted(street=factories.first_street("230603"))
    _estate, _building, units = housing.stock("230602", units=3, published=False)
    housing_services.units_publish_bulk(units=units[:2], actor=dave)
    housing.stock("230603", units=1, published=True)
    person = factories.UserFactory()
    feedback_services.feedback_submit(submitter=person, kind=Kind.COMPLAINT, category=Category.OTHER,
                                      text="电梯常坏", district=district_a)
    DailyVisit.objects.create(day=timezone.localdate(), kind="home", count=120)
    DailyVisit.objects.create(day=timezone.localdate() - timedelta(days=40), kind="home", count=999)
    article_with_images(title="新政策", images=0, cover=False)
    return {"rejected": fresh(rejected)}


def test_a_district_token_gets_its_districts_figures(api_a, activity):
    response = api_client_for(api_a).get("/api/v1/statistics/", today_params())
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["district"] for row in body["districts"]] == ["230602"]
    figures = body["total"]
    assert figures == {**body["districts"][0], "district": None, "district_name": None}
    assert (figures["applications_submitted"], figures["applications_rejected"], figures["applications_approved"]) \
        == (2, 1, 0)
    assert (figures["units_published"], figures["units_listed_now"]) == (2, 2)
    assert figures["visits"] == 120 and figures["articles_published"] == 1
    assert figures["feedback"]["received"]["complaint"] == 1 and figures["feedback"]["total"] == 1
    assert figures["overdue_applications"] == 1
    decided = activity["rejected"].processing_workdays
    assert figures["processing_workdays"] == {"decided": 1, "average": f"{decided}.00", "median": f"{decided}.00",
                                              "p90": f"{decided}.00"}


def test_figures_without_a_source_are_null_with_a_note(api_a, activity, monkeypatch):
    from gongzufang import statistics

    # As before the second half's apps landed: only the first half's providers.
    kept = [p for p in statistics.PROVIDERS if p.__module__.split(".")[0] in {"applications", "housing", "complaints"}]
    monkeypatch.setattr(statistics, "PROVIDERS", kept)
    body = api_client_for(api_a).get("/api/v1/statistics/", today_params()).json()
    for name in ("annual_reviews_done", "households_paid_rent", "households_paid_subsidy", "exits_by_ground"):
        assert body["total"][name] is None
        assert body["notes"][name]


def test_a_city_token_gets_every_district_and_the_total(api_city, activity):
    body = api_client_for(api_city).get("/api/v1/statistics/", today_params()).json()
    assert len(body["districts"]) == 9
    by_code = {row["district"]: row for row in body["districts"]}
    assert by_code["230603"]["applications_submitted"] == 1 and by_code["230603"]["units_listed_now"] == 1
    assert body["total"]["applications_submitted"] > 0 and body["total"]["units_listed_now"] == 3
    assert body["total"]["units_published"] == sum(r["units_published"] for r in body["districts"])

    one = api_client_for(api_city).get("/api/v1/statistics/", today_params(district="230603")).json()
    assert [r["district"] for r in one["districts"]] == ["230603"] and one["total"]["applications_submitted"] == 1


def test_a_district_token_cannot_ask_for_another_district(api_a, district_b):
    error(api_client_for(api_a).get("/api/v1/statistics/", today_params(district="230603")), 404)
    assert api_client_for(api_a).get("/api/v1/statistics/", today_params(district="230602")).status_code == 200


def test_the_period_counts_only_its_own_days(api_a, activity):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = api_client_for(api_a).get("/api/v1/statistics/", {"from": yesterday, "to": yesterday}).json()
    figures = body["total"]
    assert (figures["applications_submitted"], figures["units_published"], figures["visits"]) == (0, 0, 0)
    assert figures["processing_workdays"] == {"decided": 0, "average": None, "median": None, "p90": None}
    assert figures["units_listed_now"] == 2 and figures["overdue_applications"] == 1  # as of today


def test_the_default_period_is_this_month(api_a):
    body = api_client_for(api_a).get("/api/v1/statistics/").json()
    today = timezone.localdate()
    assert (body["from"], body["to"], body["as_of"]) == (today.replace(day=1).isoformat(), today.isoformat(),
                                                         today.isoformat())


@pytest.mark.parametrize("params", [{"from": "2026-02-30"}, {"to": "today"}, {"form": "2026-01-01"},
                                    {"from": "2026-01-01", "to": "2026-01-31", "page": "2"}])
def test_bad_questions_answer_400(api_a, params):
    error(api_client_for(api_a).get("/api/v1/statistics/", params), 400)


def test_a_district_that_names_nothing_is_not_found(api_city):
    for code in ("2306020", "abc"):
        error(api_client_for(api_city).get("/api/v1/statistics/", {"district": code}), 404)
    assert error(api_client_for(api_city).get("/api/v1/statistics/", {"district": "23060\x00"}), 400)["fields"] == {
        "district": ["含有 NUL 字符。"]}
    assert len(api_client_for(api_city).get("/api/v1/statistics/", {"district": " "}).json()["districts"]) == 9


def test_an_upside_down_period_is_empty(api_a, activity):
    today = timezone.localdate()
    body = api_client_for(api_a).get("/api/v1/statistics/", {"from": today.isoformat(),
                                                              "to": (today - timedelta(days=5)).isoformat()}).json()
    assert body["total"]["applications_submitted"] == 0 and body["total"]["visits"] == 0
    assert body["total"]["units_listed_now"] == 2  # as of today, whatever the period


def test_an_approval_counts_with_its_processing_time(api_a, carol, dave, chen):
    start = date(2026, 3, 2)  # a Monday
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 2, 9)), tick=False):
        app = in_public_notice(builders.submitted(), carol, dave)
    with time_machine.travel(timezone.make_aware(datetime.combine(app.notice_ends_on + timedelta(days=1),
                                                                  datetime.min.time()).replace(hour=9)), tick=False):
        review.close_notice(application=app, actor=dave)
        review.city_approve(application=fresh(app), actor=chen)
        approved = fresh(app)
        assert approved.status == Status.APPROVED
        body = api_client_for(api_a).get("/api/v1/statistics/", {"from": start.isoformat(),
                                                                  "to": timezone.localdate().isoformat()}).json()
    figures = body["total"]
    assert figures["applications_approved"] == 1 and figures["applications_submitted"] == 1
    assert figures["processing_workdays"]["decided"] == 1
    assert figures["processing_workdays"]["average"] == f"{approved.processing_workdays}.00"


# --- issue 17: a caseworker signed in to the portal reads the figures too, within their own scope ---------


def test_a_signed_in_caseworker_reads_their_districts_figures(client, dave, district_b, activity):
    client.force_login(dave)
    response = client.get("/api/v1/statistics/", today_params())
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["district"] for row in body["districts"]] == ["230602"]
    assert body["total"]["applications_submitted"] == 2
    assert body["total"]["vacancy_rate"] is not None and body["visits_as_of"]
    assert client.get("/api/v1/statistics/", today_params(district="230603")).status_code == 404


def test_a_signed_in_applicant_or_nobody_is_refused(client, alice):
    assert client.get("/api/v1/statistics/").status_code == 401
    client.force_login(alice)
    assert client.get("/api/v1/statistics/").status_code == 403


def test_the_new_figures_are_in_the_answer(api_city, activity):
    body = api_client_for(api_city).get("/api/v1/statistics/", today_params()).json()
    total = body["total"]
    assert total["units_in_stock"] == 4 and total["units_vacant"] == 4 and total["vacancy_rate"] == "100.00"
    assert set(total["processing_workdays"]) == {"decided", "average", "median", "p90"}


NINE = ("visits", "units_published", "articles_published", "applications_submitted", "applications_approved",
        "annual_reviews_done", "households_paid_rent", "households_paid_subsidy")


def test_the_nine_figures_are_none_null_now_that_every_part_exists(api_city, activity):
    """DESIGN §11's nine figures (feedback is the ninth, counted by kind): every app is installed, so none is
    null — a 0 is a real count, in every district and the total."""
    body = api_client_for(api_city).get("/api/v1/statistics/", today_params()).json()
    for row in [*body["districts"], body["total"]]:
        for name in NINE:
            assert row[name] is not None, name
        assert row["feedback"]["total"] is not None
    assert body["total"]["applications_submitted"] > 0
