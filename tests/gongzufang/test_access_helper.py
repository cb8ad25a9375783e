"""One access helper for every object kind (issue 11 item 5; DESIGN §3): look up and authorise in one
step, the same 404 for missing and not-yours; `in_scope` for services that refuse in their own words."""

import pytest
from django.http import Http404

from complaints import services as feedback_services
from complaints.models import Category, Feedback, FeedbackPhoto, Kind
from gongzufang.models import District
from gongzufang.scoping import get_in_scope_or_404, get_or_404, in_scope
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_row_in_scope_is_found_whether_given_a_model_a_manager_or_a_queryset(dave, district_a):
    for rows in (District, District.objects, District.objects.filter(code="230602")):
        assert get_in_scope_or_404(dave, rows, district_a.pk) == district_a
        assert in_scope(dave, rows, district_a.pk)


def test_another_districts_row_a_missing_one_and_a_bad_id_are_the_same_404(dave, district_b):
    for pk in (district_b.pk, 999_999, "abc", "1.5", ""):
        with pytest.raises(Http404):
            get_in_scope_or_404(dave, District, pk)
        assert not in_scope(dave, District, pk)
    assert not in_scope(dave, District, None)


def test_a_lookup_other_than_the_id(dave, district_a):
    assert get_in_scope_or_404(dave, District, code="230602") == district_a
    with pytest.raises(Http404):
        get_in_scope_or_404(dave, District, code="230603")
    assert District.objects.get_for_user_or_404(dave, code="230602") == district_a


def test_anonymous_and_inactive_people_see_nothing(district_a):
    gone = factories.DistrictCaseworkerFactory(is_active=False)
    for principal in (None, gone):
        assert not in_scope(principal, District, district_a.pk)
        with pytest.raises(Http404):
            get_in_scope_or_404(principal, District, district_a.pk)


def test_get_or_404_for_rows_narrowed_another_way(district_a):
    assert get_or_404(District.objects.filter(code="230602"), district_a.pk) == district_a
    with pytest.raises(Http404):
        get_or_404(District.objects.filter(code="230603"), district_a.pk)


@pytest.fixture
def item(district_a):
    person = factories.UserFactory()
    feedback, _created = feedback_services.feedback_submit(
        submitter=person, kind=Kind.COMPLAINT, category=Category.OTHER, text="楼道灯坏了很久", district=district_a)
    return feedback


def test_a_street_clerk_sees_no_feedback_of_their_district_the_caseworkers_do(item, carol, dave, chen, bob):
    assert not Feedback.objects.for_user(carol).exists()
    assert not in_scope(carol, Feedback, item.pk)
    assert in_scope(dave, Feedback, item.pk) and in_scope(chen, Feedback, item.pk)
    assert not in_scope(bob, Feedback, item.pk)
    assert not FeedbackPhoto.objects.for_user(carol).exists()
