"""A lease's rent, deposit and term from the parameters in force, and how bills are prorated."""

from datetime import date
from decimal import Decimal

import pytest

from gongzufang.models import PolicyParameter
from rent.leases.terms import bill_for, lease_terms
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db


def _unit(area="45.00", rent_per_sqm="8.00"):
    estate = housing.estate(rent_per_sqm=rent_per_sqm)
    return housing.unit(housing.building(estate), area=area)


def test_rent_is_area_times_rent_per_sqm_times_the_category_coefficient():
    unit = _unit(area="45.35", rent_per_sqm="8.25")
    terms = lease_terms(unit=unit, category="minimum_living", start_on=date(2026, 12, 15))
    # 45.35 × 8.25 × 0.10 = 37.41375 → 37.41 (half up to the fen)
    assert terms.monthly_rent == Decimal("37.41")
    assert terms.deposit == Decimal("74.82") and terms.deposit_months == 2
    assert terms.term_years == 3 and terms.end_on == date(2029, 12, 14)
    keys = [row["key"] for row in terms.parameters_used]
    assert {"lease.term_years", "rent.coefficient.minimum_living", "lease.deposit_months"} <= set(keys)


def test_half_a_fen_rounds_up():
    unit = _unit(area="10.05", rent_per_sqm="1.00")
    assert lease_terms(unit=unit, category="low_income", start_on=date(2027, 1, 1)).monthly_rent == Decimal("5.03")


def test_a_district_parameter_in_force_on_the_start_date_is_used_and_recorded():
    unit = _unit()
    PolicyParameter.objects.create(key="lease.deposit_months", value="3", effective_from=date(2027, 1, 1),
                                   district_id=unit.district_id, legal_source="区住建局文件")
    before = lease_terms(unit=unit, category="new_graduate", start_on=date(2026, 12, 31))
    after = lease_terms(unit=unit, category="new_graduate", start_on=date(2027, 1, 1))
    assert (before.deposit_months, after.deposit_months) == (2, 3)
    row = next(r for r in after.parameters_used if r["key"] == "lease.deposit_months")
    assert row["value"] == "3" and row["district"] == "230602"


def test_the_term_never_exceeds_five_years():
    assert lease_terms(unit=_unit(), category="low_income", start_on=date(2027, 3, 1), term_years=9).term_years == 5


def test_first_and_last_months_are_prorated_by_day():
    first = bill_for(monthly_rent=Decimal("310.00"), start_on=date(2027, 1, 17), end_on=date(2030, 1, 16),
                     period=date(2027, 1, 1))
    assert (first.days, first.days_in_period, first.amount) == (15, 31, Decimal("150.00"))
    assert first.period_start == date(2027, 1, 17) and first.due_on == date(2027, 1, 27)
    full = bill_for(monthly_rent=Decimal("310.00"), start_on=date(2027, 1, 17), end_on=date(2030, 1, 16),
                    period=date(2027, 2, 1))
    assert (full.amount, full.due_on) == (Decimal("310.00"), date(2027, 2, 10))
    last = bill_for(monthly_rent=Decimal("310.00"), start_on=date(2027, 1, 17), end_on=date(2030, 1, 16),
                    period=date(2030, 1, 1))
    assert (last.days, last.amount) == (16, Decimal("160.00"))
    assert bill_for(monthly_rent=Decimal("310.00"), start_on=date(2027, 1, 17), end_on=date(2030, 1, 16),
                    period=date(2030, 2, 1)) is None
