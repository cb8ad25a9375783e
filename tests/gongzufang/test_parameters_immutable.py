"""Parameters are immutable once in force or used by a decision (issue 11 item 6): a correction is a new
dated version; editing or deleting such a row is refused — in the admin and by the model, whatever the
code path — with a message that says how to correct it. A future row nobody used may still change."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from applications.models import RuleEvaluation
from applications.selectors import parameter_rows_used
from gongzufang.models import PolicyParameter
from gongzufang.models import parameters as parameter_models
from gongzufang.models.parameters import LOCKED_MESSAGE, ParameterLocked
from gongzufang.parameters import param
from tests.applications import builders

pytestmark = pytest.mark.django_db
KEY = "review.total_workdays"


def in_force():
    return PolicyParameter.objects.get(key=KEY, district__isnull=True, effective_from__lte=timezone.localdate())


def future(days=30, value="12"):
    return PolicyParameter.objects.create(key=KEY, value=value, legal_source="庆住建发〔2026〕9号",
                                          effective_from=timezone.localdate() + timedelta(days=days))


@pytest.fixture
def chen_may_change(chen):
    chen.user_permissions.add(*Permission.objects.filter(codename__endswith="policyparameter"))
    return chen


# --- the model refuses, whatever the code path ---------------------------------------------------


def test_a_row_in_force_cannot_be_saved_changed():
    row = in_force()
    row.value = "20"
    with pytest.raises(ParameterLocked) as refused:
        row.save()
    assert refused.value.message == LOCKED_MESSAGE
    assert param(KEY) == 15


def test_a_row_in_force_cannot_be_moved_into_the_future():
    row = in_force()
    row.effective_from = timezone.localdate() + timedelta(days=10)
    with pytest.raises(ParameterLocked):
        row.save()


def test_a_row_in_force_cannot_be_deleted_or_updated_in_bulk():
    row = in_force()
    with pytest.raises(ParameterLocked):
        row.delete()
    with pytest.raises(ParameterLocked):
        PolicyParameter.objects.filter(pk=row.pk).update(value="20")
    with pytest.raises(ParameterLocked):
        PolicyParameter.objects.filter(key=KEY).delete()
    assert PolicyParameter.objects.get(pk=row.pk).value == "15"


def test_a_future_row_nobody_used_may_be_edited_and_deleted():
    row = future()
    row.value = "13"
    row.save()
    assert PolicyParameter.objects.filter(pk=row.pk).update(legal_source="更正后的文号") == 1
    assert param(KEY, on=row.effective_from) == 13
    row.refresh_from_db()
    row.delete()
    assert not PolicyParameter.objects.filter(pk=row.pk).exists()


def test_a_future_row_becomes_locked_on_its_effective_date():
    row = future(days=3)
    assert not row.is_locked()
    assert row.is_locked(today=row.effective_from)


def test_a_correction_is_a_new_version_with_a_later_date():
    future(days=1, value="12")
    assert param(KEY) == 15
    assert param(KEY, on=timezone.localdate() + timedelta(days=1)) == 12


def test_a_future_row_a_decision_used_is_locked():
    row = future(days=5)
    app = builders.submitted()
    RuleEvaluation.objects.create(application=app, decision_date=row.effective_from, category="low_income",
                                  parameters=[{"key": KEY, "value": "12", "row_id": row.pk}])
    assert parameter_rows_used([row.pk], since=row.effective_from) == {row.pk}
    assert row.is_locked()
    row.value = "13"
    with pytest.raises(ParameterLocked):
        row.save()
    with pytest.raises(ParameterLocked):
        row.delete()


def test_every_app_that_records_parameters_registers_its_finder():
    assert parameter_rows_used in parameter_models.USAGE_FINDERS


def test_decisions_dated_before_a_row_cannot_have_used_it():
    row = future(days=5)
    app = builders.submitted()
    RuleEvaluation.objects.create(application=app, decision_date=row.effective_from - timedelta(days=1),
                                  category="low_income", parameters=[{"key": KEY, "row_id": row.pk}])
    assert parameter_rows_used([row.pk], since=row.effective_from) == set()


# --- the admin -----------------------------------------------------------------------------------


def test_the_admin_shows_a_row_in_force_read_only_and_says_how_to_correct_it(client, chen_may_change):
    client.force_login(chen_may_change)
    row = in_force()
    url = reverse("admin:gongzufang_policyparameter_change", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert LOCKED_MESSAGE in body
    assert 'name="value"' not in body and 'name="_save"' not in body
    refused = client.post(url, {"key": KEY, "value": "20", "effective_from": row.effective_from.isoformat(),
                                "legal_source": "x"})
    assert refused.status_code == 403
    assert client.get(reverse("admin:gongzufang_policyparameter_delete", args=[row.pk])).status_code == 403
    assert client.post(reverse("admin:gongzufang_policyparameter_delete", args=[row.pk]),
                       {"post": "yes"}).status_code == 403
    assert PolicyParameter.objects.get(pk=row.pk).value == "15"


def test_the_admin_edits_and_deletes_a_future_row(client, chen_may_change):
    client.force_login(chen_may_change)
    row = future()
    url = reverse("admin:gongzufang_policyparameter_change", args=[row.pk])
    assert 'name="value"' in client.get(url).content.decode()
    response = client.post(url, {"key": KEY, "value": "13", "effective_from": row.effective_from.isoformat(),
                                 "legal_source": "庆住建发〔2026〕10号"})
    assert response.status_code == 302
    assert PolicyParameter.objects.get(pk=row.pk).value == "13"
    response = client.post(reverse("admin:gongzufang_policyparameter_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not PolicyParameter.objects.filter(pk=row.pk).exists()


def test_the_admin_has_no_bulk_delete(client, chen_may_change):
    client.force_login(chen_may_change)
    body = client.get(reverse("admin:gongzufang_policyparameter_changelist")).content.decode()
    assert "delete_selected" not in body


def test_the_admin_lists_parameters_by_their_chinese_names(client, chen_may_change):
    client.force_login(chen_may_change)
    body = client.get(reverse("admin:gongzufang_policyparameter_changelist")).content.decode()
    assert "参数名称" in body and "审批总时限" in body and "政策依据" in body and "生效日期" in body


@pytest.mark.parametrize("term", ["审批总时限", "庆住建发〔2026〕9号", "review.total_workdays"])
def test_the_admin_finds_parameters_by_name_legal_source_or_key(client, chen_may_change, term):
    client.force_login(chen_may_change)
    row = future()
    response = client.get(reverse("admin:gongzufang_policyparameter_changelist"), {"q": term})
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert row.pk in shown
    assert all(obj.key == KEY for obj in response.context["cl"].result_list)


def test_the_admin_finds_parameters_by_effective_date(client, chen_may_change):
    client.force_login(chen_may_change)
    row = future(days=40)
    changelist = reverse("admin:gongzufang_policyparameter_changelist")
    by_day = client.get(changelist, {"q": row.effective_from.isoformat()}).context["cl"].result_list
    assert [obj.pk for obj in by_day] == [row.pk]
    coming = client.get(changelist, {"in_force": "no"}).context["cl"].result_list
    assert [obj.pk for obj in coming] == [row.pk]
    named = client.get(changelist, {"key": KEY}).context["cl"].result_list
    assert {obj.key for obj in named} == {KEY} and len(named) == 2
