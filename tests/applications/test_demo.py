"""seed_demo's part for applications: a verified demo applicant with one submitted application, idempotent."""

import pytest
from django.core.management import call_command

from applications.models import Application, Status
from gongzufang.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_one_submitted_application_for_the_demo_clerk(client):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    applicant = User.objects.get(username="shenqingren")
    assert applicant.id_verified_at and applicant.id_number == "230602198503150022"
    app = Application.objects.get()
    assert app.applicant == applicant and app.status == Status.SUBMITTED
    assert app.household.members.count() == 3 and app.materials.count() == 4
    client.force_login(User.objects.get(username="saertu_jd"))
    assert app.number in client.get("/admin/applications/application/").content.decode()
