"""Demo feedback for `seed_demo`: the demo applicant 王丽 has one answered suggestion and one open
repair request; a 12345 hotline item waits in 萨尔图区. Idempotent (keyed on the demo texts)."""

from gongzufang.models import District, User

SUGGESTION = "建议在小区增设电动自行车充电桩，方便租户出行。"
REPAIR = "卫生间水管漏水，已影响楼下住户，请尽快安排维修。"
HOTLINE = "来电反映：小区路灯损坏多日，夜间出行不便。"


def seed():
    from . import services
    from .models import Category, Channel, Feedback, Kind

    applicant = User.objects.filter(username="shenqingren").first()
    caseworker = User.objects.filter(username="saertu").first()
    district = District.objects.filter(code="230602").first()
    if applicant is None or caseworker is None or district is None:
        return
    if not Feedback.objects.filter(submitter=applicant, text=SUGGESTION).exists():
        item, _created = services.feedback_submit(submitter=applicant, kind=Kind.SUGGESTION,
                                                  category=Category.PROPERTY_SERVICE, text=SUGGESTION,
                                                  district=district)
        services.feedback_reply(feedback=item, actor=caseworker,
                                text="感谢您的建议。区住建局已协调物业，计划于下月在小区东门增设充电桩 20 个。")
    if not Feedback.objects.filter(submitter=applicant, text=REPAIR).exists():
        services.feedback_submit(submitter=applicant, kind=Kind.REPAIR, category=Category.MAINTENANCE, text=REPAIR,
                                 district=district)
    if not Feedback.objects.filter(text=HOTLINE).exists():
        services.feedback_record(recorded_by=caseworker, channel=Channel.HOTLINE, kind=Kind.COMPLAINT,
                                 category=Category.PROPERTY_SERVICE, text=HOTLINE, district=district,
                                 hotline_reference="12345-20260001", contact_name="李先生")
