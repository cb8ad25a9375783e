"""ID numbers are stored encrypted, found by a keyed hash, shown masked, and full views are logged."""

import pytest
from django.db import connection

from gongzufang import pii
from gongzufang.models import PiiAccessLog, User

ID = "11010519491231002X"


def test_masks_show_first_and_last_four():
    assert pii.mask_id_number("230602199001010016") == "2306**********0016"
    assert pii.mask_name("张三明") == "张*明"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("欧阳娜娜") == "欧**娜"
    assert pii.mask_phone("13800138000") == "138****8000"


def test_encryption_round_trips_and_is_randomised():
    a, b = pii.encrypt(ID), pii.encrypt(ID)
    assert a != b and ID not in a
    assert pii.decrypt(a) == ID


def test_hash_is_keyed_and_ignores_case_and_spaces(settings):
    assert pii.pii_hash(" 11010519491231002x ") == pii.pii_hash(ID)
    before = pii.pii_hash(ID)
    settings.PII_HASH_KEY = "another-key"
    assert pii.pii_hash(ID) != before


@pytest.mark.django_db
def test_the_database_holds_ciphertext_and_lookup_goes_through_the_hash(alice):
    alice.id_number = ID
    alice.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM gongzufang_user WHERE id = %s", [alice.pk])
        stored, digest = cursor.fetchone()
    assert ID not in stored and "19491231" not in stored
    assert digest == pii.pii_hash(ID)
    found = User.objects.get(id_number_hash=pii.pii_hash(ID.lower()))
    assert found.id_number == ID
    assert found.id_number_masked == "1101**********002X"


@pytest.mark.django_db
def test_the_hash_follows_the_number_however_the_row_is_built(alice):
    built = User(username="built", id_number=ID)
    assert built.id_number_hash == pii.pii_hash(ID)
    built.save()
    assert User.objects.filter(id_number_hash=pii.pii_hash(ID)).get() == built
    built.id_number = ""
    assert built.id_number_hash == ""


@pytest.mark.django_db
def test_an_invalid_id_number_is_refused_by_the_model(alice):
    from django.core.exceptions import ValidationError

    alice.id_number = "110105194912310021"
    with pytest.raises(ValidationError) as excinfo:
        alice.full_clean()
    assert "身份证号码有误" in str(excinfo.value)


@pytest.mark.django_db
def test_one_id_number_one_account(alice):
    from django.core.exceptions import ValidationError

    alice.id_number = ID
    alice.save()
    other = User(username="other", id_number=ID)
    with pytest.raises(ValidationError) as excinfo:
        other.validate_constraints()
    assert "该身份证号已注册账户" in str(excinfo.value)


@pytest.mark.django_db
def test_a_full_view_is_logged(alice, dave):
    alice.id_number = ID
    alice.save()
    assert pii.reveal(alice, "id_number", user=dave, purpose="核对身份") == ID
    log = PiiAccessLog.objects.get()
    assert (log.user, log.subject, log.field, log.purpose) == (dave, alice, "id_number", "核对身份")


@pytest.mark.django_db
def test_equality_lookups_on_ciphertext_are_refused(alice):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(User.objects.filter(id_number=ID))
