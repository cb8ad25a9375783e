"""Real-name check against 公安户籍: the name must match the one registered for the ID number."""

from dataclasses import dataclass

from django.conf import settings

from .base import DepartmentResult, Outcome
from .client import enrol_resident
from .departments import adapter_for


@dataclass(frozen=True)
class IdentityCheck:
    outcome: Outcome  # pass: registered, alive, same name; fail: mismatch or not alive; unknown
    message: str  # for the person, in Chinese; never the registered name itself
    result: DepartmentResult


def _same_name(a: str, b: str) -> bool:
    squash = str.maketrans("", "", " \u3000·•.")
    return a.translate(squash) == b.translate(squash)


def verify_identity(name: str, id_number: str) -> IdentityCheck:
    if getattr(settings, "EXCHANGE_SIMULATED", False):
        # Development: a new resident may try the portal with their own identity (issue 12, item 19).
        enrol_resident(name, id_number)
    result = adapter_for("hukou").query([id_number])[id_number]
    if result.status == Outcome.UNKNOWN:
        if result.reason == "部门无此人记录":
            msg = "公安户籍系统中未查到该身份证号码，请核对；如确认无误，请携带身份证到街道受理窗口办理。"
        else:
            msg = "暂时无法连接公安户籍系统核验身份，您填写的信息已保留，请稍后再试。"
        return IdentityCheck(Outcome.UNKNOWN, msg, result)
    if not _same_name(name, result.facts.get("name", "")):
        return IdentityCheck(Outcome.FAIL, "姓名与身份证号码不一致，请核对后重新输入。", result)
    if result.status == Outcome.FAIL:
        return IdentityCheck(Outcome.FAIL, "该身份证号码的户籍状态异常，无法在线认证，请到街道受理窗口办理。", result)
    return IdentityCheck(Outcome.PASS, "", result)
