"""`field__in_array`: the same rows as `__in`, one array parameter on PostgreSQL (gongzufang/lookups.py)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzufang.models import District, Street


def test_in_array_finds_what_in_finds_on_text_integer_and_foreign_key_columns(db):
    codes = list(District.objects.order_by("code").values_list("code", flat=True)[:3])
    assert len(codes) == 3
    district_ids = list(District.objects.filter(code__in=codes).values_list("pk", flat=True))
    assert set(District.objects.filter(code__in_array=codes)) == set(District.objects.filter(code__in=codes))
    assert set(District.objects.filter(pk__in_array=district_ids)) == set(District.objects.filter(pk__in=district_ids))
    assert (set(Street.objects.filter(district_id__in_array=district_ids))
            == set(Street.objects.filter(district_id__in=district_ids)))
    assert Street.objects.filter(district_id__in_array=district_ids).exists()


def test_an_empty_list_matches_nothing(db):
    assert list(District.objects.filter(code__in_array=[])) == []


def test_on_postgresql_the_values_go_as_one_array_parameter(on_postgres):
    codes = list(District.objects.values_list("code", flat=True))
    with CaptureQueriesContext(connection) as queries:
        found = set(District.objects.filter(code__in_array=codes).values_list("code", flat=True))
    assert found == set(codes)
    sql = queries.captured_queries[-1]["sql"]
    assert "= ANY(" in sql and " IN (" not in sql


def test_a_subquery_is_left_to_in(db):
    inner = District.objects.filter(code__startswith="2306").values("pk")
    found = set(Street.objects.filter(district_id__in_array=inner))
    assert found and found == set(Street.objects.filter(district_id__in=inner))
