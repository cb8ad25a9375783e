"""`manage.py generate_city` at small scale: exact counts, consistent derived fields, deterministic."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from housing.citygen import generate_city
from housing.models import Building, Estate, Renovation, Unit

pytestmark = pytest.mark.django_db


def snapshot():
    return list(Unit.objects.order_by("estate__name", "building__name", "number").values_list(
        "estate__name", "building__name", "number", "area", "bedrooms", "status", "listing", "furnished"))


def test_it_makes_exactly_what_was_asked(capsys):
    report = generate_city(units=600, estates=12, seed=7, articles=0)
    assert (report.estates, report.units) == (12, 600)
    assert Estate.objects.count() == 12 and Unit.objects.count() == 600
    assert Building.objects.count() == report.buildings
    assert Renovation.objects.count() == report.renovations
    assert report.published_units == Unit.objects.filter(listing="published").count()
    assert 0.1 < report.published_units / 600 < 0.35
    # spread over several districts, most stock in the urban ones
    per_district = dict(Estate.objects.values_list("district__code").annotate(n=Count("id")))
    assert len(per_district) >= 5


def test_derived_fields_are_consistent():
    generate_city(units=400, estates=6, seed=3, articles=0)
    for unit in Unit.objects.select_related("building__estate"):
        assert unit.estate_id == unit.building.estate_id
        assert unit.district_id == unit.building.estate.district_id
        assert unit.has_lift == unit.building.has_lift
        assert 1 <= unit.floor <= unit.building.floors
        assert unit.monthly_rent == (unit.area * unit.rent_per_sqm).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert not Unit.objects.filter(listing="published", published_at__isnull=True).exists()
    assert not Unit.objects.filter(listing="published").exclude(status__in=["vacant", "reserved"]).exists()
    assert not Estate.objects.exclude(district=F("street__district")).exists()


def test_the_same_seed_gives_the_same_city_and_another_seed_another():
    generate_city(units=300, estates=5, seed=11, articles=0)
    first = snapshot()
    generate_city(units=300, estates=5, seed=11, articles=0, clear=True)
    assert snapshot() == first
    generate_city(units=300, estates=5, seed=12, articles=0, clear=True)
    assert snapshot() != first


def test_it_will_not_add_to_existing_stock_without_clear():
    generate_city(units=50, estates=2, seed=1, articles=0)
    with pytest.raises(CommandError, match="--clear"):
        call_command("generate_city", "--units", "50", "--estates", "2", "--articles", "0")


def test_the_command_reports_what_it_made(capsys):
    call_command("generate_city", "--units", "120", "--estates", "3", "--seed", "5", "--articles", "0", "--clear")
    out = capsys.readouterr().out
    assert "房屋 120 套" in out and "小区 3 个" in out


@pytest.mark.parametrize("args", [["--units", "-1"], ["--estates", "0"]])
def test_nonsense_sizes_are_refused(args):
    with pytest.raises(CommandError):
        call_command("generate_city", *args)


def test_the_city_gets_published_policy_articles_too():
    from gongzufang.models import Article

    report = generate_city(units=20, estates=1, seed=1, articles=25)
    assert report.articles == 25
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == 25


def test_the_search_works_on_a_generated_city(client):
    generate_city(units=500, estates=8, seed=2, articles=0)
    response = client.get("/housing/units/", {"sort": "rent", "per_page": 50})
    assert response.status_code == 200
    rents = [u.monthly_rent for u in response.context["search"].units]
    assert rents == sorted(rents) and len(rents) == 50


def test_clearing_refuses_when_other_records_point_at_the_stock(alice):
    from complaints.models import Feedback
    from complaints.services import feedback_submit

    generate_city(units=30, estates=2, seed=5, articles=0)
    unit = Unit.objects.first()
    feedback_submit(submitter=alice, kind="repair", category=Feedback._meta.get_field("category").choices[0][0],
                    text="厨房水管漏水", unit=unit)
    with pytest.raises(CommandError, match="其他业务数据仍引用现有房源"):
        call_command("generate_city", "--units", "10", "--estates", "1", "--articles", "0", "--clear")
    assert Unit.objects.count() == 30


def test_clearing_keeps_other_records_that_do_not_point_at_the_stock(alice, district_a):
    from complaints.models import Feedback
    from complaints.services import feedback_submit

    generate_city(units=30, estates=2, seed=5, articles=0)
    feedback_submit(submitter=alice, kind="suggestion", category=Feedback._meta.get_field("category").choices[0][0],
                    text="建议增设充电桩", district=district_a)
    call_command("generate_city", "--units", "10", "--estates", "1", "--articles", "0", "--clear")
    assert Unit.objects.count() == 10
    assert Feedback.objects.count() == 1
