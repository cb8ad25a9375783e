"""`seed_demo` and `issue_api_token`, the commands other parts rely on (DESIGN §15)."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from gongzufang.demo import DEMO_PASSWORD
from gongzufang.models.users import Role
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if not m._meta.proxy}


def test_seed_demo_twice_changes_nothing():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert row_counts() == first
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username in ["shi", "saertu", "longfeng", "saertu_jd", "shenqingren"]:
        assert username in text


def test_seed_demo_makes_a_user_for_every_role(client):
    call_command("seed_demo", stdout=io.StringIO())
    User = apps.get_model("gongzufang", "User")
    assert set(User.objects.values_list("role", flat=True)) >= {r.value for r in Role}
    response = client.post("/admin/login/?next=/admin/", {"username": "saertu", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_issue_api_token_prints_a_working_token_last():
    out = io.StringIO()
    call_command("issue_api_token", "--district", "230602", "--name", "萨尔图区系统", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    ApiClient = apps.get_model("gongzufang", "ApiClient")
    client = ApiClient.objects.get(name="萨尔图区系统")
    assert client.district.code == "230602"
    assert token not in (client.key_digest, client.key_prefix)  # only a digest is stored
    client.token = token
    response = api_client_for(client).get("/api/v1/districts/")
    assert [d["code"] for d in response.json()["results"]] == ["230602"]


def test_issue_api_token_refuses_an_unknown_district():
    with pytest.raises(CommandError, match="区县代码 999999 不存在"):
        call_command("issue_api_token", "--district", "999999", "--name", "x", stdout=io.StringIO())


def test_issue_api_token_names_the_acting_caseworker(dave, bob):
    import io

    from django.core.management import CommandError, call_command

    from gongzufang.models import ApiClient

    out = io.StringIO()
    call_command("issue_api_token", "--district", "230602", "--name", "萨尔图区系统", "--acting-user", "dave",
                 stdout=out, stderr=io.StringIO())
    assert ApiClient.objects.get(name="萨尔图区系统").acting_user == dave
    with pytest.raises(CommandError):  # 龙凤区's caseworker may not act for 萨尔图区's system
        call_command("issue_api_token", "--district", "230602", "--name", "错配", "--acting-user", "bob",
                     stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("issue_api_token", "--district", "230602", "--name", "无人", "--acting-user", "nobody",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiClient.objects.filter(name__in=["错配", "无人"]).exists()
