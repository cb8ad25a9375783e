"""One-time SMS codes (短信验证码): one mechanism for every purpose that asks for one — registration and
log-in (applications), choosing a unit (allocation), signing a lease (rent), changing the subsidy account
(subsidies).

Each app keeps its own table of codes (its rows belong to what they unlock: a lease, a phone, a user), but
every table has the same columns — `code_hash`, `created_at`, `expires_at`, `used_at`, `voided_at`,
`failed_attempts` — and the rules are the same, so they live here once:

- a code is 6 random digits, texted once, and only its keyed hash is kept (the hash's key names the app and
  the purpose, so a code for one thing never opens another);
- it lasts 5 minutes; a new code voids the older unused ones of the same scope;
- a wrong code counts against it in a transaction of its own, committed before the refusal is raised when
  the caller holds no transaction (the views do not), so five wrong tries void it.
"""

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from gongzufang.errors import PortalError

CODE_TTL = timedelta(minutes=5)
MAX_WRONG_TRIES = 5
RESEND_SECONDS = 60

__all__ = ["CODE_TTL", "MAX_WRONG_TRIES", "RESEND_SECONDS", "code_check", "code_hash", "code_issue", "code_new",
           "sent_too_recently"]


def code_new() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(key: str, *parts) -> str:
    """The keyed hash kept instead of the code: `key` names the app and purpose, `parts` what the code is
    bound to (phone, lease, user) followed by the code itself."""
    return salted_hmac(key, ":".join(str(p) for p in parts), algorithm="sha256").hexdigest()


def sent_too_recently(codes, *, now=None) -> bool:
    """Whether the newest code of `codes` (a queryset of one scope) was sent within the last minute."""
    now = now or timezone.now()
    last = codes.order_by("-created_at").values_list("created_at", flat=True).first()
    return bool(last and (now - last).total_seconds() < RESEND_SECONDS)


def code_issue(codes, *, hash_value: str, now=None, **fields):
    """Void the unused codes of `codes` (the queryset of this scope) and save the new one's row."""
    now = now or timezone.now()
    with transaction.atomic():
        codes.filter(used_at__isnull=True, voided_at__isnull=True).update(voided_at=now)
        return codes.model.objects.create(code_hash=hash_value, created_at=now, expires_at=now + CODE_TTL, **fields)


def code_check(codes, code, *, hash_of, field: str = "code", error=PortalError, use: bool = True, bound=None) -> int:
    """Check `code` against the newest unused code of `codes`; return its id, or raise `error` (a PortalError
    class) with the reason in Chinese on `field`.

    `hash_of(code)` gives the hash the row must hold; `bound(row)`, when given, must also hold (the code was
    sent to this phone). With `use` the code is used up; without, the caller uses it up later in its own
    transaction (allocation does, so that a refused choice leaves the code valid)."""
    code = re.sub(r"\s", "", str(code or ""))
    if not code:
        raise error("请输入短信验证码。", fields={field: ["required"]})
    now = timezone.now()
    problem = None
    # Its own transaction, so that the wrong-try count is saved before the refusal is raised.
    with transaction.atomic():
        row = codes.select_for_update().filter(used_at__isnull=True).order_by("-created_at").first()
        if row is None:
            problem = ("请先获取短信验证码。", "missing")
        elif row.voided_at is not None:
            problem = ("验证码已失效，请重新获取。", "voided")
        elif row.expires_at <= now:
            problem = ("验证码已过期（有效期 5 分钟），请重新获取。", "expired")
        elif (bound is not None and not bound(row)) or not constant_time_compare(row.code_hash, hash_of(code)):
            tries = row.failed_attempts + 1
            codes.model.objects.filter(pk=row.pk).update(failed_attempts=F("failed_attempts") + 1,
                                                         voided_at=now if tries >= MAX_WRONG_TRIES else None)
            problem = (("验证码错误次数过多，已失效，请重新获取。", "voided") if tries >= MAX_WRONG_TRIES else
                       (f"验证码不正确，还可以再试 {MAX_WRONG_TRIES - tries} 次。", "wrong"))
        elif use:
            codes.model.objects.filter(pk=row.pk).update(used_at=now)
    if problem:
        message, reason = problem
        raise error(message, fields={field: [reason]}, code=f"sms_code_{reason}")
    return row.pk
