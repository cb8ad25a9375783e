"""Registration by SMS, log-in by password or SMS code, password reset, codes and throttles."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from applications.accounts import services as accounts
from applications.models import SmsCode, SmsPurpose
from gongzufang.errors import PortalError
from notifications.models import SmsOutbox
from tests.applications.conftest import last_code

pytestmark = pytest.mark.django_db
User = get_user_model()
PHONE = "13900001111"
PASSWORD = "Qing-long-2026"


def a_minute_later():
    """Past the 60-second resend throttle (the cache and the database both know the last send)."""
    from django.core.cache import cache

    cache.clear()
    return time_machine.travel(timezone.now() + timedelta(seconds=61))


def register(client, phone=PHONE, password=PASSWORD):
    client.post(reverse("applications:register"), {"phone": phone})
    return client.post(reverse("applications:register_confirm"),
                       {"code": last_code(phone), "password1": password, "password2": password})


# --- codes -----------------------------------------------------------------------------------------


def test_a_code_is_stored_hashed_and_texted():
    row = accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.REGISTER)
    code = last_code(PHONE)
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    assert (row.expires_at - row.created_at) == timedelta(minutes=5)


def test_a_code_works_once():
    accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)
    code = last_code(PHONE)
    accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.LOGIN, code=code)
    with pytest.raises(PortalError, match="请先获取"):
        accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.LOGIN, code=code)


def test_a_code_for_one_purpose_does_not_serve_another():
    accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)
    with pytest.raises(PortalError):
        accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.RESET, code=last_code(PHONE))


def test_an_expired_code_is_refused():
    accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)
    code = last_code(PHONE)
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)), \
            pytest.raises(PortalError, match="已过期") as err:
        accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.LOGIN, code=code)
    assert err.value.fields == {"code": ["expired"]}


def test_five_wrong_tries_void_the_code():
    accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)
    code = last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(PortalError, match=f"还可以再试 {left} 次"):
            accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.LOGIN, code=wrong)
    with pytest.raises(PortalError, match="错误次数过多"):
        accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.LOGIN, code=wrong)
    # Even the right code is now refused.
    with pytest.raises(PortalError, match="已失效"):
        accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.LOGIN, code=code)
    assert SmsCode.objects.get().failed_attempts == 5


def test_resend_is_throttled_for_60_seconds():
    accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.REGISTER)
    with pytest.raises(PortalError, match="60 秒"):
        accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.REGISTER)
    from django.core.cache import cache

    cache.clear()  # the database check holds even when the cache has forgotten
    with pytest.raises(PortalError, match="60 秒"):
        accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.REGISTER)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        cache.clear()
        accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.REGISTER)
    assert SmsCode.objects.filter(phone=PHONE).count() == 2


def test_a_new_code_voids_the_old_one():
    accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)
    old = last_code(PHONE)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        from django.core.cache import cache

        cache.clear()
        accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)
        new = last_code(PHONE)
        if new != old:
            with pytest.raises(PortalError):
                accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.LOGIN, code=old)
        accounts.sms_code_check(phone=PHONE, purpose=SmsPurpose.LOGIN, code=new)


def test_codes_per_phone_are_capped_per_day(settings):
    from django.core.cache import cache

    settings.SMS_DAILY_LIMIT = 3
    start = timezone.localtime().replace(hour=8, minute=0)
    for i in range(3):
        with time_machine.travel(start + timedelta(minutes=2 * i)):
            cache.clear()
            accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)
    with time_machine.travel(start + timedelta(minutes=10)):
        cache.clear()
        with pytest.raises(PortalError, match="今日"):
            accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)
    with time_machine.travel(start + timedelta(days=1)):
        cache.clear()
        accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN)


@pytest.mark.parametrize("raw, ok", [
    ("13900001111", True), ("139 0000 1111", True), ("+8613900001111", True),
    ("１３９００００１１１１", False), ("1390000111", False), ("23900001111", False), ("", False), ("abc", False),
])
def test_phone_numbers_are_checked(raw, ok):
    if ok:
        assert accounts.normalise_phone(raw) == PHONE
    else:
        with pytest.raises(PortalError):
            accounts.normalise_phone(raw)


# --- registration ----------------------------------------------------------------------------------


def test_registration_by_phone_code_and_password(client):
    response = register(client)
    assert response.status_code == 302
    assert response.url == reverse("applications:verify")
    user = User.objects.get(phone=PHONE)
    assert user.username == PHONE and user.role == "applicant"
    assert user.check_password(PASSWORD)
    assert "_auth_user_id" in client.session


def test_registration_with_a_wrong_code_keeps_the_page_and_says_why(client):
    client.post(reverse("applications:register"), {"phone": PHONE})
    response = client.post(reverse("applications:register_confirm"),
                           {"code": "999999" if last_code(PHONE) != "999999" else "888888",
                            "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not User.objects.filter(phone=PHONE).exists()
    # Next to the field, and in the summary at the top, which links to the field.
    body = response.content.decode()
    assert 'id="id_code_error"' in body and 'href="#id_code"' in body
    assert 'aria-describedby="id_code_error id_code_helptext"' in body


def test_registration_with_an_expired_code(client):
    client.post(reverse("applications:register"), {"phone": PHONE})
    code = last_code(PHONE)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.post(reverse("applications:register_confirm"),
                               {"code": code, "password1": PASSWORD, "password2": PASSWORD})
    assert "已过期" in response.content.decode()
    assert not User.objects.filter(phone=PHONE).exists()


def test_a_weak_password_is_refused_without_using_the_code(client):
    client.post(reverse("applications:register"), {"phone": PHONE})
    code = last_code(PHONE)
    response = client.post(reverse("applications:register_confirm"),
                           {"code": code, "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert not User.objects.filter(phone=PHONE).exists()
    response = register_confirm = client.post(reverse("applications:register_confirm"),
                                              {"code": code, "password1": PASSWORD, "password2": PASSWORD})
    assert register_confirm.status_code == 302, response.content.decode()[:500]


def test_mismatched_passwords(client):
    client.post(reverse("applications:register"), {"phone": PHONE})
    response = client.post(reverse("applications:register_confirm"),
                           {"code": last_code(PHONE), "password1": PASSWORD, "password2": PASSWORD + "x"})
    assert "两次输入的密码不一致" in response.content.decode()


def test_a_registered_phone_cannot_register_again(client):
    register(client)
    client.logout()
    response = client.post(reverse("applications:register"), {"phone": PHONE})
    assert response.status_code == 200
    assert "该手机号已注册" in response.content.decode()


def test_the_resend_button_is_throttled(client):
    client.post(reverse("applications:register"), {"phone": PHONE})
    response = client.post(reverse("applications:register_confirm"), {"resend": "1"}, follow=True)
    assert "60 秒" in response.content.decode()
    assert SmsOutbox.objects.filter(phone=PHONE).count() == 1


def test_the_second_step_without_the_first_goes_back(client):
    response = client.get(reverse("applications:register_confirm"))
    assert response.url == reverse("applications:register")


# --- log-in ---------------------------------------------------------------------------------------


def test_log_in_with_phone_and_password(client):
    register(client)
    client.logout()
    response = client.post(reverse("login"), {"username": PHONE, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_log_in_with_an_sms_code(client):
    register(client)
    client.logout()
    with a_minute_later():
        client.post(reverse("applications:login_sms"), {"phone": PHONE})
        response = client.post(reverse("applications:login_sms_confirm"), {"code": last_code(PHONE)})
    assert response.status_code == 302
    assert response.url == reverse("applications:apply_home")
    assert int(client.session["_auth_user_id"]) == User.objects.get(phone=PHONE).pk


def test_sms_log_in_for_an_unknown_phone(client):
    response = client.post(reverse("applications:login_sms"), {"phone": PHONE})
    assert "尚未注册" in response.content.decode()
    assert not SmsOutbox.objects.exists()


def test_sms_log_in_with_a_wrong_code_says_so(client):
    register(client)
    client.logout()
    with a_minute_later():
        client.post(reverse("applications:login_sms"), {"phone": PHONE})
        wrong = "000000" if last_code(PHONE) != "000000" else "111111"
        response = client.post(reverse("applications:login_sms_confirm"), {"code": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_out(client, settings):
    register(client)
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": PHONE, "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": PHONE, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "临时锁定" in response.content.decode()


def test_sms_code_failures_count_towards_the_lock_out(client, settings):
    register(client)
    client.logout()
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": PHONE, "password": f"wrong-{i}"})
    with a_minute_later():
        client.post(reverse("applications:login_sms"), {"phone": PHONE})
        response = client.post(reverse("applications:login_sms_confirm"), {"code": last_code(PHONE)})
    assert "_auth_user_id" not in client.session
    assert "临时锁定" in response.content.decode()


# --- password reset -------------------------------------------------------------------------------


def test_password_reset_by_sms(client):
    register(client)
    client.logout()
    with a_minute_later():
        client.post(reverse("applications:password_reset"), {"phone": PHONE})
        response = client.post(reverse("applications:password_reset_confirm"),
                               {"code": last_code(PHONE), "password1": "Xin-mima-2027", "password2": "Xin-mima-2027"})
    assert response.status_code == 302
    assert User.objects.get(phone=PHONE).check_password("Xin-mima-2027")


def test_password_reset_for_an_unknown_phone_sends_nothing(client):
    response = client.post(reverse("applications:password_reset"), {"phone": PHONE})
    assert "尚未注册" in response.content.decode()
    assert not SmsOutbox.objects.exists()


def test_a_password_reset_by_sms_clears_the_lock_out(client, settings):
    """The lock-out page sends the person to reset by SMS: the new password then works at once, not
    30 minutes later (issue 12, item 13)."""
    register(client)
    client.logout()
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": PHONE, "password": f"wrong-{i}"})
    assert "临时锁定" in client.post(reverse("login"), {"username": PHONE, "password": PASSWORD}).content.decode()
    with a_minute_later():
        client.post(reverse("applications:password_reset"), {"phone": PHONE})
        client.post(reverse("applications:password_reset_confirm"),
                    {"code": last_code(PHONE), "password1": "Xin-mima-2027", "password2": "Xin-mima-2027"})
        response = client.post(reverse("login"), {"username": PHONE, "password": "Xin-mima-2027"})
    assert "临时锁定" not in response.content.decode()
    assert int(client.session["_auth_user_id"]) == User.objects.get(phone=PHONE).pk
