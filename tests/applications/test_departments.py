"""The twelve department adapters (DESIGN §5) against the simulated exchange over real HTTP: each
returns exactly the facts docs/departments.md promises, and a malformed record is unknown."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from applications import selectors
from applications.crosscheck.exchange import (
    HttpDepartmentAdapter,
    Outcome,
    adapter_for,
    departments,
    materials_supplied_online,
)
from applications.crosscheck.exchange.departments import INCOMPLETE_RECORD, mask_plate
from applications.crosscheck.exchange.simulated import load_records
from tests.applications import builders

CONTRACT = Path(settings.BASE_DIR) / "docs" / "departments.md"


def documented_facts() -> dict[str, set[str]]:
    """{code: top-level fact names} from the table in docs/departments.md."""
    facts = {}
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not re.fullmatch(r"`[a-z_]+`", cells[0]):
            continue
        parts, depth, current = [], 0, ""
        for ch in cells[2]:  # split on commas outside (…) and […]
            depth += ch in "([{"
            depth -= ch in ")]}"
            if ch == "," and depth == 0:
                parts.append(current)
                current = ""
            else:
                current += ch
        parts.append(current)
        facts[cells[0].strip("`")] = {re.search(r"`([a-z_]+)`", p).group(1) for p in parts}
    return facts


CONTRACT_FACTS = documented_facts()

# One seeded person per department whose record says something (applications/crosscheck/exchange/fixtures/records.json).
GAO_FENG, MA_TAO, QIAN_FANG = "230603198711020050", "230602198206150034", "230602198612250022"
WU_MIN, ZHENG_LEI, DENG_CHAO = "230602198904120043", "230603198503080075", "230603198909090038"
LIN_XIAO, HE_JUN, LUO_LAN = "230602199903180022", "410102199205150033", "230603197808090042"
XIE_YONG, ZHOU_DE, WANG_LI = "230602197203040011", "230602196001010071", "230602198503150022"


def ask(department, number):
    return adapter_for(department).query([number])[number]


def test_twelve_departments_answer_behind_one_interface():
    registry = departments()
    assert len(registry) >= 10
    assert set(registry) == set(CONTRACT_FACTS)  # the contract names every department and no other
    for code, cls in registry.items():
        assert issubclass(cls, HttpDepartmentAdapter) and cls.code == code and cls.name


@pytest.mark.parametrize("department", sorted(CONTRACT_FACTS))
def test_each_department_returns_exactly_the_documented_facts(exchange, department):
    for number in load_records()[department]:
        result = ask(department, number)
        if result.reason:  # 陈浩 and 黄静: their departments answer garbage on purpose
            continue
        assert set(result.facts) == CONTRACT_FACTS[department], number


@pytest.mark.parametrize("department", sorted(CONTRACT_FACTS))
def test_every_seeded_person_has_a_record_in_every_department(department):
    records = load_records()
    assert set(records[department]) == set(records["hukou"])


def test_vehicles_are_counted_valued_and_their_plates_masked(exchange):
    result = ask("vehicles", GAO_FENG)
    assert result.status == Outcome.PASS  # a threshold is the rules' business, not the department's
    assert result.facts == {"vehicle_count": 1, "vehicle_value_total": "268000.00",
                            "vehicles": [{"plate": "黑E·***66", "kind": "小型轿车", "value": "268000.00"}]}


def test_property_owned_and_sold(exchange):
    owned = ask("property", MA_TAO).facts
    assert (owned["property_count"], owned["property_area_total"], owned["sales"]) == (1, "86.40", [])
    sold = ask("property", QIAN_FANG).facts
    assert sold["property_count"] == 0 and sold["sales"][0]["sold_on"] == "2024-09-18"


def test_business_tax_and_housing_fund(exchange):
    business = ask("business", WU_MIN).facts
    assert business["business_count"] == 1 and business["registered_capital_total"] == "500000.00"
    tax = ask("tax", ZHENG_LEI).facts
    assert tax == {"year": 2025, "annual_income": "96000.00", "monthly_income_avg": "8000.00"}
    assert ask("housing_fund", DENG_CHAO).facts["has_housing_loan"] is True


def test_graduate_migrant_minimum_living_and_disability(exchange):
    assert ask("education", LIN_XIAO).facts["graduated_on"] == "2024-06-30"
    insurance = ask("social_insurance", LIN_XIAO).facts
    assert (insurance["months_contributed"], insurance["labour_contract_months"]) == (29, 36)
    hukou = ask("hukou", HE_JUN)
    assert hukou.passed and hukou.facts["hukou_district"] == "410102" and hukou.facts["residence_permit"] is True
    assert ask("civil_affairs", LUO_LAN).facts == {"minimum_living": True, "extreme_poverty": False,
                                                    "since": "2022-03-01"}
    assert ask("marriage", LUO_LAN).facts == {"marital_status": "divorced", "registered_on": "2019-04-10"}
    assert ask("disability", XIE_YONG).facts == {"disabled": True, "grade": 2, "kind": "肢体残疾"}


def test_a_registered_death_fails_by_itself(exchange):
    death = ask("death", ZHOU_DE)
    assert death.status == Outcome.FAIL and death.facts == {"deceased": True, "died_on": "2025-03-02"}
    assert ask("death", WANG_LI).status == Outcome.PASS


MALFORMED = [
    ("hukou", {"name": "某人", "status": "normal"}),  # residence_permit missing
    ("hukou", {"name": "某人", "status": "normal", "residence_permit": "yes"}),
    ("hukou", {"name": "某人", "status": "lost", "residence_permit": False}),
    ("hukou", {"name": "某人", "status": "normal", "residence_permit": False, "hukou_district": "大庆"}),
    ("vehicles", {"vehicles": [{"plate": "黑E·A1234", "kind": "轿车", "value": "很贵"}]}),
    ("vehicles", {"vehicles": [{"plate": "黑E·A1234", "kind": "轿车", "value": "-5"}]}),
    ("vehicles", {"vehicles": "none"}),
    ("property", {"properties": [{"address": "某处", "area": "80"}]}),  # sales missing
    ("property", {"properties": [], "sales": [{"address": "某处", "area": "80", "sold_on": "2024-13-01"}]}),
    ("civil_affairs", {"minimum_living": True, "extreme_poverty": False, "since": None}),
    ("civil_affairs", {"minimum_living": 1, "extreme_poverty": False, "since": None}),
    ("social_insurance", {"insured": True, "months_contributed": "12", "employer": "", "labour_contract_months": 0}),
    ("social_insurance", {"insured": True, "months_contributed": -1, "employer": "", "labour_contract_months": 0}),
    ("housing_fund", {"account_status": "frozen", "monthly_deposit": "0", "has_housing_loan": False}),
    ("business", {"businesses": [{"name": "某公司", "credit_code": "x", "registered_capital": None}]}),
    ("tax", {"year": 2025, "annual_income": "NaN"}),
    ("tax", {"year": "2025", "annual_income": "1000"}),
    ("disability", {"disabled": True, "grade": 7, "kind": "视力残疾"}),
    ("disability", {"disabled": False, "grade": 2, "kind": ""}),
    ("death", {"deceased": True, "died_on": None}),
    ("marriage", {"marital_status": "married", "registered_on": None}),
    ("marriage", {"marital_status": "complicated", "registered_on": None}),
    ("education", {"highest_degree": "本科", "school": "某大学"}),
]


@pytest.mark.parametrize(("department", "record"), MALFORMED)
def test_a_malformed_record_is_unknown_never_a_guess(exchange, department, record):
    number = builders.fresh_id_number(born="19880808")
    exchange.add(department, number, record)
    result = ask(department, number)
    assert result.status == Outcome.UNKNOWN and not result.passed
    assert result.reason == INCOMPLETE_RECORD and result.facts == {}
    assert not result.transient  # asking again would get the same record


def test_money_sent_as_a_number_is_kept_exactly(exchange):
    number = builders.fresh_id_number(born="19880808")
    exchange.add("tax", number, {"year": 2025, "annual_income": 12345.6})
    assert ask("tax", number).facts["annual_income"] == "12345.60"


def test_plates_keep_the_province_city_and_last_two_characters():
    assert mask_plate("黑E·A3K12") == "黑E·***12"
    assert mask_plate("黑EA3K12") == "黑E·***12"
    assert mask_plate("黑E·12") == "黑E·**"


def test_generated_records_are_benign_and_the_same_every_time(exchange):
    exchange.generate = True
    number = builders.fresh_id_number(born="19910101")
    for code in departments():
        first, second = ask(code, number), ask(code, number)
        assert first.status == Outcome.PASS, code
        assert set(first.facts) == CONTRACT_FACTS[code]
        assert first.facts == second.facts and first.reply_hash == second.reply_hash
    assert ask("hukou", number).facts["hukou_district"] == number[:6]


def test_without_generate_an_unseeded_number_has_no_record(exchange):
    number = builders.fresh_id_number(born="19910101")
    assert ask("tax", number).reason == "部门无此人记录"


def test_marital_status_comes_from_the_marriage_register_not_from_the_applicant(db):
    assert materials_supplied_online() == {"identity", "hukou_or_residence", "marital_status"}
    app = builders.draft(materials=False)
    assert "marital_status" not in selectors.required_material_kinds(app)
    assert ("marital_status", "婚姻状况证明") in selectors.material_kinds_supplied_online(app)
