"""Department adapters over the HTTP/JSON exchange, and the registry of departments.

Each department is a subclass of `HttpDepartmentAdapter` with its `code`, `name`,
`materials_supplied` and an `evaluate(record)` that turns one department record into
(outcome, facts), registered with `register()`. The facts each returns are the contract in
docs/departments.md: the eligibility rules read them, so change both together.

`evaluate` is strict: a record with a missing or mistyped field raises (KeyError, TypeError,
ValueError), which the caller turns into `unknown` ("部门记录不完整") — never a guess.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from .base import DepartmentAdapter, DepartmentResult, Outcome, unknown
from .client import ExchangeClient, ExchangeUnavailable

NO_RECORD = "部门无此人记录"
INCOMPLETE_RECORD = "部门记录不完整"


class HttpDepartmentAdapter(DepartmentAdapter):
    batch_size = 100

    def __init__(self, client: ExchangeClient | None = None):
        self._client = client

    @property
    def client(self) -> ExchangeClient:
        # Built on first use so that settings overridden in tests (EXCHANGE_URL) are honoured.
        return self._client or ExchangeClient()

    def evaluate(self, record: dict) -> tuple[Outcome, dict]:
        """(outcome, facts) for one found record. Facts are what a decision may cite."""
        raise NotImplementedError

    def batches(self, id_numbers) -> list[list[str]]:
        """Distinct, non-empty ID numbers in request-sized batches."""
        wanted = list(dict.fromkeys(n for n in id_numbers if n))
        return [wanted[i:i + self.batch_size] for i in range(0, len(wanted), self.batch_size)]

    def query(self, id_numbers) -> dict[str, DepartmentResult]:
        results: dict[str, DepartmentResult] = {}
        client = self.client
        try:
            for batch in self.batches(id_numbers):
                results.update(self.query_batch(batch, client=client))
        finally:
            if client is not self._client:  # built for this call: its kept connection goes with it
                client.close()
        return results

    def query_batch(self, batch, *, client=None, queried_at=None) -> dict[str, DepartmentResult]:
        """One request for one batch (≤ batch_size numbers); the cross-check runner's senders call this
        from a thread pool, with the client whose connections the pool's threads keep. `queried_at`: the
        time the results carry (default now; a sender in another process is given its caller's clock)."""
        if client is None and self._client is None:
            return self.query(batch)
        queried_at = queried_at or timezone.now()
        try:
            reply = (client or self._client).query(self.code, batch)
        except ExchangeUnavailable as exc:
            return {n: unknown(self.code, exc.reason, reply_hash=exc.reply_hash, queried_at=queried_at,
                               transient=True) for n in batch}
        results = {}
        for number in batch:
            row = reply.rows.get(number)
            if row is None or not row["found"]:
                results[number] = unknown(self.code, NO_RECORD, reply_hash=reply.reply_hash, queried_at=queried_at)
                continue
            try:
                outcome, facts = self.evaluate(row["record"])
            except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
                results[number] = unknown(self.code, INCOMPLETE_RECORD, reply_hash=reply.reply_hash,
                                          queried_at=queried_at)
                continue
            results[number] = DepartmentResult(
                department=self.code, status=outcome, facts=facts,
                reply_hash=reply.reply_hash, queried_at=queried_at,
            )
        return results


# --- strict readers of record fields: each raises on a missing or mistyped value -----------------


def _str(record, key, *, allow_empty=True) -> str:
    value = record[key]
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(key)
    return value


def _bool(record, key) -> bool:
    value = record[key]
    if not isinstance(value, bool):
        raise TypeError(key)
    return value


def _int(record, key, *, low=0, high=None) -> int:
    value = record[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        raise ValueError(key)
    return value


def _decimal(value, key) -> Decimal:
    # Departments send money and areas as strings or numbers; floats go through str() so that
    # 123.45 stays 123.45.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(key)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(key) from None
    if not number.is_finite() or number < 0:
        raise ValueError(key)
    return number.quantize(Decimal("0.01"))


def _money(record, key) -> str:
    return str(_decimal(record[key], key))


def _date(record, key, *, optional=False) -> str | None:
    value = record[key]
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(key)
    return date.fromisoformat(value).isoformat()


def _choice(record, key, choices) -> str:
    value = _str(record, key)
    if value not in choices:
        raise ValueError(key)
    return value


def _list(record, key) -> list:
    value = record[key]
    if not isinstance(value, list):
        raise TypeError(key)
    for item in value:  # (a loop, not all(…): this runs for every answer of a monthly run)
        if not isinstance(item, dict):
            raise TypeError(key)
    return value


def mask_plate(plate: str) -> str:
    """黑E·A3K12 → 黑E·***12: the province and city letter, and the last two characters."""
    plate = plate.replace(" ", "")
    head, sep, tail = plate.partition("·")
    if not sep:
        head, tail = plate[:2], plate[2:]
    return f"{head}·{'*' * max(0, len(tail) - 2)}{tail[-2:]}" if len(tail) > 2 else f"{head}·{'*' * len(tail)}"


# --- the departments (DESIGN §5; facts per docs/departments.md) -----------------------------------


class HukouAdapter(HttpDepartmentAdapter):
    """公安户籍: identity, household registration and residence permits.

    A record passes when the person is registered and alive (status "normal"); a cancelled,
    deceased or moved-out registration fails. The name is returned as a fact and compared by the
    caller (`verify_identity`), so only ID numbers leave the portal.
    """

    code = "hukou"
    name = "公安户籍"
    materials_supplied = frozenset({"identity", "hukou_or_residence"})

    STATUS_LABELS = {"normal": "正常", "deceased": "已死亡注销", "cancelled": "已注销", "moved_out": "已迁出"}

    def evaluate(self, record):
        status = _choice(record, "status", self.STATUS_LABELS)
        district = str(record.get("hukou_district", ""))
        if district and not re.fullmatch(r"\d{6}", district):
            raise ValueError("hukou_district")
        facts = {
            "name": _str(record, "name", allow_empty=False),
            "hukou_district": district,
            "hukou_address": str(record.get("hukou_address", "")),
            "status": status,
            "status_label": self.STATUS_LABELS[status],
            "residence_permit": _bool(record, "residence_permit"),
        }
        return (Outcome.PASS if status == "normal" else Outcome.FAIL), facts


class VehiclesAdapter(HttpDepartmentAdapter):
    """公安车辆: motor vehicles registered to the person, with their assessed value."""

    code = "vehicles"
    name = "公安车辆"

    def evaluate(self, record):
        vehicles = []
        total = Decimal("0.00")
        for item in _list(record, "vehicles"):
            value = _decimal(item["value"], "value")
            total += value
            vehicles.append({"plate": mask_plate(_str(item, "plate", allow_empty=False)),
                             "kind": _str(item, "kind"), "value": str(value)})
        return Outcome.PASS, {"vehicle_count": len(vehicles), "vehicle_value_total": str(total), "vehicles": vehicles}


class PropertyAdapter(HttpDepartmentAdapter):
    """不动产登记: homes owned in the city now, and homes sold (the rules look back N years)."""

    code = "property"
    name = "不动产登记"

    def evaluate(self, record):
        properties = [{"address": _str(p, "address"), "area": str(_decimal(p["area"], "area"))}
                      for p in _list(record, "properties")]
        sales = [{"address": _str(s, "address"), "area": str(_decimal(s["area"], "area")),
                  "sold_on": _date(s, "sold_on")} for s in _list(record, "sales")]
        area = sum((Decimal(p["area"]) for p in properties), Decimal("0.00"))
        return Outcome.PASS, {"property_count": len(properties), "property_area_total": str(area),
                              "properties": properties, "sales": sales}


class CivilAffairsAdapter(HttpDepartmentAdapter):
    """民政: 低保 (minimum living allowance) and 特困 (extreme poverty) status."""

    code = "civil_affairs"
    name = "民政（低保/特困）"

    def evaluate(self, record):
        minimum_living = _bool(record, "minimum_living")
        extreme_poverty = _bool(record, "extreme_poverty")
        since = _date(record, "since", optional=True)
        if (minimum_living or extreme_poverty) and since is None:
            raise ValueError("since")  # an entitlement without a start date is not a usable record
        return Outcome.PASS, {"minimum_living": minimum_living, "extreme_poverty": extreme_poverty, "since": since}


class SocialInsuranceAdapter(HttpDepartmentAdapter):
    """人社: social insurance contributions and the filed labour contract."""

    code = "social_insurance"
    name = "人力资源和社会保障"

    def evaluate(self, record):
        return Outcome.PASS, {
            "insured": _bool(record, "insured"),
            "months_contributed": _int(record, "months_contributed", high=1200),
            "employer": _str(record, "employer"),
            "labour_contract_months": _int(record, "labour_contract_months", high=1200),
        }


class HousingFundAdapter(HttpDepartmentAdapter):
    """住房公积金: the account, monthly deposit and whether a housing loan is outstanding."""

    code = "housing_fund"
    name = "住房公积金"
    ACCOUNT_STATUSES = ("normal", "sealed", "none")

    def evaluate(self, record):
        return Outcome.PASS, {
            "account_status": _choice(record, "account_status", self.ACCOUNT_STATUSES),
            "monthly_deposit": _money(record, "monthly_deposit"),
            "has_housing_loan": _bool(record, "has_housing_loan"),
        }


class BusinessAdapter(HttpDepartmentAdapter):
    """市场监管: businesses (companies, 个体户) the person owns or invested in."""

    code = "business"
    name = "市场监管"

    def evaluate(self, record):
        businesses = []
        total = Decimal("0.00")
        for item in _list(record, "businesses"):
            capital = _decimal(item["registered_capital"], "registered_capital")
            total += capital
            businesses.append({"name": _str(item, "name", allow_empty=False),
                               "credit_code": _str(item, "credit_code"), "registered_capital": str(capital)})
        return Outcome.PASS, {"business_count": len(businesses), "registered_capital_total": str(total),
                              "businesses": businesses}


class TaxAdapter(HttpDepartmentAdapter):
    """税务: income of the last full tax year (individual income tax records)."""

    code = "tax"
    name = "税务"

    def evaluate(self, record):
        annual = _decimal(record["annual_income"], "annual_income")
        monthly = (annual / 12).quantize(Decimal("0.01"))
        return Outcome.PASS, {"year": _int(record, "year", low=1990, high=2200), "annual_income": str(annual),
                              "monthly_income_avg": str(monthly)}


class DisabilityAdapter(HttpDepartmentAdapter):
    """残联: disability certificate (残疾人证) and its grade."""

    code = "disability"
    name = "残疾人联合会"

    def evaluate(self, record):
        disabled = _bool(record, "disabled")
        grade = record["grade"]
        if disabled:
            if isinstance(grade, bool) or grade not in (1, 2, 3, 4):
                raise ValueError("grade")
        elif grade is not None:
            raise ValueError("grade")  # a grade without a certificate contradicts itself
        return Outcome.PASS, {"disabled": disabled, "grade": grade, "kind": _str(record, "kind")}


class DeathAdapter(HttpDepartmentAdapter):
    """殡葬/死亡登记: a registered death fails the member by itself."""

    code = "death"
    name = "殡葬/死亡登记"

    def evaluate(self, record):
        deceased = _bool(record, "deceased")
        died_on = _date(record, "died_on", optional=True)
        if deceased and died_on is None:
            raise ValueError("died_on")
        return (Outcome.FAIL if deceased else Outcome.PASS), {"deceased": deceased,
                                                               "died_on": died_on if deceased else None}


class MarriageAdapter(HttpDepartmentAdapter):
    """婚姻登记: marital status from the marriage register, which replaces the paper certificate
    (结婚证/离婚证) for every category."""

    code = "marriage"
    name = "婚姻登记"
    materials_supplied = frozenset({"marital_status"})
    STATUSES = ("unmarried", "married", "divorced", "widowed")

    def evaluate(self, record):
        status = _choice(record, "marital_status", self.STATUSES)
        registered_on = _date(record, "registered_on", optional=True)
        if status != "unmarried" and registered_on is None:
            raise ValueError("registered_on")
        return Outcome.PASS, {"marital_status": status, "registered_on": registered_on}


class EducationAdapter(HttpDepartmentAdapter):
    """教育: highest degree and graduation date (新就业 applicants graduated within N years)."""

    code = "education"
    name = "教育"

    def evaluate(self, record):
        return Outcome.PASS, {"highest_degree": _str(record, "highest_degree"), "school": _str(record, "school"),
                              "graduated_on": _date(record, "graduated_on", optional=True)}


_REGISTRY: dict[str, type[DepartmentAdapter]] = {}


def register(adapter_cls):
    _REGISTRY[adapter_cls.code] = adapter_cls
    return adapter_cls


for _cls in (HukouAdapter, VehiclesAdapter, PropertyAdapter, CivilAffairsAdapter, SocialInsuranceAdapter,
             HousingFundAdapter, BusinessAdapter, TaxAdapter, DisabilityAdapter, DeathAdapter, MarriageAdapter,
             EducationAdapter):
    register(_cls)


def adapter_for(code: str) -> DepartmentAdapter:
    return _REGISTRY[code]()


def departments() -> dict[str, type[DepartmentAdapter]]:
    return dict(_REGISTRY)


def materials_supplied_online() -> frozenset:
    """Material kinds some registered department supplies, so applicants are not asked for them."""
    supplied = set()
    for cls in _REGISTRY.values():
        supplied |= set(cls.materials_supplied)
    return frozenset(supplied)
