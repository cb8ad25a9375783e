"""The formula (DESIGN §8) with worked figures: standard × max(0, 15 ㎡ × members − own area) × coefficient,
capped at the rent, in Decimal rounded half up to the fen."""

from decimal import Decimal as D

import pytest

from subsidies.computation import Inputs, compute


def inputs(**kw):
    base = {"category_label": "低收入", "members": 3, "own_housing_area": D("0"), "area_per_person": D("15.00"),
            "standard_per_sqm": D("10.00"), "coefficient": D("0.80"), "lease_rent": None}
    return Inputs(**{**base, **kw})


def test_three_people_without_a_home_low_income():
    # 15 × 3 = 45 ㎡; 10.00 元 × 45 × 0.80 = 360.00 元
    result = compute(inputs())
    assert (result.standard_area, result.eligible_area, result.uncapped, result.amount) == (
        D("45.00"), D("45.00"), D("360.00"), D("360.00"))
    assert not result.capped


def test_own_housing_area_is_taken_off():
    # 15 × 2 = 30 ㎡ − 12.5 ㎡ = 17.5 ㎡; 12.00 × 17.5 × 1.00 = 210.00 元 (低保)
    result = compute(inputs(members=2, own_housing_area=D("12.50"), standard_per_sqm=D("12.00"), coefficient=D("1.00")))
    assert (result.eligible_area, result.amount) == (D("17.50"), D("210.00"))


def test_a_home_larger_than_the_standard_gives_nothing_not_a_negative_amount():
    result = compute(inputs(members=1, own_housing_area=D("20.00")))
    assert (result.eligible_area, result.amount) == (D("0"), D("0.00"))
    assert "不足以 0 计" in dict(result.lines)["补贴面积"]


def test_capped_at_the_rent_actually_paid():
    # 360.00 计算额, rent 300.00 → 300.00
    result = compute(inputs(lease_rent=D("300.00")))
    assert (result.uncapped, result.amount, result.capped) == (D("360.00"), D("300.00"), True)
    assert "按实际租金发放" in dict(result.lines)["实际租金封顶"]


def test_a_rent_above_the_amount_does_not_raise_it():
    result = compute(inputs(lease_rent=D("1500.00")))
    assert (result.amount, result.capped) == (D("360.00"), False)


def test_rounded_half_up_to_the_fen():
    # 6.00 × (15 × 1 − 0.125 → 14.875 ㎡) × 0.5 = 44.625 → 44.63 (half up, not banker's 44.62)
    result = compute(inputs(members=1, own_housing_area=D("0.125"), standard_per_sqm=D("6.00"), coefficient=D("0.50")))
    assert result.amount == D("44.63")


def test_the_lines_show_every_step_in_chinese():
    lines = dict(compute(inputs(lease_rent=D("300.00"))).lines)
    assert lines["保障面积"] == "人均 15.00 ㎡ × 3 人 = 45.00 ㎡"
    assert lines["按标准计算"] == "10.00 元/㎡·月 × 45.00 ㎡ × 系数 0.8 = 360.00 元"
    assert lines["月补贴金额"] == "300.00 元"


def test_a_household_of_nobody_is_refused():
    with pytest.raises(ValueError):
        compute(inputs(members=0))
