"""On-site registration (现场注册): a street clerk registers an applicant from the admin; the applicant
gets an SMS to set a password."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from applications.models import IdentityVerification, OnsiteRegistration
from notifications.models import SmsOutbox
from tests import factories
from tests.applications.conftest import WANG_LI, ZHANG_WEI, last_code

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "admin:applications_register_applicant"


def register(client, clerk, name, number, phone, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse(URL), {"name": name, "id_number": number, "phone": phone}, follow=True)


def test_a_clerk_registers_an_applicant_who_then_sets_a_password(client, carol, exchange,
                                                                  django_capture_on_commit_callbacks):
    response = register(client, carol, *ZHANG_WEI, "13600000001", django_capture_on_commit_callbacks)
    assert "已为 张伟 注册账户" in response.content.decode()
    user = User.objects.get(phone="13600000001")
    assert user.real_name == "张伟" and user.id_number == ZHANG_WEI[1] and user.id_verified_at
    assert not user.has_usable_password()
    assert OnsiteRegistration.objects.get(user=user).clerk == carol
    record = IdentityVerification.objects.get(user=user)
    assert record.method == "onsite" and record.verified_by == carol and record.outcome == "pass"
    sms = SmsOutbox.objects.get(phone="13600000001", purpose="onsite_registration")
    assert "/accounts/password/reset/" in sms.text and carol.street.name in sms.text

    # The applicant sets a password with a code sent to that phone, then logs in.
    client.logout()
    client.post(reverse("applications:password_reset"), {"phone": "13600000001"})
    client.post(reverse("applications:password_reset_confirm"),
                {"code": last_code("13600000001"), "password1": "Zhang-wei-2026", "password2": "Zhang-wei-2026"})
    assert client.post(reverse("login"), {"username": "13600000001", "password": "Zhang-wei-2026"}).status_code == 302


def test_a_duplicate_id_number_is_refused_with_the_masked_phone(client, carol, exchange,
                                                                  django_capture_on_commit_callbacks):
    factories.UserFactory(username="13800000001", phone="13800000001", id_number=WANG_LI[1])
    response = register(client, carol, *WANG_LI, "13600000002", django_capture_on_commit_callbacks)
    body = response.content.decode()
    assert "该身份证号码已注册账户" in body and "138****0001" in body
    assert not User.objects.filter(phone="13600000002").exists()


def test_a_name_mismatch_is_refused(client, carol, exchange, django_capture_on_commit_callbacks):
    response = register(client, carol, "张三", ZHANG_WEI[1], "13600000003", django_capture_on_commit_callbacks)
    assert "姓名与身份证号码不一致" in response.content.decode()
    assert not User.objects.filter(phone="13600000003").exists()


def test_when_the_exchange_is_down_the_clerks_check_of_the_card_stands(client, carol, exchange,
                                                                        django_capture_on_commit_callbacks):
    exchange.failure_rate = 1.0
    register(client, carol, *ZHANG_WEI, "13600000004", django_capture_on_commit_callbacks)
    user = User.objects.get(phone="13600000004")
    assert IdentityVerification.objects.get(user=user).outcome == "unknown"


@pytest.mark.parametrize("number, phone, message", [
    ("230602198807203016", "13600000005", "身份证号码有误"),
    (ZHANG_WEI[1], "1360000000", "11位"),
])
def test_bad_input_is_shown_next_to_the_field(client, carol, exchange, number, phone, message,
                                               django_capture_on_commit_callbacks):
    response = register(client, carol, "张伟", number, phone, django_capture_on_commit_callbacks)
    assert message in response.content.decode()
    assert User.objects.filter(role="applicant").count() == 0


def test_only_street_clerks_register_on_site(client, dave, alice):
    client.force_login(dave)
    assert client.get(reverse(URL)).status_code == 403
    client.force_login(alice)
    assert client.get(reverse(URL)).status_code == 302  # not staff: the admin log-in page


def test_the_changelist_links_to_on_site_registration_for_clerks(client, carol):
    client.force_login(carol)
    body = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert reverse(URL) in body
