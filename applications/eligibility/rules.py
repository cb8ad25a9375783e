"""Eligibility rules (DESIGN §6, issue 5 item 6; ADR 0007).

A rule is a small pure function of the household as declared, the departments' answers and the
policy parameters in force on the decision date:

    @rule("income", "家庭人均月收入", departments=("tax",), params=("eligibility.income_limit.{category}",))
    def income(household, departments, params) -> RuleResult: ...

It returns whether it passed (`None` when a fact it needs is unknown — never passed), the value it
found, the limit, where the value came from, and a sentence. Rules are chosen by the application's
category. `evaluate()` runs them and stores a `RuleEvaluation` together with the record of every
parameter it used (row id, effective date, district, legal source), so a decision can be
explained later even after the parameters have changed.

Facts come only from the application and the current `CheckResult` rows; the contract is
docs/departments.md.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from applications.models import Application, RuleEvaluation
from applications.models.applications import HousingType, MaritalStatus, Relationship
from gongzufang.errors import PortalError
from gongzufang.parameters import CATEGORIES, resolve

ALL_CATEGORIES = frozenset(CATEGORIES)

# How a department is named where a value came from ("不动产登记中心 2026-11-20 查询").
DEPARTMENT_NAMES = {
    "hukou": "公安户籍部门",
    "vehicles": "公安车辆管理部门",
    "property": "不动产登记中心",
    "civil_affairs": "民政部门",
    "social_insurance": "人社部门",
    "housing_fund": "住房公积金中心",
    "business": "市场监管部门",
    "tax": "税务部门",
    "disability": "残联",
    "death": "殡葬/死亡登记部门",
    "marriage": "婚姻登记机关",
    "education": "教育部门",
}
DECLARED = "申请人申报"
# Rules that read no parameter still cite where the condition itself comes from.
NATIONAL_BASIS = "《公共租赁住房管理办法》（住房和城乡建设部令第11号）"
CITY_AREA_PREFIX = "2306"  # 大庆市 area codes

INCOME_STANDARD_NAMES = {
    "minimum_living": "低保/特困家庭标准",
    "low_income": "低收入家庭标准",
    "lower_middle_income": "中等偏下收入家庭标准",
    "new_graduate": "新就业无房职工标准",
    "migrant_worker": "外来务工人员标准",
    "special": "特殊群体家庭标准",
}


# --- facts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFacts:
    id: int
    relationship: str
    relationship_label: str
    name: str
    declared_income: Decimal
    marital_status: str
    disability: str
    id_number_hash: str = ""

    @property
    def is_applicant(self) -> bool:
        return self.relationship == Relationship.SELF


@dataclass(frozen=True)
class HouseholdFacts:
    """What the applicant declared."""

    category: str
    assistance_type: str
    district_id: int | None
    members: tuple[MemberFacts, ...]
    housing_type: str = ""
    housing_area: Decimal | None = None
    vehicle_count: int = 0
    vehicle_value: Decimal = Decimal("0")
    business_count: int = 0
    business_capital: Decimal = Decimal("0")
    property_sold_recently: bool = False

    @classmethod
    def from_application(cls, application) -> "HouseholdFacts":
        members = tuple(
            MemberFacts(
                id=m.pk, relationship=m.relationship, relationship_label=m.get_relationship_display(),
                name=m.name, declared_income=m.monthly_income or Decimal("0"),
                marital_status=m.marital_status, disability=m.disability, id_number_hash=m.id_number_hash,
            )
            for m in application.household.members.order_by("sort_order", "id")
        )
        return cls(
            category=application.category, assistance_type=application.assistance_type,
            district_id=application.district_id, members=members,
            housing_type=application.housing_type, housing_area=application.housing_area,
            vehicle_count=application.vehicle_count, vehicle_value=application.vehicle_value,
            business_count=application.business_count, business_capital=application.business_capital,
            property_sold_recently=application.property_sold_recently,
        )

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def applicant(self) -> MemberFacts:
        return next(m for m in self.members if m.is_applicant)


@dataclass(frozen=True)
class DepartmentAnswer:
    department: str
    status: str  # "pass", "fail" or "unknown" (CheckOutcome)
    facts: dict
    queried_on: date | None
    reason: str = ""

    @property
    def known(self) -> bool:
        return self.status in ("pass", "fail")


class FactMalformed(Exception):
    """A department answered, but a fact a rule needs is missing or not of the agreed form."""


class Lookup:
    """One department's answers for some members; `unknown` lists those without a usable answer."""

    def __init__(self, department: str, pairs):
        self.department = department
        self.answers: list[tuple[MemberFacts, DepartmentAnswer]] = []
        self.unknown: list[tuple[MemberFacts, DepartmentAnswer | None]] = []
        for member, answer in pairs:
            (self.answers if answer is not None and answer.known else self.unknown).append((member, answer))

    @property
    def complete(self) -> bool:
        return not self.unknown

    def source(self, *, declared=False) -> str:
        days = sorted({a.queried_on for _m, a in self.answers if a.queried_on})
        text = f"{DEPARTMENT_NAMES.get(self.department, self.department)} {'、'.join(d.isoformat() for d in days)} 查询"
        return f"{text}；{DECLARED}" if declared else text

    def unknown_result(self, limit: str) -> "RuleResult":
        name = DEPARTMENT_NAMES.get(self.department, self.department)
        who = "、".join(
            f"{m.relationship_label}{m.name}（{a.reason if a and a.reason else '未查询' if a is None else '无记录'}）"
            for m, a in self.unknown
        )
        return RuleResult(
            passed=None, value="无法核验", limit=limit, source=f"{name}：未取得结果",
            reason=f"{name}未能提供所需记录，暂无法核验", detail=who,
        )


class DepartmentFacts:
    """The current department answers of an application, per member and department."""

    def __init__(self, answers: dict[tuple[int, str], DepartmentAnswer]):
        self._answers = answers

    @classmethod
    def from_application(cls, application) -> "DepartmentFacts":
        answers = {}
        for row in application.check_results.current():
            answers[(row.member_id, row.department)] = DepartmentAnswer(
                department=row.department, status=row.status, facts=row.facts or {},
                queried_on=timezone.localdate(row.queried_at) if row.queried_at else None, reason=row.reason,
            )
        return cls(answers)

    def answer(self, member: MemberFacts, department: str) -> DepartmentAnswer | None:
        return self._answers.get((member.id, department))

    def lookup(self, members, department: str) -> Lookup:
        return Lookup(department, [(m, self.answer(m, department)) for m in members])


class Params:
    """Parameters resolved on the decision date for the application's district; remembers each one
    used, so that the evaluation records exactly the versions it applied."""

    def __init__(self, *, on: date, district=None):
        self.on = on
        self.district = district
        self._resolved = {}
        self._reading: list[str] | None = None

    def resolved(self, key: str):
        if key not in self._resolved:
            self._resolved[key] = resolve(key, on=self.on, district=self.district)
        if self._reading is not None and key not in self._reading:
            self._reading.append(key)
        return self._resolved[key]

    def __getitem__(self, key: str):
        return self.resolved(key).value

    def records(self) -> list[dict]:
        return [r.as_record() for r in self._resolved.values()]

    def start_reading(self):
        self._reading = []

    def keys_read(self) -> list[str]:
        keys, self._reading = self._reading or [], None
        return keys


@dataclass(frozen=True)
class RuleResult:
    passed: bool | None
    value: str
    limit: str
    source: str
    reason: str  # one household-level clause, fit for the applicant (no other member's details)
    detail: str = ""  # per-member breakdown, for caseworkers only


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    func: Callable
    categories: frozenset
    departments: tuple
    params: tuple
    basis: str = NATIONAL_BASIS

    def __call__(self, household, departments, params) -> RuleResult:
        return self.func(household, departments, params)


RULES: dict[str, Rule] = {}


def rule(code, label, *, categories=ALL_CATEGORIES, departments=(), params=(), basis=NATIONAL_BASIS):
    """Register a rule. `params` may contain "{category}", filled with the application's category."""

    def register(func):
        unknown = set(categories) - ALL_CATEGORIES
        if unknown:
            raise ValueError(f"unknown categories {unknown} in rule {code}")
        RULES[code] = Rule(code, label, func, frozenset(categories), tuple(departments), tuple(params), basis)
        return func

    return register


def rules_for(category: str) -> list[Rule]:
    return [r for r in RULES.values() if category in r.categories]


def departments_needed(category: str) -> list[str]:
    """The departments the category's rules read (the cross-check asks exactly these)."""
    needed = []
    for r in rules_for(category):
        needed.extend(d for d in r.departments if d not in needed)
    return needed


# --- helpers -------------------------------------------------------------------------------------

CENT = Decimal("0.01")


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise FactMalformed(value) from None
    if not number.is_finite() or number < 0:
        raise FactMalformed(value)
    return number


def _fact(answer: DepartmentAnswer, key: str):
    if key not in answer.facts:
        raise FactMalformed(key)
    return answer.facts[key]


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FactMalformed(value)
    return value


def _bool(value) -> bool:
    if not isinstance(value, bool):
        raise FactMalformed(value)
    return value


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FactMalformed(value) from None


def yuan(amount: Decimal) -> str:
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _who(members) -> str:
    return "、".join(m.relationship_label for m in members)


# --- the rules (DESIGN §6) -----------------------------------------------------------------------


@rule("income", "家庭人均月收入", departments=("tax",), params=("eligibility.income_limit.{category}",))
def income(household, departments, params):
    # Each member counts with the larger of what was declared and what the tax office knows.
    limit = params[f"eligibility.income_limit.{household.category}"]
    standard = INCOME_STANDARD_NAMES[household.category]
    limit_text = f"不超过 {yuan(limit)} 元/人·月（{standard}）"
    tax = departments.lookup(household.members, "tax")
    if not tax.complete:
        return tax.unknown_result(limit_text)
    total, declared_used, parts = Decimal("0"), False, []
    for member, answer in tax.answers:
        taxed = _decimal(_fact(answer, "monthly_income_avg"))
        counted = max(member.declared_income, taxed)
        declared_used |= member.declared_income > taxed
        total += counted
        parts.append(f"{member.relationship_label}{member.name}：申报 {yuan(member.declared_income)}，税务 {yuan(taxed)}")
    value = (total / household.size).quantize(CENT, rounding=ROUND_HALF_UP)
    passed = value <= limit
    verb = "未超过" if passed else "超过"
    return RuleResult(
        passed=passed, value=f"{yuan(value)} 元/人·月", limit=limit_text,
        source=tax.source(declared=declared_used),
        reason=f"家庭人均月收入 {yuan(value)} 元，{verb}{standard} {yuan(limit)} 元/人·月",
        detail=f"共 {household.size} 人，合计 {yuan(total)} 元/月；" + "；".join(parts),
    )


@rule("housing_area", "家庭人均住房面积", departments=("property",),
      params=("eligibility.housing_area_per_capita_max",))
def housing_area(household, departments, params):
    limit = params["eligibility.housing_area_per_capita_max"]
    limit_text = f"低于 {yuan(limit)} ㎡/人"
    prop = departments.lookup(household.members, "property")
    if not prop.complete:
        return prop.unknown_result(limit_text)
    registered = sum((_decimal(_fact(a, "property_area_total")) for _m, a in prop.answers), Decimal("0"))
    # A home declared as owned counts even when the registry does not show it.
    declared = household.housing_area if household.housing_type == HousingType.OWN and household.housing_area else Decimal("0")
    total = max(registered, declared)
    value = (total / household.size).quantize(CENT, rounding=ROUND_HALF_UP)
    passed = value < limit
    verb = "低于" if passed else "未低于"
    return RuleResult(
        passed=passed, value=f"{yuan(value)} ㎡/人", limit=limit_text,
        source=prop.source(declared=declared > registered),
        reason=f"家庭人均住房建筑面积 {yuan(value)} ㎡，{verb}标准 {yuan(limit)} ㎡",
        detail=f"登记面积合计 {yuan(registered)} ㎡，申报自有住房 {yuan(declared)} ㎡，共 {household.size} 人",
    )


@rule("no_property", "在本市无自有住房", departments=("property",))
def no_property(household, departments, params):
    limit_text = "0 套"
    prop = departments.lookup(household.members, "property")
    if not prop.complete:
        return prop.unknown_result(limit_text)
    owners, registered = [], 0
    for member, answer in prop.answers:
        count = _int(_fact(answer, "property_count"))
        if count:
            owners.append(member)
            registered += count
    declared = 1 if household.housing_type == HousingType.OWN else 0
    count = max(registered, declared)
    passed = count == 0
    return RuleResult(
        passed=passed, value=f"{count} 套", limit=limit_text, source=prop.source(declared=declared > registered),
        reason="家庭成员在本市名下无住房" if passed else f"家庭成员在本市名下有住房 {count} 套，不符合在本市无自有住房的条件",
        detail=f"登记在 {_who(owners)} 名下" if owners else ("申报为自有住房" if declared else ""),
    )


@rule("no_recent_sale", "近年内未出售住房", departments=("property",), params=("eligibility.property_sold_years",))
def no_recent_sale(household, departments, params):
    years = params["eligibility.property_sold_years"]
    since = years_before(params.on, years)
    limit_text = f"近 {years} 年内（{since.isoformat()} 以来）出售 0 次"
    prop = departments.lookup(household.members, "property")
    if not prop.complete:
        return prop.unknown_result(limit_text)
    sold = []
    for member, answer in prop.answers:
        sales = _fact(answer, "sales")
        if not isinstance(sales, list):
            raise FactMalformed(sales)
        for sale in sales:
            sold_on = _date(sale.get("sold_on") if isinstance(sale, dict) else None)
            if sold_on is None:
                raise FactMalformed(sale)
            if since <= sold_on <= params.on:
                sold.append((member, sold_on))
    # The declared answer ("sold in the last 5 years") stands for at least one sale when the registry has none.
    declared = 1 if household.property_sold_recently and not sold else 0
    count = len(sold) + declared
    passed = count == 0
    return RuleResult(
        passed=passed, value=f"{count} 次", limit=limit_text, source=prop.source(declared=bool(declared)),
        reason=(f"近 {years} 年内家庭成员未出售住房" if passed
                else f"近 {years} 年内（{since.isoformat()} 以来）家庭成员出售住房 {count} 次"),
        detail="；".join(f"{m.relationship_label}{m.name} {d.isoformat()} 出售" for m, d in sold)
        + ("申请人申报近年内出售过住房" if declared else ""),
    )


def _asset_cap(household, departments, params, *, department, param_key, value_fact, count_fact, declared_value,
               declared_count, what, unit):
    """An asset whose registered total (summed over members, or the declared total if larger) must
    not exceed a limit: vehicles (公安车辆), businesses' registered capital (市场监管)."""
    limit = params[param_key]
    limit_text = f"不超过 {yuan(limit)} 元"
    found = departments.lookup(household.members, department)
    if not found.complete:
        return found.unknown_result(limit_text)
    registered, count = Decimal("0"), 0
    for _member, answer in found.answers:
        registered += _decimal(_fact(answer, value_fact))
        count += _int(_fact(answer, count_fact))
    value = max(registered, declared_value)
    passed = value <= limit
    verb = "未超过" if passed else "超过"
    return RuleResult(
        passed=passed, value=f"{yuan(value)} 元", limit=limit_text,
        source=found.source(declared=declared_value > registered),
        reason=f"{what} {yuan(value)} 元，{verb}上限 {yuan(limit)} 元",
        detail=f"登记 {count} {unit}，合计 {yuan(registered)} 元；申报 {declared_count} {unit}，{yuan(declared_value)} 元",
    )


@rule("vehicle_value", "机动车价值", departments=("vehicles",), params=("eligibility.vehicle_value_max",))
def vehicle_value(household, departments, params):
    return _asset_cap(household, departments, params, department="vehicles",
                      param_key="eligibility.vehicle_value_max", value_fact="vehicle_value_total",
                      count_fact="vehicle_count", declared_value=household.vehicle_value,
                      declared_count=household.vehicle_count, what="家庭名下机动车总价值", unit="辆")


@rule("business_capital", "经营性资产", departments=("business",), params=("eligibility.business_capital_max",))
def business_capital(household, departments, params):
    return _asset_cap(household, departments, params, department="business",
                      param_key="eligibility.business_capital_max", value_fact="registered_capital_total",
                      count_fact="business_count", declared_value=household.business_capital,
                      declared_count=household.business_count, what="家庭成员名下企业或个体户注册资本合计",
                      unit="户")


@rule("alive", "家庭成员均健在", departments=("death", "hukou"))
def alive(household, departments, params):
    limit_text = "0 人"
    deaths = departments.lookup(household.members, "death")
    hukou = departments.lookup(household.members, "hukou")
    for lookup in (deaths, hukou):
        if not lookup.complete:
            return lookup.unknown_result(limit_text)
    deceased = {m.id: m for m, a in deaths.answers if _bool(_fact(a, "deceased"))}
    deceased.update({m.id: m for m, a in hukou.answers if _fact(a, "status") == "deceased"})
    gone = [m for m in household.members if m.id in deceased]
    passed = not gone
    return RuleResult(
        passed=passed, value=f"{len(gone)} 人", limit=limit_text,
        source=f"{deaths.source()}；{hukou.source()}",
        reason="申报的家庭成员均健在" if passed else f"申报的家庭成员中有 {len(gone)} 人已登记死亡",
        detail="、".join(f"{m.relationship_label}{m.name}" for m in gone),
    )


@rule("hukou_local", "申请人户籍在本市", departments=("hukou",),
      categories=ALL_CATEGORIES - {"migrant_worker"})
def hukou_local(household, departments, params):
    # Only the applicant: a spouse or child registered elsewhere does not bar the household.
    limit_text = f"本市户籍（区划代码 {CITY_AREA_PREFIX} 开头，户籍状态正常）"
    hukou = departments.lookup([household.applicant], "hukou")
    if not hukou.complete:
        return hukou.unknown_result(limit_text)
    (_member, answer), = hukou.answers
    code = str(_fact(answer, "hukou_district"))
    status = _fact(answer, "status")
    label = answer.facts.get("status_label") or status
    passed = code.startswith(CITY_AREA_PREFIX) and status == "normal"
    if passed:
        reason = f"申请人户籍所在地区划代码 {code}，属本市"
    elif not code.startswith(CITY_AREA_PREFIX):
        reason = f"申请人户籍所在地区划代码 {code}，不属本市（本市以 {CITY_AREA_PREFIX} 开头）"
    else:
        reason = f"申请人户籍状态为“{label}”，不是本市正常户籍"
    return RuleResult(
        passed=passed, value=f"{code}（{label}）", limit=limit_text, source=hukou.source(), reason=reason,
    )


@rule("residence_permit", "持有本市居住证", departments=("hukou",), categories={"migrant_worker"})
def residence_permit(household, departments, params):
    limit_text = "持有本市有效居住证"
    hukou = departments.lookup([household.applicant], "hukou")
    if not hukou.complete:
        return hukou.unknown_result(limit_text)
    (_member, answer), = hukou.answers
    holds = _bool(_fact(answer, "residence_permit"))
    return RuleResult(
        passed=holds, value="持有" if holds else "未持有", limit=limit_text, source=hukou.source(),
        reason="申请人持有本市有效居住证" if holds else "申请人未持有本市有效居住证",
    )


@rule("social_insurance", "连续缴纳社会保险", departments=("social_insurance",),
      categories={"new_graduate", "migrant_worker"}, params=("eligibility.social_insurance_months",))
def social_insurance(household, departments, params):
    months = params["eligibility.social_insurance_months"]
    limit_text = f"不少于 {months} 个月"
    si = departments.lookup([household.applicant], "social_insurance")
    if not si.complete:
        return si.unknown_result(limit_text)
    (_member, answer), = si.answers
    paid = _int(_fact(answer, "months_contributed"))
    passed = paid >= months
    return RuleResult(
        passed=passed, value=f"{paid} 个月", limit=limit_text, source=si.source(),
        reason=f"申请人在本市连续缴纳社会保险 {paid} 个月，{'达到' if passed else '不足'} {months} 个月",
    )


@rule("labour_contract", "劳动合同期限", departments=("social_insurance",), categories={"new_graduate"},
      params=("eligibility.labour_contract_months",))
def labour_contract(household, departments, params):
    months = params["eligibility.labour_contract_months"]
    limit_text = f"不少于 {months} 个月"
    si = departments.lookup([household.applicant], "social_insurance")
    if not si.complete:
        return si.unknown_result(limit_text)
    (_member, answer), = si.answers
    term = _int(_fact(answer, "labour_contract_months"))
    passed = term >= months
    return RuleResult(
        passed=passed, value=f"{term} 个月", limit=limit_text, source=si.source(),
        reason=(f"申请人备案劳动合同期限 {term} 个月，{'达到' if passed else '不足'} {months} 个月" if term
                else f"未查到申请人备案的劳动合同，须签订 {months} 个月以上劳动合同"),
    )


@rule("graduated_recently", "毕业年限", departments=("education",), categories={"new_graduate"},
      params=("eligibility.new_graduate_years",))
def graduated_recently(household, departments, params):
    years = params["eligibility.new_graduate_years"]
    since = years_before(params.on, years)
    limit_text = f"{since.isoformat()} 及以后毕业（毕业 {years} 年内）"
    edu = departments.lookup([household.applicant], "education")
    if not edu.complete:
        return edu.unknown_result(limit_text)
    (_member, answer), = edu.answers
    graduated_on = _date(_fact(answer, "graduated_on"))
    if graduated_on is None:
        return RuleResult(passed=False, value="无毕业记录", limit=limit_text, source=edu.source(),
                          reason="未查到申请人的毕业记录")
    passed = graduated_on >= since
    return RuleResult(
        passed=passed, value=f"{graduated_on.isoformat()} 毕业", limit=limit_text, source=edu.source(),
        reason=(f"申请人 {graduated_on.isoformat()} 毕业，在毕业 {years} 年内" if passed
                else f"申请人 {graduated_on.isoformat()} 毕业，已超过毕业 {years} 年（须 {since.isoformat()} 及以后毕业）"),
    )


@rule("minimum_living_status", "低保或特困供养资格", departments=("civil_affairs",), categories={"minimum_living"})
def minimum_living_status(household, departments, params):
    limit_text = "民政部门认定的低保或特困供养对象"
    ca = departments.lookup([household.applicant], "civil_affairs")
    if not ca.complete:
        return ca.unknown_result(limit_text)
    (_member, answer), = ca.answers
    low = _bool(_fact(answer, "minimum_living"))
    poor = _bool(_fact(answer, "extreme_poverty"))
    value = "低保对象" if low else "特困供养对象" if poor else "非低保、特困对象"
    passed = low or poor
    return RuleResult(
        passed=passed, value=value, limit=limit_text, source=ca.source(),
        reason=f"民政部门登记申请人为{value}" if passed else "民政部门未登记申请人为低保或特困供养对象",
    )


@rule("disability_confirmed", "残疾人身份", departments=("disability",), categories={"special"})
def disability_confirmed(household, departments, params):
    # The special category rests on a household member's disability registered with 残联.
    limit_text = "至少 1 名家庭成员持残联登记的残疾人证"
    dis = departments.lookup(household.members, "disability")
    confirmed = [m for m, a in dis.answers if _bool(_fact(a, "disabled"))]
    if confirmed:
        return RuleResult(
            passed=True, value=f"{len(confirmed)} 人", limit=limit_text, source=dis.source(),
            reason=f"残联登记家庭成员中有残疾人 {len(confirmed)} 名（{_who(confirmed)}）",
        )
    if not dis.complete:
        return dis.unknown_result(limit_text)
    return RuleResult(
        passed=False, value="0 人", limit=limit_text, source=dis.source(),
        reason="残联未登记家庭成员中有残疾人",
    )


@rule("marital_status", "婚姻状况如实申报", departments=("marriage",))
def marital_status(household, departments, params):
    me = household.applicant
    declared = MaritalStatus(me.marital_status).label if me.marital_status in MaritalStatus.values else me.marital_status
    limit_text = "与婚姻登记记录一致"
    mar = departments.lookup([me], "marriage")
    if not mar.complete:
        return mar.unknown_result(limit_text)
    (_member, answer), = mar.answers
    registered_code = _fact(answer, "marital_status")
    if registered_code not in MaritalStatus.values:
        raise FactMalformed(registered_code)
    registered = MaritalStatus(registered_code).label
    passed = registered_code == me.marital_status
    return RuleResult(
        passed=passed, value=f"申报“{declared}”，登记“{registered}”", limit=limit_text,
        source=f"{mar.source()}；{DECLARED}",
        reason=(f"申请人申报的婚姻状况“{declared}”与婚姻登记一致" if passed
                else f"申请人申报的婚姻状况为“{declared}”，婚姻登记记录为“{registered}”，二者不一致"),
    )


@rule("no_fund_loan", "无住房公积金贷款", departments=("housing_fund",))
def no_fund_loan(household, departments, params):
    limit_text = "0 笔"
    fund = departments.lookup(household.members, "housing_fund")
    if not fund.complete:
        return fund.unknown_result(limit_text)
    borrowers = [m for m, a in fund.answers if _bool(_fact(a, "has_housing_loan"))]
    passed = not borrowers
    return RuleResult(
        passed=passed, value=f"{len(borrowers)} 笔", limit=limit_text, source=fund.source(),
        reason=("家庭成员无住房公积金购房贷款" if passed
                else f"家庭成员中有 {len(borrowers)} 人有住房公积金购房贷款"),
        detail="、".join(f"{m.relationship_label}{m.name}" for m in borrowers),
    )


# Re-application bans after an exit (DESIGN §9). The exit app sits above this layer, so it registers
# its finder here (in its AppConfig.ready): finder(id_number_hashes, on) → [(ground in Chinese, end date)].
BAN_FINDERS: list[Callable] = []


def register_ban_finder(finder: Callable) -> None:
    if finder not in BAN_FINDERS:
        BAN_FINDERS.append(finder)


@rule("no_reapplication_ban", "无再申请限制（退出后限制期）")
def no_reapplication_ban(household, departments, params):
    hashes = [m.id_number_hash for m in household.members if m.id_number_hash]
    bans = []
    for finder in BAN_FINDERS:
        bans.extend(finder(hashes, params.on))
    if not bans:
        return RuleResult(passed=True, value="无", limit="无限制期内的退出记录", source="公租房退出记录",
                          reason="家庭成员无限制期内的退出记录")
    ground, ends_on = max(bans, key=lambda b: b[1])
    return RuleResult(
        passed=False, value=f"因“{ground}”退出", limit="无限制期内的退出记录", source="公租房退出记录",
        reason=f"家庭成员曾因“{ground}”退出保障，{ends_on:%Y年%m月%d日}前不得再次申请",
        detail="；".join(f"{g}，限制至{e:%Y-%m-%d}" for g, e in bans),
    )


# --- evaluation ----------------------------------------------------------------------------------


def _run(r: Rule, household, departments, params) -> dict:
    params.start_reading()
    try:
        result = r(household, departments, params)
    except FactMalformed:
        result = RuleResult(passed=None, value="无法核验", limit="", source="部门记录不完整",
                            reason="部门返回的记录不完整，暂无法核验")
    used = params.keys_read()
    return {
        "rule": r.code, "label": r.label, "passed": result.passed, "value": result.value, "limit": result.limit,
        "source": result.source, "reason": result.reason, "detail": result.detail,
        "parameters": used, "basis": r.basis,
    }


def run_rules(household: HouseholdFacts, departments: DepartmentFacts, params: Params) -> list[dict]:
    if household.category not in CATEGORIES:
        raise PortalError("申请尚未选择保障对象类别，无法进行资格审核。")
    return [_run(r, household, departments, params) for r in rules_for(household.category)]


def overall(results: list[dict]) -> bool | None:
    if any(r["passed"] is False for r in results):
        return False
    if any(r["passed"] is None for r in results):
        return None
    return True


def evaluate(application, *, on: date | None = None) -> RuleEvaluation:
    """Apply the category's rules on `on` (default today) and store the evaluation as the current one."""
    on = on or timezone.localdate()
    with transaction.atomic():
        # The lock keeps two evaluations of one application from both becoming current.
        app = Application.objects.select_for_update().get(pk=application.pk)
        household = HouseholdFacts.from_application(app)
        params = Params(on=on, district=app.district_id)
        results = run_rules(household, DepartmentFacts.from_application(app), params)
        RuleEvaluation.objects.filter(application=app, is_current=True).update(is_current=False)
        return RuleEvaluation.objects.create(
            application=app, decision_date=on, category=app.category, passed=overall(results),
            results=results, parameters=params.records(), is_current=True,
        )
