"""The words of the SMS and in-site message sent at each status change."""

from applications.models import Status
from applications.selectors import overall_deadline

SUBJECTS = {
    Status.SUBMITTED: "申请已提交",
    Status.RETURNED_FOR_CORRECTION: "申请需要补正",
    Status.ACCEPTED: "申请已受理",
    Status.WITHDRAWN: "申请已撤回",
    Status.APPROVED: "申请审核通过",
    Status.REJECTED: "申请审核未通过",
    Status.CROSS_CHECK: "街道初审通过",
    Status.DISTRICT_REVIEW: "部门联审完成",
    Status.PUBLIC_NOTICE: "申请进入公示",
    Status.CITY_REVIEW: "公示期满",
    Status.RECHECK_REQUESTED: "复核申请已收到",
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
        due = overall_deadline(application)
        body = f"您的申请（编号 {number}）已受理。" + (f"审批结论预计不晚于 {due}。" if due else "")
    elif to == Status.WITHDRAWN:
        body = f"您的申请（编号 {number}）已撤回。"
    elif to == Status.CROSS_CHECK:
        body = f"您的申请（编号 {number}）已通过街道初审，正在与公安、不动产、民政等部门联网核验信息，无需您提交证明。"
    elif to == Status.DISTRICT_REVIEW:
        body = f"您的申请（编号 {number}）已完成部门联审，进入区县审核。"
    elif to == Status.PUBLIC_NOTICE:
        ends = application.notice_ends_on
        body = (f"您的申请（编号 {number}）已通过区县审核，进入公示" + (f"，公示期至 {ends:%Y年%m月%d日}" if ends else "")
                + "。公示期间姓名和身份证号码只显示部分。")
    elif to == Status.CITY_REVIEW:
        body = f"您的申请（编号 {number}）公示期满，进入市级复核。"
    elif to == Status.APPROVED:
        body = f"您的申请（编号 {number}）审核通过，已取得公租房保障资格。请留意轮候和配租通知。"
    elif to == Status.REJECTED:
        from gongzufang.parameters import param

        days = param("review.recheck_request_days", district=application.district_id)
        body = (f"很抱歉，您的申请（编号 {number}）审核未通过。原因：{change.opinion}。"
                f"详细原因请登录平台查看；如有异议，可在 {days} 日内申请复核。")
        if change.from_status == Status.RECHECK_REQUESTED:
            body = f"您的申请（编号 {number}）复核结论：维持原决定。{change.opinion}。"
    elif to == Status.RECHECK_REQUESTED:
        from gongzufang.parameters import param

        days = param("review.total_workdays", district=application.district_id)
        body = f"已收到您对申请（编号 {number}）的复核申请，将在 {days} 个工作日内作出复核决定。"
    else:
        body = f"您的申请（编号 {number}）进度更新为：{label}。" + (f"意见：{change.opinion}" if change.opinion else "")
    sms = body if len(body) <= 120 else body[:110] + "…详情请登录平台查看。"
    return title, body, sms
