"""The eligibility rule "no re-application ban in force" (DESIGN §9): the exit app registers a finder
(applications cannot import it); the rule fails with the ground and the end date in Chinese."""

from datetime import date

from applications.eligibility import rules
from applications.eligibility.rules import DepartmentFacts, HouseholdFacts, MemberFacts, Params


def household(*hashes):
    members = tuple(MemberFacts(id=i, relationship="self" if i == 0 else "spouse", relationship_label="本人",
                                name="王丽", declared_income=0, marital_status="married", disability="",
                                id_number_hash=h) for i, h in enumerate(hashes))
    return HouseholdFacts(category="low_income", assistance_type="rental", district_id=None, members=members)


def run(finders, *hashes, on=date(2026, 12, 1)):
    saved = list(rules.BAN_FINDERS)
    rules.BAN_FINDERS[:] = finders
    try:
        return rules.no_reapplication_ban(household(*hashes), DepartmentFacts({}), Params(on=on))
    finally:
        rules.BAN_FINDERS[:] = saved


def test_no_ban_passes():
    result = run([lambda hashes, on: []], "h1")
    assert result.passed is True
    assert result.reason == "家庭成员无限制期内的退出记录"


def test_a_ban_in_force_fails_with_its_ground_and_end_date():
    seen = {}

    def finder(hashes, on):
        seen["hashes"], seen["on"] = list(hashes), on
        return [("转租转借", date(2031, 6, 30))] if "h2" in hashes else []

    result = run([finder], "h1", "h2")
    assert result.passed is False
    assert result.reason == "家庭成员曾因“转租转借”退出保障，2031年06月30日前不得再次申请"
    assert seen == {"hashes": ["h1", "h2"], "on": date(2026, 12, 1)}


def test_the_rule_applies_to_every_category():
    assert all("no_reapplication_ban" in {r.code for r in rules.rules_for(c)} for c in rules.CATEGORIES)


def test_a_finder_is_registered_once():
    saved = list(rules.BAN_FINDERS)

    def finder(hashes, on):
        return []

    try:
        rules.register_ban_finder(finder)
        rules.register_ban_finder(finder)
        assert rules.BAN_FINDERS.count(finder) == 1
    finally:
        rules.BAN_FINDERS[:] = saved
