"""Real-name verification (实名认证): local checks, the 公安户籍 adapter, one ID number one account."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import IdentityVerification
from tests import factories
from tests.applications.conftest import LI_MING, NOT_IN_HUKOU, WANG_LI, ZHOU_DE_DECEASED

pytestmark = pytest.mark.django_db
URL = "applications:verify"


@pytest.fixture
def newcomer(db):
    return factories.UserFactory(username="13700000007", phone="13700000007", real_name="")


def verify(client, user, name, number):
    client.force_login(user)
    return client.post(reverse(URL), {"name": name, "id_number": number})


def test_a_matching_name_and_number_verify_the_account(client, exchange, newcomer):
    response = verify(client, newcomer, *WANG_LI)
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.id_verified_at and newcomer.real_name == "王丽"
    assert newcomer.id_number == WANG_LI[1]
    record = IdentityVerification.objects.get(user=newcomer)
    assert record.outcome == "pass" and record.department_result["reply_hash"]
    assert "name" not in record.department_result["facts"]


def test_the_number_is_stored_encrypted(exchange, newcomer, client):
    from django.db import connection

    verify(client, newcomer, *WANG_LI)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM gongzufang_user WHERE id = %s", [newcomer.pk])
        assert WANG_LI[1] not in cursor.fetchone()[0]


@pytest.mark.parametrize("number, message", [
    ("230602198503150023", "身份证号码有误"),            # check character
    ("230602198502300022", "出生日期"),                  # 30 February
    ("23060219850315002", "应为18位"),                   # length
    ("２３０６０２１９８５０３１５００２２", "全角"),       # full-width digits
    ("230602850315002", "15位"),                         # old 15-digit number
    ("", "请输入身份证号码"),
])
def test_wrong_id_numbers_get_a_clear_message_and_keep_the_name(client, exchange, newcomer, number, message):
    response = verify(client, newcomer, "王丽", number)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="王丽"' in body  # nothing typed is lost
    assert exchange.requests == 0  # checked locally first
    newcomer.refresh_from_db()
    assert not newcomer.id_verified_at


def test_a_name_that_does_not_match_is_refused(client, exchange, newcomer):
    response = verify(client, newcomer, "王莉", WANG_LI[1])
    body = response.content.decode()
    assert "姓名与身份证号码不一致" in body
    assert "王丽" not in body.split("<main")[1]  # the registered name is never shown
    assert IdentityVerification.objects.get(user=newcomer).outcome == "fail"


def test_a_number_not_in_the_hukou_register(client, exchange, newcomer):
    response = verify(client, newcomer, "某人", NOT_IN_HUKOU)
    assert "未查到该身份证号码" in response.content.decode()


def test_a_deceased_registration_is_refused(client, exchange, newcomer):
    response = verify(client, newcomer, *ZHOU_DE_DECEASED)
    assert "户籍状态异常" in response.content.decode()


def test_when_the_exchange_is_down_nothing_is_verified_and_the_input_is_kept(client, exchange, newcomer):
    exchange.failure_rate = 1.0
    response = verify(client, newcomer, *WANG_LI)
    body = response.content.decode()
    assert "暂时无法连接" in body
    assert f'value="{WANG_LI[1]}"' in body
    newcomer.refresh_from_db()
    assert newcomer.id_verified_at is None


def test_one_id_number_one_account(client, exchange, newcomer):
    factories.UserFactory(username="13800000001", phone="13800000001", real_name="王丽", id_number=WANG_LI[1],
                          id_verified_at=timezone.now())
    response = verify(client, newcomer, *WANG_LI)
    body = response.content.decode()
    assert "已注册过账户" in body
    assert "138****0001" in body and "13800000001" not in body
    assert reverse("applications:password_reset") in body  # the way back to the first account
    newcomer.refresh_from_db()
    assert not newcomer.id_verified_at and not newcomer.id_number


def test_verification_attempts_are_limited_per_day(client, exchange, newcomer):
    for _ in range(5):
        verify(client, newcomer, "错名", LI_MING[1])
    response = verify(client, newcomer, *LI_MING)
    assert "失败次数过多" in response.content.decode()
    assert exchange.requests == 5


def test_a_verified_account_goes_straight_to_applying(client, exchange, newcomer):
    verify(client, newcomer, *WANG_LI)
    response = client.get(reverse(URL))
    assert response.url == reverse("applications:apply_home")


def test_verification_needs_log_in(client):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and reverse("login") in response.url


def test_html_in_the_name_is_escaped(client, exchange, newcomer):
    response = verify(client, newcomer, "<script>alert(1)</script>", WANG_LI[1])
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
