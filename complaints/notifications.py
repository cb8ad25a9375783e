"""The words of the in-site message and SMS sent when an item's status changes."""

from .models import Status

# Which changes also go out by SMS (the in-site message is always written).
SMS_STATUSES = {Status.ESCALATED, Status.REPLIED}


def change_message(change) -> tuple[str, str, str]:
    """(title, body, sms text) for one FeedbackStatusChange."""
    feedback = change.feedback
    number = feedback.number
    kind = feedback.get_kind_display()
    to = change.to_status
    if to == Status.SUBMITTED:
        title = f"{kind}已收到"
        body = (f"您的{kind}（编号 {number}）已收到，由{feedback.district.name}办理，"
                f"将于 {feedback.reply_due.year}年{feedback.reply_due.month}月{feedback.reply_due.day}日 前答复。")
    elif to == Status.ESCALATED:
        title = f"{kind}已转市级督办"
        body = f"您的{kind}（编号 {number}）超过答复期限尚未答复，已转市住建局督办，我们将尽快答复您。"
    elif to == Status.REPLIED:
        title = f"{kind}已答复"
        body = f"您的{kind}（编号 {number}）已答复：{feedback.reply}"
    elif to == Status.CLOSED:
        title = f"{kind}已办结"
        body = f"您的{kind}（编号 {number}）已办结。欢迎对本次服务进行评价。"
    else:  # pragma: no cover - every status is listed above
        title, body = f"{kind}进度更新", f"您的{kind}（编号 {number}）状态：{feedback.get_status_display()}。"
    sms = body if len(body) <= 100 else f"您的{kind}（编号 {number}）已答复，请登录平台“意见反馈”查看。"
    return title, body, sms


def escalation_summary(numbers) -> tuple[str, str]:
    """(title, body) for the city caseworkers when items are escalated."""
    shown = "、".join(numbers[:20]) + ("等" if len(numbers) > 20 else "")
    return f"{len(numbers)} 件意见反馈超期转市级督办", f"以下意见反馈超过答复期限尚未答复，已转市级督办：{shown}。"
