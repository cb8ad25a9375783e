"""The status-change pattern: lock, check the table, record who, level, when, from, to, why."""

import pytest

from gongzufang.errors import TransitionNotAllowed
from gongzufang.models import ApiClient, ApiClientStatusChange
from gongzufang.services.api_clients import api_client_revoke
from tests.helpers import at_once


@pytest.mark.django_db
def test_a_status_change_is_recorded_with_actor_level_and_reason(api_a, chen):
    api_client_revoke(client=api_a, actor=chen, reason="系统停用")
    change = api_a.status_changes.get()
    assert (change.from_status, change.to_status, change.actor, change.actor_level, change.opinion) == (
        "active", "revoked", chen, "city", "系统停用")
    assert change.created_at is not None


@pytest.mark.django_db
def test_a_transition_out_of_order_is_refused_with_a_message(api_a, chen):
    api_client_revoke(client=api_a, actor=chen, reason="停用")
    with pytest.raises(TransitionNotAllowed) as excinfo:
        api_client_revoke(client=api_a, actor=chen, reason="再次停用")
    assert "当前状态为“已吊销”" in excinfo.value.message
    assert api_a.status_changes.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_acting_at_once_make_one_change(on_postgres, district_a):
    from gongzufang.services.api_clients import api_client_issue
    from tests.factories import CityCaseworkerFactory

    client, _token = api_client_issue(name="并发测试", district=district_a)
    actors = [CityCaseworkerFactory(), CityCaseworkerFactory()]

    def revoke(actor):
        return lambda: api_client_revoke(client=ApiClient.objects.get(pk=client.pk), actor=actor, reason="并发")

    outcomes = ["refused" if isinstance(o, TransitionNotAllowed) else o if isinstance(o, Exception) else "ok"
                for o in at_once(*(revoke(a) for a in actors))]
    assert sorted(outcomes, key=repr) == ["ok", "refused"]
    assert ApiClientStatusChange.objects.filter(client=client).count() == 1
