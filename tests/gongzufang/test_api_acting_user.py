"""ApiClient.acting_user: the caseworker a district system acts for must belong to the token's area."""

import pytest
from django.core.exceptions import ValidationError

from gongzufang.services.api_clients import api_client_issue
from tests import factories

pytestmark = pytest.mark.django_db


def client_with(district, user):
    client, _token = api_client_issue(name="系统", district=district)
    client.acting_user = user
    return client


def test_a_district_token_may_act_as_its_own_caseworker_or_street_clerk(district_a, dave, carol):
    client_with(district_a, dave).full_clean()
    client_with(district_a, carol).full_clean()


@pytest.mark.parametrize("who", ["bob", "chen", "alice"])
def test_a_district_token_may_not_act_as_anyone_else(district_a, who, request):
    with pytest.raises(ValidationError) as refused:
        client_with(district_a, request.getfixturevalue(who)).full_clean()
    assert "区县令牌的经办人" in str(refused.value.message_dict["acting_user"])


def test_a_city_token_acts_only_as_a_city_caseworker(chen, dave):
    client_with(None, chen).full_clean()
    with pytest.raises(ValidationError, match="市级令牌"):
        client_with(None, dave).full_clean()


def test_a_disabled_account_may_not_be_named(district_a):
    gone = factories.DistrictCaseworkerFactory(district=district_a, is_active=False)
    with pytest.raises(ValidationError, match="停用"):
        client_with(district_a, gone).full_clean()
