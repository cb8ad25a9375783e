"""Personal data: encryption at rest, a keyed hash for exact look-up, masking, and the log of
every full view (DESIGN §13)."""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.contenttypes.models import ContentType


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    # Several comma-separated keys allow rotation: the first encrypts, all decrypt.
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def encrypt(value: str) -> str:
    return _fernet(settings.PII_ENCRYPTION_KEY).encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.PII_ENCRYPTION_KEY).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("个人信息密文无法解密：密钥不符或数据损坏") from exc


def normalise_id_number(value: str) -> str:
    # Validated numbers are already normalised (gongzufang.idnumber); this makes the hash of a
    # typed look-up ("...002x ") match the stored one.
    return (value or "").strip().upper()


def pii_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA256) of a normalised value, stored beside the ciphertext."""
    return hmac.new(settings.PII_HASH_KEY.encode(), normalise_id_number(value).encode("utf-8"), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """`230602199001010016` → `2306**********0016` (first 4 and last 4 shown)."""
    value = value or ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def age_of(born, on=None) -> int | None:
    """Age in whole years (周岁) on `on` (default today). Shown instead of the birth date wherever a
    masked ID number is shown: the mask keeps the sequence and check digit, and with the date beside
    it the nine county codes and the check digit leave one number (issue 12, item 1)."""
    if born is None:
        return None
    from django.utils import timezone

    on = on or timezone.localdate()
    return max(0, on.year - born.year - ((on.month, on.day) < (born.month, born.day)))


def mask_name(name: str) -> str:
    """张三 → 张*; 张三明 → 张*明; 欧阳娜娜 → 欧**娜 (first and last character shown)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    phone = phone or ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else mask_id_number(phone)


def reveal(instance, field, *, user=None, api_client=None, purpose=""):
    """The full value of an encrypted field, logged as a full view."""
    from gongzufang.models import PiiAccessLog

    PiiAccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None, api_client=api_client,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk), field=field, purpose=str(purpose)[:200],
    )
    return getattr(instance, field)
