"""Searching by a full ID number in the admin (issue 12, item 2): by POST only, so the number never
stands in a URL (and so in an access log); each search is recorded in PiiAccessLog; the GET search
box with an ID number searches nothing and says where to go."""

import pytest
from django.urls import reverse

from gongzufang.models import PiiAccessLog
from tests.applications.builders import applicant, fresh_id_number, submitted

pytestmark = pytest.mark.django_db

LIST = reverse("admin:applications_application_changelist")
SEARCH = reverse("admin:applications_application_id_search")


@pytest.fixture
def family():
    spouse = fresh_id_number(born="19890505")
    app = submitted(applicant(name="赵建国"), members=[("spouse", "钱美兰", spouse)])
    app.spouse_id = spouse
    return app


def test_the_post_form_opens_the_match_and_logs_the_search(client, dave, family):
    client.force_login(dave)
    assert f'action="{SEARCH}"' in client.get(LIST).content.decode()
    response = client.post(SEARCH, {"id_number": family.spouse_id})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:applications_application_change", args=[family.pk])
    assert family.spouse_id not in response["Location"]
    log = PiiAccessLog.objects.get(field="id_number_search")
    assert (log.user, log.object_id) == (dave, str(family.pk))


def test_several_matches_are_listed_under_an_opaque_token(client, dave, family):
    # The same person as a member of a second application is not possible (one active per person), so
    # an applicant who was rejected and applied again is the everyday case of two matches.
    from tests.applications.review_builders import rejected

    rejected(family)
    again = submitted(family.applicant)
    client.force_login(dave)
    response = client.post(SEARCH, {"id_number": family.applicant.id_number})
    location = response["Location"]
    assert location.startswith(LIST + "?id_search=") and family.applicant.id_number not in location
    listing = client.get(location).content.decode()
    assert family.number in listing and again.number in listing
    assert PiiAccessLog.objects.filter(field="id_number_search", user=dave).count() == 1
    client.logout()
    client.force_login(dave)  # a new session: the token means nothing
    assert family.number not in client.get(location).content.decode()


def test_another_district_finds_nothing_and_is_logged_too(client, bob, family):
    client.force_login(bob)
    response = client.post(SEARCH, {"id_number": family.spouse_id}, follow=True)
    assert "没有找到" in response.content.decode()
    assert PiiAccessLog.objects.get(field="id_number_search").object_id == "-"


def test_an_invalid_number_is_refused_with_a_message(client, dave):
    client.force_login(dave)
    response = client.post(SEARCH, {"id_number": "230602199903180023"}, follow=True)
    assert "按身份证号查找" in response.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_the_get_search_with_an_id_number_does_not_search_by_it(client, dave, family):
    client.force_login(dave)
    response = client.get(LIST, {"q": family.spouse_id})
    body = response.content.decode()
    assert family.number not in body
    assert "请使用“按身份证号查找”表单" in body
    assert client.get(SEARCH).status_code == 302  # a GET to the form's address searches nothing
    assert not PiiAccessLog.objects.exists()
