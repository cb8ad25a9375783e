"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of landlords, employers and other
organisations.

`validate_social_credit_code(value, *, allow_pilot=False)` returns a `CreditCodeResult` (the
normalised code and a list of warnings for a person to look at) or raises
`django.core.exceptions.ValidationError` with a Chinese message. It raises nothing else.

The code: 18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, Z, S, V) — position 1
registration authority, 2 organisation type, 3–8 administrative area code (6 digits), 9–17 the
organisation code, 18 the check character (weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28,
check = 31 − (sum mod 31), 31 → 0).

What is an error and what is only a warning, and why:

- Wrong length, characters outside the alphabet, or a non-digit area code: error. These are typing
  mistakes, and the message says where (a code is public, so naming the position leaks nothing).
  Lowercase letters are accepted and uppercased; full-width characters get their own message and are
  not converted, so the person sees what they typed wrong.
- Wrong check character: error by default. Some codes issued in pilot regions before the national
  standard do not satisfy it and are still printed on valid licences; a caller that must accept them
  passes ``allow_pilot=True`` and the failure becomes the warning "疑似早期试点代码，请人工核对"
  for a clerk to check against the licence. There is no list of known pilot codes to maintain.
- A registration-authority/type pair not in the standard's table (Appendix A, with the later 农业 "N"
  authority): warning only. The table has grown since 2015 and will grow again; refusing an
  organisation because our copy is out of date would be worse than asking a clerk to look.
- A 15-digit old business registration number (工商注册号, from before 2015): accepted with the
  warning "旧版营业执照注册号，请提供统一社会信用代码". Its own check digit is not verified —
  numbers from before the 2006 numbering rules do not follow it.
- The organisation code inside positions 9–17 is not checked against GB 11714 on its own: the overall
  check character already catches typing errors, and codes for 个体工商户 are not all GB 11714 codes.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ALPHABET",
    "CreditCodeResult",
    "credit_code_check_character",
    "validate_social_credit_code",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}

# GB 32100-2015 Appendix A: registration authority → (name, {type code: type name}).
REGISTRATION_AUTHORITIES = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                     "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# Letters left out of the alphabet, and what the person most likely meant.
_EXCLUDED_HINTS = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}
_DIGITS = frozenset("0123456789")
_EDGE_JUNK = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+|[\s\u200b\u200c\u200d\u2060\ufeff]+$")

MESSAGES = {
    "cc_required": _("请输入统一社会信用代码。"),
    "cc_type": _("统一社会信用代码格式不正确，请输入18位统一社会信用代码。"),
    "cc_fullwidth": _("统一社会信用代码中含有全角字符，请切换到半角（英文）输入状态后重新输入。"),
    "cc_length": _("统一社会信用代码应为18位，您输入了%(length)d位，请核对。"),
    "cc_excluded_letter": _(
        "统一社会信用代码第%(position)d位是字母“%(char)s”，但代码中不使用字母I、O、Z、S、V，"
        "请核对是否应为“%(hint)s”。"
    ),
    "cc_chars": _("统一社会信用代码第%(position)d位不是有效字符，代码只由数字和大写英文字母组成。"),
    "cc_area": _("统一社会信用代码第3至8位（行政区划代码）应为6位数字，请核对。"),
    "cc_checksum": _("统一社会信用代码有误（校验位不符），请核对后重新输入。"),
}

WARNING_PILOT = _("疑似早期试点代码，请人工核对")
WARNING_LEGACY = _("旧版营业执照注册号，请提供统一社会信用代码")
WARNING_UNKNOWN_TYPE = _("登记管理部门代码或机构类别代码不在国家标准之列，请人工核对")


@dataclass
class CreditCodeResult:
    """A code that passed, with anything a person should still look at."""

    code: str
    warnings: list[str] = field(default_factory=list)
    #: True for a 15-digit 工商注册号 accepted in place of a unified social credit code.
    is_legacy: bool = False


def _error(key: str, code: str | None = None, **params) -> ValidationError:
    return ValidationError(MESSAGES[key], code=code or key, params=params or None)


def _is_fullwidth(ch: str) -> bool:
    # Full-width digits and Latin letters (U+FF10–FF19, U+FF21–FF3A, U+FF41–FF5A).
    return "\uff10" <= ch <= "\uff19" or "\uff21" <= ch <= "\uff3a" or "\uff41" <= ch <= "\uff5a"


def credit_code_check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters. Raises ValueError for anything that
    is not 17 characters of the code alphabet (a programming error, not user input)."""
    if not isinstance(first17, str) or len(first17) != 17 or not all(ch in _VALUES for ch in first17):
        raise ValueError("credit_code_check_character needs 17 characters of the code alphabet")
    total = sum(_VALUES[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_social_credit_code(value, *, allow_pilot: bool = False) -> CreditCodeResult:
    """Check a unified social credit code (or an old 15-digit registration number) — see the module
    docstring for what is an error and what a warning."""
    if value is None:
        raise _error("cc_required")
    if not isinstance(value, str):
        raise _error("cc_type")
    value = _EDGE_JUNK.sub("", value)
    if not value:
        raise _error("cc_required")
    if any(_is_fullwidth(ch) for ch in value):
        raise _error("cc_fullwidth")
    if len(value) == 15 and _DIGITS.issuperset(value):
        return CreditCodeResult(code=value, warnings=[gettext(WARNING_LEGACY)], is_legacy=True)
    if len(value) != 18:
        raise _error("cc_length", length=len(value))
    for position, ch in enumerate(value, start=1):
        # Only ASCII is uppercased: str.upper() turns some letters into two ("ß" → "SS").
        upper = ch.upper() if ch.isascii() else ch
        if upper in _EXCLUDED_HINTS:
            raise _error("cc_excluded_letter", code="cc_chars", position=position, char=upper,
                         hint=_EXCLUDED_HINTS[upper])
        if upper not in _VALUES:
            raise _error("cc_chars", position=position)
    code = value.upper()
    if not _DIGITS.issuperset(code[2:8]):
        raise _error("cc_area")

    warnings = []
    if credit_code_check_character(code[:17]) != code[17]:
        if not allow_pilot:
            raise _error("cc_checksum")
        warnings.append(gettext(WARNING_PILOT))
    authority = REGISTRATION_AUTHORITIES.get(code[0])
    if authority is None or code[1] not in authority[1]:
        warnings.append(gettext(WARNING_UNKNOWN_TYPE))
    return CreditCodeResult(code=code, warnings=warnings)
