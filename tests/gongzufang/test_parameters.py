"""Dated policy parameters: the value in force on a date, a district's own value first."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongzufang.models import PolicyParameter
from gongzufang.parameters import PARAMETERS, param, parse_value, resolve

pytestmark = pytest.mark.django_db


def test_every_key_has_a_seeded_citywide_default():
    assert set(PolicyParameter.objects.filter(district__isnull=True).values_list("key", flat=True)) == set(PARAMETERS)
    assert param("review.total_workdays") == 15
    assert param("eligibility.housing_area_per_capita_max") == Decimal("15.00")
    assert param("rent.coefficient.minimum_living") == Decimal("0.10")
    assert param("allocation.refusals_before_suspension") == 2
    assert len(param("materials.required.low_income")) == 6


def test_a_later_value_takes_effect_on_its_date():
    PolicyParameter.objects.create(key="review.total_workdays", value="12", effective_from=date(2027, 1, 1),
                                   legal_source="庆住建发〔2026〕1号")
    assert param("review.total_workdays", on=date(2026, 12, 31)) == 15
    assert param("review.total_workdays", on=date(2027, 1, 1)) == 12


def test_a_districts_own_value_wins_over_the_citywide_one(district_a, district_b):
    PolicyParameter.objects.create(key="rent.default_per_sqm", value="6.50", effective_from=date(2024, 1, 1),
                                   district=district_a, legal_source="萨尔图区文件")
    assert param("rent.default_per_sqm", on=date(2026, 6, 1), district=district_a) == Decimal("6.50")
    assert param("rent.default_per_sqm", on=date(2026, 6, 1), district="230602") == Decimal("6.50")
    assert param("rent.default_per_sqm", on=date(2026, 6, 1), district=district_b) == Decimal("8.00")
    assert param("rent.default_per_sqm", on=date(2023, 6, 1), district=district_a) == Decimal("8.00")


def test_a_resolved_value_says_where_it_came_from(district_a):
    row = PolicyParameter.objects.create(key="lease.term_years", value="5", effective_from=date(2025, 3, 1),
                                         district=district_a, legal_source="萨尔图区文件")
    record = resolve("lease.term_years", on=date(2026, 1, 1), district=district_a).as_record()
    assert record == {"key": "lease.term_years", "value": "5", "row_id": row.pk, "effective_from": "2025-03-01",
                      "district": "230602", "legal_source": "萨尔图区文件"}


@pytest.mark.parametrize(("key", "raw", "message"), [
    ("lease.term_years", "6", "不得大于 5"),
    ("lease.term_years", "2.5", "整数"),
    ("rent.default_per_sqm", "abc", "不是有效的数值"),
    ("rent.default_per_sqm", "NaN", "不是有效的数值"),
    ("rent.coefficient.low_income", "-0.1", "不得小于 0"),
    ("materials.required.low_income", "identity,passport", "无效代码：passport"),
])
def test_bad_values_are_refused_with_a_clear_message(key, raw, message):
    with pytest.raises(ValidationError) as excinfo:
        parse_value(key, raw)
    assert message in str(excinfo.value)


def test_city_staff_edit_parameters_in_the_admin_with_history(client, chen):
    from django.contrib.auth.models import Permission

    chen.user_permissions.add(*Permission.objects.filter(codename__endswith="policyparameter"))
    client.force_login(chen)
    url = reverse("admin:gongzufang_policyparameter_add")
    bad = client.post(url, {"key": "lease.term_years", "value": "9", "effective_from": "2027-01-01",
                            "legal_source": "文件"})
    assert bad.status_code == 200 and "不得大于 5" in bad.content.decode()
    assert not PolicyParameter.objects.filter(value="9").exists()
    good = client.post(url, {"key": "lease.term_years", "value": "4", "effective_from": "2027-01-01",
                             "legal_source": "庆住建发〔2026〕8号"})
    assert good.status_code == 302
    row = PolicyParameter.objects.get(key="lease.term_years", value="4")
    assert row.created_by == chen
    assert row.history.first().history_user == chen
    assert param("lease.term_years", on=date(2027, 1, 2)) == 4


def test_district_caseworkers_cannot_change_parameters(client, dave):
    client.force_login(dave)
    row = PolicyParameter.objects.filter(key="lease.term_years").first()
    assert client.get(reverse("admin:gongzufang_policyparameter_change", args=[row.pk])).status_code == 200
    response = client.post(reverse("admin:gongzufang_policyparameter_change", args=[row.pk]),
                           {"key": "lease.term_years", "value": "5", "effective_from": "2000-01-01", "legal_source": "x"})
    assert response.status_code == 403
