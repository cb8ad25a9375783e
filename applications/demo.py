"""Demo data of applications for `seed_demo`: the demo applicant 王丽 is verified against the
simulated exchange's records (applications/exchange/fixtures/records.json) so she can apply at once.
Idempotent."""

from django.utils import timezone

from gongzufang.models import User

DEMO_APPLICANT = ("shenqingren", "王丽", "230602198503150022", "13800000001")


def seed():
    username, name, id_number, phone = DEMO_APPLICANT
    user = User.objects.filter(username=username).first()
    if user is None or user.id_verified_at:
        return
    if User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        return
    user.real_name, user.id_number, user.phone = name, id_number, phone
    user.id_verified_at = timezone.now()
    user.save(update_fields=["real_name", "id_number", "id_number_hash", "phone", "id_verified_at"])
