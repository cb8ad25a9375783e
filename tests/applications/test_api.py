"""Applications through the district API: the list and its filters, the detail (masked ID numbers,
materials without files, checks, rules, timeline), full ID numbers for a permission with each read
logged, and review steps through the same services as the admin, as the token's acting caseworker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Application, ApplicationStatusChange, Status
from gongzufang.models import PiiAccessLog, Street
from gongzufang.services.api_clients import api_client_issue
from tests import factories
from tests.applications import builders
from tests.applications.review_builders import accepted, in_district_review, in_public_notice
from tests.conftest import api_client_for
from tests.helpers import api_error as error

pytestmark = pytest.mark.django_db



def token(district, *, acting_user=None, **options):
    client, key = api_client_issue(name=f"{district.name if district else '市局'}系统", district=district, **options)
    if acting_user is not None:
        client.acting_user = acting_user
        client.save()
    client.token = key
    return api_client_for(client), client


@pytest.fixture
def api(api_a):
    return api_client_for(api_a)


@pytest.fixture
def spouse_number():
    return builders.fresh_id_number()


@pytest.fixture
def app(db, spouse_number):
    """Submitted in carol's street (the first street of 230602), with a spouse."""
    return builders.submitted(members=[("spouse", "李明", spouse_number)])


@pytest.fixture
def app_b(db):
    return builders.submitted(street=factories.first_street("230603"))


# --- the list -----------------------------------------------------------------------------------------


def test_the_list_holds_the_districts_submitted_applications_and_never_a_draft(api, app, app_b):
    draft = builders.draft()
    rows = api.get("/api/v1/applications/").json()["results"]
    assert [r["id"] for r in rows] == [app.pk]
    assert draft.pk not in {r["id"] for r in rows}
    row = rows[0]
    assert (row["number"], row["status"], row["district"], row["household_size"]) == (app.number, "submitted", "230602", 2)
    assert row["status_label"] == "已提交，待受理" and row["category_label"] == "低收入"
    error(api.get(f"/api/v1/applications/{draft.pk}/"), 404)


def test_a_city_token_sees_every_district(api_city, app, app_b):
    rows = api_client_for(api_city).get("/api/v1/applications/", {"district": "230603"}).json()["results"]
    assert [r["id"] for r in rows] == [app_b.pk]


def test_each_filter(api, app, carol):
    other = builders.submitted(assistance="subsidy", category="new_graduate")
    accepted(other, carol)
    second_street = Street.objects.filter(district__code="230602").order_by("code")[1]
    elsewhere = builders.submitted(street=second_street)

    def ids(**params):
        response = api.get("/api/v1/applications/", params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    everything = {app.pk, other.pk, elsewhere.pk}
    assert ids(status="accepted") == {other.pk}
    assert ids(category="new_graduate") == {other.pk}
    assert ids(assistance_type="subsidy") == {other.pk}
    assert ids(street=second_street.code) == {elsewhere.pk}
    assert ids(street=factories.first_street("230602").code) == {app.pk, other.pk}
    assert ids(street="999999999") == set()
    assert ids(number=app.number) == {app.pk}
    today = timezone.localdate()
    assert ids(submitted_from=today.isoformat(), submitted_to=today.isoformat()) == everything
    assert ids(submitted_to=(today - timedelta(days=1)).isoformat()) == set()
    Application.objects.filter(pk=other.pk).update(step_due_on=today - timedelta(days=1))
    assert ids(overdue="true") == {other.pk}
    assert ids(overdue="false") == {app.pk, elsewhere.pk}
    moment = timezone.now()
    Application.objects.filter(pk=app.pk).update(updated_at=moment + timedelta(seconds=5))
    Application.objects.exclude(pk=app.pk).update(updated_at=moment - timedelta(hours=1))
    assert ids(updated_since=moment.isoformat()) == {app.pk}


def test_bad_filter_values_answer_400(api, app):
    for params, name in (({"status": "draft"}, "status"), ({"submitted_from": "31/12/2026"}, "submitted_from"),
                         ({"updated_since": "soon"}, "updated_since"), ({"category": 7}, "category"),
                         ({"ordering": "applicant__password"}, "ordering"), ({"applicant": "1"}, "applicant")):
        assert name in error(api.get("/api/v1/applications/", params), 400)["fields"], params


def test_ordering_and_a_cursor_walk_by_last_change(api, app):
    later = [builders.submitted() for _ in range(3)]
    oldest_first = api.get("/api/v1/applications/", {"ordering": "id"}).json()["results"]
    assert [r["id"] for r in oldest_first] == [app.pk] + [a.pk for a in later]
    seen, url = [], "/api/v1/applications/?ordering=updated_at&page_size=2&cursor="
    while url:
        page = api.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted([app.pk] + [a.pk for a in later]) and len(seen) == 4


def test_a_cursor_walks_a_column_that_may_be_empty_with_the_empty_ones_last(api, app):
    others = [builders.submitted() for _ in range(4)]
    today = timezone.localdate()
    for days, other in zip((3, 1, 1), others, strict=False):  # the fourth has no step deadline, like `app`
        Application.objects.filter(pk=other.pk).update(step_due_on=today + timedelta(days=days))
    for ordering in ("step_due_on", "-step_due_on"):
        seen, url = [], f"/api/v1/applications/?ordering={ordering}&page_size=1&cursor="
        while url:
            page = api.get(url).json()
            seen += [(r["step_due_on"], r["id"]) for r in page["results"]]
            url = page["next"]
        assert len(seen) == 5 and len({pk for _due, pk in seen}) == 5, ordering
        dated = [due for due, _pk in seen if due]
        assert dated == sorted(dated, reverse=ordering.startswith("-")) and seen[-2:] == [
            (None, pk) for pk in sorted([app.pk, others[3].pk], reverse=ordering.startswith("-"))], seen


# --- the detail ---------------------------------------------------------------------------------------


def test_the_detail_masks_every_id_number_and_describes_materials_without_files(api, app, spouse_number):
    response = api.get(f"/api/v1/applications/{app.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    applicant_number = app.household.members.get(relationship="self").id_number
    assert applicant_number not in text and spouse_number not in text
    detail = response.json()
    assert [(m["relationship"], m["name"], m["id_number_masked"]) for m in detail["members"]][1] == \
        ("spouse", "李明", spouse_number[:4] + "*" * 10 + spouse_number[-4:])
    assert detail["materials"], "the builder uploads the required materials"
    for material in detail["materials"]:
        assert set(material) == {"id", "kind", "kind_label", "name", "content_type", "size", "uploaded_at"}
        assert material["size"] > 0 and material["name"].endswith(".png")
    assert "applications/" not in text  # no storage path of a private file
    assert detail["checks"] == [] and detail["rule_evaluation"] is None
    assert [(t["from_status"], t["to_status"], t["level"]) for t in detail["timeline"]] == [("draft", "submitted", "applicant")]


def test_the_detail_shows_current_checks_rules_and_the_timeline(api, app, carol):
    app = in_district_review(app, carol)
    detail = api.get(f"/api/v1/applications/{app.pk}/").json()
    assert detail["status"] == "district_review"
    hukou = [c for c in detail["checks"] if c["department"] == "hukou"]
    assert len(hukou) == 2 and hukou[0]["department_name"] == "公安户籍"
    assert hukou[0]["status"] == "pass" and hukou[0]["facts"]["status"] == "normal"
    assert hukou[0]["reply_hash"] == "0" * 64 and hukou[0]["queried_at"]
    assert "*" in hukou[0]["member"]["id_number_masked"]
    assert detail["rule_evaluation"]["passed"] is True and detail["rule_evaluation"]["results"]
    steps = [(t["to_status"], t["level"]) for t in detail["timeline"]]
    assert steps == [("submitted", "applicant"), ("accepted", "street"), ("cross_check", "street"),
                     ("district_review", "system")]
    assert all(t["at"] for t in detail["timeline"])


def test_the_detail_issues_the_same_queries_however_large_the_household(api, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = builders.submitted()
    large = builders.submitted(members=[("spouse", "配偶", builders.fresh_id_number()),
                                        ("child", "子女一", builders.fresh_id_number(born="20150101")),
                                        ("child", "子女二", builders.fresh_id_number(born="20170101"))])
    api.get("/api/v1/applications/")
    with CaptureQueriesContext(connection) as counted:
        api.get(f"/api/v1/applications/{small.pk}/")
    with django_assert_num_queries(len(counted.captured_queries)):
        assert len(api.get(f"/api/v1/applications/{large.pk}/").json()["members"]) == 4


# --- full ID numbers ----------------------------------------------------------------------------------


def test_full_id_numbers_are_refused_without_the_permission_and_nothing_is_logged(api, app):
    body = error(api.get(f"/api/v1/applications/{app.pk}/full-id-numbers/"), 403)
    assert "身份证" in body["message"]
    assert not PiiAccessLog.objects.exists()


def test_full_id_numbers_with_the_permission_each_read_logged_with_the_token(district_a, app, spouse_number):
    api, client = token(district_a, can_view_full_id=True)
    response = api.get(f"/api/v1/applications/{app.pk}/full-id-numbers/")
    assert response.status_code == 200
    numbers = {row["relationship"]: row["id_number"] for row in response.json()}
    assert numbers["spouse"] == spouse_number and len(numbers["self"]) == 18
    logs = PiiAccessLog.objects.filter(api_client=client)
    assert logs.count() == 2 and {log.field for log in logs} == {"id_number"}
    assert all(app.number in log.purpose for log in logs) and all(log.user is None for log in logs)


def test_full_id_numbers_of_another_district_are_not_found_and_not_logged(district_a, app_b):
    api, _client = token(district_a, can_view_full_id=True)
    error(api.get(f"/api/v1/applications/{app_b.pk}/full-id-numbers/"), 404)
    assert not PiiAccessLog.objects.exists()


# --- review actions -----------------------------------------------------------------------------------


def test_a_token_without_an_acting_caseworker_cannot_review(api, app, carol):
    app = in_district_review(app, carol)
    body = error(api.post(f"/api/v1/applications/{app.pk}/district_approve/", {"opinion": "同意"}, format="json"), 403)
    assert "经办人" in body["message"]
    assert Application.objects.get(pk=app.pk).status == Status.DISTRICT_REVIEW


def test_the_district_approves_through_the_review_service_as_its_caseworker(district_a, app, carol, dave):
    app = in_district_review(app, carol)
    api, _client = token(district_a, acting_user=dave)
    response = api.post(f"/api/v1/applications/{app.pk}/district_approve/", {"opinion": "符合保障条件"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "public_notice" and response.json()["notice_ends_on"]
    change = ApplicationStatusChange.objects.filter(application=app).order_by("id").last()
    assert (change.to_status, change.actor, change.actor_level, change.opinion) == \
        ("public_notice", dave, "district", "符合保障条件")
    assert response.json()["timeline"][-1]["opinion"] == "符合保障条件"

    again = error(api.post(f"/api/v1/applications/{app.pk}/district_approve/", {}, format="json"), 409)
    assert again["code"] == "transition_not_allowed" and "公示" in again["message"]


def test_a_step_of_another_level_is_refused_with_the_services_message(district_a, app, dave):
    api, _client = token(district_a, acting_user=dave)
    body = error(api.post(f"/api/v1/applications/{app.pk}/accept/", {}, format="json"), 400)
    assert body["code"] == "wrong_level" and "受理员" in body["message"]
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED


def test_a_street_clerk_as_acting_user_accepts_and_approves(district_a, app, carol):
    api, _client = token(district_a, acting_user=carol)
    assert api.post(f"/api/v1/applications/{app.pk}/accept/", {"opinion": "材料齐全"}, format="json").json()["status"] \
        == "accepted"
    response = api.post(f"/api/v1/applications/{app.pk}/street_approve/", {"opinion": "初审通过"}, format="json")
    assert response.json()["status"] == "cross_check"


def test_rejecting_needs_an_opinion(district_a, app, carol, dave):
    app = in_district_review(app, carol)
    api, _client = token(district_a, acting_user=dave)
    body = error(api.post(f"/api/v1/applications/{app.pk}/reject/", {"opinion": ""}, format="json"), 400)
    assert "理由" in body["message"]
    assert Application.objects.get(pk=app.pk).status == Status.DISTRICT_REVIEW
    response = api.post(f"/api/v1/applications/{app.pk}/reject/", {"opinion": "人均收入超标"}, format="json")
    assert response.json()["status"] == "rejected"


def test_closing_a_running_notice_is_refused(district_a, app, carol, dave):
    app = in_public_notice(app, carol, dave)
    api, _client = token(district_a, acting_user=dave)
    body = error(api.post(f"/api/v1/applications/{app.pk}/close_notice/", {}, format="json"), 400)
    assert "公示期至" in body["message"]


def test_another_districts_application_is_not_found_and_unchanged(district_a, app_b, dave):
    api, _client = token(district_a, acting_user=dave)
    error(api.post(f"/api/v1/applications/{app_b.pk}/reject/", {"opinion": "x"}, format="json"), 404)
    assert Application.objects.get(pk=app_b.pk).status == Status.SUBMITTED


def test_an_opinion_of_the_wrong_type_or_too_long_is_400(district_a, app, carol, dave):
    app = in_district_review(app, carol)
    api, _client = token(district_a, acting_user=dave)
    for body in ({"opinion": ["a"]}, {"opinion": "长" * 2001}, [1, 2]):
        error(api.post(f"/api/v1/applications/{app.pk}/district_approve/", body, format="json"), 400)
    assert Application.objects.get(pk=app.pk).status == Status.DISTRICT_REVIEW


def test_an_acting_user_who_left_is_refused(district_a, app, carol, dave):
    app = in_district_review(app, carol)
    api, _client = token(district_a, acting_user=dave)
    dave.is_active = False
    dave.save()
    body = error(api.post(f"/api/v1/applications/{app.pk}/district_approve/", {}, format="json"), 403)
    assert "停用" in body["message"]
    assert Application.objects.get(pk=app.pk).status == Status.DISTRICT_REVIEW


def test_a_city_token_decides_a_recheck_as_its_caseworker_but_not_the_first_decider(app, carol, dave, chen):
    from applications.review import services as review

    app = in_district_review(app, carol)
    review.reject(application=app, actor=dave, opinion="收入超过标准")
    review.recheck_request(application=app, actor=app.applicant, reason="收入证明有误")
    api, _client = token(None, acting_user=chen)
    missing = error(api.post(f"/api/v1/applications/{app.pk}/recheck_grant/", {"opinion": ""}, format="json"), 400)
    assert "请填写意见" in missing["message"]
    response = api.post(f"/api/v1/applications/{app.pk}/recheck_grant/", {"opinion": "经核实收入证明有误"},
                        format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "public_notice"  # the district's rejection overturned
