"""The words of the SMS and in-site message sent at each status change."""

from .models import Status
from .selectors import _overall_deadline

SUBJECTS = {
    Status.SUBMITTED: "申请已提交",
    Status.RETURNED_FOR_CORRECTION: "申请需要补正",
    Status.ACCEPTED: "申请已受理",
    Status.WITHDRAWN: "申请已撤回",
    Status.APPROVED: "申请审核通过",
    Status.REJECTED: "申请审核未通过",
}


def status_change_message(change) -> tuple[str, str, str]:
    """(title, body, sms text) for one ApplicationStatusChange."""
    application = change.application
    to = change.to_status
    label = dict(Status.choices).get(to, to)
    title = SUBJECTS.get(to, f"申请进度更新：{label}")
    number = application.number
    if change.from_status == Status.RETURNED_FOR_CORRECTION and to != Status.WITHDRAWN:
        title = "补正已提交"
        body = f"您的申请（编号 {number}）已补正并重新提交，审批时限恢复计算。"
    elif to == Status.SUBMITTED:
        body = f"您的申请（编号 {number}）已提交，等待所在街道受理。"
    elif to == Status.RETURNED_FOR_CORRECTION:
        body = (f"您的申请（编号 {number}）需要补正：{change.opinion}。请登录平台按清单修改后重新提交；"
                "补正期间审批时限暂停计算。")
    elif to == Status.ACCEPTED:
        due = _overall_deadline(application)
        body = f"您的申请（编号 {number}）已受理。" + (f"审批结论预计不晚于 {due}。" if due else "")
    elif to == Status.WITHDRAWN:
        body = f"您的申请（编号 {number}）已撤回。"
    else:
        body = f"您的申请（编号 {number}）进度更新为：{label}。" + (f"意见：{change.opinion}" if change.opinion else "")
    sms = body if len(body) <= 120 else body[:110] + "…详情请登录平台查看。"
    return title, body, sms
