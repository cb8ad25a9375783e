"""Resident ID numbers (DESIGN §13): what passes, what each mistake is told, and that nothing but
ValidationError ever comes out.

Valid numbers below were checked by working ISO 7064 MOD 11-2 through by hand, independently of
`check_character` (e.g. 230602199001010016: weighted sum 160, 160 mod 11 = 6 → "6").
"""

import re
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzufang.idnumber import (
    PROVINCE_CODES,
    IdNumberField,
    age_on,
    birth_date_from_id,
    check_character,
    sex_from_id,
    validate_id_number,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")

VALID = [
    "11010519491231002X",  # the sample published with GB 11643
    "230602199001010016",  # DESIGN's example (shown masked as 2306**********0016)
    "230602199001010024",
    "230602199001010032",
    "23060219800101002X",
    "230602200002290019",  # born on 29 February of a leap year
    "810000199001010019",  # 港澳台居民居住证
    "820000198511110025",
    "830000200101010031",
    "710000198001010010",
]


def _code(value):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code
    for message in exc.value.messages:
        assert CJK.search(message), message
    return exc.value.code


def _message(value):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    return exc.value.messages[0]


def _with_check(first17):
    return first17 + check_character(first17)


# --- what passes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID)
def test_it_accepts_valid_numbers(number):
    assert validate_id_number(number) == number


def test_it_accepts_lowercase_x_and_normalises_it():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("padded", [" 230602199001010016 ", "\t230602199001010016\n", "\u3000230602199001010016",
                                    "\ufeff230602199001010016\u200b"])
def test_it_strips_surrounding_whitespace(padded):
    assert validate_id_number(padded) == "230602199001010016"


def test_check_character_matches_hand_worked_samples():
    assert check_character("11010519491231002") == "X"
    assert check_character("23060219900101001") == "6"
    assert check_character("23060219900101002") == "4"
    assert check_character("81000019900101001") == "9"


@pytest.mark.parametrize("bad", ["", "1234567890123456", "123456789012345678", "2306021990010100１", None, 17])
def test_check_character_refuses_anything_but_17_digits(bad):
    with pytest.raises(ValueError):
        check_character(bad)


# --- each mistake gets its own message --------------------------------------------------------------


def test_a_wrong_check_character_is_refused_without_revealing_the_right_one():
    assert _code("230602199001010017") == "id_checksum"
    message = _message("230602199001010017")
    assert message == "身份证号码有误，请核对后重新输入。"
    assert not re.search(r"[0-9X]", message)


def test_an_x_where_a_digit_belongs_is_a_checksum_error():
    assert _code("23060219900101001X") == "id_checksum"


def test_30_february_is_refused():
    assert _code(_with_check("23060219900230001")) == "id_birth_date"
    assert "出生日期" in _message("230602199002300015")


def test_1900_was_not_a_leap_year():
    assert _code(_with_check("23060219000229001")) == "id_birth_date"


@pytest.mark.parametrize("first17", ["23060219901301001", "23060219900100001", "23060200000101001"])
def test_impossible_months_days_and_year_zero_are_refused(first17):
    assert _code(_with_check(first17)) == "id_birth_date"


def test_a_birth_date_before_1900_is_refused():
    assert _code(_with_check("23060218991231001")) == "id_birth_date"
    assert "1900" in _message("230602189912310010")


def test_1_january_1900_is_accepted():
    number = _with_check("23060219000101001")
    assert validate_id_number(number) == number


@time_machine.travel(datetime(2024, 6, 1, 12, 0, tzinfo=SHANGHAI), tick=False)
def test_a_birth_date_in_the_future_is_refused_and_today_is_accepted():
    assert _code(_with_check("23060220240602001")) == "id_future"
    assert "晚于今天" in _message(_with_check("23060220240602001"))
    born_today = _with_check("23060220240601001")
    assert validate_id_number(born_today) == born_today


@time_machine.travel(datetime(2024, 6, 1, 20, 0, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False)
def test_today_means_today_in_daqing_not_in_utc():
    # 20:00 UTC on 1 June is 04:00 on 2 June in 大庆.
    born_today = _with_check("23060220240602001")
    assert validate_id_number(born_today) == born_today


@pytest.mark.parametrize("number", ["23060219900101001", "2306021990010100161", "2306"])
def test_wrong_length_is_refused_with_the_length_given(number):
    assert _code(number) == "id_length"
    assert f"您输入了{len(number)}位" in _message(number)


def test_an_old_15_digit_number_is_told_to_use_the_18_digit_one():
    assert _code("230602900101001") == "id_length"
    assert "15位" in _message("230602900101001")


@pytest.mark.parametrize(("number", "position"), [("2306021990A1010016", 11), ("X30602199001010016", 1),
                                                 ("230602 199001010016"[:18], 7), ("2306021990-1010016", 11)])
def test_letters_or_signs_among_the_digits_are_refused_with_their_position(number, position):
    assert _code(number) == "id_chars"
    assert f"第{position}位" in _message(number)


def test_a_last_character_other_than_a_digit_or_x_is_refused():
    assert _code("23060219900101001Y") == "id_chars"
    assert "最后一位" in _message("23060219900101001Y")


@pytest.mark.parametrize("number", [
    "２３０６０２１９９００１０１００１６",  # all full-width
    "2306021990010100１6",  # one full-width digit
    "11010519491231002Ｘ",  # full-width X
    "11010519491231002ｘ",
    "２３０６０２",  # full-width and too short: the full-width message comes first
])
def test_full_width_digits_get_their_own_message(number):
    assert _code(number) == "id_fullwidth"
    assert "半角" in _message(number)


@pytest.mark.parametrize("first17", ["99060219900101001", "00060219900101001", "10060219900101001",
                                     "84000019900101001", "16000019900101001"])
def test_an_unknown_province_code_is_refused(first17):
    assert _code(_with_check(first17)) == "id_province"


def test_every_listed_province_code_is_accepted():
    for province in PROVINCE_CODES:
        number = _with_check(f"{province}000019900101001")
        assert validate_id_number(number) == number


def test_messages_never_echo_the_number():
    for bad in ["230602199001010017", "230602199002300015", "2306021990A1010016", "99060219900101001"]:
        assert bad[:6] not in _message(bad)


# --- nothing but ValidationError -------------------------------------------------------------------


@pytest.mark.parametrize("junk", [
    None, "", "   ", 230602199001010016, 0, True, 1.5, float("nan"), b"230602199001010016",
    bytearray(b"230602199001010016"), ["230602199001010016"], {"id": 1}, object(), date(1990, 1, 1),
    "1" * 1_000_000, "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits, which str.isdigit() accepts
    "𝟐𝟑𝟎𝟔𝟎𝟐𝟏𝟗𝟗𝟎𝟎𝟏𝟎𝟏𝟎𝟎𝟏𝟔",  # mathematical bold digits
    "\ud800" * 18, "\x00" * 18, "230602199001010016\x00", "😀" * 18, "\u202e230602199001010016",
    "²³⁰⁶⁰²¹⁹⁹⁰⁰¹⁰¹⁰⁰¹⁶", "230602199001010016" * 2,
])
def test_junk_of_any_kind_raises_only_validation_error(junk):
    _code(junk)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.text(), st.text(alphabet="0123456789Xx ０１Ｘ"),
                 st.lists(st.text()), st.booleans()))
def test_fuzz_only_ever_returns_a_string_or_raises_validation_error(value):
    try:
        result = validate_id_number(value)
    except ValidationError as exc:
        assert exc.code
    else:
        assert isinstance(result, str) and len(result) == 18


# --- property: MOD 11-2 catches every single-digit error -----------------------------------------------

valid_first17 = st.builds(
    lambda province, area, born, seq: f"{province}{area:04d}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 9999),
    st.dates(min_value=date(1900, 1, 1), max_value=date.today() - timedelta(days=2)),
    st.integers(0, 999),
)


@settings(max_examples=300, deadline=None)
@given(valid_first17)
def test_any_valid_prefix_with_its_check_character_validates(first17):
    number = first17 + check_character(first17)
    assert validate_id_number(number) == number


@settings(max_examples=300, deadline=None)
@given(valid_first17, st.integers(0, 17), st.integers(0, 9))
def test_changing_any_single_character_makes_a_valid_number_invalid(first17, position, shift):
    number = first17 + check_character(first17)
    alphabet = "0123456789" if position < 17 else "0123456789X"
    step = 1 + shift % (len(alphabet) - 1)  # never a step that lands back on the same character
    replacement = alphabet[(alphabet.index(number[position]) + step) % len(alphabet)]
    assert replacement != number[position]
    changed = number[:position] + replacement + number[position + 1:]
    with pytest.raises(ValidationError):
        validate_id_number(changed)


# --- helpers ------------------------------------------------------------------------------------


def test_birth_date_and_sex_come_from_the_number():
    assert birth_date_from_id("11010519491231002X") == date(1949, 12, 31)
    assert sex_from_id("11010519491231002X") == "female"  # 17th digit 2
    assert sex_from_id("230602199001010016") == "male"  # 17th digit 1
    assert sex_from_id("11010519491231002x") == "female"


def test_age_counts_whole_years():
    number = "230602199001010016"
    assert age_on(number, date(2023, 12, 31)) == 33
    assert age_on(number, date(2024, 1, 1)) == 34
    assert age_on(number, date(1990, 1, 1)) == 0


def test_someone_born_on_29_february_turns_older_on_1_march_in_common_years():
    number = "230602200002290019"
    assert age_on(number, date(2018, 2, 28)) == 17
    assert age_on(number, date(2018, 3, 1)) == 18
    assert age_on(number, date(2020, 2, 29)) == 20


def test_age_before_birth_is_a_programming_error():
    with pytest.raises(ValueError):
        age_on("230602199001010016", date(1989, 12, 31))


def test_helpers_refuse_invalid_numbers_with_validation_error():
    for helper in (birth_date_from_id, sex_from_id):
        with pytest.raises(ValidationError):
            helper("230602199001010017")
    with pytest.raises(ValidationError):
        age_on(None, date(2024, 1, 1))


# --- as a Django validator and form field -----------------------------------------------------------


def test_it_works_as_a_model_field_validator():
    field = models.CharField(max_length=18, validators=[validate_id_number])
    assert field.clean("230602199001010016", None) == "230602199001010016"
    with pytest.raises(ValidationError) as exc:
        field.clean("230602199001010017", None)
    assert exc.value.error_list[0].code == "id_checksum"


class ApplicantForm(forms.Form):
    id_number = IdNumberField()


def test_the_form_field_normalises_and_validates():
    form = ApplicantForm(data={"id_number": "  11010519491231002x "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "11010519491231002X"


def test_the_form_field_shows_the_chinese_message():
    form = ApplicantForm(data={"id_number": "2306021990010100１6"})
    assert not form.is_valid()
    assert form.errors.as_data()["id_number"][0].code == "id_fullwidth"
    assert "半角" in form.errors["id_number"][0]


def test_the_form_field_reports_one_error_for_a_long_number():
    form = ApplicantForm(data={"id_number": "2306021990010100161"})
    assert not form.is_valid()
    assert form.errors["id_number"] == ["身份证号码应为18位，您输入了19位，请核对。"]


def test_the_form_field_can_be_optional():
    class OptionalForm(forms.Form):
        id_number = IdNumberField(required=False)

    form = OptionalForm(data={"id_number": "  "})
    assert form.is_valid()
    assert form.cleaned_data["id_number"] == ""


def test_the_form_field_has_no_maxlength_and_no_autocomplete():
    html = str(ApplicantForm()["id_number"])
    assert "maxlength" not in html
    assert 'autocomplete="off"' in html
