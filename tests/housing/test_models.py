"""The housing models: money rounding, derived fields and constraints."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from housing.models import Unit, monthly_rent_for
from tests.housing import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("area", "rate", "expected"),
    [
        ("45.00", "8.00", "360.00"),
        ("45.55", "7.50", "341.63"),  # 341.625 rounds half up
        ("38.33", "8.50", "325.81"),  # 325.805 rounds half up
        ("10.01", "0.01", "0.10"),
    ],
)
def test_monthly_rent_is_area_times_rate_rounded_half_up(area, rate, expected):
    assert monthly_rent_for(Decimal(area), Decimal(rate)) == Decimal(expected)


def test_a_unit_takes_estate_district_lift_and_rent_from_its_building():
    estate = factories.estate("230603", rent_per_sqm="7.50")
    building = factories.building(estate, has_lift=True, floors=11)
    unit = factories.unit(building, floor=9, area="45.55")
    unit.refresh_from_db()
    assert unit.estate_id == estate.pk
    assert unit.district.code == "230603"
    assert unit.has_lift is True
    assert unit.rent_per_sqm == Decimal("7.50")
    assert unit.monthly_rent == Decimal("341.63")


def test_a_unit_may_have_its_own_rent_rate():
    _e, building, _u = factories.stock(units=0)
    unit = factories.unit(building, area="50.00", rent_per_sqm=Decimal("6.00"))
    assert unit.monthly_rent == Decimal("300.00")


def test_a_published_unit_always_has_a_publication_time():
    _e, _b, (unit,) = factories.stock(units=1)
    with pytest.raises(IntegrityError):
        Unit.objects.filter(pk=unit.pk).update(published_at=None)


def test_unit_numbers_are_unique_within_a_building():
    _e, building, (unit,) = factories.stock(units=1)
    with pytest.raises(IntegrityError):
        factories.unit(building, number=unit.number)


def test_facilities_are_one_per_line():
    estate = factories.estate(facilities="超市\n\n 公交站 \n")
    assert estate.facility_list == ["超市", "公交站"]


def test_bedroom_labels():
    assert Unit(bedrooms=0).bedrooms_label == "开间"
    assert Unit(bedrooms=1).bedrooms_label == "一居室"
