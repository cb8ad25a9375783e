"""District scoping: one queryset method, used everywhere (DESIGN §3)."""

import pytest
from django.http import Http404

from gongzufang.models import Community, Street
from gongzufang.services.api_clients import api_client_revoke

pytestmark = pytest.mark.django_db


def codes(qs):
    return {s.district.code for s in qs.select_related("district")}


def test_a_district_caseworker_sees_only_their_district(dave):
    assert codes(Street.objects.for_user(dave)) == {"230602"}


def test_a_city_caseworker_sees_every_district(chen):
    assert len(codes(Street.objects.for_user(chen))) == 9


def test_a_street_clerk_sees_only_their_street(carol):
    streets = list(Street.objects.for_user(carol))
    assert streets == [carol.street]
    communities = Community.objects.for_user(carol)
    assert communities.exists()
    assert {c.street_id for c in communities} == {carol.street_id}


def test_an_applicant_and_anonymous_see_nothing(alice):
    from django.contrib.auth.models import AnonymousUser

    assert not Street.objects.for_user(alice).exists()
    assert not Street.objects.for_user(AnonymousUser()).exists()
    assert not Street.objects.for_user(None).exists()


def test_a_deactivated_caseworker_sees_nothing(dave):
    dave.is_active = False
    assert not Street.objects.for_user(dave).exists()


def test_an_api_client_sees_its_district_until_revoked(api_a, chen):
    assert codes(Street.objects.for_user(api_a)) == {"230602"}
    api_client_revoke(client=api_a, actor=chen, reason="测试")
    api_a.refresh_from_db()
    assert not Street.objects.for_user(api_a).exists()


def test_another_districts_id_answers_404(dave, district_b):
    other = Street.objects.filter(district=district_b).first()
    with pytest.raises(Http404):
        Street.objects.get_for_user_or_404(dave, pk=other.pk)
    with pytest.raises(Http404):
        Street.objects.get_for_user_or_404(dave, pk="not-a-number")
    own = Street.objects.filter(district=dave.district).first()
    assert Street.objects.get_for_user_or_404(dave, pk=own.pk) == own


def test_daqing_has_its_nine_districts(db):
    from gongzufang.models import District

    assert list(District.objects.values_list("code", "name")) == [
        ("230602", "萨尔图区"), ("230603", "龙凤区"), ("230604", "让胡路区"), ("230605", "红岗区"),
        ("230606", "大同区"), ("230621", "肇州县"), ("230622", "肇源县"), ("230623", "林甸县"),
        ("230624", "杜尔伯特蒙古族自治县"),
    ]
    assert all(d.streets.exists() for d in District.objects.all())
