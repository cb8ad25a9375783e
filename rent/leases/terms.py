"""A lease's terms from the policy parameters in force (DESIGN §8): term, rent, deposit, and how a
month's bill is prorated. Money is Decimal, yuan to 0.01, rounding half up; never float."""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from gongzufang.parameters import CATEGORIES, resolve

CENT = Decimal("0.01")
MAX_TERM_YEARS = 5  # 《公共租赁住房管理办法》: a lease runs at most 5 years, whatever the parameter says


def yuan(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Terms:
    start_on: date
    end_on: date
    term_years: int
    area: Decimal
    rent_per_sqm: Decimal
    coefficient: Decimal
    monthly_rent: Decimal
    deposit_months: int
    deposit: Decimal
    parameters_used: list = field(default_factory=list)


def lease_terms(*, unit, category: str, start_on: date, term_years: int | None = None) -> Terms:
    """Monthly rent = unit area × the estate's rent per ㎡ (the unit's own standard where it has one)
    × the category's coefficient (低保 pays 10%); deposit = months × rent; term in years (≤ 5)."""
    if category not in CATEGORIES:
        raise ValueError(f"未知的保障类别：{category}")
    district = unit.district_id
    used = []

    def value(key):
        resolved = resolve(key, on=start_on, district=district)
        used.append(resolved.as_record())
        return resolved.value

    years = term_years or value("lease.term_years")
    years = max(1, min(int(years), MAX_TERM_YEARS))
    coefficient = Decimal(value(f"rent.coefficient.{category}"))
    deposit_months = int(value("lease.deposit_months"))
    rent_per_sqm = Decimal(unit.rent_per_sqm if unit.rent_per_sqm is not None else unit.estate.rent_per_sqm)
    area = Decimal(unit.area)
    monthly = yuan(area * rent_per_sqm * coefficient)
    return Terms(
        start_on=start_on, end_on=add_years(start_on, years) - timedelta(days=1), term_years=years, area=area,
        rent_per_sqm=rent_per_sqm, coefficient=coefficient, monthly_rent=monthly, deposit_months=deposit_months,
        deposit=yuan(monthly * deposit_months), parameters_used=used,
    )


@dataclass(frozen=True)
class BillLine:
    period: date
    period_start: date
    period_end: date
    days: int
    days_in_period: int
    amount: Decimal
    due_on: date
    monthly_rent: Decimal = Decimal(0)
    lines: list = field(default_factory=list)  # parts at different rents, when the rent changed inside the period
    note: str = ""


def rent_on(day: date, *, monthly_rent: Decimal, changes=()) -> Decimal:
    """The monthly rent in force on `day`: the latest change (effective_from, new rent) on or before
    it, else the lease's own. `changes` sorted by effective_from (then by when recorded)."""
    rent = Decimal(monthly_rent)
    for effective_from, new_rent in changes:
        if effective_from <= day:
            rent = Decimal(new_rent)
    return rent


def _prorate(rent: Decimal, first_day: date, last_day: date) -> tuple[Decimal, int]:
    """rent × days let ÷ days in that month, month by month, not rounded; and the number of days."""
    total, days = Decimal(0), 0
    cursor = month_start(first_day)
    while cursor <= last_day:
        m_end = month_end(cursor)
        a, b = max(cursor, first_day), min(m_end, last_day)
        if a <= b:
            n = (b - a).days + 1
            days += n
            total += Decimal(rent) * n / Decimal(m_end.day)
        cursor = m_end + timedelta(days=1)
    return total, days


def bill_for(*, monthly_rent: Decimal, start_on: date, end_on: date, period: date, months: int = 1,
             due_day: int = 10, changes=()) -> BillLine | None:
    """The bill of the period beginning on `period` (a month's first day, `months` long) for a lease
    running start_on..end_on (both included), or None when the lease does not run in it. Each month
    is prorated by day: rent × days let ÷ days in that month, rounded half up to the fen once.

    `changes` are the lease's rent changes, (effective_from, new monthly rent) sorted by day: a period
    wholly at one rent is billed at it; a period a change falls inside is split at the change's day,
    each part prorated and rounded half up to the fen, and the bill is their sum (`lines`, `note`)."""
    period = month_start(period)
    last = add_months(period, months) - timedelta(days=1)
    first_day, last_day = max(period, start_on), min(last, end_on)
    if first_day > last_day:
        return None
    cuts = sorted({d for d, _rent in changes if first_day < d <= last_day})
    starts = [first_day, *cuts]
    parts = []
    for i, a in enumerate(starts):
        b = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else last_day
        rent = rent_on(a, monthly_rent=monthly_rent, changes=changes)
        raw, n = _prorate(rent, a, b)
        parts.append((a, b, n, rent, raw))
    days = sum(p[2] for p in parts)
    lines, note = [], ""
    if len(parts) == 1:
        amount = yuan(parts[0][4])
    else:
        amount = Decimal(0)
        for a, b, n, rent, raw in parts:
            part = yuan(raw)
            amount += part
            lines.append({"from": a.isoformat(), "to": b.isoformat(), "days": n, "monthly_rent": str(yuan(rent)),
                          "amount": str(part)})
        note = "租金调整，按天分段计费：" + "；".join(
            f"{date.fromisoformat(x['from']):%m月%d日}–{date.fromisoformat(x['to']):%m月%d日} {x['days']} 天，"
            f"月租金 {x['monthly_rent']} 元，计 {x['amount']} 元" for x in lines)
    due = date(period.year, period.month, min(due_day, calendar.monthrange(period.year, period.month)[1]))
    if first_day >= due:  # a lease starting after the due day: the same number of days to pay
        due = first_day + timedelta(days=due_day)
    return BillLine(period=period, period_start=first_day, period_end=last_day, days=days,
                    days_in_period=(last - period).days + 1, amount=yuan(amount), due_on=due,
                    monthly_rent=yuan(parts[-1][3]), lines=lines, note=note)


def is_billing_month(*, start_on: date, period: date, months: int) -> bool:
    """With bills every `months` months, the periods start in the lease's first month and every
    `months` after it."""
    diff = (period.year - start_on.year) * 12 + period.month - start_on.month
    return diff >= 0 and diff % months == 0
