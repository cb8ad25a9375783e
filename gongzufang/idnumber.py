"""Resident ID numbers (公民身份号码, GB 11643-1999), DESIGN §13.

`validate_id_number(value)` is the one gate: it returns the normalised number (surrounding whitespace
removed, a final lowercase ``x`` made ``X``) or raises `django.core.exceptions.ValidationError` with a
short Chinese message and a stable ``code``. It raises nothing else, whatever it is given — forms,
the API and imports all pass user input straight in.

Choices worth knowing:

- Full-width digits (``０``–``９``, ``Ｘ``) are rejected with their own message rather than converted:
  the person should see exactly what is wrong and retype it; a silent conversion would hide that the
  stored value differs from what they typed.
- Only the province-level prefix (first two digits) is checked. The six-digit area code list changes
  every year and old codes stay valid on old cards, so a full list would reject real people.
  81/82/83 are the residence permits for Hong Kong, Macao and Taiwan residents (810000/820000/830000).
- Birth dates must be real, not before 1900-01-01 and not after today in the portal's time zone
  (`timezone.localdate()`, Asia/Shanghai), not the server's UTC date.
- A wrong check character is reported as "the number is wrong" without saying which character
  would be right: telling that would help anyone making up numbers.
- Error messages never echo the number itself (it is personal data and errors end up in logs).
- 15-digit first-generation numbers are refused with a message asking for the 18-digit number.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "IdNumberField",
    "age_on",
    "birth_date_from_id",
    "check_character",
    "normalise_id_number",
    "sex_from_id",
    "validate_id_number",
]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)

# Province-level codes (GB/T 2260), plus 81/82/83 for 港澳台居民居住证.
PROVINCE_CODES = frozenset(
    [f"{n}" for n in range(11, 16)]
    + [f"{n}" for n in range(21, 24)]
    + [f"{n}" for n in range(31, 38)]
    + [f"{n}" for n in range(41, 47)]
    + [f"{n}" for n in range(50, 55)]
    + [f"{n}" for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

_FULLWIDTH = frozenset("０１２３４５６７８９Ｘｘ")
_DIGITS = frozenset("0123456789")
# Whitespace and the invisible characters that come along when a number is pasted from a web page or
# a Word document.
_EDGE_JUNK = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+|[\s\u200b\u200c\u200d\u2060\ufeff]+$")

MESSAGES = {
    "id_required": _("请输入身份证号码。"),
    "id_type": _("身份证号码格式不正确，请输入18位身份证号码。"),
    "id_fullwidth": _("身份证号码中含有全角字符（如“１”或“Ｘ”），请切换到半角（英文）输入状态后重新输入。"),
    "id_length": _("身份证号码应为18位，您输入了%(length)d位，请核对。"),
    "id_length_15": _("这是15位的旧身份证号码，已停止使用，请输入18位的身份证号码。"),
    "id_chars": _("身份证号码第%(position)d位不是数字：前17位只能是数字，最后一位是数字或字母X。"),
    "id_chars_last": _("身份证号码最后一位只能是数字或字母X。"),
    "id_province": _("身份证号码前两位（省级地区代码）不正确，请核对。"),
    "id_birth_date": _("身份证号码中的出生日期（第7至14位）不是有效日期，请核对。"),
    "id_birth_date_early": _("身份证号码中的出生日期早于1900年，请核对。"),
    "id_future": _("身份证号码中的出生日期晚于今天，请核对。"),
    "id_checksum": _("身份证号码有误，请核对后重新输入。"),
}


def _error(key: str, code: str | None = None, **params) -> ValidationError:
    return ValidationError(MESSAGES[key], code=code or key, params=params or None)


def normalise_id_number(value: str) -> str:
    """Strip surrounding whitespace and make a final lowercase ``x`` uppercase. No other change: anything
    else that is wrong is for `validate_id_number` to report."""
    value = _EDGE_JUNK.sub("", value)
    if value.endswith("x"):
        value = value[:-1] + "X"
    return value


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits. Raises ValueError for anything
    that is not exactly 17 ASCII digits (a programming error, not user input)."""
    if not isinstance(first17, str) or len(first17) != 17 or not _DIGITS.issuperset(first17):
        raise ValueError("check_character needs exactly 17 ASCII digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def validate_id_number(value) -> str:
    """Check an 18-character resident ID number and return it normalised.

    Usable directly as a Django validator (``validators=[validate_id_number]``); Django ignores the
    return value there.
    """
    if value is None:
        raise _error("id_required")
    if not isinstance(value, str):
        raise _error("id_type")
    value = normalise_id_number(value)
    if not value:
        raise _error("id_required")
    if any(ch in _FULLWIDTH for ch in value):
        raise _error("id_fullwidth")
    if len(value) != 18:
        if len(value) == 15 and _DIGITS.issuperset(value):
            raise _error("id_length_15", code="id_length")
        raise _error("id_length", length=len(value))
    for position, ch in enumerate(value[:17], start=1):
        if ch not in _DIGITS:
            raise _error("id_chars", position=position)
    if value[17] not in _DIGITS and value[17] != "X":
        raise _error("id_chars_last", code="id_chars")
    if value[:2] not in PROVINCE_CODES:
        raise _error("id_province")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise _error("id_birth_date")
    if born < EARLIEST_BIRTH_DATE:
        raise _error("id_birth_date_early", code="id_birth_date")
    if born > timezone.localdate():
        raise _error("id_future")
    if check_character(value[:17]) != value[17]:
        raise _error("id_checksum")
    return value


def birth_date_from_id(value) -> date:
    """Birth date encoded in a valid ID number (raises ValidationError if the number is not valid)."""
    number = validate_id_number(value)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_from_id(value) -> str:
    """``"male"`` or ``"female"``: the 17th digit is odd for men, even for women."""
    number = validate_id_number(value)
    return "male" if int(number[16]) % 2 else "female"


def age_on(value, on: date) -> int:
    """Age in whole years (周岁) on the given day; someone born on 29 February turns a year older on
    1 March in common years. Raises ValueError if ``on`` is before the birth date."""
    born = birth_date_from_id(value)
    if on < born:
        raise ValueError("age_on: the date is before the birth date")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class IdNumberField(forms.CharField):
    """A form field that normalises (whitespace, lowercase x) and validates a resident ID number."""

    default_validators = [validate_id_number]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("身份证号码"))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return self.empty_value
        return normalise_id_number(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # No maxlength: a browser would silently cut a pasted 19-character number instead of showing
        # the length message.
        attrs.update({"autocomplete": "off", "spellcheck": "false"})
        return attrs
