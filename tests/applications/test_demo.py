"""seed_demo's part for applications: the demo applicant's submitted application, and demo applicants
at every step of the review whose department records pass or fail for different reasons; idempotent."""

import pytest
from django.core.management import call_command

from applications.demo.review import PERSONAS
from applications.models import Application, RuleEvaluation, Status
from gongzufang.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_one_submitted_application_for_the_demo_clerk(client):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    applicant = User.objects.get(username="shenqingren")
    assert applicant.id_verified_at and applicant.id_number == "230602198503150022"
    app = Application.objects.get(applicant=applicant)
    assert app.status == Status.SUBMITTED
    assert app.household.members.count() == 3 and app.materials.count() == 3
    client.force_login(User.objects.get(username="saertu_jd"))
    assert app.number in client.get("/admin/applications/application/").content.decode()


def test_the_demo_shows_every_step_with_passes_and_failures_for_different_reasons():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    # Other apps' demos add households of their own (waitlist, subsidies): count this app's people.
    ours = Application.objects.filter(applicant__username__in=["shenqingren", *(p.username for p in PERSONAS)])
    assert ours.count() == 1 + len(PERSONAS)
    status = {p.name: Application.objects.get(applicant__username=p.username).status for p in PERSONAS}
    assert status == {"张伟": "accepted", "林晓": "district_review", "马涛": "district_review", "黄静": "cross_check",
                      "钱芳": "rejected", "罗兰": "public_notice", "高峰": "district_review", "谢勇": "approved",
                      "刘建国": "city_review", "赵强": "draft"}
    draft = Application.objects.get(applicant__real_name="赵强")
    assert draft.submitted_at is None and draft.household.members.count() == 1 and draft.housing_area

    def failed(name):
        evaluation = RuleEvaluation.objects.get(application__applicant__real_name=name, is_current=True)
        return sorted(r["rule"] for r in evaluation.failed_results)

    assert failed("林晓") == [] and failed("罗兰") == [] and failed("谢勇") == [] and failed("刘建国") == []
    assert "no_property" in failed("马涛")
    assert failed("高峰") == ["vehicle_value"]
    assert "no_recent_sale" in failed("钱芳")
    waiting = Application.objects.get(applicant__real_name="黄静")
    assert waiting.check_results.filter(is_current=True, status="unknown", department="tax").exists()
