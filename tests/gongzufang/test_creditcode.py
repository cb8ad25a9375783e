"""Unified social credit codes (GB 32100-2015): valid codes, typing mistakes, and the cases that are
only warnings (pilot codes, unknown type pairs, old 15-digit registration numbers).

Expected check characters were worked through by hand once, independently of the module:
- 91350100M000100Y4 (the example printed in GB 32100): sum 1640, 1640 mod 31 = 28, 31 − 28 = 3 → "3".
- 91110000100000000: sum 9+3+9+27+20 = 68, 68 mod 31 = 6, 31 − 6 = 25 → "R".
- 91230602MA1B2C3D4 (a 萨尔图区 company): sum 2015 = 65 × 31, 31 − 0 = 31 → "0" (the 31 → 0 case).
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzufang.creditcode import (
    ALPHABET,
    CreditCodeResult,
    credit_code_check_character,
    validate_social_credit_code,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
PILOT = "疑似早期试点代码，请人工核对"
LEGACY = "旧版营业执照注册号，请提供统一社会信用代码"

VALID = [
    "91350100M000100Y43",
    "91110000100000000R",
    "91230602MA1B2C3D40",
    "92230602MA1B2C3D4W",  # 个体工商户
    "52230602MA1B2C3D41",  # 民办非企业单位
    "N2230602MA1B2C3D4F",  # 村级集体经济组织
    "12230600000000001L",  # 机关
]


def _error(value, **kwargs):
    with pytest.raises(ValidationError) as exc:
        validate_social_credit_code(value, **kwargs)
    for message in exc.value.messages:
        assert CJK.search(message), message
    return exc.value


def test_check_character_matches_hand_worked_samples():
    assert credit_code_check_character("91350100M000100Y4") == "3"
    assert credit_code_check_character("91110000100000000") == "R"
    assert credit_code_check_character("91230602MA1B2C3D4") == "0"


@pytest.mark.parametrize("bad", ["9135010", "91350100M000100YO", None, "９1350100M000100Y4"])
def test_check_character_refuses_anything_but_17_code_characters(bad):
    with pytest.raises(ValueError):
        credit_code_check_character(bad)


@pytest.mark.parametrize("code", VALID)
def test_it_accepts_valid_codes_without_warnings(code):
    result = validate_social_credit_code(code)
    assert result == CreditCodeResult(code=code, warnings=[], is_legacy=False)


def test_it_uppercases_and_strips():
    assert validate_social_credit_code("  91230602ma1b2c3d40\n").code == "91230602MA1B2C3D40"


def test_a_wrong_check_character_is_refused():
    error = _error("91230602MA1B2C3D41")
    assert error.code == "cc_checksum"
    assert "校验位" in error.messages[0]


def test_a_transposition_is_caught():
    assert _error("91230602AM1B2C3D40").code == "cc_checksum"


def test_allow_pilot_turns_a_checksum_failure_into_a_warning():
    result = validate_social_credit_code("91230602MA1B2C3D41", allow_pilot=True)
    assert result.code == "91230602MA1B2C3D41"
    assert result.warnings == [PILOT]
    assert not result.is_legacy


def test_allow_pilot_does_not_excuse_typing_mistakes():
    assert _error("91230602MA1B2C3D4", allow_pilot=True).code == "cc_length"
    assert _error("91230602MO1B2C3D40", allow_pilot=True).code == "cc_chars"


@pytest.mark.parametrize(("letter", "hint"), [("I", "1"), ("O", "0"), ("Z", "2"), ("S", "5"), ("V", "U")])
def test_letters_the_code_never_uses_are_refused_with_a_hint(letter, hint):
    code = "91230602M" + letter + "1B2C3D40"
    error = _error(code)
    assert error.code == "cc_chars"
    assert f"第10位是字母“{letter}”" in error.messages[0]
    assert f"是否应为“{hint}”" in error.messages[0]


def test_lowercase_excluded_letters_are_refused_too():
    assert "字母“O”" in _error("91230602mo1b2c3d40").messages[0]


@pytest.mark.parametrize("code", ["91230602MA1B-C3D40", "91230602MA1B C3D40", "91230602MA1BÄC3D40",
                                  "91230602MA1BßC3D40"])
def test_other_characters_are_refused_with_their_position(code):
    error = _error(code)
    assert error.code == "cc_chars"
    assert "第13位" in error.messages[0]


def test_full_width_characters_get_their_own_message():
    error = _error("９１２３０６０２ＭＡ１Ｂ２Ｃ３Ｄ４０")
    assert error.code == "cc_fullwidth"
    assert "半角" in error.messages[0]


@pytest.mark.parametrize("code", ["91230602MA1B2C3D4", "91230602MA1B2C3D400", "9123"])
def test_wrong_length_is_refused(code):
    error = _error(code)
    assert error.code == "cc_length"
    assert f"您输入了{len(code)}位" in error.messages[0]


def test_the_area_code_must_be_digits():
    first17 = "9123A602MA1B2C3D4"
    assert _error(first17 + credit_code_check_character(first17)).code == "cc_area"


def test_an_unknown_authority_and_type_pair_is_only_a_warning():
    for code in ["B1230602MA1B2C3D4X", "99230602MA1B2C3D47"]:  # authority B unknown; 工商 has no type 9
        result = validate_social_credit_code(code)
        assert result.code == code
        assert len(result.warnings) == 1
        assert "不在国家标准之列" in result.warnings[0]


def test_pilot_and_unknown_pair_warnings_add_up():
    result = validate_social_credit_code("99230602MA1B2C3D48", allow_pilot=True)
    assert result.warnings[0] == PILOT
    assert len(result.warnings) == 2


def test_an_old_15_digit_registration_number_is_accepted_with_a_warning():
    result = validate_social_credit_code(" 230602000012345 ")
    assert result == CreditCodeResult(code="230602000012345", warnings=[LEGACY], is_legacy=True)


def test_15_characters_that_are_not_all_digits_are_a_length_error():
    assert _error("23060200001234A").code == "cc_length"


@pytest.mark.parametrize("junk", [
    None, "", "  ", 91230602, b"91230602MA1B2C3D40", ["91230602MA1B2C3D40"], object(), 1.5, True,
    "9" * 1_000_000, "\ud800" * 18, "\x00" * 18, "😀" * 18, "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨",
])
def test_junk_of_any_kind_raises_only_validation_error(junk):
    assert _error(junk).code


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.binary(), st.text(), st.text(alphabet=ALPHABET + "IOZSVabc ９Ａ"),
                 st.booleans()), st.booleans())
def test_fuzz_only_ever_returns_a_result_or_raises_validation_error(value, allow_pilot):
    try:
        result = validate_social_credit_code(value, allow_pilot=allow_pilot)
    except ValidationError as exc:
        assert exc.code
    else:
        assert isinstance(result, CreditCodeResult)
        assert len(result.code) in (15, 18)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=9, max_size=9), st.sampled_from(["91", "92", "93", "51", "12"]),
       st.integers(0, 999999))
def test_any_code_built_with_its_check_character_validates(organisation, prefix, area):
    first17 = f"{prefix}{area:06d}{organisation}"
    code = first17 + credit_code_check_character(first17)
    assert validate_social_credit_code(code) == CreditCodeResult(code=code, warnings=[])


def test_it_works_as_a_django_validator():
    field = models.CharField(max_length=18, validators=[validate_social_credit_code])
    assert field.clean("91230602MA1B2C3D40", None) == "91230602MA1B2C3D40"
    with pytest.raises(ValidationError):
        field.clean("91230602MA1B2C3D41", None)
