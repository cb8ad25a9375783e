"""The monthly subsidy (DESIGN §8), pure: no database, Decimal only, rounded half up to the fen.

    amount = standard 元/㎡ (by category)
             × max(0, area standard per person × counted members − own housing area)
             × category coefficient,
    capped at the rent actually paid under the market lease.

`compute(inputs)` returns every intermediate figure and the lines the applicant's page shows.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(value) -> str:
    return f"{money(value):,.2f}"


def area(value) -> str:
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)}"


@dataclass(frozen=True)
class Inputs:
    category_label: str
    members: int
    own_housing_area: Decimal
    area_per_person: Decimal
    standard_per_sqm: Decimal
    coefficient: Decimal
    lease_rent: Decimal | None = None  # None: no market lease registered yet (no cap known)


@dataclass(frozen=True)
class Result:
    standard_area: Decimal  # area standard × members
    eligible_area: Decimal  # max(0, standard area − own housing area)
    uncapped: Decimal  # standard × eligible area × coefficient, to the fen
    amount: Decimal  # the uncapped amount, capped at the lease rent
    capped: bool
    lines: tuple  # (label, text) shown line by line


def compute(inputs: Inputs) -> Result:
    if inputs.members < 1:
        raise ValueError("计算人口至少为 1 人")
    standard_area = Decimal(inputs.area_per_person) * inputs.members
    eligible = max(ZERO, standard_area - Decimal(inputs.own_housing_area))
    uncapped = money(Decimal(inputs.standard_per_sqm) * eligible * Decimal(inputs.coefficient))
    capped = inputs.lease_rent is not None and Decimal(inputs.lease_rent) < uncapped
    amount = money(inputs.lease_rent) if capped else uncapped
    lines = [
        ("保障对象类别", inputs.category_label),
        ("保障面积", f"人均 {area(inputs.area_per_person)} ㎡ × {inputs.members} 人 = {area(standard_area)} ㎡"),
        ("补贴面积", f"{area(standard_area)} ㎡ − 自有住房 {area(inputs.own_housing_area)} ㎡ = {area(eligible)} ㎡"
         + ("（不足以 0 计）" if standard_area - Decimal(inputs.own_housing_area) < 0 else "")),
        ("按标准计算", f"{yuan(inputs.standard_per_sqm)} 元/㎡·月 × {area(eligible)} ㎡ × 系数 "
                       f"{Decimal(inputs.coefficient).normalize():f} = {yuan(uncapped)} 元"),
    ]
    if inputs.lease_rent is None:
        lines.append(("实际租金封顶", "尚未登记市场租赁合同：登记后按实际月租金封顶"))
    elif capped:
        lines.append(("实际租金封顶", f"月租金 {yuan(inputs.lease_rent)} 元低于计算额，按实际租金发放"))
    else:
        lines.append(("实际租金封顶", f"月租金 {yuan(inputs.lease_rent)} 元，不低于计算额，不封顶"))
    lines.append(("月补贴金额", f"{yuan(amount)} 元"))
    return Result(standard_area=standard_area, eligible_area=eligible, uncapped=uncapped, amount=amount,
                  capped=capped, lines=tuple(lines))
